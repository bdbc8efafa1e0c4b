"""The watcher never takes a file that is still being written (#15 item 3): a writer pausing mid-file, a large
copy in chunks, an Office-style save (temp file renamed over the target) — with inotify events, and with the
Linux write-lease check that also covers writers the watcher saw no events from (`--once`)."""
from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from docgen.archive import Archive
from docgen.render import TemplateSet
from docgen.watch import Watcher
from docgen.watch._files import StabilityTracker, open_for_writing

P = "YNTD-YW-2025-001"
TODAY = datetime.date(2025, 6, 30)


def _writer(script: str, **names: Path) -> subprocess.Popen:
    code = "import os, time\n" + "".join(f"{k} = {str(v)!r}\n" for k, v in names.items()) + textwrap.dedent(script)
    return subprocess.Popen([sys.executable, "-c", code])


def _never_ready_while(proc: subprocess.Popen, tracker: StabilityTracker, path: Path) -> None:
    """Poll `ready` the way the watcher's loop does while the writer runs: it must never say yes."""
    early = []
    while proc.poll() is None:
        if path.exists() and tracker.ready(path):
            early.append(path.stat().st_size)
        time.sleep(0.05)
    assert proc.returncode == 0
    assert not early, f"taken while still being written, at sizes {early}"


def _ready_soon(tracker: StabilityTracker, path: Path, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if tracker.ready(path):
            return
        time.sleep(0.05)
    pytest.fail(f"{path.name} never became ready after its writer finished")


PAUSING = """
    with open(target, "wb") as fh:
        fh.write("前一半：".encode() * 1000)
        fh.flush()
        time.sleep(5)
        fh.write("后一半。".encode() * 1000)
"""


@pytest.fixture
def watcher(tmp_path):
    w = Watcher(Archive(tmp_path / "archive"), TemplateSet(), settle=1.0, log=lambda line: None,
                today=lambda: TODAY)
    (tmp_path / "archive" / "inbox").mkdir(parents=True)
    observer = w._observer()
    assert w.tracker.events  # inotify on this machine
    yield w
    observer.stop()
    observer.join(5)


def test_a_writer_pausing_mid_file_is_waited_for_with_events(watcher, tmp_path):
    target = tmp_path / "archive" / "inbox" / "报告.txt"
    proc = _writer(PAUSING, target=target)
    _never_ready_while(proc, watcher.tracker, target)
    _ready_soon(watcher.tracker, target)
    assert target.stat().st_size == 2 * len("前一半：".encode()) * 1000


def test_without_events_the_write_lease_still_sees_the_writer(tmp_path):
    """`--once`, or a writer that began before the watcher: no events, yet a file open for writing is not taken."""
    target = tmp_path / "报告.txt"
    proc = _writer(PAUSING, target=target)
    tracker = StabilityTracker(1.0)
    _never_ready_while(proc, tracker, target)
    _ready_soon(tracker, target)


def test_a_large_copy_in_chunks(watcher, tmp_path):
    """20 MB copied in 1 MB chunks over 10 s (an SMB copy)."""
    target = tmp_path / "archive" / "inbox" / "大文件.pdf"
    proc = _writer("""
        with open(target, "wb") as fh:
            for _ in range(20):
                fh.write(b"%" * (1 << 20))
                fh.flush()
                time.sleep(0.5)
    """, target=target)
    _never_ready_while(proc, watcher.tracker, target)
    _ready_soon(watcher.tracker, target)
    assert target.stat().st_size == 20 << 20


def test_an_office_style_save(watcher, tmp_path):
    """Word/WPS save: write a temp file, then rename it over the target (the target existed before)."""
    target = tmp_path / "archive" / "inbox" / "方案.txt"
    target.write_text("旧版本", encoding="utf-8")
    _ready_soon(watcher.tracker, target)
    temp = target.with_name("~WRL0001.tmp")
    proc = _writer("""
        with open(temp, "wb") as fh:
            fh.write("新版本".encode() * 100)
            fh.flush()
            time.sleep(2)
            fh.write("完".encode())
        os.replace(temp, target)
    """, target=target, temp=temp)
    proc.wait(10)
    _ready_soon(watcher.tracker, target)
    assert target.read_text(encoding="utf-8").endswith("完")


def test_open_for_writing():
    import tempfile

    with tempfile.NamedTemporaryFile("wb", delete=False) as fh:
        path = Path(fh.name)
        fh.write(b"x")
        fh.flush()
        holder = _writer("""
            fh = open(target, "ab")
            time.sleep(2)
        """, target=path)
        time.sleep(0.5)
        assert open_for_writing(path)
        holder.wait(10)
    assert not open_for_writing(path)
    path.unlink()


def test_end_to_end_the_archive_gets_the_whole_file(tmp_path):
    root = tmp_path / "archive"
    folder = root / "inbox" / P / "memo"
    folder.mkdir(parents=True)
    w = Watcher(Archive(root), TemplateSet(), settle=1.0, rescan=0.5, log=lambda line: None, today=lambda: TODAY)
    thread = threading.Thread(target=w.run_forever, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        target = folder / "纪要.txt"
        proc = _writer(PAUSING, target=target)
        proc.wait(20)
        deadline = time.monotonic() + 15
        while not Archive(root).records(doc_type="memo") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        w.stop.set()
        w.wake.set()
        thread.join(15)
    [record] = Archive(root).records(doc_type="memo", all_versions=True)
    data = (root / record["path"]).read_bytes()
    assert data.startswith("前一半：".encode()) and data.endswith("后一半。".encode())
