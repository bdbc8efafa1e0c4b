"""The append-only ledger: one JSON line per archived version, fsynced, never rewritten. Each line carries
`prev`, the SHA-256 of the line before it (GENESIS for the first): a hash chain, so rewriting one line breaks
the next, and rewriting all that follow changes the head that KPI workbooks and audit reports recorded."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from docgen.archive._atomic import fsync_dir


GENESIS = "0" * 64  # the `prev` of the first line
_TAIL = 1 << 16  # bytes read from the end to find the last line (a line is a few hundred bytes)


def line_hash(line: bytes) -> str:
    """The hash the next line's `prev` names: SHA-256 of the line's bytes, without its newline."""
    return hashlib.sha256(line).hexdigest()


@dataclass(frozen=True)
class LedgerHead:
    """Where the ledger stood: its number of lines and the hash of the last (GENESIS when empty)."""

    count: int
    hash: str


@dataclass
class LedgerState:
    """The ledger as read from disk; `cut` describes an unfinished last line (None when it ends cleanly)."""

    # (line number, entry); a last line that is whole JSON but lacks its newline counts as written
    entries: list[tuple[int, dict]] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)  # unreadable lines before the last one
    cut_line: int | None = None  # line number of an unfinished last line
    cut_offset: int = 0  # byte offset where that line starts
    cut_complete: bool = False  # the line is whole JSON and only its newline is missing
    hashes: list[str] = field(default_factory=list)  # line_hash of every line, in order (read_ledger only)

    def put_keys(self) -> set[tuple[str, int, str]]:
        return {key for _, e in self.entries if (key := entry_key(e)) is not None}


def entry_key(entry: dict) -> tuple[str, int, str] | None:
    """(doc_id, version, sha256) of a put line, None for anything else."""
    if entry.get("action") != "put":
        return None
    doc_id, version, sha = entry.get("doc_id"), entry.get("version"), entry.get("sha256")
    if isinstance(doc_id, str) and isinstance(version, int) and isinstance(sha, str):
        return doc_id, version, sha
    return None


def _parse(line: bytes) -> dict | None:
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return entry if isinstance(entry, dict) else None


def read_ledger(path: Path) -> LedgerState:
    state = LedgerState()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return state
    lines = data.split(b"\n")
    terminated = lines[-1] == b""
    if terminated:
        lines.pop()
    offset = 0
    state.hashes = [line_hash(line) for line in lines]
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        entry = _parse(line) if line.strip() else None
        if last and (not terminated or entry is None):
            state.cut_line, state.cut_offset = number, offset
            state.cut_complete = entry is not None
        if entry is not None:
            state.entries.append((number, entry))
        elif line.strip() and not last:
            state.bad_lines.append(number)
        offset += len(line) + 1
    return state


def read_tail(path: Path) -> LedgerState:
    """Only the last line's state (entries left empty). Every put checks it; parsing every line each
    time would make bulk archiving quadratic, while scanning the bytes for newlines is cheap."""
    state = LedgerState()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return state
    if not data:
        return state
    terminated = data.endswith(b"\n")
    body = data[:-1] if terminated else data
    start = body.rfind(b"\n") + 1
    line = body[start:]
    entry = _parse(line) if line.strip() else None
    if terminated and entry is not None:
        return state
    state.cut_line, state.cut_offset, state.cut_complete = body.count(b"\n") + 1, start, entry is not None
    return state


def repair_cut(path: Path, state: LedgerState) -> bool:
    """Finish or remove an unfinished last line; True when the ledger was changed. A whole line that only
    lacks its newline is kept (appending "\\n") rather than dropped, so no finished record is lost."""
    if state.cut_line is None:
        return False
    with open(path, "r+b") as fh:
        if state.cut_complete:
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n")
        else:
            fh.truncate(state.cut_offset)
        fh.flush()
        os.fsync(fh.fileno())
    return True


def ledger_entry(record: dict) -> dict:
    """The ledger line of one archived version; its time is the record's, so a replayed line is identical."""
    return {"time": record["created_at"], "action": "put", "doc_id": record["doc_id"],
            "version": record["version"], "sha256": record["sha256"], "path": record["path"],
            "source": record.get("source")}


def _last_line(path: Path) -> bytes | None:
    """The last newline-terminated line of the ledger (None when there is none); an unfinished line after it
    is not part of the chain."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = size
            while start > 0:
                start = max(0, start - _TAIL)
                fh.seek(start)
                data = fh.read(size - start)
                end = data.rfind(b"\n")
                if end < 0:
                    continue
                begin = data.rfind(b"\n", 0, end)
                if begin >= 0 or start == 0:
                    return data[begin + 1:end]
            return None
    except FileNotFoundError:
        return None


def ledger_head(path: Path) -> LedgerHead:
    """The head of the ledger now: line count and the last line's hash."""
    try:
        with open(path, "rb") as fh:
            count = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except FileNotFoundError:
        return LedgerHead(0, GENESIS)
    last = _last_line(path)
    return LedgerHead(count, line_hash(last) if last else GENESIS)


def chain_line(entry: dict, prev: str) -> bytes:
    """One ledger line: the entry with the hash of the line before it."""
    return (json.dumps({**entry, "prev": prev}, ensure_ascii=False) + "\n").encode("utf-8")


def append_entry(path: Path, entry: dict) -> None:
    """Append one line, chained to the last; the caller holds the archive lock and has repaired a cut line."""
    append_entries(path, [entry])


def append_entries(path: Path, entries: list[dict], *, sync: bool = True) -> None:
    """Append lines, each chained to the one before, in one write (a crash leaves at most one unfinished
    last line); `sync=False` for a batch that syncs everything at once afterwards."""
    last = _last_line(path)
    prev = line_hash(last) if last else GENESIS
    lines = []
    for entry in entries:
        line = chain_line(entry, prev)
        lines.append(line)
        prev = line_hash(line[:-1])
    line = b"".join(lines)
    created = not path.exists()
    # one write: a crash leaves whole lines and at most one unfinished last line for recover()
    with open(path, "ab") as fh:
        fh.write(line)
        fh.flush()
        if sync:
            os.fsync(fh.fileno())
    if created and sync:
        fsync_dir(path.parent)
