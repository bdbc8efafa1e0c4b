"""Finishing or undoing writes that a crash interrupted. Runs only while the archive lock is held.

A put leaves an intent file (.pending/<uuid>.json) for its whole duration; the rename of the document
into its final name is the commit point. An intent whose document made it to disk is rolled forward
(missing sidecar and ledger line are written); any other intent is rolled back."""
from __future__ import annotations

import json
import os
from pathlib import Path

from docgen.archive._atomic import fsync_dir, is_temp_name, write_atomic
from docgen.archive._layout import (DOCUMENTS, LEDGER, PENDING, encode_json, parse_record, relative,
                                    resolve_inside, sha256_file, sidecar_of)
from docgen.archive._ledger import append_entry, entry_key, ledger_entry, read_ledger, read_tail, repair_cut
from docgen.errors import ArchiveError


def pending_intents(root: Path) -> list[Path]:
    try:
        with os.scandir(root / PENDING) as it:
            return sorted(Path(e.path) for e in it
                          if e.is_file() and e.name.endswith(".json") and not is_temp_name(e.name))
    except FileNotFoundError:
        return []


def read_intent(path: Path) -> dict | None:
    """The intent's content, None when it can't be acted on (intents are written atomically, so an
    unreadable one was damaged by hand or by the disk, never by an interrupted put)."""
    try:
        intent = json.loads(path.read_bytes().decode("utf-8"))
        for record, _ in intent_records(intent):
            parse_record(encode_json(record))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return intent if isinstance(intent, dict) else None


def intent_records(intent: dict) -> list[tuple[dict, str | None]]:
    """(record, temp path) of every write an intent stands for: one for a put, each of a batch (put_many)."""
    if intent.get("action") == "put_batch":
        temps = intent.get("temps") or []
        return [(r, temps[i] if i < len(temps) else None) for i, r in enumerate(intent["records"])]
    return [(intent["record"], intent.get("temp"))]


def is_committed(root: Path, record: dict) -> bool:
    """Did this intent's write pass its commit point (the document renamed into place)?"""
    final = resolve_inside(root, record["path"])
    if final.is_file() and sha256_file(final) == record["sha256"]:
        return True
    # the file may have been altered since; a sidecar for exactly this version still proves the commit
    sidecar = sidecar_of(final)
    try:
        existing = parse_record(sidecar.read_bytes())
    except (OSError, ValueError):
        return False
    return entry_key({**existing, "action": "put"}) == entry_key({**record, "action": "put"})


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


def settle_intent(root: Path, intent_path: Path) -> str:
    """Roll one leftover intent forward or back, write by write; returns a Chinese note of what was done."""
    intent = read_intent(intent_path)
    name = relative(root, intent_path)
    if intent is None:
        _remove(intent_path)
        return f"写入意图文件 {name} 已损坏无法读取，已删除；请运行 docgen archive verify 检查归档库"
    notes = [_settle_record(root, record, temp) for record, temp in intent_records(intent)]
    _remove(intent_path)
    return "；".join(notes)


def _settle_record(root: Path, record: dict, temp: str | None) -> str:
    what = f"{record['doc_id']} 第 {record['version']} 版（{record['path']}）"
    final = resolve_inside(root, record["path"])
    sidecar = sidecar_of(final)
    if is_committed(root, record):
        done = []
        try:
            intact = parse_record(sidecar.read_bytes())["sha256"] == record["sha256"]
        except (OSError, ValueError, KeyError):
            intact = False  # missing, or cut short by a crash before a batch's sync
        if not intact:
            write_atomic(sidecar, encode_json(record))
            done.append("元数据")
        ledger = root / LEDGER
        if entry_key(ledger_entry(record)) not in read_ledger(ledger).put_keys():
            append_entry(ledger, ledger_entry(record))
            done.append("账本记录")
        filled = f"补写了{'和'.join(done)}" if done else "无需补写"
        return f"上次被中断的写入已完成：{what}，文件已落盘，{filled}"
    removed = []
    if isinstance(temp, str) and _remove(resolve_inside(root, temp)):
        removed.append("临时文件")
    readable = _readable(sidecar)
    if final.exists() and not readable:
        # a file at the target name that isn't this write's bytes and that no metadata claims
        _remove(final)
        removed.append("不完整的目标文件")
    if sidecar.exists() and not readable:
        _remove(sidecar)  # cut short by a crash before a batch's sync
        removed.append("不完整的元数据")
    cleaned = f"，已删除{'和'.join(removed)}" if removed else ""
    return f"上次被中断的写入已回滚：{what} 未落盘{cleaned}；如需要该文档请重新生成"


def _readable(sidecar: Path) -> bool:
    try:
        parse_record(sidecar.read_bytes())
        return True
    except (OSError, ValueError):
        return False


def remove_temp_files(root: Path, *, everywhere: bool) -> list[str]:
    """Delete leftover temp files. Writers only make them while holding the lock, so with the lock held
    any that exist are leftovers. Without `everywhere` only .pending/ is searched: a temp under
    documents/ can only outlive a crash together with its intent, which triggers the full search."""
    notes = []
    for base in (root / PENDING, root / DOCUMENTS) if everywhere else (root / PENDING,):
        for folder, _, files in os.walk(base):
            for name in sorted(files):
                if is_temp_name(name) and _remove(Path(folder) / name):
                    notes.append(f"删除了中断写入留下的临时文件 {relative(root, Path(folder) / name)}")
    return notes


def recover_locked(root: Path, *, thorough: bool = True) -> list[str]:
    """Repair the ledger's last line, settle every leftover intent, delete leftover temp files.
    `thorough=False` (every put) skips walking documents/ for temp files unless an intent was left."""
    notes = []
    ledger = root / LEDGER
    state = read_tail(ledger)
    if repair_cut(ledger, state):
        how = "补上了换行" if state.cut_complete else "已截去这半行"
        notes.append(f"账本 {LEDGER} 第 {state.cut_line} 行在追加时被中断，{how}")
    intents = pending_intents(root)
    for intent_path in intents:
        try:
            notes.append(settle_intent(root, intent_path))
        except ArchiveError as exc:
            raise ArchiveError(f"无法处理中断的写入（{exc.message}）；请运行 docgen archive verify 查看",
                               file=relative(root, intent_path)) from None
    notes += remove_temp_files(root, everywhere=thorough or bool(intents))
    return notes
