"""Build docgen's Excel templates into templates_xlsx/ (reproducible: same bytes on every run).

    python tools/build_xlsx_templates.py                  # all templates
    python tools/build_xlsx_templates.py status_record    # only the named ones

Each template is an ordinary styled workbook that ``docgen.render.render_xlsx`` fills (the convention
is in docgen/render/_xlsx.py): the company and document name, an info block whose value cells hold
``{{ project.name }}`` …, the document control block (``control_rows``: 文件编号 | 版本, 编制/审核/批准 with
name and date from ``control``), the header row, and ONE sample data row whose first cell starts with the row
tag ``{%tr for r in rows %}``. The row's fields are the contract with the pack code that builds the
context (``rows`` items; ``company``, ``title``, ``project``, ``period``, ``control`` for all).
Fixed workbook dates and zip timestamps (``xlsx_bytes``) make a rebuild byte-identical.

The other Excel template builders (build_response_kpi_template.py, build_report_templates.py) take the
control block and the print setup (``print_setup``: A4, fit to width, page header with the 文件编号 and 版本,
footer ``第 &P 页 共 &N 页``) from here, so every workbook prints them alike.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))  # _build_cli, also when a test imported this module

from openpyxl import Workbook  # noqa: E402
from openpyxl.formatting.rule import CellIsRule  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.utils.indexed_list import IndexedList  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from docgen.render import xlsx_bytes  # noqa: E402

OUT_DIR = ROOT / "templates_xlsx"
CREATED = datetime(2025, 1, 1)
ROW_TAG = "{%tr for r in rows %}"

FONT_SONG = "宋体"
FONT_HEI = "黑体"
TABLE_PT = 10.5  # 五号
SAMPLE_HEIGHT = 18
BASE_FONT = Font(name=FONT_SONG, size=TABLE_PT, charset=134)  # 134: GB2312, so Excel picks the CJK face
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")  # as the Word tables
LABEL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
ALERT_FONT = Font(name=FONT_SONG, size=TABLE_PT, bold=True, color="C00000")
ALERT_FILL = PatternFill("solid", start_color="FCE4E4", end_color="FCE4E4")

DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
MINUTES = "0.0"
# "0.##" would print 35 as "35." in Excel; General shows 35 and 81.5 as they are
VALUE = "General"

PAGE_NUMBER = "第 &P 页 共 &N 页"  # the one form of page number every workbook prints
CONTROL_HEADER = "文件编号：{{ control.doc_no }}　版本：{{ control.version }}"
SIGNOFFS = (("编制", "prepared"), ("审核", "reviewed"), ("批准", "approved"))


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    width: float
    number_format: str = "General"
    align: str = "center"  # left for free text
    wrap: bool = False


@dataclass(frozen=True)
class Info:
    """One label | value pair of the info block, spanning label_span + value_span columns."""

    label: str
    expr: str
    label_span: int = 1
    value_span: int = 1


Spans = tuple[int, int, int, int]  # label, value, label, value: columns each cell of a control row spans


def control_rows(number: Spans, signoff: Spans | None = None) -> tuple[tuple[Info, ...], ...]:
    """The document control block (docgen.control, ``control`` in every document's context) as info rows:
    文件编号 | 版本, then 编制, 审核 and 批准 each with name and date. `signoff` spans the three sign-off rows
    (default: as `number`); a date cell should be 28 wide, so the hand-signed 　　年　　月　　日（手签） fits on
    one line."""
    a, b, c, d = number
    e, f, g, h = signoff or number
    return ((Info("文件编号", "control.doc_no", a, b), Info("版本", "control.version", c, d)),
            *((Info(role, f"control.{key}.name", e, f), Info("日期", f"control.{key}.date", g, h))
              for role, key in SIGNOFFS))


@dataclass(frozen=True)
class Sheet:
    sheet: str  # the sheet tab, the document name
    columns: tuple[Col, ...]
    info: tuple[tuple[Info, ...], ...]  # the project rows; the control rows follow them
    control: tuple[tuple[Info, ...], ...]
    landscape: bool
    highlight: tuple[str, str] | None = None  # (field, value) shown in red: 告警, 重大 …


NO = Col("序号", "no", 6, "0")

SHEETS: dict[str, Sheet] = {
    "status_record": Sheet(
        "运行状态信息记录",
        (NO, Col("记录时间", "at", 17, DATETIME), Col("运行维护服务对象", "object", 22, align="left", wrap=True),
         Col("检查项", "item", 18, align="left", wrap=True), Col("检查值", "value", 10, VALUE, align="right"),
         Col("单位", "unit", 8), Col("状态", "status", 10)),
        ((Info("项目名称", "project.name", 2, 2), Info("项目编号", "project.code", 1, 2)),
         (Info("客户", "project.customer", 2, 2), Info("期间", "period", 1, 2))),
        control_rows((2, 2, 1, 2), (2, 1, 1, 3)), landscape=False, highlight=("status", "告警")),
    "config_record": Sheet(
        "运行维护服务对象配置信息记录",
        (NO, Col("配置项", "ci", 22, align="left", wrap=True), Col("类型", "type", 10),
         Col("型号/版本", "model", 20, align="left", wrap=True), Col("位置", "location", 22, align="left", wrap=True),
         Col("责任人", "owner", 10), Col("本期变更", "changed", 10)),
        ((Info("项目名称", "project.name", 2, 2), Info("项目编号", "project.code", 1, 2)),
         (Info("客户", "project.customer", 2, 2), Info("期间", "period", 1, 2))),
        control_rows((2, 2, 1, 2), (2, 1, 1, 3)), landscape=True, highlight=("changed", "是")),
    "config_update": Sheet(
        "运行维护服务对象配置信息更新记录",
        (NO, Col("配置项", "ci", 22, align="left", wrap=True), Col("更新内容", "change", 36, align="left", wrap=True),
         Col("更新日期", "at", 12, DATE), Col("更新人", "by", 28)),
        ((Info("项目名称", "project.name", 2, 1), Info("项目编号", "project.code")),
         (Info("客户", "project.customer", 2, 1), Info("期间", "period"))),
        control_rows((2, 1, 1, 1)), landscape=False),
    "response_record": Sheet(
        "响应支持记录",
        (NO, Col("事件编号", "id", 13), Col("来源", "source", 10), Col("级别", "level", 7), Col("类别", "category", 8),
         Col("报告时间", "reported_at", 16, DATETIME), Col("响应时间", "responded_at", 16, DATETIME),
         Col("解决时间", "resolved_at", 16, DATETIME), Col("响应用时\n（分钟）", "response_minutes", 9, MINUTES, "right"),
         Col("解决用时\n（分钟）", "resolution_minutes", 9, MINUTES, "right"),
         Col("事件描述", "description", 26, align="left", wrap=True),
         Col("处理过程", "handling", 26, align="left", wrap=True), Col("重大事件报告", "major_report", 10)),
        ((Info("项目名称", "project.name", 2, 5), Info("项目编号", "project.code", 2, 2), Info("期间", "period")),
         (Info("客户", "project.customer", 2, 11),)),
        control_rows((2, 5, 2, 4)), landscape=True, highlight=("level", "重大")),
}


def _font(*, bold: bool = False, size: float = TABLE_PT, name: str = FONT_SONG) -> Font:
    return Font(name=name, size=size, bold=bold, charset=134)


def _merge(ws: Worksheet, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _info_block(ws: Worksheet, row: int, pairs: tuple[Info, ...], ncols: int, *, border: Border = BOX) -> None:
    assert sum(p.label_span + p.value_span for p in pairs) == ncols, pairs
    col = 1
    for pair in pairs:
        for span, text, is_label in ((pair.label_span, pair.label, True),
                                     (pair.value_span, "{{ " + pair.expr + " }}", False)):
            for c in range(col, col + span):
                cell = ws.cell(row, c)
                cell.border = border
                cell.font = _font(bold=is_label)
                cell.alignment = Alignment(horizontal="center" if is_label else "left", vertical="center",
                                           wrap_text=True, indent=0 if is_label else 1)
                if is_label:
                    cell.fill = LABEL_FILL
            ws.cell(row, col).value = text
            _merge(ws, row, col, col + span - 1)
            col += span
    ws.row_dimensions[row].height = 21


def info_rows(ws: Worksheet, top: int, rows: tuple[tuple[Info, ...], ...], ncols: int, *,
              border: Border = BOX) -> int:
    """Label | value rows from row `top` down (labels bold on grey, as every workbook's info block);
    returns the row under them."""
    for offset, pairs in enumerate(rows):
        _info_block(ws, top + offset, pairs, ncols, border=border)
    return top + len(rows)


def print_setup(ws: Worksheet, *, landscape: bool, title_rows: str, area: str, header_left: str,
                footer_left: str) -> None:
    """How every sheet of every workbook prints: A4, fit to the page width and as many pages down as the
    rows need (a chart or a table that must stay whole gets a page break before it: render.keep_on_one_page),
    `title_rows` repeated on every page, centred, and the same page header and footer — left the company (or
    the report), right the 文件编号 and 版本; left the project, right 第 &P 页 共 &N 页."""
    ws.print_title_rows = title_rows
    ws.print_area = area
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    for part, text in ((ws.oddHeader.left, header_left), (ws.oddHeader.right, CONTROL_HEADER),
                       (ws.oddFooter.left, footer_left), (ws.oddFooter.right, PAGE_NUMBER)):
        part.text = text
        part.font = f"{FONT_SONG},常规"
        part.size = 9


def build(spec: Sheet, path: Path) -> Path:
    wb = Workbook()
    wb._fonts = IndexedList([BASE_FONT])  # the Normal style: blank cells and column widths in 宋体
    ws = wb.active
    ws.title = spec.sheet
    ncols = len(spec.columns)
    last = get_column_letter(ncols)

    for row, text, font, height in ((1, "{{ company }}", _font(size=12), 20),
                                    (2, "{{ title }}", _font(bold=True, size=16, name=FONT_HEI), 30)):
        ws.cell(row, 1).value = text
        ws.cell(row, 1).font = font
        ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
        _merge(ws, row, 1, ncols)
        ws.row_dimensions[row].height = height
    head = info_rows(ws, 3, spec.info + spec.control, ncols)
    sample = head + 1
    for c, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = col.width
        cell = ws.cell(head, c, col.header)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell = ws.cell(sample, c, ("{{ r.%s }}" % col.field) if c > 1 else ROW_TAG + "{{ r.%s }}" % col.field)
        cell.font = _font()
        cell.border = BOX
        cell.number_format = col.number_format
        cell.alignment = Alignment(horizontal=col.align, vertical="center", wrap_text=col.wrap,
                                   indent=1 if col.align == "left" else 0)
    ws.row_dimensions[head].height = 30
    ws.row_dimensions[sample].height = SAMPLE_HEIGHT  # the least a data row gets; wrapped text grows it
    if spec.highlight:
        field, value = spec.highlight
        letter = get_column_letter(next(c for c, col in enumerate(spec.columns, 1) if col.field == field))
        ws.conditional_formatting.add(f"{letter}{sample}", CellIsRule(operator="equal", formula=[f'"{value}"'],
                                                                     font=ALERT_FONT, fill=ALERT_FILL))

    ws.freeze_panes = f"A{sample}"
    ws.auto_filter.ref = f"A{head}:{last}{sample}"
    ws.sheet_view.showGridLines = False
    print_setup(ws, landscape=spec.landscape, title_rows=f"{head}:{head}", area=f"A1:{last}{sample}",
                header_left="{{ company }}", footer_left="{{ project.name }}")

    props = wb.properties
    props.title = "{{ title }}"
    props.subject = "{{ project.name }}"
    props.creator = "{{ company }}"
    props.created = props.modified = CREATED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(wb))
    return path


def main(argv: list[str] | None = None, *, out_dir: Path = OUT_DIR) -> int:
    from functools import partial

    from _build_cli import run_builders

    builders = {name: partial(build, spec) for name, spec in SHEETS.items()}
    return run_builders(builders, argv, out_dir=out_dir, default_dir=OUT_DIR, suffix=".xlsx")


if __name__ == "__main__":
    raise SystemExit(main())
