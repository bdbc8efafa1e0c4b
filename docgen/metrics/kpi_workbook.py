"""月度KPI统计表 (`kpi_report`, xlsx), laid out by code from KpiReport.context(): a workbook the ops
manager hands to 质量部 as is.

* 汇总 — one line per indicator per project (and 全部项目 for 服务报告比例): 目标, 应交/考核数, 实交/达标数
  and 实际值 as real formulas over the indicator sheets, 是否达标 as a formula, red/green conditional
  formatting; nothing due shows 本月无应交报告 instead of dividing by zero; the indicator definitions below.
* one sheet per indicator of the indicator file: per-project totals (COUNTIF/COUNTIFS over the detail)
  above the rows behind every number — each due report slot (已交付/缺失 and the archived document that
  met it), each service record (实测 minutes, the target frozen in it, 达标/未达标/无计划目标), or the
  source document of a value indicator.
* 趋势 — 服务报告比例 of the 12 months ending at the month (overall and per project) with a native line chart.

Archive and config text goes through the formula-injection guard (docgen.render.write_cell); the
workbook's bytes depend on the context only."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

BUILDER_VERSION = "2"  # bump when the layout changes: the archive then makes a new version of every report
FONT_SONG = "宋体"
FONT_HEI = "黑体"
SIZE = 10.5
PERCENT = "0.0%"
SCORE = "0.00"
MINUTES = "0.0"
COUNT = "0"
DATETIME = "yyyy-mm-dd hh:mm"
MET, NOT_MET, NONE = "达标", "未达标", "—"
NO_PLAN = "无计划目标"
GREEN_FILL, GREEN_FONT = "C6EFCE", "006100"
RED_FILL, RED_FONT = "FFC7CE", "9C0006"
GREY_FILL = "EDEDED"
HEAD_FILL = "D9D9D9"
SECTION_FILL = "F2F2F2"
_KINDS = {"onsite": "现场", "remote": "远程"}
_EXCEL_OP = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "=": "="}
_OP_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


@dataclass
class Formula:
    """Our own formula (the one kind of cell written as a formula); everything else is data."""

    text: str


@dataclass(frozen=True)
class Col:
    header: str
    fmt: str = "General"
    align: str = "center"  # left: free text (wrapped)


def _parse_time(text: str) -> Any:
    """A record's "2025-03-12 14:30" as a datetime cell (the text itself when it is not one)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("T", " ")) if text else None
    except ValueError:
        return text


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!"


def _crit(text: str) -> str:
    """An exact-match COUNTIFS criterion for user text, as a formula string literal: "=" + the text with
    the wildcards * ? ~ escaped and quotes doubled (so 响应<30* matches itself only)."""
    escaped = re.sub(r"([*?~])", r"~\1", text).replace('"', '""')
    return f'"={escaped}"'


def _sheet_title(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "", str(name)).strip().strip("'").strip() or "指标"
    clean = clean[:31]
    title, n = clean, 2
    while title.casefold() in {u.casefold() for u in used}:
        suffix = f"({n})"
        title, n = clean[:31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _value_format(unit: str, op: str | None = None, digits: str = "0.0#") -> str:
    """Number format for a value in a unit (fractions for %), or with op a target shown as ≥95.0%."""
    sign = f'"{_OP_SIGN.get(op or "", "")}"' if op else ""
    if unit == "%":
        return f"{sign}{digits}%"
    suffix = re.sub(r'["\\]', "", unit or "")
    return f'{sign}{digits}" {suffix}"' if suffix else f"{sign}{digits}"


def _scaled(value: float | None, unit: str) -> float | None:
    """Percent indicators are stored as fractions (formatted 0.0%) so ratios compare with targets."""
    if value is None:
        return None
    return value / 100 if unit == "%" else value


def _met_formula(value: str, target: str, op: str) -> Formula:
    return Formula(f'=IF(AND(ISNUMBER({value}),ISNUMBER({target})),'
                   f'IF({value}{_EXCEL_OP.get(op, ">=")}{target},"{MET}","{NOT_MET}"),"{NONE}")')


class _Book:
    """The workbook and its styles."""

    def __init__(self, context: dict[str, Any]) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils.indexed_list import IndexedList

        self.context = context
        self.wb = Workbook()
        # the Normal font: 宋体 五号 with the GB2312 charset, so Excel picks the CJK face (as the templates)
        self.wb._fonts = IndexedList([Font(name=FONT_SONG, size=SIZE, charset=134)])
        thin = Side(style="thin", color="000000")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT_SONG, size=SIZE)
        self.bold = Font(name=FONT_SONG, size=SIZE, bold=True)
        self.head_fill = PatternFill("solid", start_color=HEAD_FILL, end_color=HEAD_FILL)
        self.section_fill = PatternFill("solid", start_color=SECTION_FILL, end_color=SECTION_FILL)
        self.Alignment = Alignment
        self.used_titles: set[str] = set()

    # ---------------------------------------------------------------- cells
    def put(self, ws: Worksheet, row: int, col: int, value: Any, *, fmt: str = "General", align: str = "center",
            bold: bool = False, fill: Any = None, border: bool = True) -> None:
        from docgen.render import write_cell

        cell = ws.cell(row, col)
        if isinstance(value, Formula):
            cell.value = value.text  # our own formula
        else:
            write_cell(cell, value)  # archive / config text that looks like a formula stays text
        cell.font = self.bold if bold else self.font
        cell.number_format = fmt
        # a formula's text is not what shows: wrapping it would make the row fitting count its length
        cell.alignment = self.Alignment(horizontal=align, vertical="center", wrap_text=not isinstance(value, Formula),
                                        indent=1 if align == "left" else 0)
        if border:
            cell.border = self.box
        if fill is not None:
            cell.fill = fill

    def header(self, ws: Worksheet, row: int, cols: list[Col], *, first: int = 1) -> None:
        for c, col in enumerate(cols, start=first):
            self.put(ws, row, c, col.header, bold=True, fill=self.head_fill)
        ws.row_dimensions[row].height = 30

    def table(self, ws: Worksheet, top: int, cols: list[Col], rows: list[list[Any]], *,
              empty: str = "无") -> tuple[int, int]:
        """Header at `top`, rows below (a single 无 row when there are none); returns (first, last) data row."""
        self.header(ws, top, cols)
        if not rows:  # one row saying why, across the table
            for c in range(1, len(cols) + 1):
                self.put(ws, top + 1, c, empty if c == 1 else None)
            ws.merge_cells(start_row=top + 1, start_column=1, end_row=top + 1, end_column=len(cols))
            ws.row_dimensions[top + 1].height = 20
            return top + 1, top + 1
        for r, values in enumerate(rows, start=top + 1):
            for c, (col, value) in enumerate(zip(cols, values), start=1):
                self.put(ws, r, c, value, fmt=col.fmt, align=col.align)
            ws.row_dimensions[r].height = 20
        return top + 1, top + len(rows)

    def section(self, ws: Worksheet, row: int, text: str, ncols: int) -> None:
        self.put(ws, row, 1, text, align="left", bold=True, border=False)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 22

    def note(self, ws: Worksheet, row: int, text: str, ncols: int) -> None:
        from openpyxl.styles import Font

        self.put(ws, row, 1, text, align="left", border=False)
        ws.cell(row, 1).font = Font(name=FONT_SONG, size=9, color="595959")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)

    # ---------------------------------------------------------------- sheets
    def sheet(self, name: str, subtitle: str, widths: list[float], info: str) -> Worksheet:
        """A sheet with the company, the title and an info line over its width (rows 1–3)."""
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        title = _sheet_title(name, self.used_titles)
        if len(self.used_titles) == 1:
            ws = self.wb.active
            ws.title = title
        else:
            ws = self.wb.create_sheet(title)
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        ncols = len(widths)
        heading = f"{self.context['title']}——{subtitle}" if subtitle else self.context["title"]
        for row, text, font, height in ((1, self.context["company"], Font(name=FONT_SONG, size=12), 20),
                                        (2, heading, Font(name=FONT_HEI, size=16, bold=True), 30)):
            self.put(ws, row, 1, text, border=False)
            ws.cell(row, 1).font = font
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            ws.row_dimensions[row].height = height
        self.put(ws, 3, 1, info, align="left", border=False)
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=ncols)
        ws.row_dimensions[3].height = 20
        self.fit(ws, 2, 3)
        ws.sheet_view.showGridLines = False
        return ws

    def page_setup(self, ws: Worksheet, *, title_rows: str, freeze: str, last_row: int, last_col: int = 0,
                   one_page: bool = False) -> None:
        from openpyxl.utils import get_column_letter

        ws.freeze_panes = freeze
        ws.print_title_rows = title_rows
        ws.print_area = f"A1:{get_column_letter(max(last_col, ws.max_column))}{max(last_row, ws.max_row)}"
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = "landscape"
        setup.fitToWidth = 1
        setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.page_margins.header = ws.page_margins.footer = 0.3
        for part, text in ((ws.oddHeader.left, self.context["company"]),
                           (ws.oddHeader.right, self.context["title"]),
                           (ws.oddFooter.center, "第 &P 页，共 &N 页")):
            part.text = text if "&P" in text else str(text).replace("&", "&&")
            part.font = f"{FONT_SONG},常规"
            part.size = 9

    def traffic_lights(self, ws: Worksheet, cells: str, status_cell: str) -> None:
        """Green when the status cell says 达标, red when 未达标 (status_cell: first row, column fixed)."""
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import Font, PatternFill

        for word, fill, font in ((NOT_MET, RED_FILL, RED_FONT), (MET, GREEN_FILL, GREEN_FONT)):
            ws.conditional_formatting.add(cells, FormulaRule(
                formula=[f'{status_cell}="{word}"'], stopIfTrue=False,
                fill=PatternFill("solid", start_color=fill, end_color=fill, bgColor=fill),
                font=Font(color=font)))

    def fit(self, ws: Worksheet, first: int, last: int) -> None:
        from docgen.render import fit_rows

        fit_rows(ws, range(first, last + 1))


# --- the indicator sheets ----------------------------------------------------------------------

# (indicator id, project, metric or None) -> {"due": ref, "delivered": ref, "value": ref}
Refs = dict[tuple[str, str, str | None], dict[str, str]]


def _info(ind: dict[str, Any], month: str) -> str:
    rule = {"report_ratio": "（项目计划设定了服务报告比例目标的，以计划为准）",
            "sla_share": "（每条服务记录与计划的 SLA 目标比较）"}.get(ind["formula"], "")
    return (f"统计月份：{month}　　计算公式：{ind['formula_text']}　　考核要求：{ind['requirement']}{rule}"
            "　　考核周期：月度")


def _freeze_row(detail_header: int, fallback: int) -> str:
    return f"A{detail_header + 1}" if detail_header <= 16 else f"A{fallback}"


def _report_sheet(book: _Book, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    widths = [6, 18, 28, 17, 12, 17, 11, 44]
    ws = book.sheet(ind["name"], ind["name"], widths, _info(ind, ctx["month"]))
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    projects = [r for r in mine if r["project"] != "_all"]
    overall = next((r for r in mine if r["project"] == "_all"), None)
    slots = ctx["slots"]

    book.section(ws, 4, "一、按项目统计", len(widths))
    total_top = 5
    first_total = total_top + 1
    last_total = first_total + max(len(projects) + (1 if overall else 0), 1) - 1
    detail_top = last_total + 3  # a blank row and the section title between
    d_first, d_last = detail_top + 1, detail_top + max(len(slots), 1)
    proj_range, status_range = f"$B${d_first}:$B${d_last}", f"$G${d_first}:$G${d_last}"
    total_cols = [Col("序号"), Col("项目编号"), Col("项目名称", align="left"), Col("应交付数量"), Col("实际交付数量"),
                  Col("服务报告比例"), Col("目标"), Col("是否达标")]
    table = []
    for n, row in enumerate(projects, 1):
        r = first_total + n - 1
        table.append([n, row["project"], names.get(row["project"], ""),
                      Formula(f"=COUNTIF({proj_range},B{r})"),
                      Formula(f'=COUNTIFS({proj_range},B{r},{status_range},"已交付")'),
                      Formula(f'=IF(D{r}=0,"本月无应交报告",E{r}/D{r})'),
                      _scaled(row["target"], "%"), _met_formula(f"F{r}", f"G{r}", row["op"])])
        refs[(ind["id"], row["project"], None)] = {"due": f"{_quote(ws.title)}D{r}",
                                                   "delivered": f"{_quote(ws.title)}E{r}"}
    if overall is not None:
        r = first_total + len(projects)
        sums = (f"=SUM(D{first_total}:D{r - 1})", f"=SUM(E{first_total}:E{r - 1})") if projects else ("=0", "=0")
        table.append([None, "合计", "全部项目（Σ实际交付 ÷ Σ应交付）", Formula(sums[0]), Formula(sums[1]),
                      Formula(f'=IF(D{r}=0,"本月无应交报告",E{r}/D{r})'),
                      _scaled(overall["target"], "%"), _met_formula(f"F{r}", f"G{r}", overall["op"])])
        refs[(ind["id"], "_all", None)] = {"due": f"{_quote(ws.title)}D{r}", "delivered": f"{_quote(ws.title)}E{r}"}
    first, last = book.table(ws, total_top, total_cols, table)
    for r in range(first, last + 1):
        ws.cell(r, 6).number_format = PERCENT
        op = (overall if overall is not None and r == last else
              projects[r - first] if r - first < len(projects) else {"op": ">="})["op"]
        ws.cell(r, 7).number_format = _value_format("%", op)
        if overall is not None and r == last:
            for c in range(2, 9):
                ws.cell(r, c).font = book.bold
    book.traffic_lights(ws, f"F{first}:F{last} H{first}:H{last}", f"$H{first}")
    book.fit(ws, first, last)

    book.section(ws, detail_top - 1, "二、应交报告明细（按报告所属期间计数；同一文档的多个版本只计一次）", len(widths))
    detail_cols = [Col("序号"), Col("项目编号"), Col("报告名称", align="left"), Col("文档类型"), Col("频次"),
                   Col("应交期间 / 服务单号"), Col("交付状态"), Col("交付文档（归档编号）", align="left")]
    detail = [[n, s["project"], s["doc_title"], s["doc_type"], s["frequency"], s["period"], s["status"],
               s["delivered_by"] or "—"] for n, s in enumerate(slots, 1)]
    d_first, d_last = book.table(ws, detail_top, detail_cols, detail, empty="本月无应交报告")
    if slots:
        ws.auto_filter.ref = f"A{detail_top}:H{d_last}"
    _status_colours(book, ws, f"G{d_first}:G{d_last}", f"$G{d_first}", {"已交付": MET, "缺失": NOT_MET})
    book.fit(ws, d_first, d_last)
    book.page_setup(ws, title_rows=f"{detail_top}:{detail_top}", freeze=_freeze_row(detail_top, total_top + 1),
                    last_row=d_last)


def _status_colours(book: _Book, ws: Worksheet, cells: str, status_cell: str, words: dict[str, str]) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    colours = {MET: (GREEN_FILL, GREEN_FONT), NOT_MET: (RED_FILL, RED_FONT), NO_PLAN: (GREY_FILL, "595959")}
    for word, meaning in words.items():
        fill, font = colours[meaning]
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[f'{status_cell}="{word}"'], fill=PatternFill("solid", start_color=fill, end_color=fill,
                                                                  bgColor=fill), font=Font(color=font)))


def _sla_sheet(book: _Book, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    widths = [6, 18, 24, 16, 14, 10, 17, 12, 12, 46]
    ws = book.sheet(ind["name"], ind["name"], widths, _info(ind, ctx["month"]))
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    records = ctx["sla_records"]
    book.section(ws, 4, "一、按项目和指标统计（无计划目标的记录不计入考核记录数，单独计数）", len(widths))
    total_top = 5
    first_total = total_top + 1
    detail_top = first_total + max(len(mine), 1) + 2
    d_first, d_last = detail_top + 1, detail_top + max(len(records), 1)

    def rng(col: str) -> str:
        return f"${col}${d_first}:${col}${d_last}"

    total_cols = [Col("序号"), Col("项目编号"), Col("指标", align="left"), Col("计划目标"), Col("考核记录数"),
                  Col("达标数"), Col("达成率", PERCENT), Col("平均用时\n（分钟）", MINUTES), Col("P90用时\n（分钟）", MINUTES),
                  Col("无计划目标记录数", COUNT)]
    table = []
    for n, row in enumerate(mine, 1):
        r = first_total + n - 1
        metric_name = row["metric_name"]
        same = f"{rng('B')},B{r},{rng('C')},{_crit(metric_name)}"
        table.append([n, row["project"], metric_name, row["plan_target"] or "—",
                      Formula(f'=COUNTIFS({same},{rng("I")},"{MET}")+COUNTIFS({same},{rng("I")},"{NOT_MET}")'),
                      Formula(f'=COUNTIFS({same},{rng("I")},"{MET}")'),
                      Formula(f'=IF(E{r}=0,"本月无考核记录",F{r}/E{r})'),
                      Formula(f'=IFERROR(AVERAGEIFS({rng("H")},{same},{rng("I")},"<>{NO_PLAN}"),"—")'),
                      row["p90"] if row["p90"] is not None else "—",
                      Formula(f'=COUNTIFS({same},{rng("I")},"{NO_PLAN}")')])
        refs[(ind["id"], row["project"], row["metric"])] = {"due": f"{_quote(ws.title)}E{r}",
                                                            "delivered": f"{_quote(ws.title)}F{r}"}
    first, last = book.table(ws, total_top, total_cols, table, empty="计划中没有响应、到场、解决或现场支持时间指标")

    book.section(ws, detail_top - 1, "二、服务记录明细（记录按解决时间归入月份；目标与结果为记录归档时按当时计划冻结的结果）",
                 len(widths))
    detail_cols = [Col("序号"), Col("项目编号"), Col("指标", align="left"), Col("计划目标"), Col("服务单号"),
                   Col("服务方式"), Col("解决时间", DATETIME), Col("实测用时\n（分钟）", MINUTES), Col("结果"),
                   Col("归档文档", align="left")]
    detail = [[n, d["project"], d["metric_name"], d["target"], d["service_no"], _KINDS.get(d["kind"], d["kind"]),
               _parse_time(d["resolved_at"]), d["value"], d["result"], d["doc_id"]]
              for n, d in enumerate(records, 1)]
    d_first, d_last = book.table(ws, detail_top, detail_cols, detail, empty="本月无服务记录")
    if records:
        ws.auto_filter.ref = f"A{detail_top}:J{d_last}"
    _status_colours(book, ws, f"I{d_first}:I{d_last}", f"$I{d_first}",
                    {MET: MET, NOT_MET: NOT_MET, NO_PLAN: NO_PLAN})
    book.fit(ws, first, last)
    book.fit(ws, d_first, d_last)
    book.page_setup(ws, title_rows=f"{detail_top}:{detail_top}", freeze=_freeze_row(detail_top, total_top + 1),
                    last_row=d_last)


def _value_sheet(book: _Book, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    widths = [6, 18, 28, 22, 12, 12, 10, 40, 30]
    ws = book.sheet(ind["name"], ind["name"], widths, _info(ind, ctx["month"]))
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    book.section(ws, 4, "一、按项目统计", len(widths))
    top = 5
    cols = [Col("序号"), Col("项目编号"), Col("项目名称", align="left"), Col("指标", align="left"), Col("目标"),
            Col("实际值"), Col("是否达标"), Col("数据来源（归档编号）", align="left"), Col("说明", align="left")]
    table = []
    for n, row in enumerate(mine, 1):
        r = top + n
        unit = row["unit"]
        value = _scaled(row["value"], unit)
        table.append([n, row["project"], names.get(row["project"], ""), row["name"],
                      _scaled(row["target"], unit) if row["target"] is not None else "—",
                      value if value is not None else "无数据", _met_formula(f"F{r}", f"E{r}", row["op"]),
                      row["source"] or "—", row["note"] or ""])
        refs[(ind["id"], row["project"], None)] = {"value": f"{_quote(ws.title)}F{r}"}
    first, last = book.table(ws, top, cols, table, empty="没有项目的计划设定该指标的目标")
    for r, row in zip(range(first, last + 1), mine):
        ws.cell(r, 5).number_format = _value_format(row["unit"], row["op"])
        ws.cell(r, 6).number_format = _value_format(row["unit"], digits="0.00")
    book.traffic_lights(ws, f"F{first}:G{last}", f"$G{first}")
    book.fit(ws, first, last)
    # the counts, as formulas over the 是否达标 column
    stats = last + 2
    book.section(ws, stats, "二、统计", len(widths))
    status = f"$G${first}:$G${last}"
    for n, (label, formula) in enumerate((("考核项目数", f"=COUNTA($B${first}:$B${last})" if mine else "=0"),
                                          ("达标项目数", f'=COUNTIF({status},"{MET}")'),
                                          ("未达标项目数", f'=COUNTIF({status},"{NOT_MET}")'),
                                          ("无数据项目数", f'=COUNTIF({status},"{NONE}")')), start=stats + 1):
        book.put(ws, n, 2, label, align="left")
        book.put(ws, n, 3, None)
        ws.merge_cells(start_row=n, start_column=2, end_row=n, end_column=3)
        book.put(ws, n, 4, Formula(formula), fmt=COUNT)
        ws.row_dimensions[n].height = 18
    book.page_setup(ws, title_rows=f"{top}:{top}", freeze=f"A{top + 1}", last_row=stats + 4)


# --- 汇总 ---------------------------------------------------------------------------------------


def _summary_sheet(book: _Book, ws: Worksheet, refs: Refs) -> None:
    ctx = book.context
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    inds = {i["id"]: i for i in ctx["indicators"]}
    top = 4
    cols = [Col("序号"), Col("指标", align="left"), Col("项目编号"), Col("项目名称", align="left"), Col("目标"),
            Col("应交 / 考核数", COUNT), Col("实交 / 达标数", COUNT), Col("实际值"), Col("是否达标"),
            Col("说明", align="left")]
    table = []
    formats = []
    for n, row in enumerate(ctx["rows"], 1):
        r = top + n
        ind = inds.get(row["indicator"], {})
        unit = row["unit"] or "%"
        overall = row["project"] == "_all"
        key = (row["indicator"], row["project"], row["metric"] if ind.get("formula") == "sla_share" else None)
        ref = refs.get(key, {})
        empty = "本月无应交报告" if ind.get("formula") == "report_ratio" else "本月无考核记录"
        if "due" in ref:
            due, delivered = Formula(f"={ref['due']}"), Formula(f"={ref['delivered']}")
            value = Formula(f'=IF({ref["due"]}=0,"{empty}",{ref["delivered"]}/{ref["due"]})')
        elif "value" in ref:
            due = delivered = "—"
            value = Formula(f'=IF(ISNUMBER({ref["value"]}),{ref["value"]},"无数据")')
        else:  # no sheet behind the row (cannot happen with a consistent context): the figures as computed
            due = row["due"] if row["due"] is not None else "—"
            delivered = row["delivered"] if row["delivered"] is not None else "—"
            value = _scaled(row["value"], unit) if row["value"] is not None else "无数据"
        notes = []
        if row.get("plan_target"):
            notes.append(f"计划目标 {row['plan_target']}")
        if row.get("mean") is not None:
            notes.append(f"平均 {row['mean']:.1f} 分钟，P90 {row['p90']:.1f} 分钟")
        if row.get("note"):
            notes.append(row["note"])
        if ind.get("formula") == "report_ratio" and not overall:
            notes.append("目标取自项目计划" if row["target_source"] == "plan" else "目标取自指标定义")
        table.append([n, row["name"], "全部项目" if overall else row["project"],
                      "合计（Σ实际交付 ÷ Σ应交付）" if overall else names.get(row["project"], ""),
                      _scaled(row["target"], unit) if row["target"] is not None else "—",
                      due, delivered, value, _met_formula(f"H{r}", f"E{r}", row["op"]), "；".join(notes)])
        value_fmt = PERCENT if ind.get("formula") in ("report_ratio", "sla_share") else _value_format(unit, digits="0.00")
        formats.append((unit, row["op"], overall, value_fmt))
    first, last = book.table(ws, top, cols, table, empty="无指标")
    ws.auto_filter.ref = f"A{top}:J{last}"
    for r, (unit, op, overall, value_fmt) in zip(range(first, last + 1), formats):
        ws.cell(r, 5).number_format = _value_format(unit, op)
        ws.cell(r, 8).number_format = value_fmt
        if overall:
            for c in range(2, 10):
                ws.cell(r, c).font = book.bold
    book.traffic_lights(ws, f"H{first}:I{last}", f"$I{first}")
    book.fit(ws, first, last)

    # the indicator definitions (regulation §8's table: 指标名称 | 计算公式 | 考核要求 | 考核周期)
    row = last + 2
    book.section(ws, row, f"指标定义　　来源：{ctx['config_source']}", 10)
    book.header(ws, row + 1, [Col("序号"), Col("指标名称"), Col("计算公式"), Col(""), Col("考核要求"), Col("考核周期"),
                              Col("说明"), Col(""), Col(""), Col("")])
    _merge_pairs(ws, row + 1, ((3, 4), (7, 10)))
    for n, ind in enumerate(ctx["indicators"], 1):
        r = row + 1 + n
        for c, value in ((1, n), (2, ind["name"]), (3, ind["formula_text"]), (4, None), (5, ind["requirement"]),
                         (6, "月度"), (7, ind["description"]), (8, None), (9, None), (10, None)):
            book.put(ws, r, c, value, align="left" if c in (2, 3, 7) else "center")
        _merge_pairs(ws, r, ((3, 4), (7, 10)))
        ws.row_dimensions[r].height = 20
    end = row + 1 + len(ctx["indicators"])
    book.fit(ws, row + 2, end)
    book.note(ws, end + 2, "注：实际值、是否达标为公式，引用各指标工作表的统计；百分比指标以百分数显示。项目《运维项目管理计划》"
                           "中设定了同一指标目标的，以计划目标为准；“—”表示该项不适用或本月无数据。", 10)
    ws.row_dimensions[end + 2].height = 28
    book.page_setup(ws, title_rows=f"{top}:{top}", freeze=f"A{top + 1}", last_row=end + 2)


def _merge_pairs(ws: Worksheet, row: int, pairs: tuple[tuple[int, int], ...]) -> None:
    for a, b in pairs:
        ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)


# --- 趋势 ---------------------------------------------------------------------------------------


def _trend_sheet(book: _Book) -> None:
    from openpyxl.chart import LineChart, Reference, Series
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
    from openpyxl.utils import get_column_letter

    ctx = book.context
    trend = ctx["trend"]
    months = trend["months"]
    projects = trend["projects"]
    points = {(p["project"], p["month"]): p for p in trend["points"]}
    widths = ([12, 14, 14, 14, 12, 24] if not projects else [11, 11, 11, 12, 10, 16]) + [11, 11, 12] * len(projects)
    first_month, last_month = (months[0], months[-1]) if months else (ctx["month"], ctx["month"])
    ws = book.sheet("趋势", f"服务报告比例趋势（近{len(months)}个月）", widths,
                    f"统计范围：{ctx['scope_label']}　　期间：{first_month} 至 {last_month}　　"
                    "服务报告比例 = 实际交付数量 ÷ 应交付数量；当月无应交报告的比例留空，图中不画点")
    head, sub = 5, 6
    book.section(ws, 4, "一、月度服务报告比例", len(widths))
    group = "全部项目合计" if ctx["scope"] == "_all" else ctx["scope"]
    groups = [(group, 2, 6)] + [(code, 7 + 3 * i, 9 + 3 * i) for i, code in enumerate(projects)]
    book.put(ws, head, 1, "月份", bold=True, fill=book.head_fill)
    book.put(ws, sub, 1, None, bold=True, fill=book.head_fill)
    ws.merge_cells(start_row=head, start_column=1, end_row=sub, end_column=1)
    for name, a, b in groups:
        for c in range(a, b + 1):
            book.put(ws, head, c, name if c == a else None, bold=True, fill=book.head_fill)
        ws.merge_cells(start_row=head, start_column=a, end_row=head, end_column=b)
    subs = ["应交付数量", "实际交付数量", "服务报告比例", "目标", "说明"] + ["应交付数量", "实际交付数量", "服务报告比例"] * len(projects)
    for c, text in enumerate(subs, start=2):
        book.put(ws, sub, c, text, bold=True, fill=book.head_fill)
    ws.row_dimensions[head].height = 20
    ws.row_dimensions[sub].height = 30
    key = ctx["scope"]
    first = sub + 1
    for i, month in enumerate(months):
        r = first + i
        p = points.get((key, month)) or {"due": 0, "delivered": 0, "target": None}
        book.put(ws, r, 1, month)
        book.put(ws, r, 2, p["due"], fmt=COUNT)
        book.put(ws, r, 3, p["delivered"], fmt=COUNT)
        book.put(ws, r, 4, Formula(f"=C{r}/B{r}") if p["due"] else None, fmt=PERCENT)
        book.put(ws, r, 5, _scaled(p["target"], "%"), fmt=PERCENT)
        book.put(ws, r, 6, "" if p["due"] else "本月无应交报告")
        for j, code in enumerate(projects):
            c = 7 + 3 * j
            q = points.get((code, month)) or {"due": 0, "delivered": 0}
            a, b = get_column_letter(c), get_column_letter(c + 1)
            book.put(ws, r, c, q["due"], fmt=COUNT)
            book.put(ws, r, c + 1, q["delivered"], fmt=COUNT)
            book.put(ws, r, c + 2, Formula(f"={b}{r}/{a}{r}") if q["due"] else None, fmt=PERCENT)
        ws.row_dimensions[r].height = 20
    last = first + max(len(months), 1) - 1
    # totals over the twelve months, as formulas
    tr = last + 1
    book.put(ws, tr, 1, "合计", bold=True)
    book.put(ws, tr, 2, Formula(f"=SUM(B{first}:B{last})"), fmt=COUNT, bold=True)
    book.put(ws, tr, 3, Formula(f"=SUM(C{first}:C{last})"), fmt=COUNT, bold=True)
    book.put(ws, tr, 4, Formula(f'=IF(B{tr}=0,"无应交报告",C{tr}/B{tr})'), fmt=PERCENT, bold=True)
    book.put(ws, tr, 5, None)
    book.put(ws, tr, 6, "Σ实际交付 ÷ Σ应交付", bold=True)
    for j in range(len(projects)):
        c = 7 + 3 * j
        a, b = get_column_letter(c), get_column_letter(c + 1)
        book.put(ws, tr, c, Formula(f"=SUM({a}{first}:{a}{last})"), fmt=COUNT, bold=True)
        book.put(ws, tr, c + 1, Formula(f"=SUM({b}{first}:{b}{last})"), fmt=COUNT, bold=True)
        book.put(ws, tr, c + 2, Formula(f'=IF({a}{tr}=0,"无应交报告",{b}{tr}/{a}{tr})'), fmt=PERCENT, bold=True)

    chart = LineChart()
    chart.title = "服务报告比例趋势"
    chart.y_axis.title = "服务报告比例"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.2
    chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl ≥3.1 hides the axes otherwise
    chart.x_axis.title = "月份"
    chart.legend.position = "b"
    chart.display_blanks = "gap"
    columns = [(4, group)] + [(9 + 3 * j, code) for j, code in enumerate(projects)] + [(5, "目标")]
    for col, title in columns:
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=title)
        series.marker.symbol = "none" if title == "目标" else "circle"
        series.smooth = False
        if title == "目标":
            series.graphicalProperties.line.dashStyle = "dash"
            series.graphicalProperties.line.solidFill = "7F7F7F"
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    book.section(ws, tr + 2, "二、趋势图", len(widths))
    # anchored to cells: exactly as wide as the table above it, 18 rows high, whatever the viewer's DPI
    chart_rows = 18
    anchor = TwoCellAnchor()
    anchor._from = AnchorMarker(col=0, row=tr + 2)  # 0-based: the row under the section title
    anchor.to = AnchorMarker(col=len(widths), row=tr + 2 + chart_rows)
    chart.anchor = anchor
    ws.add_chart(chart)
    book.page_setup(ws, title_rows=f"{head}:{sub}", freeze=f"B{first}", last_row=tr + 3 + chart_rows,
                    one_page=len(projects) < 6)


# --- the workbook ------------------------------------------------------------------------------


def build_kpi_workbook(context: dict[str, Any]) -> bytes:
    """The 月度KPI统计表 workbook of KpiReport.context(); the same context gives the same bytes."""
    from docgen.render import FIXED_TIME, xlsx_bytes

    book = _Book(context)
    summary = book.sheet("汇总", "", [6, 28, 18, 24, 11, 11, 11, 12, 10, 44],
                         f"统计月份：{context['month']}　　统计范围：{context['scope_label']}　　"
                         f"指标定义：{context['config_source']}")
    refs: Refs = {}
    rows = context["rows"]
    for ind in context["indicators"]:
        builder = {"report_ratio": _report_sheet, "sla_share": _sla_sheet}.get(ind["formula"], _value_sheet)
        builder(book, ind, rows, refs)
    _trend_sheet(book)
    _summary_sheet(book, summary, refs)
    wb = book.wb
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True  # openpyxl stores no cached results: Excel computes on opening
    props = wb.properties
    props.title = context["title"]
    props.subject = context["scope_label"]
    props.creator = "docgen"
    props.created = props.modified = FIXED_TIME
    return xlsx_bytes(wb)
