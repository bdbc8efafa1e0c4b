"""Faults mid-write (#15 item 8), injected at each step of an archive write and of a pack: every one ends in a
Chinese error naming the step and the cause (exit 1, no traceback), an archive `archive verify` accepts once
the next command has run, and never a 交付清单 that lists half a pack."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.archive import Archive, _store
from docgen.cli import cli
from tests.conftest import EXAMPLES

CAUSES = {errno.ENOSPC: "磁盘空间不足", errno.EIO: "磁盘读写错误（I/O 错误）", errno.EACCES: "没有写入权限"}


def _failing_on_call(real, n: int, code: int):
    """`real`, except that its n-th call raises OSError(code)."""
    calls = {"count": 0}

    def wrapper(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == n:
            raise OSError(code, "injected")
        return real(*args, **kwargs)

    return wrapper


# step of Archive.put → (function in docgen.archive._store, which call of it, the step's words)
STEPS = {
    "intent": ("write_atomic", 1, "准备写入（写入意图记录）"),
    "document": ("write_temp", 1, "写入文档文件"),
    "rename": ("os.replace", 2, "写入文档文件"),  # the first os.replace publishes the intent
    "sidecar": ("write_atomic", 2, "写入元数据"),
    "ledger": ("append_entry", 1, "追加账本"),
}


def _run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(root), *args])


@pytest.mark.parametrize("code", sorted(CAUSES))
@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_failure_at_each_step_of_a_write(tmp_path, monkeypatch, step, code):
    root = tmp_path / "archive"
    name, n, words = STEPS[step]
    if name == "os.replace":
        monkeypatch.setattr(_store.os, "replace", _failing_on_call(_store.os.replace, n, code))
    else:
        monkeypatch.setattr(_store, name, _failing_on_call(getattr(_store, name), n, code))
    result = _run(root, "generate", str(EXAMPLES / "plan.yaml"))
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert f"{words}失败：{CAUSES[code]}" in result.output and "Traceback" not in result.output
    assert "请排除原因" in result.output
    # whatever the step, the archive is consistent at once, and the next command finishes the job
    assert Archive(root).verify().ok, Archive(root).verify().problems
    again = _run(root, "generate", str(EXAMPLES / "plan.yaml"))
    assert again.exit_code == 0, again.output
    verify = _run(root, "archive", "verify")
    assert verify.exit_code == 0, verify.output
    assert [r["version"] for r in Archive(root).records(doc_type="plan", all_versions=True)] == [1]


def test_a_failing_index_leaves_the_document_archived_and_says_so(tmp_path, monkeypatch):
    import docgen.search._index as index

    root = tmp_path / "archive"

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "injected")

    monkeypatch.setattr(index, "catch_up", broken)
    result = _run(root, "generate", str(EXAMPLES / "plan.yaml"))
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert "搜索索引暂未更新（磁盘空间不足）" in result.output
    found = _run(root, "search", "调度自动化")  # the next search catches up
    assert found.exit_code == 0 and "运维项目管理计划" in found.output


def test_a_pack_failing_half_way_lists_nothing_until_it_is_whole(tmp_path, monkeypatch):
    root = tmp_path / "archive"
    assert _run(root, "generate", str(EXAMPLES / "plan.yaml")).exit_code == 0
    # the routine pack archives 4 items, then its 交付清单: the third item's document write fails
    monkeypatch.setattr(_store, "write_temp", _failing_on_call(_store.write_temp, 3, errno.ENOSPC))
    result = _run(root, "generate", str(EXAMPLES / "routine.yaml"))
    monkeypatch.undo()
    assert result.exit_code == 1 and "磁盘空间不足" in result.output
    archive = Archive(root)
    assert len(archive.records(doc_type="status_record")) + len(archive.records(doc_type="anomaly_record")) == 2
    assert archive.records(doc_type="pack_manifest") == []  # no manifest of half a pack
    assert archive.verify().ok
    again = _run(root, "generate", str(EXAMPLES / "routine.yaml"))
    assert again.exit_code == 0, again.output
    [manifest] = Archive(root).records(doc_type="pack_manifest")
    assert manifest["facts"]["missing"] == [] or set(manifest["facts"]["missing"]) <= {"survey_report"}
    assert _run(root, "archive", "verify").exit_code == 0
