"""Spreadsheet cells as a person leaves them (#15 item 2): error values and formulas without a saved result
are errors at sheet!cell saying what to type; a 录入表 saved by LibreOffice Calc reads back to the same model
as the YAML example."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from docgen.inputs._xlsx import write_form
from docgen.kinds import get_kind
from docgen.pipeline import check_input
from tests.conftest import EXAMPLES, example_data

SOFFICE = shutil.which("soffice")
needs_calc = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def _form(tmp_path: Path, kind: str, example: str, name: str = "录入表.xlsx") -> Path:
    model = get_kind(kind).model
    path = tmp_path / name
    path.write_bytes(write_form(model, kind=kind, title=f"{kind} 录入表", data=example_data(example)))
    return path


def _cell_of(path: Path, sheet: str, label: str) -> str:
    """The 值 cell of a 基本信息 row by its label (the sheet's 字段 column)."""
    ws = openpyxl.load_workbook(path)[sheet]
    for row in range(1, ws.max_row + 1):
        if str(ws.cell(row, 1).value or "").startswith(label):
            return f"B{row}"
    raise AssertionError(f"no row {label}")


def _errors(path: Path) -> list[tuple[str | None, str]]:
    checked = check_input(path)
    return [(i.cell, i.message) for i in checked.errors]


@pytest.mark.parametrize("value", ["#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"])
def test_error_values_are_errors_at_their_cell(tmp_path, value):
    path = _form(tmp_path, "plan", "plan.yaml")
    cell = _cell_of(path, "基本信息", "项目信息-项目名称")
    wb = openpyxl.load_workbook(path)
    wb["基本信息"][cell] = value  # openpyxl stores these as error cells, as Excel and Calc do
    assert wb["基本信息"][cell].data_type == "e"
    wb.save(path)
    errors = _errors(path)
    assert any(where == f"基本信息!{cell}" and f"错误值 {value}" in message and "开头不要用 =" in message
               for where, message in errors), errors
    assert not any(value in str(v) for v in check_input(path).raw.data.get("project", {}).values())


def test_a_formula_saved_without_its_result(tmp_path):
    path = _form(tmp_path, "plan", "plan.yaml")
    cell = _cell_of(path, "基本信息", "项目信息-客户名称")
    wb = openpyxl.load_workbook(path)
    wb["基本信息"][cell] = '="某"&"供电局"'  # openpyxl writes formulas without a cached value
    wb.save(path)
    errors = _errors(path)
    assert any(where == f"基本信息!{cell}" and "是公式" in message and "没有保存它的计算结果" in message
               for where, message in errors), errors


def test_a_formula_with_its_result_is_read_as_the_value(tmp_path):
    """A workbook Excel/Calc saved keeps each formula's result: that result is the value."""
    pytest.importorskip("openpyxl")
    path = _form(tmp_path, "plan", "plan.yaml")
    if SOFFICE is None:
        pytest.skip("needs LibreOffice to compute the cached value")
    cell = _cell_of(path, "基本信息", "项目信息-客户名称")
    wb = openpyxl.load_workbook(path)
    wb["基本信息"][cell] = '="某"&"供电局"'
    wb.save(path)
    saved = _calc_round_trip(path, tmp_path / "calc")
    checked = check_input(saved)
    assert checked.errors == [] and checked.raw.data["project"]["customer"] == "某供电局"


def _calc_round_trip(path: Path, outdir: Path) -> Path:
    """Open and save the workbook in LibreOffice Calc (headless), as a user of Calc would."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=120)
    result = outdir / path.name
    assert result.exists()
    return result


@needs_calc
def test_a_typed_equals_text_becomes_name_error_in_calc(tmp_path):
    """The issue's case: a user types =更换网卡 as an operation step; Calc saves it as #NAME?."""
    path = _form(tmp_path, "onsite", "onsite.yaml")
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("作业"))
    ws.cell(2, 3).value = "=更换网卡"
    wb.save(path)
    saved = _calc_round_trip(path, tmp_path / "calc")
    errors = _errors(saved)
    assert any(where == f"{ws.title}!C2" and "#NAME?" in message for where, message in errors), errors


@needs_calc
@pytest.mark.parametrize("kind, example", [("plan", "plan.yaml"), ("onsite", "onsite.yaml"),
                                           ("survey", "survey.yaml"), ("emergency", "emergency.yaml"),
                                           ("service_report", "service_report.yaml")])
def test_a_form_saved_by_calc_reads_back_as_the_yaml_example(tmp_path, kind, example):
    path = _form(tmp_path, kind, example, name=f"{kind}.xlsx")
    saved = _calc_round_trip(path, tmp_path / "calc")
    from_calc = check_input(saved)
    from_yaml = check_input(EXAMPLES / example)
    assert from_calc.errors == [], from_calc.errors
    assert from_calc.model == from_yaml.model
