"""Tamper evidence (#15 item 7): the ledger is a hash chain; `archive verify` names the first rewritten line;
ledgers written before the chain are upgraded in place by `docgen archive upgrade`, which records itself."""
from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.archive._layout import LEDGER
from docgen.archive._ledger import GENESIS, line_hash
from docgen.cli import cli
from docgen.errors import ArchiveError


def _put(archive: Archive, n: int, data: bytes | None = None) -> None:
    archive.put(data or f"文档 {n}".encode(), project="P", doc_type="minutes", key=(f"M{n}",), title=f"纪要 {n}",
                date=datetime.date(2025, 3, n), period="2025-03", ext=".txt", source="test")


def _lines(archive: Archive) -> list[bytes]:
    return (archive.root / LEDGER).read_bytes().splitlines()


@pytest.fixture
def archive(tmp_path) -> Archive:
    archive = Archive(tmp_path / "archive")
    for n in range(1, 5):
        _put(archive, n)
    return archive


def test_every_line_names_the_hash_of_the_one_before(archive):
    lines = _lines(archive)
    assert json.loads(lines[0])["prev"] == GENESIS
    for before, line in zip(lines, lines[1:]):
        assert json.loads(line)["prev"] == line_hash(before) == hashlib.sha256(before).hexdigest()
    head = archive.ledger_head()
    assert (head.count, head.hash) == (4, line_hash(lines[-1]))
    assert archive.verify().ok


def _forge(archive: Archive, n: int) -> None:
    """Rewrite document M{n}, its sidecar's checksum and its ledger line consistently (what an insider could do)."""
    record = archive.latest(f"P/minutes/M{n}")
    path = archive.file_path(record)
    path.write_bytes("文档 已被改写".encode())
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    sidecar = path.with_name(path.name + ".meta.json")
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    old = meta["sha256"]
    meta["sha256"], meta["size"] = sha, path.stat().st_size
    sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    ledger = archive.root / LEDGER
    ledger.write_bytes(ledger.read_bytes().replace(old.encode(), sha.encode()))


def test_a_consistent_forgery_is_caught_at_the_next_line(archive):
    _forge(archive, 2)
    report = archive.verify()
    assert [p.kind for p in report.problems] == ["ledger_chain"]
    assert "账本第 3 行" in report.problems[0].message and "第 2 行" in report.problems[0].message
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "verify"])
    assert result.exit_code == 1 and "篡改" in result.output


def test_rewriting_every_later_line_too_changes_the_head(archive):
    """Re-chaining everything after the forged line passes the chain check: only a head recorded earlier (in a
    KPI workbook or audit report handed out) contradicts it."""
    before = archive.ledger_head()
    _forge(archive, 2)
    lines = _lines(archive)
    prev, out = GENESIS, []
    for line in lines:
        entry = json.loads(line)
        entry["prev"] = prev
        text = json.dumps(entry, ensure_ascii=False).encode()
        out.append(text)
        prev = line_hash(text)
    (archive.root / LEDGER).write_bytes(b"\n".join(out) + b"\n")
    assert archive.verify().ok
    after = archive.ledger_head()
    assert after.count == before.count and after.hash != before.hash


def _unchain(archive: Archive) -> None:
    lines = [json.loads(line) for line in _lines(archive)]
    for entry in lines:
        entry.pop("prev")
    (archive.root / LEDGER).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines), "utf-8")


def test_an_old_ledger_is_upgraded_in_place_once(archive):
    _unchain(archive)
    report = archive.verify()
    assert [p.kind for p in report.problems] == ["ledger_unchained"]
    assert "docgen archive upgrade" in report.problems[0].message
    old = (archive.root / LEDGER).read_bytes()
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "upgrade"])
    assert result.exit_code == 0 and "账本已升级为哈希链：4 行" in result.output
    assert archive.verify().ok
    lines = _lines(archive)
    upgrade = json.loads(lines[-1])
    assert upgrade["action"] == "upgrade" and upgrade["old_lines"] == 4
    assert upgrade["old_sha256"] == hashlib.sha256(old).hexdigest()
    again = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "upgrade"])
    assert again.exit_code == 0 and "无需升级" in again.output
    _put(archive, 5)  # writing goes on, chained
    assert archive.verify().ok and archive.ledger_head().count == 6
    # the search index follows the rewritten ledger
    found = CliRunner().invoke(cli, ["--archive", str(archive.root), "search", "纪要"])
    assert found.exit_code == 0 and "共 5 条结果" in found.output


def test_lines_written_after_an_old_prefix_are_chained_and_the_upgrade_rechains_them(archive):
    _unchain(archive)
    _put(archive, 5)  # a new docgen writing to an old archive: chained to the unchained last line
    assert [p.kind for p in archive.verify().problems] == ["ledger_unchained"]
    assert archive.upgrade_ledger().changed
    assert archive.verify().ok


def test_a_broken_chain_is_not_upgraded_over(archive):
    _forge(archive, 2)
    lines = [json.loads(line) for line in _lines(archive)]
    lines[0].pop("prev")  # and an unchained first line, so an upgrade is due
    (archive.root / LEDGER).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines), "utf-8")
    with pytest.raises(ArchiveError, match="哈希链已断"):
        archive.upgrade_ledger()
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "upgrade"])
    assert result.exit_code == 1 and "哈希链已断" in result.output and "Traceback" not in result.output


def test_a_cut_last_line_is_repaired_and_the_chain_goes_on(archive):
    ledger = archive.root / LEDGER
    with open(ledger, "ab") as fh:
        fh.write(b'{"time": "2025-')  # a crash mid-append
    assert archive.ledger_head().count == 4
    _put(archive, 5)
    assert archive.verify().ok
    lines = _lines(archive)
    assert len(lines) == 5 and json.loads(lines[-1])["prev"] == line_hash(lines[-2])


# --- the head recorded by documents handed out -------------------------------------------------------------

def _kpi(root: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["--archive", str(root), "kpi", "2025-03", "-o", str(out)])
    assert result.exit_code == 0, result.output


def test_kpi_and_audit_workbooks_record_the_head_and_verify_checks_it(tmp_path):
    import openpyxl

    from docgen.archive import HEAD_COUNT, HEAD_HASH, recorded_head
    from tests.conftest import EXAMPLES

    root = tmp_path / "archive"
    for name in ("plan.yaml", "onsite.yaml", "service_report.yaml"):
        assert CliRunner().invoke(cli, ["--archive", str(root), "generate", str(EXAMPLES / name)]).exit_code == 0
    archive = Archive(root)
    before = archive.ledger_head()
    kpi = tmp_path / "kpi.xlsx"
    _kpi(root, kpi)
    audit = tmp_path / "audit.xlsx"
    result = CliRunner().invoke(cli, ["--archive", str(root), "audit", "YNTD-YW-2025-001", "-o", str(audit),
                                      "--as-of", "2025-04-30"])
    assert result.exit_code == 0, result.output
    assert recorded_head(kpi) == before  # taken before the workbook itself was archived
    assert recorded_head(audit).count == before.count + 1  # after the KPI workbook's own line
    wb = openpyxl.load_workbook(kpi)
    assert wb.custom_doc_props[HEAD_COUNT].value == str(before.count)
    assert wb.custom_doc_props[HEAD_HASH].value == before.hash
    assert all(f"第 {before.count} 行 {before.hash[:12]}" in ws.oddFooter.center.text for ws in wb.worksheets)

    ok = CliRunner().invoke(cli, ["--archive", str(root), "archive", "verify", "--against", str(kpi),
                                  "--against", str(audit)])
    assert ok.exit_code == 0, ok.output
    assert f"对照 kpi.xlsx：账本第 {before.count} 行的哈希与它记录的一致" in ok.output

    # the same figures the next day: unchanged, and the archived workbook keeps the head it recorded
    again = CliRunner().invoke(cli, ["--archive", str(root), "kpi", "2025-03"])
    assert "版本 V1.0（未变化）" in again.output

    # a forgery of an early line, with every later line re-chained: verify alone passes, the KPI workbook does not
    ledger = root / LEDGER
    lines = ledger.read_bytes().splitlines()
    first = json.loads(lines[0])
    first["source"] = "伪造"
    prev, out = GENESIS, []
    for n, line in enumerate(lines):
        entry = first if n == 0 else json.loads(line)
        entry["prev"] = prev
        text = json.dumps(entry, ensure_ascii=False).encode()
        out.append(text)
        prev = line_hash(text)
    ledger.write_bytes(b"\n".join(out) + b"\n")
    assert archive.verify().ok
    caught = CliRunner().invoke(cli, ["--archive", str(root), "archive", "verify", "--against", str(kpi)])
    assert caught.exit_code == 1 and "[head_mismatch]" in caught.output and "篡改" in caught.output
    assert f"账本第 {before.count} 行的哈希与记录时不同" in caught.output


def test_verify_against_a_file_without_a_head(tmp_path, archive):
    other = tmp_path / "别的.xlsx"
    import openpyxl

    openpyxl.Workbook().save(other)
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "verify", "--against", str(other)])
    assert result.exit_code == 1 and "没有记录归档账本头" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["--archive", str(archive.root), "archive", "verify", "--against",
                                       str(tmp_path / "无.xlsx")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_a_truncated_ledger_contradicts_the_head(archive):
    from docgen.archive import LedgerHead

    head = archive.ledger_head()
    lines = (archive.root / LEDGER).read_bytes().splitlines(keepends=True)
    (archive.root / LEDGER).write_bytes(b"".join(lines[:-1]))
    assert "截短" in archive.check_head(head)
    assert archive.check_head(LedgerHead(0, GENESIS)) is None
