"""`docgen archive import DIR` (#17 item 3): a folder tree of past deliverables, by the folder convention or a
清单 (.xlsx/.csv); resumable by checksum; bad files and rows reported in Chinese at the end and in a report file,
the rest imported in batches (Archive.put_many) with the archive's crash safety."""
from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from docgen.archive import Archive, PutItem, _store
from docgen.bulk_import import import_tree
from docgen.cli import cli


def _tree(root: Path) -> Path:
    src = root / "历史文档"
    (src / "P1" / "minutes").mkdir(parents=True)
    (src / "P1" / "运维服务报告").mkdir(parents=True)
    (src / "P2" / "inspection" / "2023").mkdir(parents=True)
    (src / "P1" / "minutes" / "周例会纪要.txt").write_text("周例会纪要：更换核心交换机网卡", encoding="utf-8")
    (src / "P1" / "运维服务报告" / "三月报告.txt").write_text("三月运维服务报告 可用率 99.9%", encoding="utf-8")
    (src / "P2" / "inspection" / "2023" / "机房巡检.md").write_text("# 机房巡检\n温度 23℃", encoding="utf-8")
    return src


def _run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(root), "archive", "import", *args])


def test_the_folder_convention_imports_and_reports_the_rest(tmp_path):
    src = _tree(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    (src / "P1" / "minutes" / "链接.txt").symlink_to(secret)
    os.mkfifo(src / "P1" / "minutes" / "管道.txt")
    (src / "无归属.txt").write_text("没有项目", encoding="utf-8")
    (src / "P1" / "minutes" / "坏.docx").write_bytes(b"not a zip")
    (src / "P1" / "minutes" / "~$临时.docx").write_bytes(b"lock")
    root = tmp_path / "archive"
    result = _run(root, str(src))
    assert result.exit_code == 1, result.output
    assert "共 7 个文件：导入 3，已在归档库中（跳过） 0，未导入 4。" in result.output
    assert "链接.txt" in result.output and "符号链接" in result.output and "导入目录只接受普通文件" in result.output
    assert "管道.txt" in result.output and "命名管道" in result.output
    assert "无归属.txt" in result.output and "历史文档/<项目编号>/<文档类型>/" in result.output
    assert "坏.docx" in result.output
    archive = Archive(root)
    records = archive.records()
    assert sorted((r["project"], r["doc_type"], r["title"]) for r in records) == [
        ("P1", "minutes", "周例会纪要"), ("P1", "service_report", "三月报告"), ("P2", "inspection", "机房巡检")]
    assert all(r["source"] == "archive import" for r in records)
    assert archive.verify().ok
    reports = list((root / "import-reports").glob("导入报告_*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "导入 3" in text and "管道.txt" in text and "改正后再次运行同一命令" in text
    found = CliRunner().invoke(cli, ["--archive", str(root), "search", "网卡"])
    assert "周例会纪要" in found.output

    # resumable: a second run skips what is archived, by checksum
    again = _run(root, str(src), "--report", str(tmp_path / "第二次.txt"))
    assert "导入 0，已在归档库中（跳过） 3，未导入 4" in again.output
    assert (tmp_path / "第二次.txt").exists() and len(Archive(root).records(all_versions=True)) == 3


def test_a_listing_names_project_type_date_period_title_and_service_no(tmp_path):
    src = _tree(tmp_path)
    listing = tmp_path / "清单.xlsx"
    result = CliRunner().invoke(cli, ["init", "import", "-o", str(listing)])
    assert result.exit_code == 0 and listing.exists()
    wb = openpyxl.load_workbook(listing)
    ws = wb["清单"]
    assert [c.value for c in ws[1]] == ["文件", "项目编号", "文档类型", "日期", "期间", "标题", "服务单号"]
    ws.append(["P1/minutes/周例会纪要.txt", "YNTD-YW-2023-004", "现场服务报告单", "2023-03-15", "2023-03", "三月现场报告",
               "XC-2023-0011"])
    ws.append(["P2/inspection/2023/机房巡检.md", "YNTD-YW-2023-004", "inspection", None, None, None, None])
    ws.append(["不存在.txt", "YNTD-YW-2023-004", "minutes", None, None, None, None])
    ws.append(["../secret.txt", "YNTD-YW-2023-004", "minutes", None, None, None, None])
    ws.append(["P1/运维服务报告/三月报告.txt", "YNTD-YW-2023-004", "计划书", None, None, None, None])
    ws.append(["P1/运维服务报告/三月报告.txt", "YNTD-YW-2023-004", "minutes", "2023/03/01", None, None, None])
    wb.save(listing)
    root = tmp_path / "archive"
    result = _run(root, str(src), "--list", str(listing), "--json")
    assert result.exit_code == 1
    import json

    data = json.loads(result.stdout)
    assert data["imported"] == 2
    problems = {p["where"]: p["message"] for p in data["problems"]}
    everything = " ".join(f"{w} {m}" for w, m in problems.items())
    assert "不存在.txt" in everything and "../secret.txt" in everything and "不在导入目录" in everything
    assert any("计划书" in m for m in problems.values()) and any("2023/03/01" in m for m in problems.values())
    assert all(where.startswith("清单.xlsx 第 ") for where in problems)
    [report] = Archive(root).records(doc_type="onsite_report")
    assert (report["title"], report["date"], report["period"]) == ("三月现场报告", "2023-03-15", "2023-03")
    assert report["facts"]["service_no"] == "XC-2023-0011"


def test_a_gbk_csv_listing(tmp_path):
    src = _tree(tmp_path)
    listing = tmp_path / "清单.csv"
    with open(listing, "w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["文件", "项目编号", "文档类型", "标题"])
        writer.writerow(["P1/minutes/周例会纪要.txt", "P9", "会议纪要类", "纪要"])
        writer.writerow(["P1/minutes/周例会纪要.txt", "P9", "minutes", "纪要"])
    root = tmp_path / "archive"
    result = _run(root, str(src), "--list", str(listing))
    assert result.exit_code == 1 and "导入 1" in result.output and "会议纪要类" in result.output
    bad = tmp_path / "坏清单.csv"
    bad.write_text("路径,项目\nx,y\n", encoding="utf-8")
    refused = _run(root, str(src), "--list", str(bad))
    assert refused.exit_code == 1 and "缺少列 文件、项目编号、文档类型" in refused.output
    missing = _run(root, str(tmp_path / "没有这个目录"))
    assert missing.exit_code == 1 and "导入目录不存在" in missing.output


def test_put_many_versions_unchanged_and_progress(tmp_path):
    import datetime

    archive = Archive(tmp_path / "archive")
    day = datetime.date(2024, 5, 1)

    def item(data: bytes, title: str = "纪要") -> PutItem:
        return PutItem(data, "P", "minutes", (title, "2024-05"), title, day, "2024-05", ".txt", "test")

    results = archive.put_many([item(b"1"), item(b"2"), item(b"3", "另一份"), item(b"2")])
    assert [(r.version, r.status) for r in results] == [(1, "new"), (2, "version"), (1, "new"), (2, "unchanged")]
    assert [(r.version, r.status) for r in archive.put_many([item(b"2")])] == [(2, "unchanged")]
    assert archive.verify().ok and len(archive.ledger()) == 3
    calls = []
    src = _tree(tmp_path)
    import_tree(archive, src, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)


def test_a_batch_lists_each_folder_once_and_keeps_names_apart(tmp_path, monkeypatch):
    """put_many looks up versions and free file names in one listing of each folder per batch (not one per
    file); documents of one batch whose readable names collide still get different files, and the same
    name in another project stays readable."""
    import datetime

    archive = Archive(tmp_path / "archive")
    day = datetime.date(2024, 5, 1)

    def item(key: tuple[str, ...], project: str = "P", data: bytes = b"x") -> PutItem:
        return PutItem(data + "/".join(key).encode(), project, "t", key, "/".join(key), day, "2024-05", ".txt", "test")

    archive.put_many([item((f"old{i}",)) for i in range(30)])
    listings = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: listings.append(str(path)) or real(path))
    results = archive.put_many([item(("a_b",)), item(("a", "b")), item(("A_B",)), item(("a_b",), "Q"),
                                *[item((f"new{i}",)) for i in range(30)], item(("old3",), data=b"changed")])
    monkeypatch.undo()
    folder = str(archive.root / "documents" / "P" / "2024" / "t")
    assert listings.count(folder) == 1
    names = [r.path.name for r in results[:3]]
    assert len({n.lower() for n in names}) == 3 and names[0] == "t_a_b_v1.txt"
    assert results[3].path.name == "t_a_b_v1.txt" and "/Q/" in results[3].path.as_posix()
    assert results[-1].version == 2 and results[-1].path.name == "t_old3_v2.txt"
    assert archive.verify().ok and [r["doc_id"] for r in archive.versions(results[1].doc_id)] == [results[1].doc_id]


@pytest.mark.parametrize("step", ["write_unsynced", "sync_all", "append_entries"])
def test_a_batch_failing_midway_is_settled(tmp_path, monkeypatch, step):
    src = _tree(tmp_path)
    root = tmp_path / "archive"
    calls = {"n": 0}
    real = getattr(_store, step)

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == (2 if step == "sync_all" else 1):
            raise OSError(errno.EIO, "injected")
        return real(*args, **kwargs)

    monkeypatch.setattr(_store, step, failing)
    result = _run(root, str(src))
    monkeypatch.undo()
    assert result.exit_code == 1 and "成批归档 3 份文档时" in result.output and "磁盘读写错误" in result.output
    assert "Traceback" not in result.output
    assert Archive(root).verify().ok  # the documents in place were completed at once
    again = _run(root, str(src))
    assert again.exit_code == 0, again.output
    assert len(Archive(root).records(all_versions=True)) == 3 and Archive(root).verify().ok


def test_a_crash_inside_a_batch_is_completed_by_the_next_writer(tmp_path, monkeypatch):
    """A kill after the documents' sync, before sidecars and ledger: the intent lists the batch; the next
    writer rolls every document forward."""
    src = _tree(tmp_path)
    root = tmp_path / "archive"

    class Crash(BaseException):
        pass

    def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(_store, "write_unsynced", crash)
    with pytest.raises(Crash):
        import_tree(Archive(root), src)
    monkeypatch.undo()
    report = Archive(root).verify()
    assert {p.kind for p in report.problems} == {"pending_write"} and len(report.problems) == 3
    notes = Archive(root).recover()
    assert len(notes) == 1 and notes[0].count("已完成") == 3
    assert Archive(root).verify().ok and len(Archive(root).records()) == 3
