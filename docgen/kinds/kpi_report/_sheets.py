"""The 月度KPI统计表 workbook, filled into its template (templates_xlsx/kpi_report.xlsx, built by
tools/build_report_templates.py; a user's copy restyles it) from kpi_context():

* 汇总 — one line per indicator per project (and 全部项目 for 服务报告比例): 目标, 应交/考核数, 实交/达标数
  and 实际值 as real formulas over the indicator sheets, 是否达标 as a formula, red/green conditional
  formatting; nothing due shows 本月无应交报告 instead of dividing by zero; the indicator definitions below.
* one sheet per indicator of the indicator file, from the template's sheet for its formula (renamed to
  the indicator's name; sheets of formulas the file does not use are dropped): per-project totals
  (COUNTIF/COUNTIFS over the detail) above the rows behind every number — each due report slot, each
  service record, or the source document of a value indicator.
* 趋势 — 服务报告比例 of the 12 months ending at the month (overall and per project) with a native line chart.

The template gives the styles, headings and page setup; this module writes only the data-dependent
rows (in the style of the template's sample rows), formulas, number formats that follow a unit, and the
chart. Archive and config text goes through the formula-injection guard; the same template and context
give the same bytes."""
from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.facts import ALL_PROJECTS as ALL
from docgen.kinds._workbook import (
    Formula,
    Layout,
    Placeholders,
    empty_row,
    finish,
    open_template,
    put,
    sheet,
    stamp_ledger,
)
from docgen.numbers import OPS, fmt_num, op_text
from docgen.render import fit_rows, keep_on_one_page

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MET, NOT_MET, NONE = "达标", "未达标", "—"
NO_PLAN = "无计划目标"
PERCENT = "0.0#%"  # figures show at most 2 decimals everywhere (docgen.numbers)
_KINDS = {"onsite": "现场", "remote": "远程"}

# the template's sheets and the rows the code fills (tools/build_report_templates.py lays them out)
SUMMARY, TREND = "汇总", "趋势"
SHEETS = {"report_ratio": "服务报告比例", "sla_share": "SLA达成率", "availability_percent": "系统可用率",
          "satisfaction_score": "客户满意度"}
SUMMARY_ROW, SUMMARY_ALL, DEFINITION_ROW = 10, 11, 15    # 汇总: rows from 10 on (the control block above)
RATIO_ROW, RATIO_ALL, RATIO_DETAIL = 6, 7, 11             # 服务报告比例: totals, 合计, due reports
SLA_ROW, SLA_DETAIL = 6, 10                               # SLA达成率: totals, service records
VALUE_ROW, VALUE_STATS = 6, 9                             # value sheets: rows, four count rows from 9
MONTH_ROW, CHART_HEADING = 7, 10                          # 趋势: months (合计 under them), the chart's heading
GROUP_FIRST, GROUP_SIZE = 7, 3                            # 趋势: the one project column group, G:I
CHART_ROWS = 18
POINTS_PER_CM = 72 / 2.54

# (indicator id, project, metric or None) -> {"due": ref, "delivered": ref, "value": ref}
Refs = dict[tuple[str, str, str | None], dict[str, str]]


def _parse_time(text: str) -> Any:
    """A record's "2025-03-12 14:30" as a datetime cell (the text itself when it is not one)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("T", " ")) if text else None
    except ValueError:
        return text


def _quote(sheet_title: str) -> str:
    return "'" + sheet_title.replace("'", "''") + "'!"


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
    sign = f'"{op_text(op)}"' if op else ""
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
                   f'IF({value}{op if op in OPS else ">="}{target},"{MET}","{NOT_MET}"),"{NONE}")')  # Excel's operators are ours


def _freeze_row(detail_header: int, fallback: int) -> str:
    return f"A{detail_header + 1}" if detail_header <= 16 else f"A{fallback}"


def _write_row(ws: Worksheet, row: int, values: list[Any]) -> None:
    for col, value in enumerate(values, start=1):
        put(ws, row, col, value)


class _Book:
    """The template workbook being filled, and how to lay out one of its sheets."""

    def __init__(self, template: Path, context: dict[str, Any]) -> None:
        self.name, self.path = template.name, template
        self.context = context
        self.wb: Workbook = open_template(template, self.name)
        self.placeholders = Placeholders(self.name, template)

    def sheet(self, title: str) -> Worksheet:
        return sheet(self.wb, title, self.name, self.path)

    def layout(self, ws: Worksheet, top: int, counts: dict[int, int], scope: dict[str, Any] | None = None) -> Layout:
        """Lay the sheet's rows out with each sample row repeated `counts[row]` times, then fill its
        placeholders (before any data is written)."""
        layout = Layout(ws, top, name=self.name, path=self.path)
        for row, count in counts.items():
            layout.repeat(row, count)
        layout.write()
        self.placeholders.fill_sheet(ws, {**self.context, **(scope or {})})
        return layout

    def print_area(self, ws: Worksheet, last_row: int, last_col: int = 0) -> None:
        from openpyxl.utils import get_column_letter

        ws.print_area = f"A1:{get_column_letter(max(last_col, ws.max_column))}{max(last_row, 1)}"


# --- the indicator sheets ----------------------------------------------------------------------


def _report_sheet(book: _Book, ws: Worksheet, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    projects = [r for r in mine if r["project"] != ALL]
    overall = next((r for r in mine if r["project"] == ALL), None)
    slots = ctx["slots"]
    empty = not projects and overall is None
    layout = book.layout(ws, RATIO_ROW, {RATIO_ROW: len(projects) or int(empty), RATIO_ALL: int(overall is not None),
                                         RATIO_DETAIL: max(len(slots), 1)}, {"indicator": ind})
    first_total = layout.first(RATIO_ROW)
    detail = layout.rows(RATIO_DETAIL)
    detail_top = detail.start - 1
    proj_range, status_range = f"$B${detail.start}:$B${detail[-1]}", f"$F${detail.start}:$F${detail[-1]}"
    sheet_ref = _quote(ws.title)
    for n, row in enumerate(projects, 1):
        r = first_total + n - 1
        _write_row(ws, r, [n, row["project"], names.get(row["project"], ""),
                           Formula(f"=COUNTIF({proj_range},B{r})"),
                           Formula(f'=COUNTIFS({proj_range},B{r},{status_range},"已交付")'),
                           Formula(f'=IF(D{r}=0,"本月无应交报告",E{r}/D{r})'),
                           _scaled(row["target"], "%"), _met_formula(f"F{r}", f"G{r}", row["op"])])
        ws.cell(r, 7).number_format = _value_format("%", row["op"])
        refs[(ind["id"], row["project"], None)] = {"due": f"{sheet_ref}D{r}", "delivered": f"{sheet_ref}E{r}"}
    if overall is not None:
        r = layout.first(RATIO_ALL)
        sums = (f"=SUM(D{first_total}:D{r - 1})", f"=SUM(E{first_total}:E{r - 1})") if projects else ("=0", "=0")
        _write_row(ws, r, [None, "合计", "全部项目（Σ实际交付 ÷ Σ应交付）", Formula(sums[0]), Formula(sums[1]),
                           Formula(f'=IF(D{r}=0,"本月无应交报告",E{r}/D{r})'),
                           _scaled(overall["target"], "%"), _met_formula(f"F{r}", f"G{r}", overall["op"])])
        ws.cell(r, 7).number_format = _value_format("%", overall["op"])
        refs[(ind["id"], ALL, None)] = {"due": f"{sheet_ref}D{r}", "delivered": f"{sheet_ref}E{r}"}
    if empty:
        empty_row(ws, first_total, *layout.span(RATIO_ROW), "无")
    last_total = layout.first(RATIO_ALL) + int(overall is not None) - 1
    fit_rows(ws, range(first_total, last_total + 1))

    for n, s in enumerate(slots, 1):
        _write_row(ws, detail.start + n - 1, [n, s["project"], s["doc_title"], s["frequency"], s["period"],
                                              s["status"], s["delivered_no"] or "—"])
    _finish_detail(book, ws, layout, detail, detail_top, first_total, last_col="G", filled=bool(slots),
                   empty=(RATIO_DETAIL, "本月无应交报告"))


def _finish_detail(book: _Book, ws: Worksheet, layout: Any, detail: range, detail_top: int, first_total: int, *,
                   last_col: str, filled: bool, empty: tuple[Any, str]) -> None:
    """The end of a detail table: a filter over its rows (or the 无… row when there are none), row heights,
    frozen header, the header repeated on every printed page, the print area."""
    if filled:
        ws.auto_filter.ref = f"A{detail_top}:{last_col}{detail[-1]}"
    else:
        empty_row(ws, detail.start, *layout.span(empty[0]), empty[1])
    fit_rows(ws, detail)
    ws.freeze_panes = _freeze_row(detail_top, first_total)
    ws.print_title_rows = f"{detail_top}:{detail_top}"
    book.print_area(ws, layout.last)


def _sla_sheet(book: _Book, ws: Worksheet, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    records = ctx["sla_records"]
    layout = book.layout(ws, SLA_ROW, {SLA_ROW: max(len(mine), 1), SLA_DETAIL: max(len(records), 1)},
                         {"indicator": ind})
    first_total = layout.first(SLA_ROW)
    detail = layout.rows(SLA_DETAIL)
    detail_top = detail.start - 1

    def rng(col: str) -> str:
        return f"${col}${detail.start}:${col}${detail[-1]}"

    sheet_ref = _quote(ws.title)
    for n, row in enumerate(mine, 1):
        r = first_total + n - 1
        metric_name = row["metric_name"]
        same = f"{rng('B')},B{r},{rng('C')},{_crit(metric_name)}"
        _write_row(ws, r, [n, row["project"], metric_name, row["plan_target"] or "—",
                           Formula(f'=COUNTIFS({same},{rng("I")},"{MET}")+COUNTIFS({same},{rng("I")},"{NOT_MET}")'),
                           Formula(f'=COUNTIFS({same},{rng("I")},"{MET}")'),
                           Formula(f'=IF(E{r}=0,"本月无考核记录",F{r}/E{r})'),
                           Formula(f'=IFERROR(AVERAGEIFS({rng("H")},{same},{rng("I")},"<>{NO_PLAN}"),"—")'),
                           row["p90"] if row["p90"] is not None else "—",
                           Formula(f'=COUNTIFS({same},{rng("I")},"{NO_PLAN}")')])
        refs[(ind["id"], row["project"], row["metric"])] = {"due": f"{sheet_ref}E{r}", "delivered": f"{sheet_ref}F{r}"}
    if not mine:
        empty_row(ws, first_total, *layout.span(SLA_ROW), "计划中没有响应、到场、解决或现场支持时间指标")
    fit_rows(ws, range(first_total, first_total + max(len(mine), 1)))

    for n, d in enumerate(records, 1):
        _write_row(ws, detail.start + n - 1, [n, d["project"], d["metric_name"], d["target"], d["service_no"],
                                              _KINDS.get(d["kind"], d["kind"]), _parse_time(d["resolved_at"]),
                                              d["value"], d["result"], d["doc_no"]])
    _finish_detail(book, ws, layout, detail, detail_top, first_total, last_col="J", filled=bool(records),
                   empty=(SLA_DETAIL, "本月无服务记录"))


def _value_sheet(book: _Book, ws: Worksheet, ind: dict[str, Any], rows: list[dict], refs: Refs) -> None:
    ctx = book.context
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    mine = [r for r in rows if r["indicator"] == ind["id"]]
    layout = book.layout(ws, VALUE_ROW, {VALUE_ROW: max(len(mine), 1)}, {"indicator": ind})
    first = layout.first(VALUE_ROW)
    last = first + max(len(mine), 1) - 1
    sheet_ref = _quote(ws.title)
    for n, row in enumerate(mine, 1):
        r = first + n - 1
        unit = row["unit"]
        value = _scaled(row["value"], unit)
        _write_row(ws, r, [n, row["project"], names.get(row["project"], ""), row["name"],
                           _scaled(row["target"], unit) if row["target"] is not None else "—",
                           value if value is not None else "无数据", _met_formula(f"F{r}", f"E{r}", row["op"]),
                           row["source_doc_no"] or "—", row["note"] or ""])
        ws.cell(r, 5).number_format = _value_format(unit, row["op"])
        ws.cell(r, 6).number_format = _value_format(unit, digits="0.00")
        refs[(ind["id"], row["project"], None)] = {"value": f"{sheet_ref}F{r}"}
    if not mine:
        empty_row(ws, first, *layout.span(VALUE_ROW), "没有项目的计划设定该指标的目标")
    fit_rows(ws, range(first, last + 1))
    # the counts, as formulas over the 是否达标 column (labels in the template)
    status = f"$G${first}:$G${last}"
    for n, formula in enumerate((f"=COUNTA($B${first}:$B${last})" if mine else "=0", f'=COUNTIF({status},"{MET}")',
                                 f'=COUNTIF({status},"{NOT_MET}")', f'=COUNTIF({status},"{NONE}")')):
        put(ws, layout.first(VALUE_STATS + n), 4, Formula(formula))
    book.print_area(ws, layout.last)


# --- 汇总 ---------------------------------------------------------------------------------------


def _summary_sheet(book: _Book, ws: Worksheet, refs: Refs) -> None:
    ctx = book.context
    names = {p["code"]: p["name"] for p in ctx["projects"]}
    inds = {i["id"]: i for i in ctx["indicators"]}
    rows = [r for r in ctx["rows"] if r["project"] != ALL] + [r for r in ctx["rows"] if r["project"] == ALL]
    overall_count = sum(1 for r in rows if r["project"] == ALL)
    plain = len(rows) - overall_count
    layout = book.layout(ws, SUMMARY_ROW, {SUMMARY_ROW: plain or int(not rows), SUMMARY_ALL: overall_count,
                                           DEFINITION_ROW: max(len(ctx["indicators"]), 1)})
    first = layout.first(SUMMARY_ROW)
    for n, row in enumerate(rows, 1):
        r = first + n - 1
        ind = inds.get(row["indicator"], {})
        unit = row["unit"] or "%"
        overall = row["project"] == ALL
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
            notes.append(f"平均 {fmt_num(row['mean'])} 分钟，P90 {fmt_num(row['p90'])} 分钟")
        if row.get("note"):
            notes.append(row["note"])
        if ind.get("formula") == "report_ratio" and not overall:
            notes.append("目标取自项目计划" if row["target_source"] == "plan" else "目标取自指标定义")
        _write_row(ws, r, [n, row["name"], "全部项目" if overall else row["project"],
                           "合计（Σ实际交付 ÷ Σ应交付）" if overall else names.get(row["project"], ""),
                           _scaled(row["target"], unit) if row["target"] is not None else "—",
                           due, delivered, value, _met_formula(f"H{r}", f"E{r}", row["op"]), "；".join(notes)])
        ws.cell(r, 5).number_format = _value_format(unit, row["op"])
        ws.cell(r, 8).number_format = (PERCENT if ind.get("formula") in ("report_ratio", "sla_share")
                                       else _value_format(unit, digits="0.00"))
    if not rows:
        empty_row(ws, first, *layout.span(SUMMARY_ROW), "无指标")
    last = first + max(len(rows), 1) - 1
    ws.auto_filter.ref = f"A{SUMMARY_ROW - 1}:J{last}"
    fit_rows(ws, range(first, last + 1))

    # the indicator definitions (regulation §8's table: 指标名称 | 计算公式 | 考核要求 | 考核周期)
    definitions = layout.rows(DEFINITION_ROW)
    for n, (r, ind) in enumerate(zip(definitions, ctx["indicators"]), 1):
        for c, value in ((1, n), (2, ind["name"]), (3, ind["formula_text"]),
                         (5, ind["requirement"]), (6, "月度"), (7, ind["description"])):
            put(ws, r, c, value)
    fit_rows(ws, definitions)
    book.print_area(ws, layout.last)
    # the definitions table starts a page rather than go on under the summary's repeated header row
    heading = definitions.start - 2
    block = sum(ws.row_dimensions[r].height or 15 for r in range(heading + 1, layout.last + 1))
    keep_on_one_page(ws, heading + 1, block / POINTS_PER_CM)


# --- 趋势 ---------------------------------------------------------------------------------------


def _project_columns(ws: Worksheet, count: int) -> int:
    """The template's one project column group (G:I) made `count` groups (none: removed); merges that
    spanned the whole width follow. Returns the last column."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    model_last = GROUP_FIRST + GROUP_SIZE - 1
    last = GROUP_FIRST - 1 + GROUP_SIZE * count
    snapshot = [[(cell.row, cell.column - GROUP_FIRST, None if isinstance(cell, MergedCell) else cell.value,
                  copy(cell._style)) for cell in row]
                for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=GROUP_FIRST, max_col=model_last)]
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(GROUP_FIRST, model_last + 1)]
    inside = [m for m in ws.merged_cells.ranges if m.min_col >= GROUP_FIRST and m.max_col <= model_last]
    across = [m for m in ws.merged_cells.ranges if m.min_col < GROUP_FIRST and m.max_col >= model_last]
    group_merges = [(m.min_row, m.max_row, m.min_col - GROUP_FIRST, m.max_col - GROUP_FIRST) for m in inside]
    wide = [(m.min_row, m.max_row, m.min_col) for m in across]
    for merged in inside + across:
        ws.unmerge_cells(merged.coord)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=GROUP_FIRST, max_col=model_last):
        for cell in row:
            cell.value = None
            cell.style = "Normal"
    for c in range(GROUP_FIRST, model_last + 1):
        del ws.column_dimensions[get_column_letter(c)]
    for j in range(count):
        offset = GROUP_FIRST + GROUP_SIZE * j
        for k, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(offset + k)].width = width
        for row in snapshot:
            for r, k, value, style in row:
                cell = ws.cell(r, offset + k)
                cell.value = value
                cell._style = copy(style)
        for a, b, c1, c2 in group_merges:
            ws.merge_cells(start_row=a, end_row=b, start_column=offset + c1, end_column=offset + c2)
    for a, b, c in wide:
        styles = [copy(ws.cell(r, c)._style) for r in range(a, b + 1)]
        ws.merge_cells(start_row=a, end_row=b, start_column=c, end_column=max(last, GROUP_FIRST - 1))
        for r, style in zip(range(a, b + 1), styles):
            ws.cell(r, c)._style = style
    return max(last, GROUP_FIRST - 1)


def _trend_sheet(book: _Book, ws: Worksheet) -> None:
    from openpyxl.chart import LineChart, Reference, Series
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
    from openpyxl.utils import get_column_letter

    ctx = book.context
    trend = ctx["trend"]
    months = trend["months"]
    projects = trend["projects"]
    points = {(p["project"], p["month"]): p for p in trend["points"]}
    last_col = _project_columns(ws, len(projects))
    layout = book.layout(ws, MONTH_ROW, {MONTH_ROW: max(len(months), 1)})
    for j, code in enumerate(projects):
        put(ws, MONTH_ROW - 2, GROUP_FIRST + GROUP_SIZE * j, code)  # the group's heading
    key = ctx["scope"]
    first = layout.first(MONTH_ROW)
    for i, month in enumerate(months):
        r = first + i
        p = points.get((key, month)) or {"due": 0, "delivered": 0, "target": None}
        _write_row(ws, r, [month, p["due"], p["delivered"], Formula(f"=C{r}/B{r}") if p["due"] else None,
                           _scaled(p["target"], "%"), "" if p["due"] else "本月无应交报告"])
        for j, code in enumerate(projects):
            c = GROUP_FIRST + GROUP_SIZE * j
            q = points.get((code, month)) or {"due": 0, "delivered": 0}
            a, b = get_column_letter(c), get_column_letter(c + 1)
            put(ws, r, c, q["due"])
            put(ws, r, c + 1, q["delivered"])
            put(ws, r, c + 2, Formula(f"={b}{r}/{a}{r}") if q["due"] else None)
    last = first + max(len(months), 1) - 1
    # totals over the twelve months, as formulas (合计 and the note are the template's)
    tr = last + 1
    put(ws, tr, 2, Formula(f"=SUM(B{first}:B{last})"))
    put(ws, tr, 3, Formula(f"=SUM(C{first}:C{last})"))
    put(ws, tr, 4, Formula(f'=IF(B{tr}=0,"无应交报告",C{tr}/B{tr})'))
    for j in range(len(projects)):
        c = GROUP_FIRST + GROUP_SIZE * j
        a, b = get_column_letter(c), get_column_letter(c + 1)
        put(ws, tr, c, Formula(f"=SUM({a}{first}:{a}{last})"))
        put(ws, tr, c + 1, Formula(f"=SUM({b}{first}:{b}{last})"))
        put(ws, tr, c + 2, Formula(f'=IF({a}{tr}=0,"无应交报告",{b}{tr}/{a}{tr})'))

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
    columns = [(4, trend["label"])] + [(GROUP_FIRST + 2 + GROUP_SIZE * j, code) for j, code in enumerate(projects)]
    for col, title in columns + [(5, "目标")]:
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=title)
        series.marker.symbol = "none" if col == 5 else "circle"
        series.smooth = False
        if col == 5:
            series.graphicalProperties.line.dashStyle = "dash"
            series.graphicalProperties.line.solidFill = "7F7F7F"
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    heading = layout.first(CHART_HEADING)
    # anchored to cells: exactly as wide as the table above it, 18 rows high, whatever the viewer's DPI
    anchor = TwoCellAnchor()
    anchor._from = AnchorMarker(col=0, row=heading)  # 0-based: the row under the heading
    anchor.to = AnchorMarker(col=last_col, row=heading + CHART_ROWS)
    chart.anchor = anchor
    ws.add_chart(chart)
    # one scope's table fits a portrait page at full size; each project's columns make it wider
    ws.page_setup.orientation = "landscape" if projects else "portrait"
    ws.print_area = f"A1:{get_column_letter(last_col)}{heading + CHART_ROWS + 1}"  # not the emptied group columns
    # the heading and the chart under it start a new page rather than print half on each
    chart_points = sum(ws.row_dimensions[r].height or 15 for r in range(heading + 1, heading + CHART_ROWS + 1))
    keep_on_one_page(ws, heading + 1, chart_points / POINTS_PER_CM)


# --- the workbook ------------------------------------------------------------------------------


def fill_kpi_workbook(template: Path, context: dict[str, Any]) -> bytes:
    """The 月度KPI统计表 of kpi_context() filled into `template`; the same template and context give the
    same bytes. TemplateProblem names the template when it lacks a sheet or row the data needs."""
    book = _Book(template, context)
    wb = book.wb
    summary, trend = book.sheet(SUMMARY), book.sheet(TREND)
    indicators = context["indicators"]
    used = {ind["formula"] for ind in indicators}
    # the sheet of every formula the indicator file uses must be there; the others are dropped if present
    by_formula = {formula: book.sheet(title) for formula, title in SHEETS.items()
                  if formula in used or title in wb.sheetnames}
    for formula, ws in by_formula.items():
        if formula not in used:
            wb.remove(ws)
    ordered = [summary] + [by_formula[ind["formula"]] for ind in indicators] + [trend]
    for n, ws in enumerate(ordered):  # placeholder titles first: a new name may be an old one
        ws.title = f"__docgen_{n}"
    titles: set[str] = set()
    summary.title = _sheet_title(SUMMARY, titles)
    for ind in indicators:
        by_formula[ind["formula"]].title = _sheet_title(ind["name"], titles)
    trend.title = _sheet_title(TREND, titles)
    for n, ws in enumerate(ordered):
        wb.move_sheet(ws, offset=n - wb.index(ws))

    refs: Refs = {}
    rows = context["rows"]
    for ind in indicators:
        fill = {"report_ratio": _report_sheet, "sla_share": _sla_sheet}.get(ind["formula"], _value_sheet)
        fill(book, by_formula[ind["formula"]], ind, rows, refs)
    _trend_sheet(book, trend)
    _summary_sheet(book, summary, refs)
    for ws in wb.worksheets:
        if ws not in ordered:  # a sheet the user added to the template: its placeholders only
            book.placeholders.fill_sheet(ws, context)
    book.placeholders.fill_properties(wb, context)
    stamp_ledger(wb, context.get("ledger"))
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is summary
    return finish(wb)
