"""Build templates_xlsx/response_kpi.xlsx, the 响应支持关键指标数据记录 (§5.4.7.2 应急响应), reproducibly.

    python tools/build_response_kpi_template.py

Four sheets, each in the style of tools/build_xlsx_templates.py (company, title, info block, shaded
header row, ONE sample row tagged ``{%tr for r in LIST %}``) that ``docgen.render.render_xlsx`` fills; the
first sheet also carries the document control block (文件编号 | 版本, 编制/审核/批准), every sheet's page
header the 文件编号 and 版本:

* 达成情况  ``achievement``: per plan SLA metric and month — incidents, met, rate (value) beside the
  same rate as a live formula, target
* 数量      ``counts``: per month — incidents in total and per level
* 分布      ``distribution``: by level, then by category — incidents and share
* 趋势      ``trend``: per month — incidents, average response / resolution minutes, longest resolution

The charts are not in the template: the pack code asks for them through the context key ``charts``
(docgen/render/_xlsx.py), so they always cover exactly the rows written.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from build_xlsx_templates import (
    BASE_FONT,
    BOX,
    CREATED,
    FONT_HEI,
    HEADER_FILL,
    MINUTES,
    SAMPLE_HEIGHT,
    Info,
    _font,
    _merge,
    control_rows,
    info_rows,
    print_setup,
)
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList

from docgen.render import xlsx_bytes

OUT = ROOT / "templates_xlsx" / "response_kpi.xlsx"
PERCENT = "0.0%"
COUNT = "0"


@dataclass(frozen=True)
class KCol:
    header: str
    field: str | None  # None: the cell holds `formula` (with {r} for the row) instead of a placeholder
    width: float
    number_format: str = "General"
    align: str = "center"
    formula: str | None = None


@dataclass(frozen=True)
class KSheet:
    name: str
    source: str
    subtitle: str
    columns: tuple[KCol, ...]


NO = KCol("序号", "no", 6, COUNT)
SHEETS = (
    KSheet("达成情况", "achievement", "服务级别协议达成情况", (
        NO, KCol("SLA指标", "metric", 18, align="left"), KCol("计时方式", "clock", 16),
        KCol("月份", "month", 10), KCol("考核事件数", "incidents", 10, COUNT), KCol("达标数", "met", 9, COUNT),
        KCol("达成率", "rate", 10, PERCENT, "right"),
        KCol("达成率（公式）", None, 12, PERCENT, "right", '=IF(AND(ISNUMBER(F{r}),E{r}>0),F{r}/E{r},"—")'),
        KCol("目标", "target", 14))),
    KSheet("数量", "counts", "事件数量", (
        NO, KCol("月份", "month", 10), KCol("事件数", "count", 9, COUNT), KCol("一般", "general", 8, COUNT),
        KCol("较大", "larger", 8, COUNT), KCol("重大", "major", 8, COUNT), KCol("特别重大", "critical", 9, COUNT),
        KCol("重大及以上", "major_plus", 11, COUNT))),
    KSheet("分布", "distribution", "事件分布", (
        NO, KCol("维度", "dimension", 10), KCol("分类", "name", 22, align="left"),
        KCol("事件数", "count", 10, COUNT), KCol("占比", "share", 12, PERCENT, "right"))),
    KSheet("趋势", "trend", "事件趋势", (
        NO, KCol("月份", "month", 12), KCol("事件数", "count", 10, COUNT),
        KCol("平均响应用时\n（分钟）", "avg_response", 13, MINUTES, "right"),
        KCol("平均解决用时\n（分钟）", "avg_resolution", 13, MINUTES, "right"),
        KCol("最长解决用时\n（分钟）", "max_resolution", 13, MINUTES, "right"))),
)


def _info_rows(ncols: int) -> tuple[tuple[Info, ...], ...]:
    """项目名称 | 项目编号, then 客户 | 期间 over the sheet's width; narrow sheets take a row each."""
    if ncols >= 7:
        return ((Info("项目名称", "project.name", 2, ncols - 5), Info("项目编号", "project.code", 1, 2)),
                (Info("客户", "project.customer", 2, ncols - 5), Info("期间", "period", 1, 2)))
    return ((Info("项目名称", "project.name", 2, ncols - 2),), (Info("项目编号", "project.code", 2, ncols - 2),),
            (Info("客户", "project.customer", 2, ncols - 2),), (Info("期间", "period", 2, ncols - 2),))


def _control_rows(ncols: int) -> tuple[tuple[Info, ...], ...]:
    """The control block under the first sheet's info rows: 文件编号 and 版本 on the info rows' grid, the
    sign-off rows with the date in the last three columns (wide enough for a hand-signed date)."""
    return control_rows((2, ncols - 5, 1, 2), (2, ncols - 6, 1, 3))


def _sheet(wb: Workbook, spec: KSheet, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = spec.name
    ncols = len(spec.columns)
    last = get_column_letter(ncols)
    for row, text, font, height in ((1, "{{ company }}", _font(size=12), 20),
                                    (2, "{{ title }}——" + spec.subtitle, _font(bold=True, size=16, name=FONT_HEI), 30)):
        ws.cell(row, 1).value = text
        ws.cell(row, 1).font = font
        ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
        _merge(ws, row, 1, ncols)
        ws.row_dimensions[row].height = height
    head = info_rows(ws, 3, _info_rows(ncols) + (_control_rows(ncols) if first else ()), ncols)
    sample = head + 1
    for c, col in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
        cell = ws.cell(head, c, col.header)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        value = col.formula.format(r=sample) if col.formula else f"{{{{ r.{col.field} }}}}"
        if c == 1:
            value = "{%tr for r in " + spec.source + " %}" + value
        cell = ws.cell(sample, c, value)
        cell.font = _font()
        cell.border = BOX
        cell.number_format = col.number_format
        cell.alignment = Alignment(horizontal=col.align, vertical="center", wrap_text=col.align == "left",
                                   indent=1 if col.align == "left" else 0)
    ws.row_dimensions[head].height = 30
    ws.row_dimensions[sample].height = SAMPLE_HEIGHT
    ws.freeze_panes = f"A{sample}"
    ws.sheet_view.showGridLines = False
    print_setup(ws, landscape=False, title_rows=f"{head}:{head}", area=f"A1:{last}{sample}",
                header_left="{{ company }}", footer_left="{{ project.name }}")


def build(path: Path = OUT) -> Path:
    wb = Workbook()
    wb._fonts = IndexedList([BASE_FONT])
    for n, spec in enumerate(SHEETS):
        _sheet(wb, spec, n == 0)
    props = wb.properties
    props.title = "{{ title }}"
    props.subject = "{{ project.name }}"
    props.creator = "{{ company }}"
    props.created = props.modified = CREATED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(wb))
    return path


def main(argv: list[str] | None = None, *, out: Path = OUT) -> int:
    path = build(out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
