"""Filling an Excel template (templates_xlsx/) with openpyxl: typed placeholders, one sample row
repeated per item, an optional summary block with real formulas, user text never run as a formula.

Template convention — an ordinary workbook a user may restyle in Excel:

* ``{{ expr }}`` placeholders may sit in any cell. A cell holding exactly one placeholder gets the
  value itself: numbers stay numbers, dates and datetimes stay dates (shown with the cell's number
  format), None is an empty cell. A cell mixing text and placeholders gets the rendered text.
  Placeholders in the print header/footer and in the workbook properties are filled as text.
* The data table's sample row carries a row tag in front of one of its cells, as in Word templates:
  ``{%tr for r in rows %}{{ r.no }}`` (one tag per sheet; the tag is removed). The row is written
  once per item of ``rows`` with ``r`` bound to the item (``loop.index`` counts from 1), copying the
  sample row's styles, height (a minimum: rows grow for wrapped text), merges inside the row and
  moving its formulas; an empty list gives one row with "无" in its first cell. Rows below the sample row move down; the autofilter,
  conditional formats and data validations on the sample row stretch over the data rows and the
  print area also covers the summary.
* Context ``summary`` (optional): ``[{label, value} | {label, formula[, value][, number_format]}]``
  appended under the first table as 统计项 | 数值 | 公式 (header styled like the table's). A formula names columns by field —
  ``COUNTIF({status},"告警")`` becomes ``=COUNTIF(G6:G9,"告警")`` — and, because openpyxl cannot store
  a cached result, the 数值 cell holds the figure as a plain value (computed here for
  COUNTA/COUNT/COUNTIF/SUM/AVERAGE/MIN/MAX of one column unless given). An empty table gets values
  only, since its "无" row is not data.
* Context ``charts`` (optional): native Excel charts over a sheet's filled table,
  ``[{sheet, type: bar|line|pie, title, categories: field, series: [field, …][, rows: [start, stop]]
  [, y_title][, y_format][, anchor][, width][, height]}]``. Fields name the table's columns as in the
  summary; ``rows`` slices the data rows (0-based, stop excluded); a series takes its name from the
  header cell above its column. Charts go under everything on the sheet (or at ``anchor``), one under
  another, and the print area grows to take them in; a table that came out empty gets no chart.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import TemplateProblem
from docgen.render._zip import restamp_zip

if TYPE_CHECKING:  # openpyxl loads on first use: `docgen --help` and Word-only runs stay quick
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.worksheet import Worksheet

EMPTY_TABLE = "无"
SUMMARY_HEADERS = ("统计项", "数值", "公式")
FIXED_TIME = datetime(2025, 1, 1)  # workbook created/modified when the template has none
# Excel (and CSV importers) would run text starting with these as a formula or DDE command (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ROW_TAG = re.compile(r"^\s*\{%-?\s*tr\s+for\s+([A-Za-z_]\w*)\s+in\s+(.+?)\s*-?%\}", re.S)
_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%).)*)\}\}\s*$", re.S)
_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_FIELD_REF = re.compile(r"\{([A-Za-z_]\w*)\}")
_AGGREGATE = re.compile(r'^=?\s*(COUNTA|COUNTIF|COUNT|SUM|AVERAGE|MIN|MAX)\(\s*\{([A-Za-z_]\w*)\}\s*'
                        r'(?:,\s*(?:"([^"]*)"|(-?\d+(?:\.\d+)?))\s*)?\)\s*$', re.I)
_LINE_HEIGHT = 1.3  # points of row height per point of font size, per line of wrapped text
_PROPERTIES = ("title", "subject", "creator", "description", "keywords", "category")


def cell_jinja_env(*, header: bool = False) -> Any:
    """Sandboxed and strict like Word rendering; no HTML escaping (cells are not markup). A dict
    key wins over a dict method, so a field named `values` or `items` reads the data."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Env(ImmutableSandboxedEnvironment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if isinstance(obj, Mapping) and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        # "&" starts a code in print headers/footers (&P, &N): a value's "&" must print as itself
        return str(value).replace("&", "&&") if header else value

    return Env(undefined=StrictUndefined, autoescape=False, finalize=finalize)


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook saved with fixed properties and zip timestamps: same content, same bytes."""
    stamp = wb.properties.created or FIXED_TIME
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps "now" as modified: core.xml is fixed up below
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def modified(name: str, blob: bytes) -> bytes:
        if name != "docProps/core.xml":
            return blob
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + fixed + rb"\g<2>", blob)

    return restamp_zip(buffer.getvalue(), rewrite=modified)


def _cell_value(value: Any) -> Any:
    """A context value as an Excel cell holds it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or isinstance(value, (bool, int, Decimal, time)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones: keep the wall-clock time
    if isinstance(value, date):
        return value
    if isinstance(value, (list, tuple)):
        value = "、".join("" if v is None else str(v) for v in value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text or None


def write_cell(cell: Cell, value: Any) -> None:
    """Write a value; text that Excel would take for a formula stays text."""
    value = _cell_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True  # and Excel keeps it text when the user edits the cell


def _undefined_name(message: str) -> str:
    m = re.search(r"'([^']+)' is undefined", message) or re.search(r"has no attribute '([^']+)'", message)
    return m.group(1) if m else message


def _tag_naming(text: str, name: str) -> str:
    found = [t for t in _TAGS.findall(text) if re.search(r"\b" + re.escape(name) + r"\b", t)]
    return found[0] if found else text


def _stretch(ref: CellRange, row: int, grow: int, shift: int) -> CellRange:
    """A range after the sample row `row` became grow+1 rows and everything below moved by shift."""
    from openpyxl.worksheet.cell_range import CellRange

    ref = CellRange(ref.coord)
    if ref.min_row > row:
        ref.shift(row_shift=shift)
    elif ref.max_row > row:
        ref.expand(down=shift)
    elif ref.max_row == row:
        ref.expand(down=grow)
    return ref


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_rows(ws: Worksheet, rows: Iterable[int]) -> None:
    """Give rows whose wrapped text needs several lines the height for them: Excel and LibreOffice
    do not reliably autofit on opening (merged cells never do), and a long 事件描述 would be cut off."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    base = float(ws.parent._fonts[0].size or 11)  # column widths count characters of the Normal font
    spans = {(m.min_row, m.min_col): m.max_col for m in ws.merged_cells.ranges if m.min_row == m.max_row}
    for r in rows:
        needed = 0.0
        for cell in ws[r]:
            if isinstance(cell, MergedCell) or not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            last = spans.get((r, cell.column), cell.column)
            width = sum(ws.column_dimensions[get_column_letter(c)].width or 13 for c in range(cell.column, last + 1))
            size = float(cell.font.size or base)
            usable = max((width - (cell.alignment.indent or 0)) * base / size, 1)
            lines = sum(max(1, math.ceil(_text_width(part) / usable)) for part in cell.value.split("\n"))
            if lines > 1:
                needed = max(needed, lines * size * _LINE_HEIGHT + 4)
        if needed > (ws.row_dimensions[r].height or 15):
            ws.row_dimensions[r].height = round(needed, 1)


@dataclass
class _Table:
    """The repeated row of one sheet, as the template had it."""

    ws: Worksheet
    row: int
    var: str
    source: str
    tag_cell: str
    cells: list[tuple[int, Any, Any, str]] = field(default_factory=list)  # column, text, style, data_type
    merges: list[tuple[int, int]] = field(default_factory=list)  # (first, last) column merged in the row
    height: float | None = None
    fields: dict[str, int] = field(default_factory=dict)  # r.field -> column
    first_row: int = 0
    last_row: int = 0
    empty: bool = False
    values: dict[int, list[Any]] = field(default_factory=dict)  # column -> values written

    @property
    def first_col(self) -> int:
        filled = [c for c, text, _, _ in self.cells if text is not None]
        return min(filled) if filled else self.cells[0][0]

    @property
    def last_col(self) -> int:
        return max(c for c, _, _, _ in self.cells)


class _Filler:
    def __init__(self, wb: Workbook, context: dict[str, Any], name: str, path: Path) -> None:
        self.wb = wb
        self.context = context
        self.name = name
        self.path = path
        self.env = cell_jinja_env()
        self.header_env = cell_jinja_env(header=True)
        self._compiled: dict[tuple[str, str], Any] = {}

    # ---------------------------------------------------------------- evaluating placeholders
    def fail(self, message: str) -> TemplateProblem:
        return TemplateProblem(f"模板 {self.name} {message}", file=self.path)

    def evaluate(self, text: str, scope: dict[str, Any], where: str, *, note: str = "", mode: str = "cell") -> Any:
        """A cell's text filled in: the object itself for one whole placeholder, else the text (always
        text for mode "text"; mode "header" also doubles a value's "&")."""
        from jinja2 import TemplateSyntaxError, Undefined, UndefinedError
        from jinja2.sandbox import SecurityError

        whole = _WHOLE.match(text) if mode == "cell" else None
        try:
            key = (text, mode)
            if key not in self._compiled:
                env = self.header_env if mode == "header" else self.env
                self._compiled[key] = (env.compile_expression(whole["expr"], undefined_to_none=False)
                                       if whole else env.from_string(text))
            compiled = self._compiled[key]
            if not whole:
                return compiled.render(scope)
            value = compiled(scope)
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
            return value
        except UndefinedError as exc:
            missing = _undefined_name(str(exc))
            raise self.fail(f"的{where}中的占位符 {_tag_naming(text, missing)} 使用了变量 {missing}，"
                            f"但数据中没有这个值{note}；请检查模板中的变量名") from None
        except TemplateSyntaxError as exc:
            raise self.fail(f"的{where}中有 Jinja 语法错误：{exc.message}（{text.strip()[:80]}）；"
                            "请在 Excel 中修正该占位符") from None
        except SecurityError as exc:
            raise self.fail(f"的{where}试图访问不允许的内部属性（{exc}）；模板只能使用数据中的字段") from None

    @staticmethod
    def has_tags(value: Any) -> bool:
        return isinstance(value, str) and ("{{" in value or "{%" in value)

    # ---------------------------------------------------------------- the workbook outside tables
    def fill_properties(self) -> None:
        props = self.wb.properties
        for attr in _PROPERTIES:
            text = getattr(props, attr)
            if self.has_tags(text):
                setattr(props, attr, str(self.evaluate(text, self.context, "文档属性", mode="text")) or None)

    def fill_header_footer(self, ws: Worksheet) -> None:
        for what, label in (("Header", "页眉"), ("Footer", "页脚")):
            for kind in ("odd", "even", "first"):
                hf = getattr(ws, f"{kind}{what}")
                for part in (hf.left, hf.center, hf.right):
                    if self.has_tags(part.text):
                        part.text = self.evaluate(part.text, self.context, f"工作表“{ws.title}”的{label}",
                                                  mode="header")

    def find_table(self, ws: Worksheet) -> _Table | None:
        from openpyxl.cell.cell import MergedCell

        tables = []
        for row in ws.iter_rows():
            for cell in row:
                m = _ROW_TAG.match(cell.value) if isinstance(cell.value, str) else None
                if m:
                    tables.append(_Table(ws, cell.row, m[1], m[2], f"{ws.title}!{cell.coordinate}"))
        if len(tables) > 1:
            raise self.fail(f"的工作表“{ws.title}”有多个行标签（{'、'.join(t.tag_cell for t in tables)}）；"
                            "每个工作表只能有一行 {%tr for … %} 数据行")
        if not tables:
            return None
        table = tables[0]
        for col in range(1, ws.max_column + 1):
            cell = ws.cell(table.row, col)
            if isinstance(cell, MergedCell):
                continue
            text = cell.value
            if isinstance(text, str):
                m = _ROW_TAG.match(text)
                text = (text[m.end():] or None) if m else text
                whole = _WHOLE.match(text or "")
                dotted = re.fullmatch(rf"\s*{re.escape(table.var)}\s*\.\s*([A-Za-z_]\w*)\s*",
                                      whole["expr"]) if whole else None
                if dotted:
                    table.fields.setdefault(dotted[1], col)
            if text is not None or cell.has_style:
                table.cells.append((col, text, copy(cell._style), cell.data_type))
        table.merges = [(m.min_col, m.max_col) for m in ws.merged_cells.ranges
                        if m.min_row == m.max_row == table.row]
        table.height = ws.row_dimensions[table.row].height
        return table

    def fill_cells(self, ws: Worksheet, skip_row: int | None) -> None:
        filled = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.row != skip_row and cell.data_type != "f" and self.has_tags(cell.value):
                    value = self.evaluate(cell.value, self.context, f"单元格 {ws.title}!{cell.coordinate}")
                    write_cell(cell, value)
                    filled.add(cell.row)
        fit_rows(ws, sorted(filled))

    # ---------------------------------------------------------------- the repeated rows
    def items_of(self, table: _Table) -> list[Any]:
        from jinja2 import TemplateSyntaxError

        where = f"单元格 {table.tag_cell}"
        try:
            self.env.compile_expression(table.source)
        except TemplateSyntaxError as exc:
            raise self.fail(f"的{where}中的行标签有语法错误：{exc.message}；格式为 {{%tr for r in rows %}}") from None
        items = self.evaluate("{{ " + table.source + " }}", self.context, where)
        if items is None:
            return []
        if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
            raise self.fail(f"的{where}中的行标签要求 {table.source} 是列表，但数据中它是 {type(items).__name__}")
        return list(items)

    def shift_below(self, ws: Worksheet, row: int, by: int) -> None:
        """Move everything under `row` down by `by` rows: cells, merges and row heights."""
        from openpyxl.worksheet.cell_range import CellRange

        if ws.max_row > row:
            ws.move_range(CellRange(min_col=1, min_row=row + 1, max_col=ws.max_column, max_row=ws.max_row),
                          rows=by, translate=True)
        moved = [m for m in ws.merged_cells.ranges if m.min_row > row]
        for merged in moved:  # out of the set before its coordinates (its hash) change
            ws.merged_cells.remove(merged)
        for merged in moved:
            merged.shift(row_shift=by)
            ws.merged_cells.add(merged)
        below = sorted((r for r in ws.row_dimensions if r > row), reverse=True)
        for r in below:
            dim = ws.row_dimensions.pop(r)
            dim.index = r + by
            ws.row_dimensions[r + by] = dim

    def write_rows(self, table: _Table, items: list[Any], extra_below: int) -> None:
        from openpyxl.formula.translate import Translator

        ws = table.ws
        count = max(len(items), 1)
        self.shift_below(ws, table.row, count - 1 + extra_below)
        table.first_row, table.last_row, table.empty = table.row, table.row + count - 1, not items
        origin = {col: ws.cell(table.row, col).coordinate for col, _, _, _ in table.cells}
        for i in range(count):
            r = table.row + i
            scope = {**self.context, table.var: items[i] if items else None,
                     "loop": {"index": i + 1, "index0": i, "first": i == 0, "last": i == count - 1,
                              "length": len(items)}}
            for col, text, style, data_type in table.cells:
                cell = ws.cell(r, col)
                cell._style = copy(style)
                if not items:
                    value = EMPTY_TABLE if col == table.first_col else None
                    write_cell(cell, value)
                elif data_type == "f":
                    cell.value = Translator(text, origin=origin[col]).translate_formula(cell.coordinate)
                    continue
                elif self.has_tags(text):
                    note = f"（{table.source} 第 {i + 1} 项）"
                    write_cell(cell, self.evaluate(text, scope, f"单元格 {ws.title}!{origin[col]}", note=note))
                else:
                    cell.value = text
                table.values.setdefault(col, []).append(cell.value)
            if i:
                if table.height is not None:
                    ws.row_dimensions[r].height = table.height
                for first, last in table.merges:
                    ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
        fit_rows(ws, range(table.first_row, table.last_row + 1))

    def stretch_ranges(self, table: _Table, grow: int, shift: int) -> None:
        """Autofilter, conditional formats and validations follow the data; the print area also
        takes in the summary."""
        from openpyxl.formatting.formatting import ConditionalFormattingList
        from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

        ws, row = table.ws, table.row
        if ws.auto_filter.ref:
            ws.auto_filter.ref = _stretch(CellRange(ws.auto_filter.ref), row, grow, shift).coord
        formats = ConditionalFormattingList()
        for cf in ws.conditional_formatting:
            sqref = " ".join(_stretch(r, row, grow, shift).coord for r in cf.sqref.ranges)
            for rule in cf.rules:
                formats.add(sqref, rule)
        ws.conditional_formatting = formats
        for dv in ws.data_validations.dataValidation:
            dv.sqref = MultiCellRange(" ".join(_stretch(r, row, grow, shift).coord for r in dv.sqref.ranges))
        if ws.print_area:
            areas = [a.rsplit("!", 1)[-1].replace("$", "") for a in ws.print_area.split(",")]
            ws.print_area = [_stretch(CellRange(a), row, shift, shift).coord for a in areas]

    # ---------------------------------------------------------------- the summary block
    def column_of(self, table: _Table, name: str, item: Mapping[str, Any]) -> int:
        if name not in table.fields:
            raise self.fail(f"的数据行（工作表“{table.ws.title}”第 {table.row} 行）没有字段 {name} 的列"
                            f"（{{{{ {table.var}.{name} }}}}），汇总项“{item.get('label')}”的公式 "
                            f"{item.get('formula')} 无法引用；请在模板中保留该列")
        return table.fields[name]

    def summary_value(self, table: _Table, item: Mapping[str, Any]) -> Any:
        if "value" in item:
            return item["value"]
        formula = str(item.get("formula") or "")
        m = _AGGREGATE.match(formula)
        if not m or (m[1].upper() == "COUNTIF") != (m[3] is not None or m[4] is not None):
            raise ValueError(f"汇总项 {item.get('label')!r} 的公式 {formula!r} 无法在写入时计算，请同时给出 value")
        column = self.column_of(table, m[2], item)
        values = [] if table.empty else table.values.get(column, [])
        numbers = [v for v in values if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
        func = m[1].upper()
        if func == "COUNTA":
            return sum(v is not None for v in values)
        if func == "COUNT":
            return len(numbers) + sum(isinstance(v, (date, time)) for v in values)
        if func == "COUNTIF":
            return sum(_matches(v, m[3], m[4]) for v in values)
        if func == "SUM":
            return sum(numbers)
        if not numbers:
            return None
        return {"AVERAGE": sum(numbers) / len(numbers), "MIN": min(numbers), "MAX": max(numbers)}[func]

    def formula_text(self, table: _Table, item: Mapping[str, Any]) -> str:
        from openpyxl.utils import get_column_letter

        def column_range(m: re.Match[str]) -> str:
            letter = get_column_letter(self.column_of(table, m[1], item))
            return f"{letter}{table.first_row}:{letter}{table.last_row}"

        return "=" + _FIELD_REF.sub(column_range, str(item["formula"]).strip()).removeprefix("=")

    def write_summary(self, table: _Table, items: list[Mapping[str, Any]]) -> None:
        """统计项 | 数值 | 公式 under the table, one blank row between; header styled like the table's."""
        from openpyxl.styles import Alignment

        ws = table.ws
        first = table.first_col
        wide = table.last_col - first + 1 >= 4  # the first column is often a narrow 序号: take two
        label_last = first + 1 if wide else first
        value_col, formula_col = label_last + 1, label_last + 2
        body_style = next(style for col, _, style, _ in table.cells if col == first)
        head_style = ws.cell(table.row - 1, first)._style if table.row > 1 else body_style
        head = table.last_row + 2
        for col in range(first, formula_col + 1):
            ws.cell(head, col)._style = copy(head_style)
        for col, text in zip((first, value_col, formula_col), SUMMARY_HEADERS):
            ws.cell(head, col).value = text
        for r, item in enumerate(items, start=head + 1):
            value = self.summary_value(table, item)
            formula = self.formula_text(table, item) if item.get("formula") and not table.empty else None
            number_format = item.get("number_format") or (
                "0" if isinstance(value, int) and not isinstance(value, bool)
                else "0.0" if isinstance(value, (float, Decimal)) else "General")
            for col in range(first, formula_col + 1):
                ws.cell(r, col)._style = copy(body_style)
            ws.cell(r, first).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
            for col in (value_col, formula_col):
                ws.cell(r, col).alignment = Alignment(horizontal="right", vertical="center")
                ws.cell(r, col).number_format = number_format
            write_cell(ws.cell(r, first), item.get("label"))
            write_cell(ws.cell(r, value_col), "—" if value is None else value)
            ws.cell(r, formula_col).value = formula  # our own formula: the one cell meant to be one
            if table.height is not None:
                ws.row_dimensions[r].height = table.height
        if wide:
            for r in range(head, head + len(items) + 1):
                ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=label_last)

    # ---------------------------------------------------------------- native charts
    @staticmethod
    def table_width_cm(table: _Table) -> float:
        """The table's printed width (a column width unit is about 0.19 cm): a chart's default width."""
        from openpyxl.utils import get_column_letter

        units = sum(table.ws.column_dimensions[get_column_letter(c)].width or 13
                    for c in range(table.first_col, table.last_col + 1))
        return round(max(units * 0.19, 8.0), 1)

    def add_charts(self, tables: Mapping[str, _Table], charts: list[Mapping[str, Any]]) -> None:
        """Context ``charts``: bar/line/pie charts whose data are the filled table's cells."""
        from openpyxl.chart import BarChart, LineChart, PieChart, Reference, Series
        from openpyxl.utils import get_column_letter

        placed: dict[str, int] = {}  # sheet -> next free row for a chart under the content
        for spec in charts:
            sheet, kind = str(spec.get("sheet")), str(spec.get("type") or "bar")
            table = tables.get(sheet)
            if table is None:
                raise self.fail(f"没有带数据行的工作表“{sheet}”，图表“{spec.get('title')}”无法放置；"
                                "请在该工作表保留 {%tr for … %} 数据行")
            if kind not in ("bar", "line", "pie"):
                raise ValueError(f"图表类型 {kind!r} 不受支持（bar、line、pie）")
            start, stop = (spec.get("rows") or (0, table.last_row - table.first_row + 1))[:2]
            first, last = table.first_row + start, min(table.first_row + stop, table.last_row + 1) - 1
            if table.empty or last < first:
                continue
            ws = table.ws
            chart: Any = {"bar": BarChart, "line": LineChart, "pie": PieChart}[kind]()
            chart.title = spec.get("title")
            chart.width = float(spec.get("width") or self.table_width_cm(table))
            chart.height = float(spec.get("height") or 7.5)
            for name in spec.get("series") or []:
                col = self.column_of(table, name, {"label": f"图表 {spec.get('title')}", "formula": name})
                series = Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                                title=str(ws.cell(table.row - 1, col).value or name).replace("\n", ""))
                if kind == "line":
                    series.marker.symbol = "circle"
                    series.smooth = False
                chart.series.append(series)
            cats = self.column_of(table, str(spec.get("categories")),
                                  {"label": f"图表 {spec.get('title')}", "formula": spec.get("categories")})
            chart.set_categories(Reference(ws, min_col=cats, min_row=first, max_row=last))
            if kind == "pie":
                from openpyxl.chart.label import DataLabelList

                chart.dataLabels = DataLabelList(showPercent=True, showCatName=True, showVal=False, showSerName=False,
                                                 showLegendKey=False)
            else:
                chart.y_axis.title = spec.get("y_title")
                if spec.get("y_format"):
                    chart.y_axis.number_format = spec["y_format"]
                chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl ≥3.1 hides axes otherwise
                chart.legend.position = "b"
            row = placed.get(sheet, ws.max_row + 2)
            if not spec.get("anchor"):
                keep_on_one_page(ws, row, chart.height)
            anchor = spec.get("anchor") or f"{get_column_letter(table.first_col)}{row}"
            ws.add_chart(chart, anchor)
            rows_used = math.ceil(chart.height / 0.53) + 1  # 15-point rows are about 0.53 cm
            placed[sheet] = row + rows_used
            if not spec.get("anchor") and ws.print_area:
                from openpyxl.worksheet.cell_range import CellRange

                areas = [CellRange(a.rsplit("!", 1)[-1].replace("$", "")) for a in ws.print_area.split(",")]
                areas[-1].expand(down=max(0, row + rows_used - 1 - areas[-1].max_row))
                ws.print_area = [a.coord for a in areas]


_POINTS_PER_CM = 72 / 2.54
_A4 = (595.0, 842.0)  # points, portrait


def _row_points(ws: Any, row: int) -> float:
    return float(ws.row_dimensions[row].height or ws.sheet_format.defaultRowHeight or 15)


def _column_points(ws: Any, first: int, last: int, pixels: float) -> float:
    """The printed width of columns first..last when a width unit (a digit of the Normal font) is `pixels`
    wide, with 5 px of padding per column; columns the sheet leaves at the default are 8.43 units wide."""
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():  # one entry may stand for a run of equal columns (min..max)
        if dim.customWidth or dim.width:
            for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                widths[c] = float(dim.width or 8.43)
    return sum(widths.get(c, 8.43) * pixels + 5 for c in range(first, last + 1)) * 0.75


def _zooms(ws: Any, page_width: float) -> range:
    """The zooms (whole percent) fit-to-width printing may give the sheet. The zoom follows the width of the
    Normal font's digits: 7 px for 宋体 in Excel and WPS, up to 9 px where another font stands in
    (LibreOffice); when the sheet is not fitted to the page width, 100 %."""
    from openpyxl.worksheet.cell_range import CellRange

    setup = ws.sheet_properties.pageSetUpPr
    if not (setup is not None and setup.fitToPage and ws.page_setup.fitToWidth == 1):
        return range(100, 101)
    first, last = 1, ws.max_column
    if ws.print_area:
        areas = [CellRange(a.rsplit("!", 1)[-1].replace("$", "")) for a in ws.print_area.split(",")]
        first, last = min(a.min_col for a in areas), max(a.max_col for a in areas)
    margins = ws.page_margins
    usable = page_width - 72 * float((margins.left or 0.7) + (margins.right or 0.7))
    lowest, highest = (min(100, int(100 * usable / max(_column_points(ws, first, last, px), 1.0))) for px in (9, 7))
    return range(max(lowest, 10), max(highest, 10) + 1)


def keep_on_one_page(ws: Any, row: int, height_cm: float) -> None:
    """What starts at `row` and is `height_cm` tall — a chart, or rows that belong together — must not be cut
    across two printed pages: walk the printed rows as the printer fills A4 pages (repeated title rows at the
    top of every page after the first, manual breaks honoured) at every zoom fit-to-width printing may give the
    sheet, and when it would cross the bottom of its page at any of them, break the page before it — after
    row-2, so the row above it (a spacing row or its heading) starts the new page. After a long table that is
    usually so; a chart under a short table on the first page stays where it is."""
    from openpyxl.worksheet.pagebreak import Break

    width, height = _A4 if ws.page_setup.orientation != "landscape" else _A4[::-1]
    margins = ws.page_margins
    usable = height - 72 * float((margins.top or 0.75) + (margins.bottom or 0.75))
    titles = 0.0
    if ws.print_title_rows:
        first_title, last_title = (int(x) for x in str(ws.print_title_rows).replace("$", "").split(":"))
        titles = sum(_row_points(ws, r) for r in range(first_title, last_title + 1))
    breaks = {b.id for b in ws.row_breaks.brk}
    heights = [_row_points(ws, r) for r in range(1, row)]
    chart = height_cm * _POINTS_PER_CM * 1.03  # and a little for the printer's rounding of row heights

    def crosses(page: float) -> bool:  # page: the rows' points one page holds at a zoom
        used = 0.0
        for r, h in enumerate(heights, start=1):
            if used + h > page or (r - 1) in breaks:
                used = titles
            used += h
        return used + chart > page and used > titles and chart <= page - titles

    if any(crosses(usable * 100 / zoom) for zoom in _zooms(ws, width)):
        ws.row_breaks.append(Break(id=row - 2))


def _matches(value: Any, text: str | None, number: str | None) -> bool:
    """COUNTIF's equality test for a plain criterion (no wildcards or comparison signs)."""
    if text is not None and re.search(r"[*?~]|^[<>=]", text):
        raise ValueError(f"COUNTIF 条件 {text!r} 含通配符或比较符，无法在写入时计算，请同时给出 value")
    wanted = number if number is not None else text
    try:
        as_number: float | None = float(wanted)  # type: ignore[arg-type]
    except ValueError:
        as_number = None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return as_number is not None and float(value) == as_number
    if isinstance(value, str):
        return value.casefold() == str(wanted).casefold()
    return False


def render_xlsx(template: Path, context: dict[str, Any], *, name: str | None = None) -> bytes:
    """Fill an Excel template with context and return the .xlsx bytes (same context, same bytes);
    TemplateProblem names the template, sheet!cell and placeholder when a value is missing or the
    template is broken."""
    import warnings

    from openpyxl import load_workbook

    template = Path(template)
    name = name or template.name
    if not template.is_file():
        raise TemplateProblem(f"找不到模板 {name}；请检查模板目录", file=template)
    try:
        with warnings.catch_warnings():  # extensions openpyxl does not keep are no concern here
            warnings.simplefilter("ignore")
            wb = load_workbook(template)
    except Exception as exc:  # noqa: BLE001 - zip/xml/openpyxl report a damaged file through many types
        raise TemplateProblem(f"模板无法打开（{type(exc).__name__}），它不是有效的 .xlsx 文件；请用 Excel 另存为 .xlsx",
                              file=template) from None
    filler = _Filler(wb, context, name, template)
    filler.fill_properties()
    summary = list(context.get("summary") or [])
    summary_table: _Table | None = None
    tables: dict[str, _Table] = {}
    for ws in wb.worksheets:
        table = filler.find_table(ws)
        filler.fill_header_footer(ws)
        filler.fill_cells(ws, table.row if table else None)
        if table is None:
            continue
        tables[ws.title] = table
        items = filler.items_of(table)
        extra = 2 + len(summary) if summary and summary_table is None else 0
        filler.write_rows(table, items, extra)
        filler.stretch_ranges(table, max(len(items), 1) - 1, max(len(items), 1) - 1 + extra)
        if extra:
            summary_table = table
            filler.write_summary(table, summary)
    if summary and summary_table is None:
        raise filler.fail("没有 {%tr for … %} 数据行，无法附加汇总；请在模板的数据行加上行标签")
    filler.add_charts(tables, list(context.get("charts") or []))
    wb.properties.modified = wb.properties.created
    return xlsx_bytes(wb)
