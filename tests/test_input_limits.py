"""Input limits (#15 item 1): bombs and monsters are refused quickly, in Chinese, naming the file and the limit,
with nothing written — by `generate`, `validate` and the watcher alike."""
from __future__ import annotations

import datetime
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.errors import InputError
from docgen.inputs import read_input
from docgen.inputs._limits import (MAX_DEPTH, MAX_SCALAR_CHARS, MAX_SHEET_ROWS, MAX_TEXT_BYTES, MAX_VALUES,
                                   MAX_XLSX_UNPACKED)
from docgen.render import TemplateSet
from docgen.watch import Watcher
from tests.conftest import EXAMPLES, example_data, write_input

LAUGHS = "kind: plan\na: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))


def _refused(path: Path) -> str:
    """read_input's message for `path`, refused without expanding it: within 300 MB, and in seconds rather than
    the minutes an expanded bomb takes (the bound is loose: a loaded CI machine must not make this flaky; the
    refusal itself takes well under a second here)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as exc:
            read_input(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - started < 10 and peak < 300_000_000
    message = str(exc.value)
    assert path.name in message and "超过输入上限" in message
    return message


def test_a_billion_laughs_is_measured_not_expanded(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    assert len(LAUGHS) < 1000
    message = _refused(path)
    assert "锚点/别名" in message and f"{MAX_VALUES:,}" in message


def test_an_anchor_that_contains_itself(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("kind: plan\nloop: &x [1, *x]\n", encoding="utf-8")
    assert "引用了它自己" in _refused(path)


def test_nesting_and_long_text(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("kind: plan\nx: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", encoding="utf-8")
    assert f"嵌套不超过 {MAX_DEPTH} 层" in _refused(deep)
    long = tmp_path / "long.yaml"
    long.write_text("kind: plan\nnote: " + "长" * (MAX_SCALAR_CHARS + 1) + "\n", encoding="utf-8")
    assert "第 2 行的文字" in _refused(long)


def test_json_too(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"kind": "plan", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert "嵌套" in _refused(deep)
    many = tmp_path / "many.json"
    many.write_text(json.dumps({"kind": "plan", "x": [0] * (MAX_VALUES + 1)}), encoding="utf-8")
    assert "个值" in _refused(many)
    long = tmp_path / "long.json"
    long.write_text(json.dumps({"kind": "plan", "project": {"name": "长" * (MAX_SCALAR_CHARS + 1)}}), encoding="utf-8")
    assert "字段 project.name" in _refused(long)


def test_a_file_too_big_is_not_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"kind: plan\n" + b"# " + b"x" * MAX_TEXT_BYTES + b"\n")
    assert "文件大小 1.0 MB" in _refused(path)


def test_a_real_large_input_is_well_within(tmp_path):
    """Two thousand survey answers: far from every limit."""
    data = example_data("survey.yaml")
    answer = data["responses"][0]
    data["responses"] = [dict(answer, respondent=f"受访人{i}") for i in range(2000)]
    raw = read_input(write_input(tmp_path, data, "survey.yaml"))
    assert len(raw.data["responses"]) == 2000


def _workbook(tmp_path: Path, rows: int) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("基本信息")
    ws.append(["字段", "值"])
    ws.append(["输入类型", "plan"])
    for n in range(rows):
        ws.append([n])
    path = tmp_path / "录入表.xlsx"
    wb.save(path)
    return path


def test_workbook_dimensions_are_checked_before_openpyxl_reads_them(tmp_path):
    message = _refused(_workbook(tmp_path, MAX_SHEET_ROWS + 10))
    assert f"每张工作表不超过 {MAX_SHEET_ROWS:,} 行" in message


def test_a_zip_bomb_posing_as_a_workbook(tmp_path):
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (MAX_XLSX_UNPACKED + 1) + b"</worksheet>")
    assert path.stat().st_size < 1_000_000
    assert "解压后" in _refused(path)


def test_many_shared_strings(tmp_path):
    path = tmp_path / "多.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/sharedStrings.xml", '<sst count="300000" uniqueCount="300000"></sst>')
    assert "不同的文字" in _refused(path)


def test_generate_and_validate_refuse_with_exit_1_and_write_nothing(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LAUGHS, encoding="utf-8")
    root = tmp_path / "archive"
    for args in (["generate", str(bomb), str(EXAMPLES / "plan.yaml")], ["validate", str(bomb)]):
        result = CliRunner().invoke(cli, ["--archive", str(root), *args])
        assert result.exit_code == 1 and "超过输入上限" in result.output and "Traceback" not in result.output
    assert not root.exists()


def test_the_watcher_fails_a_bomb_with_the_reason(tmp_path):
    root = tmp_path / "archive"
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "bomb.yaml").write_text(LAUGHS, encoding="utf-8")
    today = datetime.date(2025, 6, 30)
    watcher = Watcher(Archive(root), TemplateSet(), settle=0, log=lambda line: None, today=lambda: today)
    summary = watcher.run_once()
    assert summary.failed == 1
    reason = (root / "failed" / today.isoformat() / "bomb.yaml.error.txt").read_text(encoding="utf-8")
    assert "超过输入上限" in reason
    assert Archive(root).records() == []


def test_a_large_real_workbook_is_within_the_limits(tmp_path):
    """The same two thousand answers as a 录入表 (what Excel users send): read back whole, within 2 s."""
    from docgen.inputs._xlsx import write_form
    from docgen.kinds.survey.model import SurveyInput

    data = example_data("survey.yaml")
    answer = data["responses"][0]
    data["responses"] = [dict(answer, respondent=f"受访人{i}", comment="响应及时，处理专业" * 3) for i in range(2000)]
    book = tmp_path / "调查.xlsx"
    book.write_bytes(write_form(SurveyInput, kind="survey", title="需方满意度调查录入表", data=data))
    raw = read_input(book)
    assert len(raw.data["responses"]) == 2000
