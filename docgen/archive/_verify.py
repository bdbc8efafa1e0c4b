"""Read-only consistency check of an archive: files against metadata, metadata against the ledger.
It never repairs anything; recover() (run by the next writer) does that."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from docgen.archive._atomic import is_temp_name
from docgen.archive._layout import (DOCUMENTS, LEDGER, META_SUFFIX, is_sidecar_name, parse_record, relative,
                                    sha256_file, sidecar_of)
from docgen.archive._ledger import GENESIS, LedgerState, entry_key, read_ledger
from docgen.archive._recover import intent_records, is_committed, pending_intents, read_intent
from docgen.errors import ArchiveError


@dataclass
class Problem:
    """One inconsistency verify() found; `message` is Chinese and says what to do."""

    # missing | changed | unregistered | ledger_mismatch | ledger_cut | ledger_chain | ledger_unchained |
    # pending_write | bad_metadata | temp_file | head_mismatch
    kind: str
    path: str  # relative to the archive root, POSIX separators
    doc_id: str | None
    version: int | None
    message: str


@dataclass
class VerifyReport:
    """What verify() checked and every problem it found."""

    checked: int  # archived versions (valid sidecars) whose file was checked
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Pending:
    claimed: set[str] = field(default_factory=set)  # relative paths an unfinished write owns
    keys: set[tuple[str, int]] = field(default_factory=set)  # (doc_id, version) being written


def verify_archive(root: Path) -> VerifyReport:
    report = VerifyReport(checked=0)
    if not root.is_dir():
        return report
    pending = _check_intents(root, report)
    records, broken = _check_documents(root, report, pending)
    _check_ledger(root, report, records, broken, pending)
    return report


def _check_intents(root: Path, report: VerifyReport) -> _Pending:
    pending = _Pending()
    for path in pending_intents(root):
        name = relative(root, path)
        intent = read_intent(path)
        try:
            writes = [(r, t, is_committed(root, r)) for r, t in intent_records(intent)] if intent is not None else None
        except ArchiveError:
            writes = None
        if writes is None:
            report.problems.append(Problem("pending_write", name, None, None,
                                           f"写入意图文件 {name} 已损坏无法读取；下次写入归档时会自动删除它"))
            continue
        for record, temp, committed in writes:
            pending.claimed.add(record["path"])
            pending.claimed.add(relative(root, sidecar_of(root / record["path"])))
            if isinstance(temp, str):
                pending.claimed.add(temp)
            pending.keys.add((record["doc_id"], record["version"]))
            state, then = ("已", "完成（补写元数据和账本）") if committed else ("未", "回滚（删除未完成的文件）")
            report.problems.append(Problem(
                "pending_write", name, record["doc_id"], record["version"],
                f"一次写入被中断（{record['doc_id']} 第 {record['version']} 版，文件 {record['path']} {state}落盘），"
                f"下次写入归档时会自动{then}"))
    return pending


def _check_documents(root: Path, report: VerifyReport, pending: _Pending) -> tuple[list[dict], set[str]]:
    """Check every file under documents/; returns the valid records and the paths with broken metadata."""
    records: list[dict] = []
    broken: set[str] = set()
    for folder, dirs, files in os.walk(root / DOCUMENTS):
        dirs.sort()
        names = set(files)
        for name in sorted(files):
            path = Path(folder) / name
            rel = relative(root, path)
            if is_temp_name(name):
                if rel not in pending.claimed:
                    report.problems.append(Problem("temp_file", rel, None, None,
                                                   f"临时文件 {rel} 是一次被中断的写入留下的，下次写入归档时会自动删除"))
            elif is_sidecar_name(name):
                record = _check_sidecar(root, path, report, broken)
                if record is not None:
                    records.append(record)
            elif name + META_SUFFIX not in names and rel not in pending.claimed:
                report.problems.append(Problem("unregistered", rel, None, None,
                                               f"文件 {rel} 不在元数据中（可能是手工复制进来的）；"
                                               "请用 docgen archive add 归档或移出归档目录"))
    return records, broken


def _check_sidecar(root: Path, sidecar: Path, report: VerifyReport, broken: set[str]) -> dict | None:
    name = relative(root, sidecar)
    document = sidecar.with_name(sidecar.name[: -len(META_SUFFIX)])
    expected = relative(root, document)
    try:
        record = parse_record(sidecar.read_bytes())
    except ValueError as exc:
        broken.add(expected)
        report.problems.append(Problem("bad_metadata", name, None, None,
                                       f"元数据文件 {name} 无法读取（{exc}）；请从备份恢复它。"
                                       f"在恢复之前，文件 {expected} 的归档信息不可用"))
        return None
    doc_id, version = record["doc_id"], record["version"]
    if record["path"] != expected:
        broken.update({expected, record["path"]})
        report.problems.append(Problem("bad_metadata", name, doc_id, version,
                                       f"元数据记录的路径 {record['path']} 与它所在的位置 {expected} 不符"
                                       "（文件可能被手工移动或改名）；请把文件和元数据移回原位置，或从备份恢复"))
        return None
    report.checked += 1
    if not document.is_file():
        report.problems.append(Problem("missing", expected, doc_id, version,
                                       f"{doc_id} 第 {version} 版的文件 {expected} 不存在（被删除或移走了）；"
                                       "请从备份把该文件恢复到原位置"))
    elif sha256_file(document) != record["sha256"]:
        report.problems.append(Problem("changed", expected, doc_id, version,
                                       f"{doc_id} 第 {version} 版的文件 {expected} 与归档时的校验和不符（内容被改动过）；"
                                       "请从备份恢复原文件。如需修改文档，请重新生成，归档库会保存为新版本"))
    return record


def _check_ledger(root: Path, report: VerifyReport, records: list[dict], broken: set[str],
                  pending: _Pending) -> None:
    state = read_ledger(root / LEDGER)
    if state.cut_line is not None:
        report.problems.append(Problem("ledger_cut", LEDGER, None, None,
                                       f"账本 {LEDGER} 第 {state.cut_line} 行不完整：上次写入在追加账本时被中断，"
                                       "下次写入时会自动修复"))
    for number in state.bad_lines:
        report.problems.append(Problem("ledger_mismatch", LEDGER, None, None,
                                       f"账本 {LEDGER} 第 {number} 行不是有效的 JSON（账本被手工改动过）；"
                                       "请从备份恢复账本"))
    check_chain(state, report)
    ledger_keys = state.put_keys()
    record_keys = set()
    for record in records:
        key = (record["doc_id"], record["version"], record["sha256"])
        record_keys.add(key)
        if key not in ledger_keys and key[:2] not in pending.keys:
            report.problems.append(Problem(
                "ledger_mismatch", record["path"], record["doc_id"], record["version"],
                f"{record['doc_id']} 第 {record['version']} 版（{record['path']}）在账本 {LEDGER} 中没有对应的写入记录；"
                "账本可能被删改过，请从备份恢复账本"))
    for number, entry in state.entries:
        key = entry_key(entry)
        if key is None or key in record_keys or key[:2] in pending.keys or entry.get("path") in broken:
            continue
        report.problems.append(Problem(
            "ledger_mismatch", LEDGER, key[0], key[1],
            f"账本第 {number} 行记录了 {key[0]} 第 {key[1]} 版（{entry.get('path')}），但归档库中没有与之相符的元数据；"
            "文件或元数据可能被删除或改动过，请从备份恢复"))


def check_chain(state: LedgerState, report: VerifyReport) -> None:
    """Each line's `prev` is the hash of the line before it: the first line where it is not names where the
    ledger was rewritten. Lines before the first chained one come from archives made before the chain."""
    unchained, chained = 0, False
    for number, entry in state.entries:
        if number == state.cut_line:
            continue
        expected = GENESIS if number == 1 else state.hashes[number - 2]
        if "prev" not in entry:
            if not chained:
                unchained += 1
                continue
            report.problems.append(Problem(
                "ledger_chain", LEDGER, entry.get("doc_id"), entry.get("version"),
                f"账本第 {number} 行没有前一行的哈希（prev），账本在哈希链建立后被插入或改写过；请从备份恢复账本"))
            continue
        chained = True
        if entry["prev"] != expected:
            report.problems.append(Problem(
                "ledger_chain", LEDGER, entry.get("doc_id"), entry.get("version"),
                f"账本第 {number} 行记录的前一行哈希与第 {number - 1} 行的实际内容不符：第 {number - 1} 行"
                f"{'（或它之前的行）' if number > 2 else ''}在写入后被改写过。这是篡改的迹象；请从备份恢复账本，并核对"
                "这些行记录的文档"))
    if unchained:
        report.problems.append(Problem(
            "ledger_unchained", LEDGER, None, None,
            f"账本前 {unchained} 行没有哈希链（由旧版本写入），无法发现对它们的改写；请运行一次 docgen archive upgrade "
            "为账本建立哈希链"))
