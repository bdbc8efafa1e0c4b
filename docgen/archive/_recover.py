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
        parse_record(encode_json(intent["record"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return intent if isinstance(intent, dict) else None


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
    """Roll one leftover intent forward or back; returns a Chinese note of what was done."""
    intent = read_intent(intent_path)
    name = relative(root, intent_path)
    if intent is None:
        _remove(intent_path)
        return f"写入意图文件 {name} 已损坏无法读取，已删除；请运行 docgen archive verify 检查归档库"
    record = intent["record"]
    what = f"{record['doc_id']} 第 {record['version']} 版（{record['path']}）"
    final = resolve_inside(root, record["path"])
    if is_committed(root, record):
        done = []
        sidecar = sidecar_of(final)
        if not sidecar.exists():
            write_atomic(sidecar, encode_json(record))
            done.append("元数据")
        ledger = root / LEDGER
        if entry_key(ledger_entry(record)) not in read_ledger(ledger).put_keys():
            append_entry(ledger, ledger_entry(record))
            done.append("账本记录")
        _remove(intent_path)
        filled = f"补写了{'和'.join(done)}" if done else "无需补写"
        return f"上次被中断的写入已完成：{what}，文件已落盘，{filled}"
    removed = []
    temp = intent.get("temp")
    if isinstance(temp, str) and _remove(resolve_inside(root, temp)):
        removed.append("临时文件")
    if final.exists() and not sidecar_of(final).exists():
        # a file at the target name that isn't this write's bytes and that no metadata claims
        _remove(final)
        removed.append("不完整的目标文件")
    _remove(intent_path)
    cleaned = f"，已删除{'和'.join(removed)}" if removed else ""
    return f"上次被中断的写入已回滚：{what} 未落盘{cleaned}；如需要该文档请重新生成"


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
