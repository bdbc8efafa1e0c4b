"""`docgen init`: blank YAML with a Chinese comment per field, and the Excel 录入表 that reads back."""
from __future__ import annotations

import re

import pytest

import yaml
from click.testing import CliRunner

from docgen.cli import cli
from docgen.pipeline import check_input


def _keys(value, prefix=""):
    if isinstance(value, dict):
        out = set()
        for k, v in value.items():
            out.add(prefix + k)
            out |= _keys(v, prefix + k + ".")
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _keys(value[0], prefix)
    return set()


def test_init_yaml_has_every_field_with_a_chinese_comment(tmp_path, plan_data):
    out = tmp_path / "计划.yaml"
    result = CliRunner().invoke(cli, ["init", "plan", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.search(r"#\s*\S*[\u4e00-\u9fff]", line), f"no Chinese comment: {line}"
    blank = yaml.safe_load(text)
    assert blank["kind"] == "plan"
    # every field of the example is in the scaffold, and the scaffold invents none
    assert _keys(plan_data) <= _keys(blank)
    assert not (_keys(blank) - _keys(plan_data)) - {"change_note", "approved_by", "approved_on", "doc_no",
                                                     "company", "sla.clock", "sla.hours", "sla.categories",
                                                     "review.reviewers.comment"}


def test_blank_yaml_validates_with_missing_field_errors_not_a_crash(tmp_path):
    out = tmp_path / "blank.yaml"
    CliRunner().invoke(cli, ["init", "plan", "-o", str(out)])
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "project.code：缺少必填字段 项目编号（code）" in result.stderr
    # the scaffold's blank training row counts as "not filled in", not as a half-filled row
    assert "training[0]" not in result.stderr


def test_filled_scaffold_validates(tmp_path, plan_data):
    out = tmp_path / "filled.yaml"
    CliRunner().invoke(cli, ["init", "plan", "-o", str(out)])
    blank = yaml.safe_load(out.read_text(encoding="utf-8"))
    blank.update(plan_data)
    out.write_text(yaml.safe_dump(blank, allow_unicode=True), encoding="utf-8")
    assert check_input(out).errors == []


def test_init_refuses_to_overwrite(tmp_path):
    out = tmp_path / "plan.yaml"
    out.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", "plan", "-o", str(out)])
    assert result.exit_code == 1 and "文件已存在" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert CliRunner().invoke(cli, ["init", "plan", "-o", str(out), "--force"]).exit_code == 0


def test_init_xlsx_then_filled_workbook_generates(tmp_path, plan_data):
    import docx
    import openpyxl

    from docgen.inputs._xlsx import write_form
    from docgen.kinds.plan.model import PlanInput

    blank = tmp_path / "计划.xlsx"
    result = CliRunner().invoke(cli, ["init", "plan", "--xlsx", "-o", str(blank)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(blank)
    assert {"基本信息", "风险", "团队", "SLA"} <= set(wb.sheetnames)
    assert wb["_lists"].sheet_state == "hidden"
    first = [c.value for c in wb["基本信息"][2]]
    assert first[1] == "plan" and first[3] == "kind"  # value, and the hidden field-path column

    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(write_form(PlanInput, kind="plan", title="运维项目管理计划录入表", data=plan_data))
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(filled), "--json"])
    assert result.exit_code == 0, result.output
    import json

    [doc] = json.loads(result.stdout)
    text = "\n".join(c.text for t in docx.Document(doc["path"]).tables for r in t.rows for c in r.cells)
    assert "启动数据库应急预案，30分钟内切换至备库" in text


def test_xlsx_errors_name_sheet_and_cell(tmp_path, plan_data):
    import openpyxl

    from docgen.inputs._xlsx import write_form
    from docgen.kinds.plan.model import PlanInput

    path = tmp_path / "bad.xlsx"
    path.write_bytes(write_form(PlanInput, kind="plan", title="录入表", data=plan_data))
    wb = openpyxl.load_workbook(path)
    sheet = wb["风险"]
    header = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(header, 1) if h and h.startswith("应急措施"))
    sheet.cell(row=2, column=column).value = None
    wb.save(path)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(path)])
    assert result.exit_code == 1
    letter = openpyxl.utils.get_column_letter(column)
    assert f"风险!{letter}2（risks[0].contingency）" in result.stderr
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize("kind", ["onsite", "remote"])
def test_service_record_inputs_from_yaml_scaffold_and_workbook(tmp_path, kind):
    from docgen.inputs._xlsx import read_form, write_form
    from docgen.kinds import get_kind

    from tests.conftest import EXAMPLES

    example = yaml.safe_load((EXAMPLES / f"{kind}.yaml").read_text(encoding="utf-8"))
    blank = tmp_path / f"{kind}.yaml"
    assert CliRunner().invoke(cli, ["init", kind, "-o", str(blank)]).exit_code == 0
    scaffold = yaml.safe_load(blank.read_text(encoding="utf-8"))
    assert scaffold["kind"] == kind and set(example) <= set(scaffold)
    book = tmp_path / f"{kind}.xlsx"
    book.write_bytes(write_form(get_kind(kind).model, kind=kind, title="录入表", data=example))
    form = read_form(book)
    assert form.issues == []
    model = get_kind(kind).model
    assert model.model_validate(form.data) == model.model_validate(example)
    assert check_input(book).errors == []


def test_blank_survey_workbook_takes_question_columns(tmp_path):
    import openpyxl

    book = tmp_path / "survey.xlsx"
    assert CliRunner().invoke(cli, ["init", "survey", "--xlsx", "-o", str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    values = {"project.code": "P-1", "project.name": "测试项目", "project.customer": "某客户",
              "period": "2025-03", "surveyed_by": "服务台 刘敏"}
    info = wb["基本信息"]
    for row in info.iter_rows(min_row=2):
        if row[3].value in values:
            row[1].value = values[row[3].value]
    questions = wb["问题"]
    headers = [c.value for c in questions[1]]
    questions.append(["q1" if "编号" in str(h) else "响应及时性" for h in headers])
    answers = wb["回答"]
    assert [c.value for c in answers[1]][:2] == ["受访人 *", "回答日期 *"]
    answers.cell(row=1, column=4, value="q1")
    answers.append(["陈主任", "2025-03-28", "满意", 5])
    wb.save(book)
    checked = check_input(book)
    assert checked.errors == [], [i.text() for i in checked.errors]
    assert checked.model.responses == [{"respondent": "陈主任", "date": "2025-03-28", "comment": "满意", "q1": 5}]


@pytest.mark.parametrize("kind", ["survey", "routine", "emergency", "optimization", "assessment", "service_report", "acceptance"])
def test_examples_round_trip_through_the_workbook_and_scaffold_keys(tmp_path, kind):
    from docgen.inputs._scaffold import scaffold_yaml
    from docgen.inputs._xlsx import read_form, write_form
    from docgen.kinds import get_kind

    from tests.conftest import EXAMPLES

    example = yaml.safe_load((EXAMPLES / f"{kind}.yaml").read_text(encoding="utf-8"))
    model = get_kind(kind).model
    book = tmp_path / f"{kind}.xlsx"
    book.write_bytes(write_form(model, kind=kind, title="录入表", data=example))
    form = read_form(book)
    assert form.issues == [] and model.model_validate(form.data) == model.model_validate(example)
    # the blank YAML names keys as inputs write them (assessment's schedule uses `from`, a Python keyword)
    assert set(example) <= set(yaml.safe_load(scaffold_yaml(model, title=kind)))
