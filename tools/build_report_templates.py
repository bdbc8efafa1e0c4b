"""Build the templates of the documents computed from the archive into templates_xlsx/, reproducibly
(same bytes on every run):

    python tools/build_report_templates.py                 # both
    python tools/build_report_templates.py kpi_report      # only the named ones

* kpi_report.xlsx — 月度KPI统计表 (`docgen kpi`): 汇总, one sheet per indicator formula (服务报告比例,
  SLA达成率, 系统可用率, 客户满意度) and 趋势.
* audit_report.xlsx — 项目交付审计报告 (`docgen audit`): 审计结果 and 检查项.

A template holds everything that does not depend on the data: the header block (``{{ company }}``,
``{{ title }}``, an info line with placeholders; on the first sheet the document control block of
build_xlsx_templates.control_rows: 文件编号 | 版本, 编制/审核/批准), headings, column headers and widths, fonts (宋体 with the
GB2312 charset, so Excel picks the CJK face), fills, borders, number formats, print setup (build_xlsx_templates.print_setup:
the 文件编号 and 版本 in every page header), frozen panes and the conditional formats of the status columns. Each table has ONE styled sample
row whose first cell is ``{# 数据行 #}``: the kind's code (docgen/kinds/kpi_report, audit_report) writes
one row per item in its style, and adds the per-indicator sheets' rows, the formulas and the chart. The
row numbers are the contract with that code (its *_ROW constants); restyle freely, keep rows in place.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from build_xlsx_templates import (  # noqa: E402
    BASE_FONT,
    BOX,
    CREATED,
    FONT_HEI,
    FONT_SONG,
    HEADER_FILL,
    _font,
    _merge,
    control_rows,
    info_rows,
    print_setup,
)
from openpyxl import Workbook  # noqa: E402
from openpyxl.formatting.rule import FormulaRule  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.utils.indexed_list import IndexedList  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from docgen.render import xlsx_bytes  # noqa: E402

OUT_DIR = ROOT / "templates_xlsx"
MARK = "{# 数据行 #}"  # docgen.kinds._workbook.MARK
PERCENT = "0.0#%"  # figures show at most 2 decimals everywhere (docgen.numbers)
MINUTES = "0.0#"
COUNT = "0"
DATETIME = "yyyy-mm-dd hh:mm"
GREEN = ("C6EFCE", "006100")
RED = ("FFC7CE", "9C0006")
GREY = ("EDEDED", "595959")


@dataclass(frozen=True)
class Col:
    """One column of a table: its header, and the sample row's look (formula columns do not wrap, so
    the row fitting does not count a formula's text)."""

    header: str
    fmt: str = "General"
    align: str = "center"
    wrap: bool = True
    bold: bool = False


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _sheet(wb: Workbook, title: str, widths: list[float]) -> Worksheet:
    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.sheet_view.showGridLines = False
    return ws


def _header_block(ws: Worksheet, ncols: int, title: str, info: str) -> None:
    """Rows 1–3: the company, the document title, an info line (placeholders filled by docgen)."""
    for row, text, font, height in ((1, "{{ company }}", _font(size=12), 20),
                                    (2, title, _font(bold=True, size=16, name=FONT_HEI), 30)):
        cell = ws.cell(row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        _merge(ws, row, 1, ncols)
        ws.row_dimensions[row].height = height
    cell = ws.cell(3, 1, info)
    cell.font = _font()
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    _merge(ws, 3, 1, ncols)
    ws.row_dimensions[3].height = 20


def _section(ws: Worksheet, row: int, text: str, ncols: int) -> None:
    cell = ws.cell(row, 1, text)
    cell.font = _font(bold=True)
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    _merge(ws, row, 1, ncols)
    ws.row_dimensions[row].height = 22


def _head(ws: Worksheet, row: int, cols: list[Col], *, first: int = 1, fill: PatternFill = HEADER_FILL,
          font: Font | None = None, border: Border = BOX, height: float = 30) -> None:
    for c, col in enumerate(cols, start=first):
        cell = ws.cell(row, c, col.header or None)
        cell.font = font or _font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = height


def _sample(ws: Worksheet, row: int, cols: list[Col], *, first: int = 1, bold: bool = False, mark: bool = True,
            border: Border = BOX, vertical: str = "center", size: float = 10.5, height: float | None = 20) -> None:
    """A styled data row: docgen writes one row per item in this style."""
    for c, col in enumerate(cols, start=first):
        cell = ws.cell(row, c)
        cell.font = _font(bold=bold or col.bold, size=size)
        cell.border = border
        cell.number_format = col.fmt
        cell.alignment = Alignment(horizontal=col.align, vertical=vertical, wrap_text=col.wrap,
                                   indent=1 if col.align == "left" else 0)
    if mark:
        ws.cell(row, first).value = MARK
    if height is not None:
        ws.row_dimensions[row].height = height


def _status_colours(ws: Worksheet, ref: str, status: str, words: dict[str, tuple[str, str]]) -> None:
    """Fill and font colour of `ref` by the text of the status cell (column fixed, row relative)."""
    for word, (fill, font) in words.items():
        ws.conditional_formatting.add(ref, FormulaRule(
            formula=[f'{status}="{word}"'], stopIfTrue=False,
            fill=PatternFill("solid", start_color=fill, end_color=fill, bgColor=fill), font=Font(color=font)))


def _page(ws: Worksheet, *, title_rows: str, freeze: str, last_row: int, header: tuple[str, str]) -> None:
    """Frozen panes and the print setup every workbook shares (build_xlsx_templates.print_setup); `header`:
    what the page header's left and the footer's left say."""
    ws.freeze_panes = freeze
    print_setup(ws, landscape=True, title_rows=title_rows, area=f"A1:{get_column_letter(ws.max_column)}{last_row}",
                header_left=header[0], footer_left=header[1])


def _workbook() -> Workbook:
    wb = Workbook()
    wb._fonts = IndexedList([BASE_FONT])  # the Normal style: blank cells and column widths in 宋体
    return wb


def _save(wb: Workbook, path: Path, title: str, subject: str) -> Path:
    props = wb.properties
    props.title = title
    props.subject = subject
    props.creator = "{{ company }}"
    props.created = props.modified = CREATED
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(wb))
    return path


# --- 月度KPI统计表 -------------------------------------------------------------------------------

KPI_HEADER = ("{{ company }}", "{{ title }}")  # the page header's left, the footer's left
LIGHTS = {"未达标": RED, "达标": GREEN}


def _kpi_summary(wb: Workbook) -> None:
    ncols = 10
    ws = _sheet(wb, "汇总", [6, 28, 18, 24, 11, 11, 11, 12, 10, 36])
    _header_block(ws, ncols, "{{ title }}",
                  "统计月份：{{ month }}　　统计范围：{{ scope_label }}　　指标定义：{{ config_source }}")
    top = info_rows(ws, 4, control_rows((2, 2, 2, 4)), ncols) + 1  # rows 4–7, a blank row under them
    cols = [Col("序号"), Col("指标", align="left"), Col("项目编号"), Col("项目名称", align="left"), Col("目标"),
            Col("应交 / 考核数", COUNT, wrap=False), Col("实交 / 达标数", COUNT, wrap=False),
            Col("实际值", PERCENT, wrap=False), Col("是否达标", wrap=False), Col("说明", align="left")]
    _head(ws, top, cols)
    _sample(ws, top + 1, cols)                           # one row per indicator and project
    _sample(ws, top + 2, cols[:1] + [Col(c.header, c.fmt, c.align, c.wrap, bold=True) for c in cols[1:9]] + cols[9:])
    for row in (top + 1, top + 2):                       # 全部项目 (Σ实际交付 ÷ Σ应交付), bold
        _status_colours(ws, f"H{row}:I{row}", f"$I{row}", LIGHTS)
    _section(ws, top + 4, "指标定义　　来源：{{ config_source }}", ncols)
    defs = [Col("序号"), Col("指标名称", align="left"), Col("计算公式", align="left"), Col(""), Col("考核要求"),
            Col("考核周期"), Col("说明", align="left"), Col(""), Col(""), Col("")]
    _head(ws, top + 5, defs)
    _sample(ws, top + 6, defs)
    for row in (top + 5, top + 6):
        _merge(ws, row, 3, 4)
        _merge(ws, row, 7, 10)
    note = ws.cell(top + 8, 1, "注：实际值、是否达标为公式，引用各指标工作表的统计；百分比指标以百分数显示。项目《运维项目管理计划》"
                               "中设定了同一指标目标的，以计划目标为准；“—”表示该项不适用或本月无数据。")
    note.font = Font(name=FONT_SONG, size=9, color="595959", charset=134)
    note.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    _merge(ws, top + 8, 1, ncols)
    ws.row_dimensions[top + 8].height = 28
    ws.auto_filter.ref = f"A{top}:J{top + 2}"
    _page(ws, title_rows=f"{top}:{top}", freeze=f"A{top + 1}", last_row=top + 8, header=KPI_HEADER)


def _indicator_head(ws: Worksheet, ncols: int, rule: str = "") -> None:
    _header_block(ws, ncols, "{{ title }}——{{ indicator.name }}",
                  "统计月份：{{ month }}　　计算公式：{{ indicator.formula_text }}　　考核要求：{{ indicator.requirement }}"
                  f"{rule}　　考核周期：月度")


def _kpi_report_ratio(wb: Workbook) -> None:
    ncols = 8
    ws = _sheet(wb, "服务报告比例", [6, 18, 28, 12, 17, 14, 36, 10])
    _indicator_head(ws, ncols, "（项目计划设定了服务报告比例目标的，以计划为准）")
    _section(ws, 4, "一、按项目统计", ncols)
    totals = [Col("序号"), Col("项目编号"), Col("项目名称", align="left"), Col("应交付数量", COUNT, wrap=False),
              Col("实际交付数量", COUNT, wrap=False), Col("服务报告比例", PERCENT, wrap=False), Col("目标"),
              Col("是否达标", wrap=False)]
    _head(ws, 5, totals)
    _sample(ws, 6, totals)                               # one row per project
    _sample(ws, 7, totals[:1] + [Col(c.header, c.fmt, c.align, c.wrap, bold=True) for c in totals[1:]])  # 合计
    for row in (6, 7):
        _status_colours(ws, f"F{row}", f"$H{row}", LIGHTS)
        _status_colours(ws, f"H{row}", f"$H{row}", LIGHTS)
    _section(ws, 9, "二、应交报告明细（按报告所属期间计数；同一文档的多个版本只计一次）", ncols)
    detail = [Col("序号"), Col("项目编号"), Col("报告名称", align="left"), Col("频次"),
              Col("应交期间 / 服务单号"), Col("交付状态"), Col("交付文档（文件编号）", align="left")]
    _head(ws, 10, detail)
    _sample(ws, 11, detail)                              # one row per due report
    _status_colours(ws, "F11", "$F11", {"已交付": GREEN, "缺失": RED})
    _page(ws, title_rows="10:10", freeze="A11", last_row=11, header=KPI_HEADER)


def _kpi_sla_share(wb: Workbook) -> None:
    ncols = 10
    ws = _sheet(wb, "SLA达成率", [6, 18, 18, 16, 14, 10, 17, 12, 12, 38])
    _indicator_head(ws, ncols, "（每条服务记录与计划的 SLA 目标比较）")
    _section(ws, 4, "一、按项目和指标统计（无计划目标的记录不计入考核记录数，单独计数）", ncols)
    totals = [Col("序号"), Col("项目编号"), Col("指标", align="left"), Col("计划目标"), Col("考核记录数", COUNT, wrap=False),
              Col("达标数", COUNT, wrap=False), Col("达成率", PERCENT, wrap=False),
              Col("平均用时\n（分钟）", MINUTES, wrap=False), Col("P90用时\n（分钟）", MINUTES),
              Col("无计划目标记录数", COUNT, wrap=False)]
    _head(ws, 5, totals)
    _sample(ws, 6, totals)                               # one row per project and plan metric
    _section(ws, 8, "二、服务记录明细（记录按解决时间归入月份；目标与结果为记录归档时按当时计划冻结的结果）", ncols)
    detail = [Col("序号"), Col("项目编号"), Col("指标", align="left"), Col("计划目标"), Col("服务单号"), Col("服务方式"),
              Col("解决时间", DATETIME), Col("实测用时\n（分钟）", MINUTES), Col("结果"),
              Col("数据来源（文件编号）", align="left")]
    _head(ws, 9, detail)
    _sample(ws, 10, detail)                              # one row per service record
    _status_colours(ws, "I10", "$I10", {"达标": GREEN, "未达标": RED, "无计划目标": GREY})
    _page(ws, title_rows="9:9", freeze="A10", last_row=10, header=KPI_HEADER)


def _kpi_value(wb: Workbook, title: str) -> None:
    ncols = 9
    ws = _sheet(wb, title, [6, 18, 24, 16, 12, 12, 10, 32, 26])
    _indicator_head(ws, ncols)
    _section(ws, 4, "一、按项目统计", ncols)
    cols = [Col("序号"), Col("项目编号"), Col("项目名称", align="left"), Col("指标", align="left"), Col("目标"),
            Col("实际值"), Col("是否达标", wrap=False), Col("数据来源（文件编号）", align="left"),
            Col("说明", align="left")]
    _head(ws, 5, cols)
    _sample(ws, 6, cols)                                 # one row per project
    _status_colours(ws, "F6:G6", "$G6", LIGHTS)
    _section(ws, 8, "二、统计", ncols)
    for row, label in enumerate(("考核项目数", "达标项目数", "未达标项目数", "无数据项目数"), start=9):
        _sample(ws, row, [Col(label, align="left"), Col(""), Col("", COUNT, wrap=False)], first=2, mark=False,
                height=18)
        ws.cell(row, 2).value = label
        _merge(ws, row, 2, 3)
    _page(ws, title_rows="5:5", freeze="A6", last_row=12, header=KPI_HEADER)


def _kpi_trend(wb: Workbook) -> None:
    # A–F: the scope; G–I: ONE project group, repeated per project (removed when there is one scope only)
    ws = _sheet(wb, "趋势", [12, 14, 14, 14, 12, 24, 11, 11, 12])
    ncols = 9
    _header_block(ws, ncols, "{{ title }}——服务报告比例趋势（近{{ trend.months|length }}个月）",
                  "统计范围：{{ scope_label }}　　期间：{{ trend.first }} 至 {{ trend.last }}　　"
                  "服务报告比例 = 实际交付数量 ÷ 应交付数量；当月无应交报告的比例留空，图中不画点")
    _section(ws, 4, "一、月度服务报告比例", ncols)
    _head(ws, 5, [Col("月份"), Col("{{ trend.label }}"), Col(""), Col(""), Col(""), Col(""),
                  Col("（项目编号）"), Col(""), Col("")], height=20)
    _head(ws, 6, [Col(""), Col("应交付数量"), Col("实际交付数量"), Col("服务报告比例"), Col("目标"), Col("说明"),
                  Col("应交付数量"), Col("实际交付数量"), Col("服务报告比例")])
    ws.merge_cells("A5:A6")
    _merge(ws, 5, 2, 6)
    _merge(ws, 5, 7, 9)
    months = [Col("月份"), Col("", COUNT), Col("", COUNT), Col("", PERCENT, wrap=False), Col("", PERCENT), Col(""),
              Col("", COUNT), Col("", COUNT), Col("", PERCENT, wrap=False)]
    _sample(ws, 7, months)                               # one row per month
    _sample(ws, 8, [Col(c.header, c.fmt, c.align, wrap=False, bold=True) for c in months], mark=False, height=None)
    ws.cell(8, 1).value = "合计"
    ws.cell(8, 6).value = "Σ实际交付 ÷ Σ应交付"
    _section(ws, 10, "二、趋势图", ncols)                 # the chart goes under this heading
    _page(ws, title_rows="5:6", freeze="B7", last_row=10, header=KPI_HEADER)


def build_kpi(path: Path) -> Path:
    wb = _workbook()
    _kpi_summary(wb)
    _kpi_report_ratio(wb)
    _kpi_sla_share(wb)
    _kpi_value(wb, "系统可用率")
    _kpi_value(wb, "客户满意度")
    _kpi_trend(wb)
    return _save(wb, path, "{{ title }}", "{{ scope_label }}")


# --- 项目交付审计报告 ---------------------------------------------------------------------------

AUDIT_LINE = Side(style="thin", color="808080")
AUDIT_BOX = Border(left=AUDIT_LINE, right=AUDIT_LINE, top=AUDIT_LINE, bottom=AUDIT_LINE)
AUDIT_HEAD_FILL = _fill("1F4E78")
AUDIT_HEAD_FONT = Font(name=FONT_SONG, bold=True, color="FFFFFF", size=10.5, charset=134)
AUDIT_HEADER = ("项目交付审计报告", "{{ project }} {{ project_name }}")  # the page header's left, the footer's left
SEVERITY = {"严重": ("F8CBAD", "000000"), "一般": ("FFE699", "000000"), "提示": ("DDEBF7", "000000")}


def _audit_findings(wb: Workbook) -> None:
    ncols = 7
    ws = _sheet(wb, "审计结果", [6, 9, 16, 20, 10, 64, 30])
    title = ws.cell(1, 1, "项目交付审计报告　{{ project }} {{ project_name }}")
    title.font = _font(bold=True, size=16, name=FONT_HEI)
    title.alignment = Alignment(horizontal="left", vertical="center")
    _merge(ws, 1, 1, ncols)
    ws.row_dimensions[1].height = 30
    info = ws.cell(2, 1, "审计日期：{{ as_of }}　服务报告检查月份：{{ months_text }}　依据：《交付管理规定》§5.4.3")
    info.font = _font()
    info.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    _merge(ws, 2, 1, ncols)
    ws.row_dimensions[2].height = 20
    stats = info_rows(ws, 3, control_rows((2, 2, 1, 2)), ncols, border=AUDIT_BOX) + 1  # rows 3–6, a blank row
    ws.cell(stats, 1, "统计").font = _font(bold=True)
    ws.cell(stats, 1).alignment = Alignment(horizontal="center", vertical="center")
    counts = [Col("严重"), Col("一般"), Col("提示"), Col("合计")]
    _head(ws, stats, counts, first=2, fill=PatternFill(), border=AUDIT_BOX, height=18)
    for c in range(2, 6):  # the counts: COUNTIF formulas docgen writes over the findings
        cell = ws.cell(stats + 1, c)
        cell.font = _font(bold=True, size=12)
        cell.border = AUDIT_BOX
        cell.number_format = COUNT
        cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[stats + 1].height = 20
    head, sample = stats + 3, stats + 4
    cols = [Col("序号"), Col("严重程度"), Col("条款", align="left"), Col("文档类型", align="left"), Col("期间"),
            Col("问题说明", align="left"), Col("文件编号", align="left")]
    _head(ws, head, cols, fill=AUDIT_HEAD_FILL, font=AUDIT_HEAD_FONT, border=AUDIT_BOX, height=22)
    _sample(ws, sample, cols, border=AUDIT_BOX, vertical="top", height=None)  # one row per finding
    for word, (fill, _) in SEVERITY.items():
        ws.conditional_formatting.add(f"A{sample}:G{sample}", FormulaRule(formula=[f'$B{sample}="{word}"'], fill=PatternFill(
            "solid", start_color=fill, end_color=fill, bgColor=fill)))
    ws.auto_filter.ref = f"A{head}:G{sample}"
    _page(ws, title_rows=f"{head}:{head}", freeze=f"A{sample}", last_row=sample, header=AUDIT_HEADER)


def _audit_checks(wb: Workbook) -> None:
    ws = _sheet(wb, "检查项", [18, 54, 9, 8, 8, 8, 10])
    cols = [Col("条款", align="left"), Col("检查内容", align="left"), Col("检查数", COUNT),
            Col("严重", COUNT, wrap=False), Col("一般", COUNT, wrap=False), Col("提示", COUNT, wrap=False),
            Col("结论", wrap=False)]
    _head(ws, 1, cols, fill=AUDIT_HEAD_FILL, font=AUDIT_HEAD_FONT, border=AUDIT_BOX, height=22)
    _sample(ws, 2, cols, border=AUDIT_BOX, height=18)  # one row per check
    for word, colour in (("不符合", "F8CBAD"), ("符合", "C6EFCE"), ("需改进", "FFE699")):
        ws.conditional_formatting.add("G2", FormulaRule(formula=[f'$G2="{word}"'], fill=PatternFill(
            "solid", start_color=colour, end_color=colour, bgColor=colour)))
    _page(ws, title_rows="1:1", freeze="A2", last_row=2, header=AUDIT_HEADER)


def build_audit(path: Path) -> Path:
    wb = _workbook()
    _audit_findings(wb)
    _audit_checks(wb)
    return _save(wb, path, "项目交付审计报告（{{ project }}）", "{{ project }} {{ project_name }}")


TEMPLATES: dict[str, Callable[[Path], Path]] = {"kpi_report": build_kpi, "audit_report": build_audit}


def main(argv: list[str] | None = None, *, out_dir: Path = OUT_DIR) -> int:
    from _build_cli import run_builders

    return run_builders(TEMPLATES, argv, out_dir=out_dir, default_dir=OUT_DIR, suffix=".xlsx")


if __name__ == "__main__":
    raise SystemExit(main())
