"""Workbooks computed from the archive (kpi_report, audit_report) start from their template in
templates_xlsx/ — styles, header block, fixed sheets, column widths, print setup — and the kind's code
adds only what the data decides. The contract with a template (tools/build_report_templates.py builds
the packaged ones; a user's copy in --templates may restyle anything but should keep the rows in place):

* ``{{ … }}`` placeholders in cells, print headers/footers and workbook properties are filled from the
  context plus the sheet's own values (e.g. ``indicator`` on an indicator sheet), strict and sandboxed
  like every other template: a value the data lacks is an error naming the cell;
* a sheet's rows from its *layout top* down are row models: a *sample row* (first cell ``{# 数据行 #}``)
  is written once per item with its cells' styles, height, merges and conditional formats; every other
  row (headings, blank rows, notes) is written once, under the rows before it.

Only text goes through write_cell (the formula-injection guard); formulas are the kinds' own (`Formula`)."""
from __future__ import annotations

import warnings
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import TemplateProblem
from docgen.render import cell_jinja_env, fit_rows, write_cell

# the company the computed workbooks speak for when their projects' plans do not say (the inputs' default)
COMPANY = "云南腾电科技有限公司"


def company_of(companies: list[str | None]) -> str:
    """The company a KPI or audit workbook speaks for: the one its projects' plans name (公司名称 on their
    covers), so the workbook never names another company than the plans; several, or none recorded (plans
    archived before it was), the default."""
    named = {c for c in companies if c}
    return named.pop() if len(named) == 1 else COMPANY

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import Rule
    from openpyxl.worksheet.worksheet import Worksheet

MARK = "{# 数据行 #}"  # the first cell of a sample row: docgen writes one row per item in its style
_PROPERTIES = ("title", "subject", "creator", "description", "keywords", "category")


@dataclass(frozen=True)
class Formula:
    """A formula the kind wrote (the one kind of cell written as a formula); everything else is data."""

    text: str


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write a value keeping the cell's (template) style: our formulas as formulas, all else as data,
    text Excel would run as a formula staying text."""
    cell = ws.cell(row, col)
    if isinstance(value, Formula):
        cell.value = value.text
    else:
        write_cell(cell, value)


def open_template(path: Path, name: str) -> Workbook:
    """The template as a workbook; TemplateProblem when it is not a readable .xlsx."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # extensions openpyxl does not keep are no concern here
            warnings.simplefilter("ignore")
            return load_workbook(path)
    except Exception:  # noqa: BLE001 - zip/xml/openpyxl report a damaged file through many types
        raise TemplateProblem(f"模板 {name} 无法打开，它不是有效的 .xlsx 文件；请用 Excel 另存为 .xlsx",
                              file=path) from None


def sheet(wb: Workbook, title: str, name: str, path: Path) -> Worksheet:
    """The template's sheet of that title; TemplateProblem when the template lacks it."""
    if title not in wb.sheetnames:
        raise TemplateProblem(f"模板 {name} 缺少工作表“{title}”（现有：{'、'.join(wb.sheetnames)}）；"
                              "请保留内置模板的工作表名称，只修改样式", file=path)
    return wb[title]


# --- placeholders ------------------------------------------------------------------------------


class Placeholders:
    """Fills ``{{ … }}`` in one template: sandboxed, StrictUndefined, a cell holding exactly one
    placeholder gets the value itself (numbers stay numbers)."""

    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path = name, path
        self.env = cell_jinja_env(header=False)  # the sandbox every Excel template is filled in
        self.header_env = cell_jinja_env(header=True)

    @staticmethod
    def has_tags(value: Any) -> bool:
        return isinstance(value, str) and ("{{" in value or "{%" in value)

    def value(self, text: str, scope: dict[str, Any], where: str, *, header: bool = False) -> Any:
        """The text filled in: the object itself when the text is one whole placeholder, else text."""
        import re

        from jinja2 import TemplateSyntaxError, Undefined, UndefinedError
        from jinja2.sandbox import SecurityError

        whole = None if header else re.fullmatch(r"\s*\{\{((?:(?!\{\{|\}\}|\{%).)*)\}\}\s*", text, re.DOTALL)
        try:
            if whole:
                result = self.env.compile_expression(whole[1], undefined_to_none=False)(scope)
                if isinstance(result, Undefined):
                    result._fail_with_undefined_error()
                return result
            return (self.header_env if header else self.env).from_string(text).render(scope)
        except UndefinedError as exc:
            found = re.search(r"'([^']+)' is undefined", str(exc)) or re.search(r"has no attribute '([^']+)'", str(exc))
            missing = found[1] if found else str(exc)
            raise TemplateProblem(f"模板 {self.name} 的{where}中的占位符 {text.strip()[:80]} 使用了变量 {missing}，"
                                  "但数据中没有这个值；请检查模板中的变量名（docgen templates check 可列出全部问题）",
                                  file=self.path) from None
        except TemplateSyntaxError as exc:
            raise TemplateProblem(f"模板 {self.name} 的{where}中有 Jinja 语法错误：{exc.message}（{text.strip()[:80]}）；"
                                  "请在 Excel 中修正该占位符", file=self.path) from None
        except SecurityError as exc:
            raise TemplateProblem(f"模板 {self.name} 的{where}试图访问不允许的内部属性（{exc}）；模板只能使用数据中的字段",
                                  file=self.path) from None

    def fill_sheet(self, ws: Worksheet, scope: dict[str, Any]) -> None:
        """Every placeholder of the sheet (cells, print header and footer); rows whose text grew are
        made tall enough for it. Call before writing data, so archive text is never evaluated."""
        filled = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f" and self.has_tags(cell.value):
                    write_cell(cell, self.value(cell.value, scope, f"单元格 {ws.title}!{cell.coordinate}"))
                    filled.add(cell.row)
        fit_rows(ws, sorted(filled))
        for what, label in (("Header", "页眉"), ("Footer", "页脚")):
            for kind in ("odd", "even", "first"):
                part_set = getattr(ws, f"{kind}{what}")
                for part in (part_set.left, part_set.center, part_set.right):
                    if self.has_tags(part.text):
                        part.text = self.value(part.text, scope, f"工作表“{ws.title}”的{label}", header=True)

    def fill_properties(self, wb: Workbook, scope: dict[str, Any]) -> None:
        props = wb.properties
        for attr in _PROPERTIES:
            text = getattr(props, attr)
            if self.has_tags(text):
                filled = self.value(text, scope, "文档属性")
                setattr(props, attr, str(filled) if filled not in (None, "") else None)


# --- row models ----------------------------------------------------------------------------------


@dataclass
class _Model:
    """One template row from the layout top down, as the template had it."""

    row: int
    sample: bool
    cells: dict[int, tuple[Any, Any]] = field(default_factory=dict)  # column -> (value, style array)
    height: float | None = None
    merges: list[tuple[int, int]] = field(default_factory=list)  # (first, last) column merged in the row
    formats: list[tuple[int, int, Rule]] = field(default_factory=list)  # (first, last) column, rule
    count: int = 1


class Layout:
    """The rows of a template sheet from `top` down, to be written again with each sample row repeated:
    `repeat` sets the counts, `first`/`rows` tell where a template row lands, `write` lays the rows out."""

    def __init__(self, ws: Worksheet, top: int, *, name: str, path: Path) -> None:
        from openpyxl.cell.cell import MergedCell

        self.ws, self.top, self.name, self.path = ws, top, name, path
        self.models: dict[int, _Model] = {}
        for r in range(top, max(ws.max_row, top) + 1):
            first = ws.cell(r, 1).value
            model = _Model(r, isinstance(first, str) and first.strip().startswith(MARK))
            for cell in ws[r]:
                if cell.has_style or (cell.value is not None and not isinstance(cell, MergedCell)):
                    value = None if model.sample or isinstance(cell, MergedCell) else cell.value
                    model.cells[cell.column] = (value, copy(cell._style))
            model.height = ws.row_dimensions[r].height if r in ws.row_dimensions else None
            self.models[r] = model
        for merged in ws.merged_cells.ranges:
            if merged.max_row < top:
                continue
            if merged.min_row != merged.max_row:
                raise self._problem(f"的合并单元格 {merged.coord} 跨越多行；第 {top} 行起只能合并同一行内的单元格")
            self.models[merged.min_row].merges.append((merged.min_col, merged.max_col))
        for cf in ws.conditional_formatting:
            for ref in cf.sqref.ranges:
                for r in range(max(ref.min_row, top), ref.max_row + 1):
                    self.models[r].formats.extend((ref.min_col, ref.max_col, rule) for rule in cf.rules)

    def _problem(self, message: str) -> TemplateProblem:
        return TemplateProblem(f"模板 {self.name} 工作表“{self.ws.title}”{message}；请参照内置模板修改，"
                               "不要插入或删除行", file=self.path)

    def repeat(self, row: int, count: int) -> None:
        """Write the sample row `row` `count` times (0: leave it out)."""
        model = self.models.get(row)
        if model is None or not model.sample:
            raise self._problem(f"第 {row} 行应为数据行（第一格为 {MARK}）")
        model.count = count

    def first(self, row: int) -> int:
        """Where the template's row `row` is written (the first of a repeated row's rows)."""
        out = self.top
        for r, model in self.models.items():
            if r == row:
                return out
            out += model.count
        raise self._problem(f"没有第 {row} 行")

    def rows(self, row: int) -> range:
        start = self.first(row)
        return range(start, start + self.models[row].count)

    @property
    def last(self) -> int:
        return self.top + sum(m.count for m in self.models.values()) - 1

    def write(self) -> None:
        """Lay the rows out: styles, heights, merges and conditional formats of each model on each of its
        rows; the fixed rows' text too (placeholders are filled afterwards), sample rows left empty."""
        from openpyxl.formatting.formatting import ConditionalFormattingList
        from openpyxl.formula.translate import Translator
        from openpyxl.utils import get_column_letter

        ws, top = self.ws, self.top
        for merged in [m for m in ws.merged_cells.ranges if m.max_row >= top]:
            ws.merged_cells.remove(merged)
        kept = ConditionalFormattingList()  # every rule numbered again, in order: priorities stay unique
        for cf in ws.conditional_formatting:
            above = [ref for ref in cf.sqref.ranges if ref.max_row < top]
            for rule in cf.rules if above else ():
                rule = copy(rule)
                rule.priority = 0
                kept.add(" ".join(ref.coord for ref in above), rule)
        if ws.max_row >= top:
            ws.delete_rows(top, ws.max_row - top + 1)
        for r in [r for r in ws.row_dimensions if r >= top]:
            del ws.row_dimensions[r]
        out = top
        for model in self.models.values():
            for r in range(out, out + model.count):
                for col, (value, style) in model.cells.items():
                    cell = ws.cell(r, col)
                    if isinstance(value, str) and value.startswith("="):  # a formula of the template moves along
                        value = Translator(value, origin=f"{get_column_letter(col)}{model.row}").translate_formula(
                            cell.coordinate)
                    cell.value = value
                if model.height is not None:
                    ws.row_dimensions[r].height = model.height
                for a, b in model.merges:
                    ws.merge_cells(start_row=r, start_column=a, end_row=r, end_column=b)
                for col, (_, style) in model.cells.items():  # merging re-creates the covered cells
                    ws.cell(r, col)._style = copy(style)
            if model.count:
                for a, b, rule in model.formats:
                    moved = copy(rule)
                    moved.priority = 0
                    origin = f"{get_column_letter(a)}{model.row}"
                    moved.formula = [Translator("=" + f, origin=origin).translate_formula(
                        f"{get_column_letter(a)}{out}")[1:] for f in rule.formula]
                    kept.add(f"{get_column_letter(a)}{out}:{get_column_letter(b)}{out + model.count - 1}", moved)
            out += model.count
        ws.conditional_formatting = kept

    def span(self, row: int) -> tuple[int, int]:
        """(first, last) column of a model row's styled cells."""
        cols = sorted(self.models[row].cells)
        return cols[0], cols[-1]


def empty_row(ws: Worksheet, row: int, first: int, last: int, text: str) -> None:
    """One row saying why a table has no data, across the table (instead of the row's own merges)."""
    styles = {c: copy(ws.cell(row, c)._style) for c in range(first, last + 1)}
    for merged in [m for m in ws.merged_cells.ranges if m.min_row <= row <= m.max_row]:
        ws.unmerge_cells(merged.coord)
    put(ws, row, first, text)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for c, style in styles.items():
        ws.cell(row, c)._style = style


def stamp_ledger(wb: Workbook, ledger: dict[str, Any] | None) -> None:
    """Record the archive ledger's head at the time the workbook was made (docgen.archive._evidence): in its
    custom document properties, which `docgen archive verify --against` reads, and in every sheet's footer,
    where a printed copy shows it."""
    if not ledger:
        return
    from openpyxl.packaging.custom import StringProperty

    from docgen.archive import HEAD_COUNT, HEAD_HASH

    for name in (HEAD_COUNT, HEAD_HASH):
        if name in wb.custom_doc_props:
            del wb.custom_doc_props[name]
    wb.custom_doc_props.append(StringProperty(name=HEAD_COUNT, value=str(ledger["count"])))
    wb.custom_doc_props.append(StringProperty(name=HEAD_HASH, value=ledger["hash"]))
    for ws in wb.worksheets:
        ws.oddFooter.center.text = f"归档账本：第 {ledger['count']} 行 {ledger['hash'][:12]}"
        ws.oddFooter.center.size = 7


def finish(wb: Workbook) -> bytes:
    """The workbook's bytes: Excel computes the formulas on opening (openpyxl stores no results) and the
    same template and data give the same bytes."""
    from docgen.render import FIXED_TIME, xlsx_bytes

    wb.calculation.fullCalcOnLoad = True
    wb.properties.created = wb.properties.created or FIXED_TIME
    wb.properties.modified = wb.properties.created
    return xlsx_bytes(wb)
