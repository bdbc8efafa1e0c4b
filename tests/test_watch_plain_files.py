"""Only plain files are taken from the inbox (#15 item 4): links, hard links, FIFOs and sockets go to failed/
with a Chinese reason, checked with lstat — what they lead to is never read, a FIFO never blocks."""
from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.archive import Archive
from docgen.render import TemplateSet
from docgen.search import search
from docgen.watch import Watcher
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"
TODAY = datetime.date(2025, 6, 30)


def _watcher(root: Path) -> Watcher:
    return Watcher(Archive(root), TemplateSet(), settle=0, log=lambda line: None, today=lambda: TODAY)


def _failed(root: Path, name: str) -> str:
    note = root / "failed" / TODAY.isoformat() / f"{name}.error.txt"
    assert note.exists(), sorted(p.name for p in (root / "failed" / TODAY.isoformat()).rglob("*"))
    return note.read_text(encoding="utf-8")


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "archive" / "inbox" / P / "memo"
    folder.mkdir(parents=True)
    return folder


def test_a_symlink_to_a_secret_is_refused_unread(tmp_path, inbox):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密：root 口令 Passw0rd", encoding="utf-8")
    (inbox / "纪要.txt").symlink_to(secret)
    (inbox / "目录链接").symlink_to(tmp_path)
    root = tmp_path / "archive"
    summary = _watcher(root).run_once()
    assert summary.failed == 2
    reason = _failed(root, f"{P}/memo/纪要.txt")
    assert "符号链接" in reason and str(secret) in reason and "复制" in reason
    assert "符号链接" in _failed(root, f"{P}/memo/目录链接")
    assert Archive(root).records() == []
    assert search(Archive(root), "口令").hits == [] if (root / "index").exists() else True
    assert secret.read_text(encoding="utf-8").startswith("机密")  # left alone
    assert (root / "failed" / TODAY.isoformat() / P / "memo" / "纪要.txt").is_symlink()


def test_a_hard_link_is_refused(tmp_path, inbox):
    outside = tmp_path / "outside.txt"
    outside.write_text("别处的文件", encoding="utf-8")
    os.link(outside, inbox / "纪要.txt")
    root = tmp_path / "archive"
    assert _watcher(root).run_once().failed == 1
    assert "硬链接" in _failed(root, f"{P}/memo/纪要.txt")
    assert Archive(root).records() == []


def test_a_fifo_never_blocks(tmp_path, inbox):
    os.mkfifo(inbox / "管道.txt")
    root = tmp_path / "archive"
    started = time.monotonic()
    assert _watcher(root).run_once().failed == 1
    assert time.monotonic() - started < 30  # a FIFO opened would hang for good; loose for a loaded machine
    assert "命名管道" in _failed(root, f"{P}/memo/管道.txt")


def test_a_fifo_left_in_processing_by_an_earlier_run(tmp_path):
    root = tmp_path / "archive"
    claimed = root / "inbox" / ".processing" / "计划.yaml"
    claimed.parent.mkdir(parents=True)
    os.mkfifo(claimed)
    assert _watcher(root).run_once().failed == 1
    assert "命名管道" in _failed(root, "计划.yaml")


def test_a_socket_and_a_linked_sidecar(tmp_path, inbox, monkeypatch):
    root = tmp_path / "archive"
    server = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(inbox)  # AF_UNIX paths are short: bind by the relative name
    server.bind("s.txt")
    try:
        (inbox / "正常.txt").write_text("周例会纪要", encoding="utf-8")
        secret = tmp_path / "meta.yaml"
        secret.write_text("project: X\ntype: memo\n", encoding="utf-8")
        (inbox / "正常.txt.meta.yaml").symlink_to(secret)
        summary = _watcher(root).run_once()
    finally:
        server.close()
    assert summary.failed == 2
    assert "套接字" in _failed(root, f"{P}/memo/s.txt")
    assert "说明文件 正常.txt.meta.yaml 是符号链接" in _failed(root, f"{P}/memo/正常.txt")


def test_plain_files_beside_them_still_go_through(tmp_path, inbox):
    root = tmp_path / "archive"
    (inbox / "链接.txt").symlink_to(tmp_path)
    shutil.copy(EXAMPLES / "plan.yaml", root / "inbox" / "plan.yaml")
    summary = _watcher(root).run_once()
    assert summary.failed == 1
    assert Archive(root).latest(f"{P}/plan")["source"] == "watch"


def test_sigterm_stops_a_watcher_facing_a_fifo(tmp_path, inbox):
    """The FIFO case of the issue: `docgen watch` (not --once) with a FIFO in the inbox ends on SIGTERM."""
    os.mkfifo(inbox / "管道.txt")
    root = tmp_path / "archive"
    proc = subprocess.Popen([sys.executable, "-m", "docgen", "--archive", str(root), "watch", "--settle", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while not list((root / "failed").rglob("*.error.txt")) and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert list((root / "failed").rglob("管道.txt.error.txt")), out
