"""`docgen watch`: the inbox as a door into the pipeline. In-process tests of each rule, then a real
watcher process: partial files, a burst of mixed files, SIGTERM, and repeated SIGKILL + restart."""
from __future__ import annotations

import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.render import TemplateSet
from docgen.watch import JOURNAL, Watcher, WatcherBusy, ignored
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"
TODAY = datetime.date(2025, 6, 30)


def _watcher(root: Path, **kw) -> Watcher:
    lines: list[str] = []
    w = Watcher(Archive(root), TemplateSet(), settle=0, log=lines.append, today=lambda: TODAY, **kw)
    w.lines = lines  # type: ignore[attr-defined]
    return w


def _drop(inbox: Path, name: str, data: bytes | str) -> Path:
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _settled(root: Path, folder: str) -> list[str]:
    base = root / folder / TODAY.isoformat()
    if not base.exists():
        return []
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def _journal(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / JOURNAL).read_text(encoding="utf-8").splitlines()]


def test_ignored_names():
    for name in ("~$报告.docx", ".~lock.计划.docx#", "a.tmp", ".hidden.yaml", "Thumbs.db", "desktop.ini",
                 "x.docx.meta.yaml", "下载.crdownload", "a.part"):
        assert ignored(name), name
    for name in ("plan.yaml", "报告.docx", "纪要.txt", "录入表.xlsx"):
        assert not ignored(name), name


def test_inputs_documents_failures_and_ignored_files(tmp_path):
    root = tmp_path / "archive"
    inbox = root / "inbox"
    shutil.copy(EXAMPLES / "plan.yaml", inbox.mkdir(parents=True) or inbox / "plan.yaml")
    _drop(inbox, "bad.yaml", "kind: plan\nproject: {code: P1}\n")
    _drop(inbox, f"{P}/minutes/周例会纪要.txt", "周例会纪要：更换网卡")
    _drop(inbox, "无归属.txt", "没有项目和类型")
    _drop(inbox, "照片.jpg", b"\xff\xd8")
    _drop(inbox, "~$计划.docx", b"lock")
    _drop(inbox, "复制中.tmp", b"partial")
    w = _watcher(root)
    summary = w.run_once()
    assert summary.failed == 3
    assert _settled(root, "processed") == ["YNTD-YW-2025-001/minutes/周例会纪要.txt", "plan.yaml"]
    assert _settled(root, "failed") == ["bad.yaml", "bad.yaml.error.txt", "无归属.txt", "无归属.txt.error.txt",
                                        "照片.jpg", "照片.jpg.error.txt"]
    # ignored files stay where they are, untouched
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["~$计划.docx", "复制中.tmp"]
    reason = (root / "failed" / TODAY.isoformat() / "bad.yaml.error.txt").read_text(encoding="utf-8")
    assert "文件：bad.yaml" in reason and "project.name" in reason and "怎么办" in reason
    assert "inbox/<项目编号>/<文档类型>/" in (root / "failed" / TODAY.isoformat() / "无归属.txt.error.txt").read_text("utf-8")
    assert "不支持的文件类型“.jpg”" in (root / "failed" / TODAY.isoformat() / "照片.jpg.error.txt").read_text("utf-8")
    archive = Archive(root)
    assert archive.latest(f"{P}/plan")["source"] == "watch"
    minutes = archive.records(doc_type="minutes")
    assert [(r["project"], r["title"], r["period"]) for r in minutes] == [(P, "周例会纪要", TODAY.isoformat())]
    entries = _journal(root)
    assert {e["file"]: e["result"] for e in entries} == {
        "bad.yaml": "failed", "plan.yaml": "ok", f"{P}/minutes/周例会纪要.txt": "ok", "无归属.txt": "failed",
        "照片.jpg": "failed"}
    assert any(line.startswith("✓ plan.yaml → YNTD-YW-2025-001-JH V1.0（新建）") for line in w.lines)


def test_xlsx_dispatch_by_content(tmp_path):
    """A 录入表 (an .xlsx with a kind) is an input; any other workbook is a document to archive."""
    import openpyxl

    from docgen.inputs._xlsx import write_form
    from docgen.kinds import get_kind

    root = tmp_path / "archive"
    inbox = root / "inbox"
    plan = yaml.safe_load((EXAMPLES / "plan.yaml").read_text(encoding="utf-8"))
    _drop(inbox, "计划录入表.xlsx", write_form(get_kind("plan").model, kind="plan", title="录入表", data=plan))
    book = openpyxl.Workbook()
    book.active["A1"] = "巡检记录 机房温度 23℃"
    book.save(inbox.mkdir(parents=True, exist_ok=True) or inbox / "巡检.xlsx")
    (inbox / f"{P}" / "inspection").mkdir(parents=True)
    (inbox / "巡检.xlsx").rename(inbox / P / "inspection" / "巡检.xlsx")
    summary = _watcher(root).run_once()
    assert [(o.name, o.what, o.kind, o.result) for o in summary.outcomes] == [
        (f"{P}/inspection/巡检.xlsx", "document", "", "ok"), ("计划录入表.xlsx", "input", "plan", "ok")]
    archive = Archive(root)
    assert archive.latest(f"{P}/plan")["version"] == 1
    assert [r["title"] for r in archive.records(doc_type="inspection")] == ["巡检"]


def test_a_document_type_by_its_chinese_name(tmp_path):
    """The folder convention and the sidecar name a type as `archive add --type` does: code or Chinese name;
    the same content under the same type is found as a duplicate either way."""
    root = tmp_path / "archive"
    inbox = root / "inbox"
    _drop(inbox, f"{P}/运维服务报告/三月报告.txt", "三月运维服务报告")
    _drop(inbox, "四月报告.txt", "四月运维服务报告")
    _drop(inbox, "四月报告.txt.meta.yaml", f"project: {P}\ntype: 运维服务报告\nperiod: 2025-04\n")
    assert _watcher(root).run_once().failed == 0
    archive = Archive(root)
    assert sorted(r["title"] for r in archive.records(doc_type="service_report")) == ["三月报告", "四月报告"]
    _drop(inbox, f"{P}/运维服务报告/副本.txt", "三月运维服务报告")
    [outcome] = _watcher(root).run_once().outcomes
    assert outcome.result == "duplicate"


def test_dependency_order_within_one_scan(tmp_path):
    """A record dropped with its plan is measured against the plan, as `generate` in order would."""
    root = tmp_path / "archive"
    inbox = root / "inbox"
    shutil.copy(EXAMPLES / "onsite.yaml", inbox.mkdir(parents=True) or inbox / "a-onsite.yaml")
    shutil.copy(EXAMPLES / "plan.yaml", inbox / "z-plan.yaml")
    _watcher(root).run_once()
    names = [e["file"] for e in _journal(root)]
    assert names == ["z-plan.yaml", "a-onsite.yaml"]
    record = Archive(root).latest(f"{P}/onsite_report/XC-2025-0007")
    assert record["facts"]["sla"] != "无计划目标"


def test_same_archive_as_generate(tmp_path):
    from docgen.pipeline import generate

    from docgen.kinds import kind_names

    names = kind_names()  # every example, dropped at once; generate takes them in the same order
    by_generate = Archive(tmp_path / "g")
    generate([EXAMPLES / f"{n}.yaml" for n in names], archive=by_generate, templates=TemplateSet())
    root = tmp_path / "w"
    for n in names:
        _drop(root / "inbox", f"{n}.yaml", (EXAMPLES / f"{n}.yaml").read_bytes())
    _watcher(root).run_once()
    watched = Archive(root)

    def shape(archive: Archive) -> list[tuple]:
        return [(r["doc_id"], r["version"], r["period"], r["date"], r["sha256"], r["context_sha256"])
                for r in archive.records()]

    assert shape(watched) == shape(by_generate) and len(shape(watched)) >= 25


def test_duplicates_sidecars_and_versions(tmp_path):
    root = tmp_path / "archive"
    inbox = root / "inbox"
    _drop(inbox, "月报.txt", "三月运维月报 网卡")
    _drop(inbox, "月报.txt.meta.yaml", f"project: {P}\ntype: service_report\nperiod: 2025-03\ndate: 2025-04-03\n")
    _watcher(root).run_once()
    archive = Archive(root)
    (record,) = archive.records(doc_type="service_report")
    assert (record["period"], record["date"], record["title"]) == ("2025-03", "2025-04-03", "月报")
    # the same bytes again under another name: recorded once, still moved, journal says duplicate
    _drop(inbox, "月报-副本.txt", "三月运维月报 网卡")
    _drop(inbox, "月报-副本.txt.meta.yaml", f"project: {P}\ntype: service_report\nperiod: 2025-03\n")
    _drop(inbox, "月报.txt", "三月运维月报 网卡")  # and under the same name
    _drop(inbox, "月报.txt.meta.yaml", f"project: {P}\ntype: service_report\nperiod: 2025-03\n")
    _watcher(root).run_once()
    assert len(archive.records(doc_type="service_report", all_versions=True)) == 1
    assert [e["result"] for e in _journal(root)][-2:] == ["duplicate", "duplicate"]
    assert _settled(root, "processed") == ["月报 (2).txt", "月报 (2).txt.meta.yaml", "月报-副本.txt",
                                           "月报-副本.txt.meta.yaml", "月报.txt", "月报.txt.meta.yaml"]
    # an input dropped again goes through generate: unchanged, and a changed one is a new version
    shutil.copy(EXAMPLES / "plan.yaml", inbox / "plan.yaml")
    _watcher(root).run_once()
    shutil.copy(EXAMPLES / "plan.yaml", inbox / "plan.yaml")
    _watcher(root).run_once()
    data = yaml.safe_load((EXAMPLES / "plan.yaml").read_text(encoding="utf-8"))
    data["prepared_by"] = "李四"
    _drop(inbox, "plan.yaml", yaml.safe_dump(data, allow_unicode=True))
    _watcher(root).run_once()
    plan = [e for e in _journal(root) if e["file"] == "plan.yaml"]
    assert [e["documents"][0]["status"] for e in plan] == ["new", "unchanged", "version"]


def test_bad_sidecar_fails_with_reason(tmp_path):
    root = tmp_path / "archive"
    _drop(root / "inbox", "a.txt", "x")
    _drop(root / "inbox", "a.txt.meta.yaml", f"project: {P}\ntype: service_report\nperoid: 2025-03\n")
    assert _watcher(root).run_once().failed == 1
    text = (root / "failed" / TODAY.isoformat() / "a.txt.error.txt").read_text(encoding="utf-8")
    assert "未知字段 peroid" in text and "a.txt.meta.yaml" in text
    assert (root / "failed" / TODAY.isoformat() / "a.txt.meta.yaml").exists()


def test_a_sidecar_without_its_document_goes_to_failed(tmp_path):
    root = tmp_path / "archive"
    _drop(root / "inbox", "月报.docx.meta.yaml", f"project: {P}\ntype: service_report\n")
    summary = _watcher(root).run_once()
    assert [(o.name, o.result) for o in summary.outcomes] == [("月报.docx.meta.yaml", "failed")]
    text = (root / "failed" / TODAY.isoformat() / "月报.docx.meta.yaml.error.txt").read_text(encoding="utf-8")
    assert "旁边没有它说明的文档 月报.docx" in text


def test_resumes_files_left_in_processing(tmp_path):
    root = tmp_path / "archive"
    processing = root / "inbox" / ".processing"
    shutil.copy(EXAMPLES / "plan.yaml", processing.mkdir(parents=True) or processing / "plan.yaml")
    _watcher(root).run_once()
    assert _settled(root, "processed") == ["plan.yaml"] and not any(processing.rglob("*.yaml"))


def test_crash_between_a_file_and_its_sidecar(tmp_path):
    """Claimed sidecar, document still in the inbox (killed between the two renames): both end up together."""
    root = tmp_path / "archive"
    inbox = root / "inbox"
    _drop(inbox, "月报.txt", "三月运维月报")
    _drop(inbox / ".processing", "月报.txt.meta.yaml", f"project: {P}\ntype: service_report\nperiod: 2025-03\n")
    _watcher(root).run_once()
    assert _settled(root, "processed") == ["月报.txt", "月报.txt.meta.yaml"]
    assert Archive(root).records(doc_type="service_report")[0]["period"] == "2025-03"
    # settled file, sidecar left behind in .processing (killed between the two moves): put beside it
    _drop(inbox / ".processing", "月报.txt.meta.yaml", f"project: {P}\ntype: service_report\nperiod: 2025-03\n")
    (root / "processed" / TODAY.isoformat() / "月报.txt.meta.yaml").unlink()
    _watcher(root).run_once()
    assert _settled(root, "processed") == ["月报.txt", "月报.txt.meta.yaml"]
    assert not any((inbox / ".processing").rglob("*"))


def test_a_new_file_never_overwrites_its_unfinished_namesake(tmp_path):
    """Killed with a.txt claimed; the user drops another a.txt: both are archived, neither is lost."""
    root = tmp_path / "archive"
    inbox = root / "inbox"
    _drop(inbox / ".processing", f"{P}/minutes/a.txt", "第一份纪要 甲")
    _drop(inbox, f"{P}/minutes/a.txt", "第二份纪要 乙")
    _watcher(root).run_once()
    assert _settled(root, "processed") == [f"{P}/minutes/a (2).txt", f"{P}/minutes/a.txt"]
    texts = sorted(p.read_text(encoding="utf-8") for p in (root / "processed").rglob("*.txt"))
    assert texts == ["第一份纪要 甲", "第二份纪要 乙"]
    assert len(Archive(root).records(doc_type="minutes", all_versions=True)) == 2  # same identity: v1 and v2


def test_partial_file_waits_until_complete(tmp_path):
    root = tmp_path / "archive"
    inbox = root / "inbox"
    text = (EXAMPLES / "plan.yaml").read_text(encoding="utf-8")
    w = _watcher(root)
    w.tracker.settle = 0.5
    _drop(inbox, "plan.yaml", text[: len(text) // 2])
    outcomes, waiting = w.scan()
    assert outcomes == [] and waiting == 1  # just seen: not yet known to be complete
    time.sleep(0.2)
    _drop(inbox, "plan.yaml", text)  # the copy goes on
    outcomes, waiting = w.scan()
    assert outcomes == [] and waiting == 1
    time.sleep(0.6)
    outcomes, waiting = w.scan()
    assert [o.result for o in outcomes] == ["ok"] and waiting == 0


def test_a_bug_sends_the_file_to_failed_instead_of_stopping_the_inbox(tmp_path, monkeypatch):
    import docgen.pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(docgen.pipeline, "generate", broken)
    root = tmp_path / "archive"
    shutil.copy(EXAMPLES / "plan.yaml", (root / "inbox").mkdir(parents=True) or root / "inbox" / "plan.yaml")
    _drop(root / "inbox", f"{P}/minutes/纪要.txt", "纪要")
    summary = _watcher(root).run_once()
    assert [(o.name, o.result) for o in summary.outcomes] == [(f"{P}/minutes/纪要.txt", "ok"), ("plan.yaml", "failed")]
    text = (root / "failed" / TODAY.isoformat() / "plan.yaml.error.txt").read_text(encoding="utf-8")
    assert "内部错误（ZeroDivisionError: boom）" in text and "系统维护人员" in text


def test_one_watcher_per_archive(tmp_path):
    root = tmp_path / "archive"
    first = _watcher(root)
    with first._lock():
        with pytest.raises(WatcherBusy, match="另一个 docgen watch"):
            _watcher(root).run_once()


def test_cli_once_exit_codes(tmp_path):
    root = tmp_path / "archive"
    shutil.copy(EXAMPLES / "plan.yaml", (root / "inbox").mkdir(parents=True) or root / "inbox" / "plan.yaml")
    ok = CliRunner().invoke(cli, ["--archive", str(root), "watch", "--once", "--settle", "0"])
    assert ok.exit_code == 0, ok.output
    assert "✓ plan.yaml" in ok.output and "失败 0 个" in ok.output
    _drop(root / "inbox", "坏.yaml", "kind: nope\n")
    bad = CliRunner().invoke(cli, ["--archive", str(root), "watch", "--once", "--settle", "0", "--json"])
    assert bad.exit_code == 1
    (entry,) = json.loads(bad.stdout)
    assert entry["result"] == "failed" and "未知的输入类型 kind: nope" in entry["reason"]


# --- a real watcher process ------------------------------------------------------------------------

def _start(root: Path, *extra: str) -> subprocess.Popen:
    """A watcher process logging to files beside the archive (a pipe nobody reads would fill up and
    block it after a few hundred lines)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    out = open(root.parent / "watch.out", "ab")  # noqa: SIM115 - the child owns them while it runs
    err = open(root.parent / "watch.err", "ab")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "docgen", "--archive", str(root), "watch", "--settle", "0.3",
                             "--rescan", "1", *extra], stdout=out, stderr=err, env=env)
    out.close()
    err.close()
    return proc


def _logs(root: Path) -> tuple[str, str]:
    return ((root.parent / "watch.out").read_text(encoding="utf-8"),
            (root.parent / "watch.err").read_text(encoding="utf-8"))


def _wait_until(check, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _count_settled(root: Path) -> int:
    return sum(1 for folder in ("processed", "failed") if (root / folder).exists()
               for p in (root / folder).rglob("*") if p.is_file() and not p.name.endswith((".error.txt", ".meta.yaml")))


def test_watcher_process_partial_file_and_sigterm(tmp_path):
    root = tmp_path / "archive"
    (root / "inbox").mkdir(parents=True)
    proc = _start(root)
    try:
        assert _wait_until(lambda: (root / ".watch.lock").exists(), 20)
        text = (EXAMPLES / "plan.yaml").read_bytes()
        with open(root / "inbox" / "plan.yaml", "wb") as fh:  # written in chunks, like a network copy
            for i in range(0, len(text), len(text) // 4 + 1):
                fh.write(text[i:i + len(text) // 4 + 1])
                fh.flush()
                time.sleep(0.1)
        _drop(root / "inbox", "坏.yaml", "kind: plan\n")
        assert _wait_until(lambda: _count_settled(root) == 2, 30)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    text, err = _logs(root)
    assert proc.returncode == 0, err
    assert "✓ plan.yaml" in text and "✗ 坏.yaml" in text and "已停止监视" in text
    assert Archive(root).latest(f"{P}/plan")["version"] == 1


def test_polling_watcher_on_an_inbox_outside_the_archive(tmp_path):
    """--polling (network shares, where file events do not arrive) and an INBOX given on the command line:
    processed/ and failed/ stay under the archive root."""
    root = tmp_path / "archive"
    share = tmp_path / "共享收件箱"
    share.mkdir()
    root.mkdir()
    proc = _start(root, str(share), "--polling")
    try:
        assert _wait_until(lambda: (root / ".watch.lock").exists(), 20)
        _drop(share, f"{P}/minutes/纪要.txt", "周例会纪要 网卡")
        assert _wait_until(lambda: _count_settled(root) == 1, 30)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    day = datetime.date.today().isoformat()
    assert (root / "processed" / day / P / "minutes" / "纪要.txt").is_file()
    assert not (root / "inbox").exists() and not [p for p in share.rglob("*") if p.is_file()]
    assert Archive(root).records(doc_type="minutes")[0]["title"] == "纪要"


def _burst(inbox: Path, n: int, seed: int) -> dict[str, str]:
    """n mixed files: documents by folder convention (each with a unique searchable token), invalid
    inputs, documents without a project, and a few real inputs. Returns name -> expected folder."""
    rng = random.Random(seed)
    expected = {}
    for i in range(n):
        roll = rng.random()
        if roll < 0.75:
            name = f"{P}/minutes/纪要{i:04d}.txt"
            _drop(inbox, name, f"第{i}次会议纪要 标记词 tok{i:04d}x")
            expected[name] = "processed"
        elif roll < 0.9:
            name = f"坏{i:04d}.yaml"
            _drop(inbox, name, f"kind: onsite\nservice_no: {i}\n")
            expected[name] = "failed"
        else:
            name = f"散件{i:04d}.txt"
            _drop(inbox, name, f"无项目 {i}")
            expected[name] = "failed"
    shutil.copy(EXAMPLES / "plan.yaml", inbox / "plan.yaml")
    shutil.copy(EXAMPLES / "remote.yaml", inbox / "remote.yaml")
    expected.update({"plan.yaml": "processed", "remote.yaml": "processed"})
    return expected


def _check_burst(root: Path, expected: dict[str, str]) -> None:
    from docgen.search import search

    day = datetime.date.today().isoformat()
    for folder in ("processed", "failed"):
        base = root / folder / day
        got = sorted(p.relative_to(base).as_posix() for p in base.rglob("*")
                     if p.is_file() and not p.name.endswith(".error.txt"))
        assert got == sorted(n for n, f in expected.items() if f == folder), folder  # no loss, none twice
    inbox = root / "inbox"
    assert not [p for p in inbox.rglob("*") if p.is_file()]
    archive = Archive(root)
    minutes = archive.records(doc_type="minutes", all_versions=True)
    assert len(minutes) == sum(1 for n in expected if "/minutes/" in n)  # one archive entry per document
    assert archive.verify().ok
    assert archive.latest(f"{P}/remote_record/YC-2025-0021")["facts"]["sla"] != "无计划目标"
    for name in rng_sample(expected):
        token = "tok" + name[-8:-4] + "x"
        hits = search(archive, token).hits
        assert [h.doc_id for h in hits] == [f"{P}/minutes/{Path(name).stem}/{day}"], token


def rng_sample(expected: dict[str, str]) -> list[str]:
    names = sorted(n for n in expected if "/minutes/" in n)
    return names if len(names) <= 60 else random.Random(1).sample(names, 60)


BURST = int(os.environ.get("DOCGEN_WATCH_BURST", "120"))  # CI default; the long run uses 600


def test_burst_of_mixed_files(tmp_path):
    root = tmp_path / "archive"
    (root / "inbox").mkdir(parents=True)
    proc = _start(root)
    try:
        assert _wait_until(lambda: (root / ".watch.lock").exists(), 20)
        expected = _burst(root / "inbox", BURST, seed=7)
        assert _wait_until(lambda: _count_settled(root) == len(expected), 60 + BURST)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    _check_burst(root, expected)


def test_sigkill_during_burst_then_restart(tmp_path):
    root = tmp_path / "archive"
    (root / "inbox").mkdir(parents=True)
    expected = _burst(root / "inbox", BURST, seed=11)
    rng = random.Random(5)
    for run in range(4):  # kill -9 at random moments, restart each time
        proc = _start(root)
        if run == 0:
            # the first kill lands just after the first files settle, however fast this machine is (a fixed
            # delay let a fast run finish the whole burst before it)
            deadline = time.monotonic() + 30
            while _count_settled(root) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            time.sleep(rng.uniform(0.8, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        if run == 0:
            assert _count_settled(root) < len(expected)  # the kill did interrupt the burst
    finish = subprocess.run([sys.executable, "-m", "docgen", "--archive", str(root), "watch", "--once", "--settle",
                             "0"], capture_output=True, timeout=60 + BURST * 2)
    # exit 1 only if this last run itself sent a file to failed/ (the killed runs may have done them all)
    assert finish.returncode in (0, 1) and "处理完毕" in finish.stdout.decode(), finish.stderr.decode()
    _check_burst(root, expected)
