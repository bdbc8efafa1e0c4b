"""Excel deliverables: templates_xlsx/ filled by render_xlsx, reopened with openpyxl."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from docgen.control import Control, Signoff, Signoffs
from docgen.errors import TemplateProblem
from docgen.render import TemplateSet, render_xlsx
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates_xlsx"
INJECTIONS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"]
PROJECT = {"code": "YNTD-YW-2025-001", "name": "某供电局调度自动化系统运维服务项目", "customer": "某供电局"}
DOC_NO = "YNTD-YW-2025-001-YXZT-2025-03"
HAND_DATE = "　　年　　月　　日（手签）"


def control() -> dict[str, Any]:
    """`control` as the pipeline adds it: 编制 with a date, 审核 and 批准 names to be dated by hand."""
    signoffs = Signoffs(Signoff("李娜", date(2025, 3, 31)), Signoff("赵刚"), Signoff("刘建国"))
    return Control(DOC_NO, "V1.0", signoffs).context()


def base(title: str, **extra: Any) -> dict[str, Any]:
    return {"company": "云南某信息技术有限公司", "title": title, "project": dict(PROJECT), "period": "2025-03",
            "prepared_by": "李娜", "control": control(), **extra}


def status_context(**extra: Any) -> dict[str, Any]:
    # routine.yaml's status_records, numbered, with one reading missing
    rows = [
        {"at": datetime(2025, 3, 1, 9), "object": "SCADA主服务器", "item": "CPU使用率", "value": 35.0, "status": "正常"},
        {"at": datetime(2025, 3, 1, 9), "object": "历史数据库", "item": "表空间使用率", "value": 81.5, "status": "告警"},
        {"at": datetime(2025, 3, 2, 9), "object": "SCADA主服务器", "item": "CPU使用率", "value": None, "status": "正常"},
        {"at": datetime(2025, 3, 2, 9), "object": "历史数据库", "item": "表空间使用率", "value": 83.0, "status": "告警"},
    ]
    rows = [{"no": i, "unit": "%", **row} for i, row in enumerate(rows, 1)]
    summary = [{"label": "记录条数", "formula": "COUNTA({at})"},
               {"label": "告警条数", "formula": 'COUNTIF({status},"告警")'},
               {"label": "异常对象数", "value": 1}]
    return base("运行状态信息记录", rows=rows, summary=summary, **extra)


def response_context() -> dict[str, Any]:
    # emergency.yaml's incidents with the minutes the pack code works out
    incidents = [
        ("INC-001", "一般", "网络", (1, 8, 8, 30), (1, 8, 8, 41), (1, 8, 10, 2), 11.0, 92.0, "前置机通信中断", "重启通信进程", "—"),
        ("INC-002", "重大", "数据库", (2, 17, 22, 5), (2, 17, 22, 11), (2, 18, 1, 30), 6.0, 205.0, "历史库主库宕机",
         "切换至备库并修复主库", "有"),
        ("INC-003", "一般", "网络", (3, 12, 9, 10), (3, 12, 9, 25), (3, 12, 13, 40), 15.0, 270.0, "前置机网卡故障", "现场更换网卡",
         "—"),
    ]
    rows = [{"no": n, "id": i, "source": "无服务记录", "level": lv, "category": cat, "reported_at": datetime(2025, *rep),
             "responded_at": datetime(2025, *resp), "resolved_at": datetime(2025, *res), "response_minutes": rm,
             "resolution_minutes": sm, "description": d, "handling": h, "major_report": mr}
            for n, (i, lv, cat, rep, resp, res, rm, sm, d, h, mr) in enumerate(incidents, 1)]
    summary = [{"label": "事件数", "formula": "COUNTA({id})"},
               {"label": "重大事件数", "formula": 'COUNTIF({level},"重大")'},
               {"label": "平均响应分钟", "formula": "AVERAGE({response_minutes})"},
               {"label": "平均解决分钟", "formula": "AVERAGE({resolution_minutes})"}]
    context = base("响应支持记录", period="2025-Q1", prepared_by="王强", rows=rows, summary=summary)
    context["control"]["prepared"]["name"] = context["control"]["rows"][0]["name"] = "王强"
    return context


def config_context() -> dict[str, Any]:
    rows = [{"no": 1, "ci": "SCADA主服务器", "type": "服务器", "model": "HP DL380 Gen10", "location": "调度中心机房A01",
             "owner": "李娜", "changed": "否"},
            {"no": 2, "ci": "历史数据库", "type": "数据库", "model": "Oracle 19c", "location": "调度中心机房A02",
             "owner": "李娜", "changed": "是"}]
    summary = [{"label": "配置项数", "formula": "COUNTA({ci})"}, {"label": "本期变更数", "formula": 'COUNTIF({changed},"是")'}]
    return base("运行维护服务对象配置信息记录", rows=rows, summary=summary)


def update_context(rows: list[dict] | None = None) -> dict[str, Any]:
    rows = [{"no": 1, "ci": "历史数据库", "change": "主库存储控制器电池更换", "at": date(2025, 2, 20), "by": "王强"}] \
        if rows is None else rows
    return base("运行维护服务对象配置信息更新记录", period="2025-Q1", rows=rows,
                summary=[{"label": "更新条数", "formula": "COUNTA({ci})"}])


def fill(tmp_path: Path, template: str | Path, context: dict[str, Any]) -> Path:
    path = tmp_path / f"{Path(template).stem}-filled.xlsx"
    path.write_bytes(render_xlsx(TEMPLATES / template if isinstance(template, str) else template, context))
    return path


def sheet(path: Path, *, data_only: bool = False) -> Worksheet:
    return load_workbook(path, data_only=data_only).active


def row_values(ws: Worksheet, row: int) -> list[Any]:
    return [c.value for c in ws[row]]


def style_of(cell: Any) -> tuple:
    """What a reader sees of a cell's style (openpyxl's style objects from two files never compare equal)."""
    parts = (cell.border, cell.font, cell.fill, cell.alignment)
    return (cell.number_format, *(tostring(part.to_tree()) for part in parts))


# ---------------------------------------------------------------- the four deliverables
def test_status_record_has_title_info_header_and_typed_rows(tmp_path: Path) -> None:
    ws = sheet(fill(tmp_path, "status_record.xlsx", status_context()))
    assert ws.title == "运行状态信息记录"
    assert (ws["A1"].value, ws["A2"].value) == ("云南某信息技术有限公司", "运行状态信息记录")
    assert (ws["C3"].value, ws["F3"].value, ws["C4"].value, ws["F4"].value) == \
        (PROJECT["name"], PROJECT["code"], "某供电局", "2025-03")
    # the document control block: 文件编号 | 版本, then 编制/审核/批准 with name and date
    assert [(ws.cell(r, 1).value, ws.cell(r, 3).value) for r in range(5, 9)] == \
        [("文件编号", DOC_NO), ("编制", "李娜"), ("审核", "赵刚"), ("批准", "刘建国")]
    assert (ws["E5"].value, ws["F5"].value) == ("版本", "V1.0")
    assert [(ws.cell(r, 4).value, ws.cell(r, 5).value) for r in range(6, 9)] == \
        [("日期", "2025-03-31"), ("日期", HAND_DATE), ("日期", HAND_DATE)]
    assert ws["A5"].font.b and ws["A5"].fill.fgColor.rgb == ws["A3"].fill.fgColor.rgb  # labels as the info rows'
    assert "编制人" not in [c.value for row in ws.iter_rows() for c in row]
    assert row_values(ws, 9) == ["序号", "记录时间", "运行维护服务对象", "检查项", "检查值", "单位", "状态"]
    assert row_values(ws, 10) == [1, datetime(2025, 3, 1, 9), "SCADA主服务器", "CPU使用率", 35, "%", "正常"]
    assert [ws.cell(r, 1).value for r in range(10, 14)] == [1, 2, 3, 4]
    assert ws["A14"].value is None  # the blank row before the summary: exactly four data rows
    assert isinstance(ws["B13"].value, datetime) and ws["B13"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E11"].value == 81.5 and ws["E11"].data_type == "n"
    assert ws["E12"].value is None  # a reading that is None stays an empty cell


def test_data_rows_copy_the_sample_row_styles(tmp_path: Path) -> None:
    template = sheet(TEMPLATES / "status_record.xlsx")
    ws = sheet(fill(tmp_path, "status_record.xlsx", status_context()))
    for col in range(1, 8):
        assert style_of(ws.cell(13, col)) == style_of(template.cell(10, col))
        assert style_of(ws.cell(13, col)) == style_of(ws.cell(10, col))
    assert ws.cell(13, 1).border.left.style == "thin"
    assert ws.row_dimensions[13].height == template.row_dimensions[10].height


def test_print_setup_freeze_panes_and_filter_follow_the_table(tmp_path: Path) -> None:
    ws = sheet(fill(tmp_path, "status_record.xlsx", status_context()))
    assert ws.freeze_panes == "A10"
    assert ws.print_title_rows == "$9:$9"
    assert ws.auto_filter.ref == "A9:G13"
    assert ws.print_area == "'运行状态信息记录'!$A$1:$G$18"  # rows, blank row, summary header + 3 items
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.oddHeader.left.text, ws.oddHeader.right.text) == ("云南某信息技术有限公司", f"文件编号：{DOC_NO}　版本：V1.0")
    assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == (PROJECT["name"], "第 &P 页 共 &N 页")
    [alarm] = list(ws.conditional_formatting)
    assert str(alarm.sqref) == "G10:G13"  # 告警 shown in red on every data row


def test_summary_has_real_formulas_and_plain_values_beside_them(tmp_path: Path) -> None:
    path = fill(tmp_path, "status_record.xlsx", status_context())
    ws = sheet(path)
    assert row_values(ws, 15)[:4] == ["统计项", None, "数值", "公式"]
    assert (ws["A16"].value, ws["D16"].value, ws["D16"].data_type) == ("记录条数", "=COUNTA(B10:B13)", "f")
    assert (ws["A17"].value, ws["D17"].value, ws["D17"].data_type) == ("告警条数", '=COUNTIF(G10:G13,"告警")', "f")
    assert (ws["A18"].value, ws["D18"].value) == ("异常对象数", None)  # a value-only item
    cached = sheet(path, data_only=True)  # what pandas and data_only readers see: no formula results
    assert [cached.cell(r, 3).value for r in (16, 17, 18)] == [4, 2, 1]


def test_response_record_averages_minutes_and_counts_major_incidents(tmp_path: Path) -> None:
    path = fill(tmp_path, "response_record.xlsx", response_context())
    ws = sheet(path)
    assert ws.title == "响应支持记录" and ws.page_setup.orientation == "landscape"
    assert [(ws.cell(r, 1).value, ws.cell(r, 3).value) for r in range(5, 9)] == \
        [("文件编号", DOC_NO), ("编制", "王强"), ("审核", "赵刚"), ("批准", "刘建国")]
    assert row_values(ws, 9)[:6] == ["序号", "事件编号", "来源", "级别", "类别", "报告时间"]
    assert row_values(ws, 11)[:4] == [2, "INC-002", "无服务记录", "重大"]
    assert ws["F12"].value == datetime(2025, 3, 12, 9, 10) and ws["F12"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["I12"].value == 15.0 and ws["I12"].number_format == "0.0"
    assert ws["M11"].value == "有" and ws["A13"].value is None
    formulas = {ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(15, 19)}
    assert formulas == {"事件数": "=COUNTA(B10:B12)", "重大事件数": '=COUNTIF(D10:D12,"重大")',
                        "平均响应分钟": "=AVERAGE(I10:I12)", "平均解决分钟": "=AVERAGE(J10:J12)"}
    cached = sheet(path, data_only=True)
    values = [cached.cell(r, 3).value for r in range(15, 19)]
    assert values[:2] == [3, 1]
    assert values[2] == pytest.approx(32 / 3) and values[3] == pytest.approx(567 / 3)
    assert cached["C17"].number_format == "0.0"


def test_config_record_counts_changed_items(tmp_path: Path) -> None:
    path = fill(tmp_path, "config_record.xlsx", config_context())
    ws = sheet(path)
    assert ws.title == "运行维护服务对象配置信息记录"
    assert row_values(ws, 9) == ["序号", "配置项", "类型", "型号/版本", "位置", "责任人", "本期变更"]
    assert row_values(ws, 11) == [2, "历史数据库", "数据库", "Oracle 19c", "调度中心机房A02", "李娜", "是"]
    assert ws["D15"].value == '=COUNTIF(G10:G11,"是")'
    assert [sheet(path, data_only=True).cell(r, 3).value for r in (14, 15)] == [2, 1]


def test_config_update_keeps_dates_as_dates(tmp_path: Path) -> None:
    ws = sheet(fill(tmp_path, "config_update.xlsx", update_context()))
    assert ws.title == "运行维护服务对象配置信息更新记录"
    assert row_values(ws, 9) == ["序号", "配置项", "更新内容", "更新日期", "更新人"]
    assert ws["D10"].value == datetime(2025, 2, 20) and ws["D10"].number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A10" and ws.print_title_rows == "$9:$9"


@pytest.mark.parametrize("count, breaks", [(4, 0), (60, 1)])
def test_a_chart_is_never_cut_across_two_printed_pages(tmp_path: Path, count: int, breaks: int) -> None:
    """#14 item 5: under a short table the chart stays on the first page; under a table running over pages the
    page breaks before it (at whatever zoom fitting the width gives in Excel or LibreOffice)."""
    context = status_context()
    context["rows"] = [{**context["rows"][n % 4], "no": n + 1} for n in range(count)]
    context["charts"] = [{"sheet": "运行状态信息记录", "type": "line", "title": "检查值", "categories": "at",
                          "series": ["value"]}]
    ws = sheet(fill(tmp_path, "status_record.xlsx", context))
    [chart] = ws._charts
    top = chart.anchor._from.row + 1  # 1-based
    assert [b.id for b in ws.row_breaks.brk] == ([top - 2] if breaks else [])
    assert ws.print_area.endswith(f"${top + 15}")  # the chart is printed


def test_every_template_is_found_by_the_template_set() -> None:
    for name in ("status_record", "config_record", "config_update", "response_record"):
        assert TemplateSet().find(f"{name}.xlsx").source == "内置模板"


# ---------------------------------------------------------------- user text is never a formula
@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_comes_back_as_the_same_text(tmp_path: Path, text: str) -> None:
    context = status_context(period=text)
    context["rows"][0]["object"] = text
    context["project"]["name"] = text
    context["control"]["prepared"]["name"] = text
    path = fill(tmp_path, "status_record.xlsx", context)
    for data_only in (False, True):
        ws = sheet(path, data_only=data_only)
        # an info cell, a data cell, a value after a label, a name in the control block
        for cell in (ws["C3"], ws["C10"], ws["F4"], ws["C6"]):
            assert (cell.value, cell.data_type) == (text, "s")
            assert cell.quotePrefix  # Excel keeps it text when the user edits the cell


def test_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    context = status_context()
    context["rows"][0]["value"] = -3
    context["rows"][1]["value"] = -2.5
    ws = sheet(fill(tmp_path, "status_record.xlsx", context))
    assert (ws["E10"].value, ws["E10"].data_type, ws["E10"].quotePrefix) == (-3, "n", False)
    assert (ws["E11"].value, ws["E11"].data_type) == (-2.5, "n")


# ---------------------------------------------------------------- empty lists and errors
def test_empty_list_gives_one_row_saying_none_and_values_without_formulas(tmp_path: Path) -> None:
    path = fill(tmp_path, "config_update.xlsx", update_context(rows=[]))
    ws = sheet(path)
    assert row_values(ws, 10) == ["无", None, None, None, None]
    assert style_of(ws["E10"]) == style_of(sheet(TEMPLATES / "config_update.xlsx")["E10"])
    assert (ws["A12"].value, ws["A13"].value, ws["C13"].value, ws["D13"].value) == ("统计项", "更新条数", 0, None)
    assert ws.auto_filter.ref == "A9:E10"


def test_missing_placeholder_names_template_sheet_cell_and_tag(tmp_path: Path) -> None:
    context = status_context()
    del context["period"]
    with pytest.raises(TemplateProblem) as info:
        render_xlsx(TEMPLATES / "status_record.xlsx", context)
    message = str(info.value)
    assert "status_record.xlsx" in message and "运行状态信息记录!F4" in message
    assert "{{ period }}" in message and "数据中没有这个值" in message


def test_missing_row_field_names_the_sample_cell_and_the_item(tmp_path: Path) -> None:
    context = status_context()
    del context["rows"][1]["unit"]
    with pytest.raises(TemplateProblem) as info:
        render_xlsx(TEMPLATES / "status_record.xlsx", context)
    assert "运行状态信息记录!F10" in str(info.value) and "{{ r.unit }}" in str(info.value)
    assert "rows 第 2 项" in str(info.value)


@pytest.mark.parametrize("content", [b"not a workbook", b""])
def test_a_file_that_is_not_xlsx_is_a_template_problem(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    with pytest.raises(TemplateProblem, match="不是有效的 .xlsx 文件"):
        render_xlsx(bad, status_context())
    with pytest.raises(TemplateProblem, match="找不到模板"):
        render_xlsx(tmp_path / "absent.xlsx", status_context())


# ---------------------------------------------------------------- reproducible bytes
def test_same_context_gives_the_same_bytes() -> None:
    first = render_xlsx(TEMPLATES / "response_record.xlsx", response_context())
    assert render_xlsx(TEMPLATES / "response_record.xlsx", response_context()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        core = zf.read("docProps/core.xml").decode()
        assert {i.date_time for i in zf.infolist()} == {(2025, 1, 1, 0, 0, 0)}
    assert "<dcterms:modified" in core and "2025-01-01T00:00:00Z" in core
    assert load_workbook(io.BytesIO(first)).properties.title == "响应支持记录"


def test_builder_reproduces_the_committed_templates(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_xlsx_templates
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert build_xlsx_templates.main([], out_dir=tmp_path) == 0
    built = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert built == ["config_record.xlsx", "config_update.xlsx", "response_record.xlsx", "status_record.xlsx"]
    for name in built:
        assert (tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes(), name


def test_importing_render_does_not_load_openpyxl() -> None:
    code = "import sys, docgen.render; sys.exit('openpyxl' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# ---------------------------------------------------------------- the convention on a user's template
def user_template(path: Path) -> Path:
    """A restyled template: a mixed-text cell, a merged column, a formula in the sample row,
    a sign-off line below the table and an "&" in the page header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "记录"
    ws["A1"] = "{{ project.name }}（{{ period }}）"
    ws.append(["序号", "名称", "", "数量", "两倍"])
    ws.append(["{%tr for it in things %}{{ loop.index }}", "{{ it.name }}", None, "{{ it.values }}", "=D3*2"])
    ws.merge_cells("B3:C3")
    ws.row_dimensions[3].height = 20
    ws["A5"] = "审核人：{{ prepared_by }}"
    ws.merge_cells("A5:C5")
    ws.print_area = "A1:E5"
    ws.oddHeader.center.text = "{{ company }}"
    path.write_bytes(_save(wb))
    return path


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_user_template_rows_merges_formulas_and_content_below(tmp_path: Path) -> None:
    context = base("清单", company="A&B 公司", things=[{"name": "甲", "values": 2}, {"name": "乙", "values": 5},
                                                     {"name": "丙", "values": 7}],
                   summary=[{"label": "合计", "formula": "SUM({values})"}])
    path = fill(tmp_path, user_template(tmp_path / "user.xlsx"), context)
    ws = sheet(path)
    assert ws["A1"].value == f"{PROJECT['name']}（2025-03）"
    assert [row_values(ws, r) for r in (3, 4, 5)] == [[1, "甲", None, 2, "=D3*2"], [2, "乙", None, 5, "=D4*2"],
                                                      [3, "丙", None, 7, "=D5*2"]]
    assert {"B4:C4", "B5:C5"} <= {str(m) for m in ws.merged_cells.ranges}
    assert ws.row_dimensions[5].height == 20
    assert (ws["A7"].value, ws["C7"].value, ws["D7"].value) == ("统计项", "数值", "公式")
    assert (ws["A8"].value, ws["C8"].value, ws["D8"].value) == ("合计", 14, "=SUM(D3:D5)")
    # the sign-off line moved down past the two new rows and the summary, with its merge
    assert ws["A10"].value == "审核人：李娜" and "A10:C10" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.print_area == "'记录'!$A$1:$E$10"
    assert ws.oddHeader.center.text == "A&&B 公司"  # prints "A&B 公司", not an "&B" code


def test_summary_on_a_column_the_template_lacks_is_a_template_problem(tmp_path: Path) -> None:
    context = status_context()
    context["summary"] = [{"label": "负责人数", "formula": "COUNTA({owner})"}]
    with pytest.raises(TemplateProblem, match=r"没有字段 owner 的列（\{\{ r.owner \}\}）"):
        render_xlsx(TEMPLATES / "status_record.xlsx", context)


def test_two_row_tags_on_one_sheet_are_refused(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["{%tr for r in rows %}{{ r.a }}"])
    wb.active.append(["{%tr for r in rows %}{{ r.b }}"])
    path = tmp_path / "two.xlsx"
    path.write_bytes(_save(wb))
    with pytest.raises(TemplateProblem, match=r"多个行标签（Sheet!A1、Sheet!A2）"):
        render_xlsx(path, {"rows": []})
