"""The archive store on real folders: versions, layout, metadata, ledger, verify, crash recovery, locking."""
from __future__ import annotations

import datetime
import hashlib
import json
import multiprocessing
import os
import re
import time
from datetime import date
from pathlib import Path

import filelock
import pytest

import docgen
from docgen.archive import Archive, PutResult, make_doc_id, write_atomic
from docgen.archive import _store
from docgen.errors import ArchiveBusy, ArchiveError

RECORD_KEYS = {"doc_id", "doc_type", "project", "key", "title", "doc_no", "doc_version", "date", "period", "version", "sha256", "size",
               "ext", "path", "template", "template_sha256", "input_sha256", "context_sha256", "created_at",
               "generator", "source", "warnings", "facts"}
LEDGER_KEYS = {"time", "action", "doc_id", "version", "sha256", "path", "source", "prev"}


class Crash(BaseException):
    """Stands in for the process dying: ordinary `except Exception` clean-up does not see it."""


def put(archive: Archive, data: bytes = b"v1", **overrides: object) -> PutResult:
    args = dict(project="P", doc_type="onsite_form", key=("XC-2025-0007",), title="现场服务单",
                date=date(2025, 3, 5), period="2025-03", ext=".docx", source="test")
    args.update(overrides)
    return archive.put(data, **args)


def kinds(archive: Archive) -> list[str]:
    return sorted(p.kind for p in archive.verify().problems)


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


# --- identity and layout ---------------------------------------------------------------------------

def test_make_doc_id_joins_parts_as_given() -> None:
    assert make_doc_id("YNTD-YW-2025-001", "plan") == "YNTD-YW-2025-001/plan"
    assert make_doc_id("P", "onsite_form", ("XC-2025-0007",)) == "P/onsite_form/XC-2025-0007"
    assert make_doc_id("P", "status_record", ("routine", "2025-03")) == "P/status_record/routine/2025-03"
    assert make_doc_id("P", "other", ("机房巡检报告", "2025-03")) == "P/other/机房巡检报告/2025-03"


def test_first_put_is_new_with_layout_and_metadata(archive: Archive) -> None:
    result = put(archive, b"hello", template="onsite.docx", template_sha256="t1", input_sha256="i1",
                 context_sha256="c1", warnings=["缺少签字"], facts={"engineer": "张三"})

    assert result.status == "new" and result.version == 1
    assert result.doc_id == "P/onsite_form/XC-2025-0007"
    expected = archive.root / "documents/P/2025/onsite_form/onsite_form_XC-2025-0007_v1.docx"
    assert result.path == expected and result.path.is_absolute()
    assert expected.read_bytes() == b"hello"
    sidecar = expected.with_name(expected.name + ".meta.json")
    text = sidecar.read_text(encoding="utf-8")
    assert "现场服务单" in text and "\n  " in text  # readable: not ASCII-escaped, indented
    record = json.loads(text)
    assert set(record) == RECORD_KEYS
    assert record == result.record
    assert record["path"] == "documents/P/2025/onsite_form/onsite_form_XC-2025-0007_v1.docx"
    assert record["key"] == ["XC-2025-0007"] and record["date"] == "2025-03-05" and record["period"] == "2025-03"
    assert record["sha256"] == result.sha256 and record["size"] == 5 and record["ext"] == ".docx"
    assert record["generator"] == f"docgen {docgen.__version__}"
    assert record["warnings"] == ["缺少签字"] and record["facts"] == {"engineer": "张三"}
    assert (record["template"], record["template_sha256"], record["input_sha256"], record["context_sha256"]) == (
        "onsite.docx", "t1", "i1", "c1")
    assert datetime.datetime.fromisoformat(record["created_at"]).isoformat(timespec="seconds") == record["created_at"]
    assert archive.file_path(record) == expected


def test_year_folder_comes_from_the_date_and_all_project_is_allowed(archive: Archive) -> None:
    old = put(archive, doc_type="plan", key=(), date=date(2024, 12, 30))
    kpi = put(archive, project="_all", doc_type="kpi_report", key=("2025-03",), date=date(2025, 4, 1))
    assert old.record["path"] == "documents/P/2024/plan/plan_v1.docx"
    assert kpi.record["path"] == "documents/_all/2025/kpi_report/kpi_report_2025-03_v1.docx"


def test_second_version_keeps_the_first_byte_identical(archive: Archive) -> None:
    first = put(archive, b"one")
    sidecar = first.path.with_name(first.path.name + ".meta.json")
    before = (first.path.read_bytes(), sidecar.read_bytes(), first.path.stat().st_mtime_ns)

    second = put(archive, b"two", date=date(2026, 1, 2))

    assert second.status == "version" and second.version == 2
    assert second.record["path"] == "documents/P/2026/onsite_form/onsite_form_XC-2025-0007_v2.docx"
    assert (first.path.read_bytes(), sidecar.read_bytes(), first.path.stat().st_mtime_ns) == before
    assert [r["version"] for r in archive.versions(second.doc_id)] == [1, 2]
    assert archive.latest(second.doc_id)["sha256"] == second.sha256
    assert archive.versions("P/onsite_form/nothing") == [] and archive.latest("P/plan") is None


def test_same_bytes_are_unchanged_and_write_nothing(archive: Archive) -> None:
    first = put(archive, b"same")
    before = files_under(archive.root)
    again = put(archive, b"same")
    assert again.status == "unchanged" and again.version == 1
    assert again.path == first.path and again.record == first.record
    assert files_under(archive.root) == before
    assert len(archive.ledger()) == 1


def test_same_context_and_template_are_unchanged_even_with_other_bytes(archive: Archive) -> None:
    put(archive, b"render 1", context_sha256="c", template_sha256="t")
    assert put(archive, b"render 2", context_sha256="c", template_sha256="t").status == "unchanged"
    assert put(archive, b"render 3", context_sha256="c", template_sha256="t2").status == "version"
    assert put(archive, b"render 4", context_sha256="c2", template_sha256="t2").version == 3
    # with a context hash the bytes don't matter: same bytes, new context is a new version
    assert put(archive, b"render 4", context_sha256="c3", template_sha256="t2").version == 4


def test_chinese_and_long_keys_give_portable_short_file_names(archive: Archive) -> None:
    titled = put(archive, doc_type="other", key=("机房巡检报告", "2025-03"))
    long = put(archive, doc_type="other", key=("x" * 120,))
    for result in (titled, long):
        name = result.path.name
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name) and len(name) <= 100
    assert titled.doc_id == "P/other/机房巡检报告/2025-03" and titled.record["key"] == ["机房巡检报告", "2025-03"]
    assert titled.path.name.startswith("other_") and titled.path.name.endswith("_2025-03_v1.docx")
    assert put(archive, b"v2", doc_type="other", key=("机房巡检报告", "2025-03")).version == 2
    assert [r["version"] for r in archive.versions(titled.doc_id)] == [1, 2]


def test_documents_whose_readable_names_collide_stay_apart(archive: Archive) -> None:
    one = put(archive, b"a", doc_type="t", key=("a_b",))
    two = put(archive, b"b", doc_type="t", key=("a", "b"))
    upper = put(archive, b"c", doc_type="t", key=("A_B",))  # same file on Windows/macOS
    assert len({one.path.name, two.path.name, upper.path.name}) == 3
    assert len({one.path.name.lower(), two.path.name.lower(), upper.path.name.lower()}) == 3
    assert two.status == "new" and upper.status == "new"
    again = put(archive, b"b2", doc_type="t", key=("a", "b"))
    assert again.version == 2 and again.path.name.startswith(two.path.name.removesuffix("_v1.docx"))
    assert [r["sha256"] for r in archive.versions(one.doc_id)] == [one.sha256]
    assert archive.verify().ok


@pytest.mark.parametrize("project, doc_type", [
    ("../x", "plan"), ("..", "plan"), ("", "plan"), ("a/b", "plan"), ("a\\b", "plan"), ("C:", "plan"),
    ("P", "../plan"), ("P", ""), ("P", ".hidden"),
])
def test_names_that_would_escape_the_archive_are_refused(archive: Archive, project: str, doc_type: str) -> None:
    with pytest.raises(ArchiveError, match="不能用作归档目录名"):
        put(archive, project=project, doc_type=doc_type)
    assert not (archive.root / "documents").exists()


def test_bad_extension_and_metadata_paths_are_refused(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="扩展名"):
        put(archive, ext="../docx")
    with pytest.raises(ArchiveError, match="之外"):
        archive.file_path({"path": "../../etc/passwd"})


def test_an_existing_target_file_is_never_overwritten(archive: Archive) -> None:
    folder = archive.root / "documents/P/2025/onsite_form"
    folder.mkdir(parents=True)
    stray = folder / "onsite_form_XC-2025-0007_v1.docx"
    stray.write_bytes(b"copied by hand")
    with pytest.raises(ArchiveError, match="已存在"):
        put(archive)
    assert stray.read_bytes() == b"copied by hand"
    assert not (archive.root / ".pending").exists() or not list((archive.root / ".pending").iterdir())


# --- ledger and listing ----------------------------------------------------------------------------

def test_each_put_appends_one_ledger_line(archive: Archive) -> None:
    first = put(archive, b"1", source="generate")
    second = put(archive, b"2", source="watch")
    raw = (archive.root / "ledger.jsonl").read_text(encoding="utf-8")
    assert raw.endswith("\n") and len(raw.splitlines()) == 2
    lines = archive.ledger()
    assert [set(line) for line in lines] == [LEDGER_KEYS, LEDGER_KEYS]
    assert [(x["action"], x["doc_id"], x["version"], x["sha256"], x["path"], x["source"]) for x in lines] == [
        ("put", first.doc_id, 1, first.sha256, first.record["path"], "generate"),
        ("put", second.doc_id, 2, second.sha256, second.record["path"], "watch"),
    ]
    assert lines[0]["time"] == first.record["created_at"]


def test_records_lists_latest_versions_with_filters(archive: Archive) -> None:
    put(archive, b"1", project="B", doc_type="plan", key=(), date=date(2025, 1, 10))
    put(archive, b"2", project="B", doc_type="plan", key=(), date=date(2025, 2, 10))
    put(archive, b"3", project="A", key=("XC-2",), date=date(2025, 3, 1))
    put(archive, b"4", project="A", key=("XC-1",), date=date(2025, 3, 1))
    put(archive, b"5", project="A", doc_type="plan", key=(), date=date(2024, 12, 1))
    # a temp file left by a crash is not a record
    (archive.root / "documents/A/2025/onsite_form/.tmp-x.meta.json").write_text("{", encoding="utf-8")

    rows = archive.records()
    assert [(r["project"], r["date"], r["doc_id"], r["version"]) for r in rows] == [
        ("A", "2024-12-01", "A/plan", 1),
        ("A", "2025-03-01", "A/onsite_form/XC-1", 1),
        ("A", "2025-03-01", "A/onsite_form/XC-2", 1),
        ("B", "2025-02-10", "B/plan", 2),
    ]
    assert [r["version"] for r in archive.records(project="B", all_versions=True)] == [1, 2]
    assert [r["doc_id"] for r in archive.records(doc_type="plan")] == ["A/plan", "B/plan"]
    assert [r["doc_id"] for r in archive.records(project="A", doc_type="onsite_form")] == [
        "A/onsite_form/XC-1", "A/onsite_form/XC-2"]
    window = archive.records(date_from=date(2025, 1, 1), date_to=date(2025, 3, 1), all_versions=True)
    assert [r["date"] for r in window] == ["2025-03-01", "2025-03-01", "2025-01-10", "2025-02-10"]
    assert archive.records(project="nobody") == []
    assert Archive(archive.root / "missing").records() == []


# --- verify --------------------------------------------------------------------------------------

def test_verify_is_ok_on_a_clean_archive_and_a_missing_one(archive: Archive, tmp_path: Path) -> None:
    report = Archive(tmp_path / "nothing").verify()
    assert report.ok and report.checked == 0 and not (tmp_path / "nothing").exists()
    put(archive, b"1")
    put(archive, b"2")
    put(archive, b"x", doc_type="plan", key=())
    report = archive.verify()
    assert report.ok and report.checked == 3 and report.problems == []


def test_verify_finds_a_changed_byte(archive: Archive) -> None:
    result = put(archive, b"original")
    result.path.write_bytes(b"Original")
    report = archive.verify()
    assert not report.ok
    [problem] = report.problems
    assert (problem.kind, problem.path, problem.doc_id, problem.version) == (
        "changed", result.record["path"], result.doc_id, 1)
    assert "校验和不符" in problem.message and "备份恢复" in problem.message


def test_verify_finds_a_missing_file(archive: Archive) -> None:
    result = put(archive)
    result.path.unlink()
    [problem] = archive.verify().problems
    assert problem.kind == "missing" and problem.path == result.record["path"] and "不存在" in problem.message


def test_verify_finds_an_unregistered_file(archive: Archive) -> None:
    result = put(archive)
    (result.path.parent / "hand_copy.docx").write_bytes(b"x")
    [problem] = archive.verify().problems
    assert problem.kind == "unregistered"
    assert problem.path == "documents/P/2025/onsite_form/hand_copy.docx"
    assert problem.message == ("文件 documents/P/2025/onsite_form/hand_copy.docx 不在元数据中（可能是手工复制进来的）；"
                               "请用 docgen archive add 归档或移出归档目录")


def test_verify_finds_a_deleted_ledger_line(archive: Archive) -> None:
    put(archive, b"1")
    second = put(archive, b"2")
    ledger = archive.root / "ledger.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    ledger.write_text(lines[0], encoding="utf-8")
    [problem] = archive.verify().problems
    assert (problem.kind, problem.doc_id, problem.version) == ("ledger_mismatch", second.doc_id, 2)


def test_verify_finds_a_ledger_line_without_metadata(archive: Archive) -> None:
    result = put(archive)
    result.path.unlink()
    result.path.with_name(result.path.name + ".meta.json").unlink()
    [problem] = archive.verify().problems
    assert (problem.kind, problem.path, problem.version) == ("ledger_mismatch", "ledger.jsonl", 1)


def test_verify_reports_broken_metadata_and_reading_refuses_it(archive: Archive) -> None:
    result = put(archive)
    sidecar = result.path.with_name(result.path.name + ".meta.json")
    sidecar.write_text("{not json", encoding="utf-8")
    report = archive.verify()
    assert [p.kind for p in report.problems] == ["bad_metadata"] and report.checked == 0
    with pytest.raises(ArchiveError, match="元数据文件无法读取"):
        archive.records()


def test_verify_never_repairs(archive: Archive) -> None:
    put(archive)
    with open(archive.root / "ledger.jsonl", "ab") as fh:
        fh.write(b'{"time": "20')
    (archive.root / "documents/P/2025/onsite_form/.tmp-abc").write_bytes(b"half")
    before = {p: p.read_bytes() for p in archive.root.rglob("*") if p.is_file()}
    assert kinds(archive) == ["ledger_cut", "temp_file"]
    assert {p: p.read_bytes() for p in archive.root.rglob("*") if p.is_file()} == before


# --- interrupted writes ----------------------------------------------------------------------------

def _crash_on_sidecar(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _store.write_atomic

    def write(path: Path, data: bytes) -> None:
        if path.name.endswith(".meta.json"):
            raise Crash()
        real(path, data)

    monkeypatch.setattr(_store, "write_atomic", write)


def test_crash_after_the_rename_is_rolled_forward_by_the_next_put(archive: Archive,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    put(archive, b"v1")
    with monkeypatch.context() as m:
        _crash_on_sidecar(m)
        with pytest.raises(Crash):
            put(archive, b"v2")
    v2 = archive.root / "documents/P/2025/onsite_form/onsite_form_XC-2025-0007_v2.docx"
    assert v2.read_bytes() == b"v2"
    report = archive.verify()
    [problem] = report.problems  # the committed file is the intent's, not "unregistered"
    assert problem.kind == "pending_write" and problem.version == 2
    assert "已落盘" in problem.message and "自动完成" in problem.message

    other = put(archive, b"other", key=("XC-2025-0008",))

    assert any("已完成" in note and "第 2 版" in note for note in other.recovered)
    assert archive.verify().ok
    assert [r["sha256"] for r in archive.versions("P/onsite_form/XC-2025-0007")][1] == hashlib.sha256(b"v2").hexdigest()
    assert [(x["doc_id"], x["version"]) for x in archive.ledger()] == [
        ("P/onsite_form/XC-2025-0007", 1), ("P/onsite_form/XC-2025-0007", 2), ("P/onsite_form/XC-2025-0008", 1)]


def test_recover_alone_rolls_forward_and_a_second_call_does_nothing(archive: Archive,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        _crash_on_sidecar(m)
        with pytest.raises(Crash):
            put(archive, b"v1")
    notes = archive.recover()
    assert len(notes) == 1 and "补写了元数据和账本记录" in notes[0]
    assert archive.verify().ok and archive.latest("P/onsite_form/XC-2025-0007")["version"] == 1
    assert archive.recover() == []
    assert put(archive, b"v1").status == "unchanged"


@pytest.mark.parametrize("by", ["recover", "next put"])
def test_crash_before_the_rename_is_rolled_back(archive: Archive, monkeypatch: pytest.MonkeyPatch,
                                                by: str) -> None:
    put(archive, b"v1")
    before = files_under(archive.root)
    with monkeypatch.context() as m:
        real_replace = os.replace

        def crash_on_document(src: Path, dst: Path) -> None:
            if Path(dst).suffix == ".docx":
                raise Crash()
            real_replace(src, dst)

        m.setattr(os, "replace", crash_on_document)
        with pytest.raises(Crash):
            put(archive, b"v2")
    problems = archive.verify().problems
    assert [p.kind for p in problems] == ["pending_write"] and "未落盘" in problems[0].message

    if by == "recover":
        notes = archive.recover()
        assert files_under(archive.root) == before
    else:
        notes = put(archive, b"other", key=("XC-2025-0008",)).recovered

    assert any("已回滚" in n and "临时文件" in n for n in notes)
    assert not [f for f in files_under(archive.root) if "/.tmp-" in f or f.startswith(".pending/")]
    assert archive.verify().ok
    assert [r["version"] for r in archive.versions("P/onsite_form/XC-2025-0007")] == [1]
    assert put(archive, b"v2").version == 2


def test_an_ordinary_error_before_the_rename_leaves_nothing_behind(archive: Archive,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(_store, "write_temp", full)
        with pytest.raises(ArchiveError) as exc:
            put(archive)
    assert "写入文档文件失败：磁盘空间不足" in str(exc.value) and "这一版没有归档" in str(exc.value)
    assert [p for p in files_under(archive.root) if p != ".lock"] == []
    assert archive.verify().ok


def test_an_ordinary_error_after_the_rename_is_completed_at_once(archive: Archive,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def flaky(*args: object) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr(_store, "append_entry", flaky)
        with pytest.raises(ArchiveError) as exc:
            put(archive)
    assert "追加账本失败：磁盘读写错误（I/O 错误）" in str(exc.value) and "已补全元数据和账本" in str(exc.value)
    assert archive.verify().ok
    assert [x["version"] for x in archive.ledger()] == [1]


def test_a_cut_ledger_line_is_reported_then_repaired_by_the_next_put(archive: Archive,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    put(archive, b"v1")

    def half_line(path: Path, entry: dict) -> None:
        with open(path, "ab") as fh:
            fh.write(json.dumps(entry).encode()[:25])
        raise Crash()

    with monkeypatch.context() as m:
        m.setattr(_store, "append_entry", half_line)
        with pytest.raises(Crash):
            put(archive, b"v2")
    report = archive.verify()
    assert sorted(p.kind for p in report.problems) == ["ledger_cut", "pending_write"]
    cut = next(p for p in report.problems if p.kind == "ledger_cut")
    assert "上次写入在追加账本时被中断，下次写入时会自动修复" in cut.message
    assert [x["version"] for x in archive.ledger()] == [1]  # the half line is skipped

    result = put(archive, b"v3")

    assert result.version == 3 and any("账本" in n for n in result.recovered)
    assert archive.verify().ok
    assert [x["version"] for x in archive.ledger()] == [1, 2, 3]
    assert all(json.loads(line) for line in (archive.root / "ledger.jsonl").read_text("utf-8").splitlines())


def test_a_whole_last_line_missing_its_newline_is_kept(archive: Archive) -> None:
    put(archive, b"v1")
    ledger = archive.root / "ledger.jsonl"
    ledger.write_bytes(ledger.read_bytes().rstrip(b"\n"))
    assert kinds(archive) == ["ledger_cut"]
    put(archive, b"v2")
    assert archive.verify().ok and [x["version"] for x in archive.ledger()] == [1, 2]


def test_leftover_temp_files_are_removed_by_the_next_writer(archive: Archive) -> None:
    put(archive, b"v1")
    temp = archive.root / "documents/P/2025/onsite_form/.tmp-123-onsite_form_XC-2025-0007_v2.docx"
    temp.write_bytes(b"half")
    [problem] = archive.verify().problems
    assert problem.kind == "temp_file" and problem.path.endswith(temp.name)
    assert any(temp.name in n for n in archive.recover())
    assert not temp.exists() and archive.verify().ok


# --- concurrency -----------------------------------------------------------------------------------

def test_a_held_lock_makes_put_fail_with_archive_busy(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    root.mkdir()
    archive = Archive(root, lock_timeout=0.2)
    with filelock.FileLock(str(root / ".lock")):
        started = time.monotonic()
        with pytest.raises(ArchiveBusy) as info:
            put(archive)
        assert time.monotonic() - started < 5
        with pytest.raises(ArchiveBusy):
            archive.recover()
    message = str(info.value)
    assert "归档库正被另一个进程写入" in message and ".lock" in message and "0.2 秒" in message
    assert "请稍后重试" in message
    assert not (root / "documents").exists()
    assert put(archive).status == "new"  # released: writes go through again


def _writer(root: str, name: str, barrier: object) -> None:
    archive = Archive(root, lock_timeout=60)
    barrier.wait()  # type: ignore[attr-defined]
    for i in range(10):
        key = ("shared",) if i % 2 == 0 else (name,)
        archive.put(f"{name}-{i}".encode(), project="P", doc_type="status_record", key=key, title="并发",
                    date=date(2025, 3, 1), period="2025-03", ext=".xlsx", source=name)


def test_two_processes_writing_at_once_get_contiguous_versions(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_writer, args=(str(root), name, barrier)) for name in ("w1", "w2")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]

    archive = Archive(root)
    shared = archive.versions("P/status_record/shared")
    assert [r["version"] for r in shared] == list(range(1, 11))
    assert len({r["sha256"] for r in shared}) == 10
    for name in ("w1", "w2"):
        assert [r["version"] for r in archive.versions(f"P/status_record/{name}")] == [1, 2, 3, 4, 5]
    lines = archive.ledger()
    assert len(lines) == 20 and len({(x["doc_id"], x["version"]) for x in lines}) == 20
    report = archive.verify()
    assert report.ok and report.checked == 20


# --- write_atomic ----------------------------------------------------------------------------------

def test_write_atomic_replaces_whole_files_and_cleans_up_on_failure(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.docx"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second" and os.listdir(tmp_path) == ["out.docx"]

    def refuse(*args: object) -> None:
        raise PermissionError("file is open in Word")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_atomic(target, b"third")
    assert target.read_bytes() == b"second" and os.listdir(tmp_path) == ["out.docx"]


def test_read_file_hands_out_regular_files_only(archive, tmp_path):
    """What the auditors' pages serve: the archived bytes; a symlink (to anywhere) or a FIFO in place of an
    archived file is refused, never followed or opened for reading."""
    first = put(archive, b"v1")
    record = first.record
    assert archive.read_file(record) == b"v1"
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    first.path.unlink()
    first.path.symlink_to(outside)
    with pytest.raises(ArchiveError, match="指向归档文档目录之外"):
        archive.read_file(record)
    other = put(archive, b"other", key=("XC-2025-0008",))
    first.path.unlink()
    first.path.symlink_to(other.path)
    with pytest.raises(ArchiveError, match="是符号链接，拒绝读取"):
        archive.read_file(record)
    first.path.unlink()
    os.mkfifo(first.path)
    with pytest.raises(ArchiveError, match="不是普通文件"):
        archive.read_file(record)
    first.path.unlink()
    with pytest.raises(FileNotFoundError):
        archive.read_file(record)


def test_ledger_lines_number_the_ledger(archive):
    put(archive, b"v1")
    put(archive, b"v2")
    lines = archive.ledger_lines()
    assert [n for n, _ in lines] == [1, 2] and [e for _, e in lines] == archive.ledger()


def test_a_metadata_path_outside_the_documents_folder_is_refused(tmp_path: Path) -> None:
    """file_path is how the index, verify and recovery open an archived file: a sidecar that names
    ../ or a symlink out of documents/ must not make docgen read (or index) some other file."""
    from docgen.errors import ArchiveError

    archive = Archive(tmp_path / "a")
    (archive.root / "documents" / "P1").mkdir(parents=True)
    (archive.root / "documents" / "P1" / "x.txt").write_text("x", encoding="utf-8")
    assert archive.file_path({"path": "documents/P1/x.txt"}) == archive.root / "documents" / "P1" / "x.txt"
    (tmp_path / "secret.txt").write_text("s", encoding="utf-8")
    (archive.root / "documents" / "P1" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "a" / "documents-old").mkdir()
    for bad in ("documents/../../secret.txt", "documents/P1/link.txt", "ledger.jsonl", "documents-old/x.txt"):
        with pytest.raises(ArchiveError, match="指向归档文档目录之外"):
            archive.file_path({"path": bad})


def test_ledger_lines_since_reads_what_was_appended(archive):
    """What a page that keeps the ledger reads after a write: the appended lines, numbered as ledger_lines()
    numbers them; an unfinished last line waits; a ledger that shrank is said to be replaced."""
    put(archive, b"v1")
    lines, offset, line = archive.ledger_lines_since(0, 0)
    assert lines == archive.ledger_lines() and line == 1 and offset == archive.ledger_size()
    put(archive, b"v2")
    put(archive, b"other", key=("XC-2025-0008",))
    more, offset2, line2 = archive.ledger_lines_since(offset, line)
    assert lines + more == archive.ledger_lines() and [n for n, _ in more] == [2, 3] and line2 == 3
    ledger = archive.root / "ledger.jsonl"
    with ledger.open("ab") as fh:
        fh.write(b'{"action": "put", "doc_id": "unfin')  # a writer mid-line
    assert archive.ledger_lines_since(offset2, line2) == ([], offset2, line2)
    assert archive.ledger_lines_since(archive.ledger_size() + 10, 3) == ([], -1, -1)
