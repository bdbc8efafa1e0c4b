"""The Excel 录入表: written from a model, reopened with openpyxl as a person would see it, filled
in the way Excel stores things, and read back into the same model as the YAML."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal

import openpyxl
import pytest

from docgen.errors import InputError
from docgen.inputs._xlsx import FormData, form_kind, layout_of, read_form, write_form
from docgen.fields import Date, DateTime, OptText, StrictModel, Text, TextList, label
from docgen.kinds.plan.model import PlanInput
from docgen.pipeline import check_input

TITLE = "运维项目管理计划录入表"
PLAN_SHEETS = ["基本信息", "交付内容", "SLA", "工作量分项", "团队", "培训", "服务报告", "工具", "风险", "沟通", "评审",
               "通知范围", "填写说明", "_lists"]


def _save(tmp_path: Path, content: bytes, name: str = "form.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _plan_form(tmp_path: Path, data: dict | None) -> Path:
    return _save(tmp_path, write_form(PlanInput, kind="plan", title=TITLE, data=data))


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, header: str) -> str:
    """The column letter of a header (with or without its required mark)."""
    for cell in ws[1]:
        if cell.value and str(cell.value).rstrip(" *") == header:
            return cell.column_letter
    raise AssertionError(f"no column {header} in {_headers(ws)}")


def _basics_row(ws, path: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 4).value == path:
            return row
    raise AssertionError(f"no 基本信息 row for {path}")


# ---------------------------------------------------------------- round trips
def test_example_plan_round_trips_through_the_form(tmp_path, plan_data):
    form = read_form(_plan_form(tmp_path, plan_data))
    assert form.issues == []
    assert PlanInput.model_validate(form.data) == PlanInput.model_validate(plan_data)


def test_blank_form_reads_back_to_just_the_kind(tmp_path):
    form = read_form(_plan_form(tmp_path, None))
    assert form == FormData(data={"kind": "plan"}, cells=form.cells, issues=[])
    assert form.cells["project.code"].startswith("基本信息!B")
    assert form.cells["risks"] == "风险!A2"


def test_plan_form_has_one_sheet_per_list_and_hidden_option_lists(tmp_path):
    wb = openpyxl.load_workbook(_plan_form(tmp_path, None))
    assert wb.sheetnames == PLAN_SHEETS
    assert wb.active.title == "基本信息"
    assert wb["_lists"].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in PLAN_SHEETS[:-1])
    assert _headers(wb["基本信息"])[:3] == ["字段", "值", "说明"]
    assert wb["基本信息"].column_dimensions["D"].hidden
    assert [wb["基本信息"].cell(2, c).value for c in (1, 2, 4)] == ["输入类型 *", "plan", "kind"]
    assert _headers(wb["风险"]) == ["风险描述 *", "可能性 *", "影响程度 *", "规避措施 *", "减缓措施 *", "应急措施 *"]
    assert _headers(wb["评审"])[-1] == "评审意见"  # optional: no mark


def test_basics_lists_nested_scalars_with_parent_title_and_hints(tmp_path):
    ws = openpyxl.load_workbook(_plan_form(tmp_path, None))["基本信息"]
    row = _basics_row(ws, "project.type")
    assert ws.cell(row, 1).value == "项目信息-项目类型 *"
    assert "renewal" in ws.cell(row, 3).value
    assert ws.cell(_basics_row(ws, "approved_by"), 1).value == "批准人"
    assert "云南腾电科技有限公司" in ws.cell(_basics_row(ws, "company"), 3).value  # the default is told
    assert "分隔" in ws.cell(_basics_row(ws, "processes"), 3).value
    paths = [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]
    assert paths[:3] == ["kind", "project.code", "project.name"]
    assert "workload.person_days" in paths and "review.reviewers" not in paths


def test_dropdowns_use_ranges_on_the_hidden_lists_sheet(tmp_path):
    wb = openpyxl.load_workbook(_plan_form(tmp_path, None))
    lists = wb["_lists"]

    def options(formula: str) -> list[str]:
        assert formula.startswith("_lists!$")  # as Excel stores it: no leading "="
        return [c.value for row in lists[formula.removeprefix("_lists!").replace("$", "")] for c in row]

    risk_dvs = {str(dv.sqref): dv for dv in wb["风险"].data_validations.dataValidation}
    col = _column(wb["风险"], "可能性")
    dv = risk_dvs[f"{col}2:{col}500"]
    assert dv.type == "list" and dv.showErrorMessage and "高、中、低" in dv.error
    assert options(dv.formula1) == ["高", "中", "低"]
    sla_ops = next(dv for dv in wb["SLA"].data_validations.dataValidation
                   if str(dv.sqref).startswith(_column(wb["SLA"], "比较")))
    assert options(sla_ops.formula1) == ["<=", ">=", "<", ">", "="]
    basics = wb["基本信息"]
    type_cell = f"B{_basics_row(basics, 'project.type')}"
    assert any(str(dv.sqref) == type_cell and options(dv.formula1) == ["new", "renewal"]
               for dv in basics.data_validations.dataValidation)
    assert all(dv.formula1.startswith("_lists!") for ws in wb for dv in ws.data_validations.dataValidation)


def test_workbook_carries_its_kind_as_a_custom_property(tmp_path):
    path = _plan_form(tmp_path, None)
    wb = openpyxl.load_workbook(path)
    assert {p.name: p.value for p in wb.custom_doc_props}["kind"] == "plan"
    assert wb.properties.title == TITLE
    assert form_kind(path) == "plan"


def test_form_kind_falls_back_to_the_first_row_of_basics(tmp_path):
    path = _plan_form(tmp_path, None)
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props.props.clear()
    wb.save(path)
    assert form_kind(path) == "plan"
    assert read_form(path).data == {"kind": "plan"}


def test_dates_and_layout_are_formatted_for_people(tmp_path, plan_data):
    wb = openpyxl.load_workbook(_plan_form(tmp_path, plan_data))
    basics, training = wb["基本信息"], wb["培训"]
    start = basics.cell(_basics_row(basics, "project.start"), 2)
    assert start.value == datetime(2025, 1, 1) and start.number_format == "yyyy-mm-dd"
    assert training[f"{_column(training, '培训日期')}2"].number_format == "yyyy-mm-dd"
    assert training["A1"].font.b and training["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert training.freeze_panes == "A2" and basics.freeze_panes == "A2"
    assert training["A2"].alignment.wrap_text
    assert wb["风险"].column_dimensions["A"].width > 10
    assert "分隔" in wb["交付内容"][f"{_column(wb['交付内容'], '交付成果')}1"].comment.text
    outputs = wb["交付内容"][f"{_column(wb['交付内容'], '交付成果')}2"].value
    assert outputs == "运行状态信息记录；运行状态异常处理记录；趋势分析及可能的风险消除建议；运行维护服务对象配置信息记录"


# ---------------------------------------------------------------- text stays text
@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "=", "{{ x }}"])
def test_formula_like_text_is_written_as_text(tmp_path, plan_data, text):
    plan_data["risks"][0]["contingency"] = text
    plan_data["project"]["name"] = text
    path = _plan_form(tmp_path, plan_data)
    wb = openpyxl.load_workbook(path)
    cell = wb["风险"][f"{_column(wb['风险'], '应急措施')}2"]
    assert cell.data_type == "s" and cell.value == text
    basics = wb["基本信息"]
    assert basics.cell(_basics_row(basics, "project.name"), 2).data_type == "s"
    data = read_form(path).data
    assert data["risks"][0]["contingency"] == text and data["project"]["name"] == text


def test_option_lists_with_formula_characters_stay_text(tmp_path):
    wb = openpyxl.load_workbook(_plan_form(tmp_path, None))
    lists = wb["_lists"]
    assert any(c.value == "=" and c.data_type == "s" for row in lists.iter_rows() for c in row)


# ---------------------------------------------------------------- cells for error messages
def test_cells_map_field_paths_to_sheet_cells(tmp_path, plan_data):
    plan_data["risks"][0]["contingency"] = ""  # an empty cell of a filled row still has an address
    form = read_form(_plan_form(tmp_path, plan_data))
    assert "contingency" not in form.data["risks"][0]
    assert form.cells["risks[0].contingency"] == "风险!F2"
    assert form.cells["risks[0]"] == "风险!A2"
    assert form.cells["project.code"] == "基本信息!B3"
    assert form.cells["review.reviewers[1].role"] == "评审!B3"
    assert form.cells["scope[1].outputs"] == "交付内容!E3"


def test_validation_errors_name_the_cell(tmp_path, plan_data):
    plan_data["risks"][0]["contingency"] = ""
    path = _plan_form(tmp_path, plan_data)
    issue = next(i for i in check_input(path).errors if i.path == "risks[0].contingency")
    assert issue.cell == "风险!F2"
    assert issue.text().startswith("风险!F2（risks[0].contingency）：缺少必填字段 应急措施")


# ---------------------------------------------------------------- reading what Excel stores
def test_values_are_read_as_the_model_expects(tmp_path, plan_data):
    path = _plan_form(tmp_path, plan_data)
    wb = openpyxl.load_workbook(path)
    sla, scope, basics = wb["SLA"], wb["交付内容"], wb["基本信息"]
    sla[f"{_column(sla, '目标值')}2"] = 30.0
    sla[f"{_column(sla, '指标名称')}3"] = "  现场到达时间  "
    scope[f"{_column(scope, '交付成果')}2"] = "甲\n乙；丙;丁\n"
    basics.cell(_basics_row(basics, "project.start"), 2).value = datetime(2025, 1, 1)
    basics.cell(_basics_row(basics, "project.contract_no"), 2).value = 20250031
    basics.cell(_basics_row(basics, "processes"), 2).value = "事件管理流程\n问题管理流程"
    sla.insert_rows(4, amount=2)  # blank rows in the middle are skipped
    wb.save(path)
    data = read_form(path).data
    assert data["sla"][0]["target"] == 30 and type(data["sla"][0]["target"]) is int
    assert data["sla"][1]["name"] == "现场到达时间"
    assert len(data["sla"]) == len(plan_data["sla"])
    assert data["scope"][0]["outputs"] == ["甲", "乙", "丙", "丁"]
    assert data["project"]["start"] == date(2025, 1, 1) and type(data["project"]["start"]) is date
    assert data["processes"] == ["事件管理流程", "问题管理流程"]
    model = PlanInput.model_validate(data)
    assert model.project.contract_no == "20250031"


def test_required_marks_are_not_needed_to_read(tmp_path, plan_data):
    path = _plan_form(tmp_path, plan_data)
    wb = openpyxl.load_workbook(path)
    for cell in wb["风险"][1]:
        cell.value = cell.value.rstrip(" *")
    basics = wb["基本信息"]
    for row in range(2, basics.max_row + 1):
        basics.cell(row, 1).value = basics.cell(row, 1).value.rstrip(" *")
        basics.cell(row, 4).value = None  # the hidden path column lost: labels still work
    wb.save(path)
    form = read_form(path)
    assert form.issues == []
    assert PlanInput.model_validate(form.data) == PlanInput.model_validate(plan_data)


# ---------------------------------------------------------------- structural problems
def test_unknown_column_header_is_an_issue_with_a_suggestion(tmp_path, plan_data):
    path = _plan_form(tmp_path, plan_data)
    wb = openpyxl.load_workbook(path)
    wb["风险"]["F1"] = "应急措旋"
    wb["风险"]["H1"] = "备注"
    wb.save(path)
    issues = {i.cell: i for i in read_form(path).issues}
    assert set(issues) == {"风险!F1", "风险!H1"}
    assert issues["风险!F1"].level == "error"
    assert "未知列 “应急措旋”，是否为 应急措施?" in issues["风险!F1"].message
    assert "风险描述" in issues["风险!H1"].message  # no close match: the known columns are listed


def test_unknown_basics_row_and_unknown_sheet(tmp_path, plan_data):
    path = _plan_form(tmp_path, plan_data)
    wb = openpyxl.load_workbook(path)
    row = wb["基本信息"].max_row + 1
    wb["基本信息"].cell(row, 1).value = "编制日起"
    wb["基本信息"].cell(row, 2).value = "2025-01-07"
    wb.create_sheet("风险2")["A1"] = "风险描述"
    wb.save(path)
    issues = read_form(path).issues
    assert [(i.level, i.cell) for i in issues] == [("error", f"基本信息!A{row}"), ("warning", "风险2!A1")]
    assert "是否为 编制日期?" in issues[0].message
    assert "是否为 风险?" in issues[1].message


def test_a_file_that_is_not_a_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_text("kind: plan\n", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 Excel .xlsx 文件") as caught:
        read_form(path)
    assert caught.value.file == str(path)
    with pytest.raises(InputError, match="文件不存在"):
        read_form(tmp_path / "missing.xlsx")


def test_a_workbook_without_basics_or_kind_is_an_input_error(tmp_path):
    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError, match="没有找到工作表 “基本信息”"):
        read_form(path)
    path = _plan_form(tmp_path, None)
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props.props.clear()
    wb["基本信息"]["B2"] = None
    wb.save(path)
    assert form_kind(path) is None
    with pytest.raises(InputError, match="缺少输入类型"):
        read_form(path)


# ---------------------------------------------------------------- shapes later kinds bring
class Improvement(StrictModel):
    action: Text = label("改进措施")
    owner: Text = label("负责人")
    due: Date = label("完成日期")


class MajorReport(StrictModel):
    title: Text = label("事件名称")
    event_no: Text = label("事件编号")
    occurred_at: DateTime = label("发生时间")
    notified: bool = label("已通报客户")
    severity: Literal[1, 2, 3] = label("等级")
    improvements: list[Improvement] = label("改进措施", sheet="改进措施", parent_key="event_no",
                                            default_factory=list)


class Contact(StrictModel):
    name: Text = label("姓名")
    phone: OptText = label("电话", default=None)


class Customer(StrictModel):
    name: Text = label("客户名称")
    contact: Contact = label("联系人")
    tags: TextList = label("标签", default_factory=list)


class PackInput(StrictModel):
    kind: Literal["pack"] = label("输入类型")
    customer: Customer = label("客户")
    major_reports: list[MajorReport] = label("重大事件报告", sheet="重大事件:报告/汇总[2025]*")
    responses: list[dict] = label("答卷", sheet="答卷", default_factory=list)


PACK = {
    "kind": "pack",
    "customer": {"name": "某供电局", "contact": {"name": "陈主任"}, "tags": ["调度", "=重点"]},
    "major_reports": [
        {"title": "主站宕机", "event_no": "E-01", "occurred_at": datetime(2025, 3, 2, 9, 30),
         "notified": True, "severity": 1,
         "improvements": [{"action": "增加监控", "owner": "李娜", "due": date(2025, 4, 1)},
                          {"action": "演练", "owner": "王强", "due": date(2025, 5, 1)}]},
        {"title": "网络中断", "event_no": "2", "occurred_at": datetime(2025, 6, 1, 0, 0),
         "notified": False, "severity": 3,
         "improvements": [{"action": "双链路", "owner": "张伟", "due": date(2025, 7, 1)}]},
    ],
    "responses": [{"respondent": "陈主任", "date": date(2025, 6, 30), "q1": 5, "q2": 4, "comment": "满意"},
                  {"respondent": "刘工", "date": date(2025, 6, 30), "q1": 3, "q2": 4}],
}


def _pack_form(tmp_path: Path, data: dict | None = PACK) -> Path:
    return _save(tmp_path, write_form(PackInput, kind="pack", title="资料包录入表", data=data), "pack.xlsx")


def test_nested_lists_bools_datetimes_and_dict_rows_round_trip(tmp_path):
    form = read_form(_pack_form(tmp_path), model=PackInput)
    assert form.issues == []
    assert PackInput.model_validate(form.data) == PackInput.model_validate(PACK)
    assert form.data["responses"] == PACK["responses"]
    assert form.cells["major_reports[1].improvements[0].owner"] == "改进措施!C4"
    assert form.cells["customer.contact.phone"].startswith("基本信息!B")


def test_nested_list_sheet_starts_with_the_parent_key(tmp_path):
    wb = openpyxl.load_workbook(_pack_form(tmp_path))
    reports = wb["重大事件报告汇总2025"]  # []:*?/\ removed, at most 31 characters
    assert _headers(wb["改进措施"]) == ["事件编号 *", "改进措施 *", "负责人 *", "完成日期 *"]
    assert [c.value for c in wb["改进措施"]["A"][1:]] == ["E-01", "E-01", "2"]
    occurred = reports[f"{_column(reports, '发生时间')}2"]
    assert occurred.number_format == "yyyy-mm-dd hh:mm"
    assert reports[f"{_column(reports, '已通报客户')}2"].value == "是"
    assert _headers(wb["答卷"]) == ["respondent", "date", "q1", "q2", "comment"]
    basics = wb["基本信息"]
    assert basics.cell(_basics_row(basics, "customer.contact.name"), 1).value == "客户-联系人-姓名 *"
    assert basics.cell(_basics_row(basics, "customer.tags"), 2).value == "调度；=重点"


def test_nested_rows_pointing_at_no_parent_are_issues(tmp_path):
    path = _pack_form(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["改进措施"]["A3"] = "E-99"
    wb["改进措施"]["A4"] = None
    wb.save(path)
    issues = {i.cell: i.message for i in read_form(path, model=PackInput).issues}
    assert "找不到对应的行" in issues["改进措施!A3"] and "E-99" in issues["改进措施!A3"]
    assert "请填写 事件编号" in issues["改进措施!A4"]


def test_blank_form_of_nested_kind(tmp_path):
    path = _pack_form(tmp_path, None)
    wb = openpyxl.load_workbook(path)
    assert _headers(wb["改进措施"]) == ["事件编号 *", "改进措施 *", "负责人 *", "完成日期 *"]
    assert _headers(wb["答卷"]) == [None]  # free question-id columns: the user writes the headers
    wb["改进措施"]["A2"] = "E-01"  # only the parent key: still an empty row
    wb.save(path)
    # a required list without a minimum may be empty: its sheet with no rows reads as []
    assert read_form(path, model=PackInput).data == {"kind": "pack", "major_reports": []}
    wb["答卷"]["A1"], wb["答卷"]["B1"] = "respondent", "q1"
    wb["答卷"]["A2"], wb["答卷"]["B2"] = "陈主任", 5.0
    wb.save(path)
    assert read_form(path, model=PackInput).data["responses"] == [{"respondent": "陈主任", "q1": 5}]


def test_layout_rejects_plain_dict_fields():
    class Bad(StrictModel):
        kind: Literal["bad"] = label("输入类型")
        extra: dict[str, str] = label("附加")

    with pytest.raises(TypeError, match="字典字段"):
        layout_of(Bad)
