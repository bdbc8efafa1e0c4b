"""The Excel 录入表 of an input kind: a workbook laid out from the pydantic model (基本信息 for scalar
fields, one sheet per list of objects, dropdowns for enums) and read back into the dict a YAML gives."""
from __future__ import annotations

import difflib
import io
import re
import types
import typing
import unicodedata
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, Union

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from docgen.errors import InputError, Issue
from docgen.fields import split_list_cell
from docgen.inputs._limits import check_size, check_xlsx
from docgen.render import write_cell
from docgen.validation import format_path

BASICS = "基本信息"
LISTS = "_lists"
GUIDE = "填写说明"
BASICS_HEADERS = ("字段", "值", "说明", "字段路径")
REQUIRED_MARK = " *"
DATE_FMT = "yyyy-mm-dd"
DATETIME_FMT = "yyyy-mm-dd hh:mm"
TEXT_FMT = "@"
LIST_SEPARATOR = "；"
VALIDATED_ROWS = 500  # dropdowns reach this far down a list sheet (further if the data does)
# Excel would evaluate these as formulas or DDE commands if a user's text started with them
_BOOL_WORDS = {"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False,
               "y": True, "n": False, "√": True, "×": False, "1": True, "0": False}
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NUMBER_FORMATS = {"date": DATE_FMT, "datetime": DATETIME_FMT, "text": TEXT_FMT, "choice": TEXT_FMT,
                   "list": TEXT_FMT, "bool": TEXT_FMT}


# ---------------------------------------------------------------- the layout, derived from the model
@dataclass(frozen=True)
class Column:
    """One 基本信息 row or one list-sheet column: a scalar field (or a `；`-joined list of values)."""

    header: str  # Chinese label shown, without the required mark
    key: tuple[str, ...]  # field path inside the item (from the root on 基本信息)
    shape: str  # text | date | datetime | int | float | bool | choice | list | any
    options: tuple[Any, ...] | None = None  # Literal values: a dropdown
    required: bool = False
    hint: str = ""
    level: int | None = None  # parent-key columns of a nested sheet: 0 = outermost ancestor


@dataclass(eq=False)
class Table:
    """A sheet holding one list of objects (or of free-keyed dicts), one item per row."""

    sheet: str
    path: tuple[str, ...]  # where the list sits, from the root or from the parent item
    title: str
    hint: str
    parent: Table | None
    parent_key: str | None  # the parent item's field its rows are linked by (None: the first one)
    free: bool  # list[dict]: the columns are whatever the headers say
    required: bool  # at least one row must be filled in
    fill_empty: bool  # required list without a minimum length: no rows means [] rather than missing
    columns: list[Column] = field(default_factory=list)
    link_key: tuple[str, ...] = ()  # set for nested tables: the parent column their rows point at


@dataclass
class Layout:
    basics: list[Column]
    tables: list[Table]


def _unwrap(annotation: Any) -> Any:
    """The type inside Annotated[...] and X | None."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _classify(annotation: Any) -> tuple[str, type[BaseModel] | None, tuple[Any, ...] | None]:
    """(shape, item model, Literal options) of a field's type."""
    def is_model(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, BaseModel)

    ann = _unwrap(annotation)
    origin = typing.get_origin(ann)
    if is_model(ann):
        return "model", ann, None
    if origin in (list, tuple, set, frozenset) or ann in (list, tuple, set, frozenset):
        args = typing.get_args(ann)
        item = _unwrap(args[0]) if args else Any
        if is_model(item):
            return "model_list", item, None
        if item is dict or typing.get_origin(item) is dict:
            return "dict_list", None, None
        if typing.get_origin(item) is Literal:
            return "list", None, tuple(a for a in typing.get_args(item) if a is not None)
        return "list", None, None
    if ann is dict or origin is dict:
        return "dict", None, None
    if origin is Literal:
        return "choice", None, tuple(a for a in typing.get_args(ann) if a is not None)
    for py_type, shape in ((bool, "bool"), (datetime, "datetime"), (date, "date"), (int, "int"),
                           (float, "float"), (str, "text")):
        if isinstance(ann, type) and issubclass(ann, py_type):
            return shape, None, None
    return "any", None, None


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _hint(info: FieldInfo, shape: str, options: tuple[Any, ...] | None) -> str:
    desc = info.description or ""
    parts = [desc] if desc else []
    if options and not all(str(o) in desc for o in options):
        parts.append("可选：" + " | ".join(_show(o) for o in options))
    if shape == "date" and "YYYY" not in desc:
        parts.append("格式 YYYY-MM-DD")
    elif shape == "datetime" and "YYYY" not in desc:
        parts.append("格式 YYYY-MM-DD HH:MM")
    elif shape == "bool":
        parts.append("填 是 或 否")
    elif shape == "list" and LIST_SEPARATOR not in desc:
        parts.append(f"多项用 {LIST_SEPARATOR} 分隔或换行")
    if (not info.is_required() and info.default not in (None, PydanticUndefined) and info.default != ""
            and "不填" not in desc):  # the description says itself what a blank means
        parts.append(f"不填默认为 {_show(info.default)}")
    return "；".join(parts)


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("", wanted).strip().strip("'")[:31] or "列表"
    name, n = base, 2
    while name.lower() in used:  # Excel compares sheet names without case
        suffix = str(n)
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _walk(model: type[BaseModel], *, keys: tuple[str, ...], prefix: str, required: bool,
          columns: list[Column], tables: list[Table], parent: Table | None, used: set[str]) -> None:
    for field_name, info in model.model_fields.items():
        name = info.alias or field_name  # the key as the input writes it (e.g. `from`, a Python keyword)
        shape, inner, options = _classify(info.annotation)
        key = keys + (name,)
        title = info.title or name
        needed = required and info.is_required()
        if shape == "model":
            _walk(inner, keys=key, prefix=f"{prefix}{title}-", required=needed, columns=columns,
                  tables=tables, parent=parent, used=used)
        elif shape in ("model_list", "dict_list"):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            least = max((getattr(m, "min_length", 0) or 0 for m in info.metadata), default=0)
            table = Table(sheet=_sheet_name(extra.get("sheet") or title, used), path=key,
                          title=prefix + title, hint=info.description or "", parent=parent,
                          parent_key=extra.get("parent_key"), free=inner is None,
                          required=needed and least > 0, fill_empty=needed and least == 0)
            tables.append(table)
            fixed = inner or extra.get("columns")  # free-keyed rows may still declare their fixed columns
            if fixed is not None:
                _walk(fixed, keys=(), prefix="", required=True, columns=table.columns, tables=tables,
                      parent=table, used=used)
        elif shape == "dict":
            raise TypeError(f"录入表不支持字典字段 {model.__name__}.{name}；请改为 list[dict] 或子模型")
        else:
            columns.append(Column(header=prefix + title, key=key, shape=shape, options=options,
                                  required=needed, hint=_hint(info, shape, options)))


def _link_columns(table: Table) -> list[Column]:
    """The parent-key columns a nested table starts with (outermost ancestor first)."""
    parent = table.parent
    assert parent is not None
    own = [c for c in parent.columns if c.level is None]
    if table.parent_key:
        key_col = next((c for c in own if c.key == (table.parent_key,)), None)
        if key_col is None:
            raise TypeError(f"parent_key {table.parent_key!r} 不是工作表 {parent.sheet} 的一列")
    elif own:
        key_col = own[0]
    else:
        raise TypeError(f"工作表 {table.sheet} 的上级 {parent.sheet} 没有可用作关联的列")
    table.link_key = key_col.key
    level = len([c for c in parent.columns if c.level is not None])
    link = replace(key_col, required=True, level=level,
                   hint=f"填写工作表“{parent.sheet}”中对应行的{key_col.header}，本行归入该行")
    return [c for c in parent.columns if c.level is not None] + [link]


def layout_of(model: type[BaseModel]) -> Layout:
    """Which field goes to which 基本信息 row or sheet column; `kind` always comes first."""
    basics: list[Column] = []
    tables: list[Table] = []
    _walk(model, keys=(), prefix="", required=True, columns=basics, tables=tables, parent=None,
          used={BASICS.lower(), LISTS.lower(), GUIDE.lower()})
    kind = [c for c in basics if c.key == ("kind",)] or [
        Column(header="输入类型", key=("kind",), shape="text", required=True)]
    basics = kind + [c for c in basics if c.key != ("kind",)]
    for table in tables:  # parents come before their nested tables
        if table.parent is not None:
            table.columns = _link_columns(table) + table.columns
        headers = [c.header for c in table.columns]
        table.columns = [c if headers.index(c.header) == n else replace(c, header=f"{c.header}（{'.'.join(c.key)}）")
                         for n, c in enumerate(table.columns)]
    return Layout(basics=basics, tables=tables)


# ---------------------------------------------------------------- small helpers
def _get(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _set(data: dict, keys: tuple[str, ...], value: Any) -> None:
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _normalize_header(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).rstrip("*＊")


def _key_text(value: Any) -> str:
    """A parent-key value as compared between sheets (30.0 == 30, dates without time)."""
    value = _read_value(value, "any", None)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _did_you_mean(word: str, choices: list[str], noun: str) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.4)
    if close:
        return f"，是否为 {close[0]}?"
    return f"，可用{noun}：{'、'.join(choices)}" if choices else ""


# ---------------------------------------------------------------- writing
def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return _show(value)


def _parse_iso(value: str, shape: str) -> Any:
    # JSON inputs hand dates over as text; a real date cell lets Excel show and sort it as one
    try:
        if shape == "date":
            return date.fromisoformat(value.strip())
        return datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        return value


def _cell_value(value: Any, shape: str) -> tuple[Any, str | None]:
    """The value to store for a field value, and its number format."""
    if value is None:  # the format still helps what the user types in later
        return None, _NUMBER_FORMATS.get(shape)
    if isinstance(value, bool) and shape == "bool":
        return _show(value), TEXT_FMT
    if isinstance(value, (list, tuple, set)):
        return LIST_SEPARATOR.join(_plain(v) for v in value), TEXT_FMT
    if isinstance(value, str) and shape in ("date", "datetime"):
        value = _parse_iso(value, shape)
    if isinstance(value, datetime):
        fmt = DATETIME_FMT if shape != "date" or value.time() != time() else DATE_FMT
        return value.replace(tzinfo=None), fmt
    if isinstance(value, date):
        return value, DATE_FMT
    if isinstance(value, (bool, int, float)):
        return value, None
    if isinstance(value, str):
        return value, _NUMBER_FORMATS.get(shape, TEXT_FMT)
    return str(value), TEXT_FMT


def _write_value(cell: Cell, value: Any, shape: str) -> None:
    stored, fmt = _cell_value(value, shape)
    write_cell(cell, stored)  # user text is always stored as text, never as a formula
    if fmt:
        cell.number_format = fmt
    cell.alignment = _WRAP


class _Choices:
    """The hidden `_lists` sheet: one column per distinct option list, referenced by dropdowns
    (an inline list would hit Excel's 255-character limit)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.sheet: Worksheet | None = None
        self.ranges: dict[tuple[str, ...], str] = {}

    def formula(self, options: tuple[Any, ...], title: str) -> str:
        shown = tuple(_show(o) for o in options)
        if shown not in self.ranges:
            if self.sheet is None:
                self.sheet = self.wb.create_sheet(LISTS)
            col = len(self.ranges) + 1
            write_cell(self.sheet.cell(1, col), title)
            for row, text in enumerate(shown, start=2):
                write_cell(self.sheet.cell(row, col), text)
            letter = get_column_letter(col)
            # stored as Excel itself stores it: a reference without the leading "="
            self.ranges[shown] = f"{LISTS}!${letter}$2:${letter}${len(shown) + 1}"
        return self.ranges[shown]

    def validation(self, column: Column) -> DataValidation:
        assert column.options
        listed = "、".join(_show(o) for o in column.options)
        message = f"“{column.header}”请从下拉列表中选择：{listed}"
        return DataValidation(type="list", formula1=self.formula(column.options, column.header),
                              allow_blank=True, showErrorMessage=True, errorStyle="stop",
                              errorTitle="输入有误", error=message[:225])

    def finish(self) -> None:
        if self.sheet is not None:
            self.sheet.sheet_state = "hidden"
            self.wb.move_sheet(self.sheet, offset=len(self.wb.sheetnames) - 1 - self.wb.index(self.sheet))


def _style_header(cell: Cell, *, required: bool) -> None:
    cell.font = _REQUIRED_FONT if required else _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _freeze_and_fit(ws: Worksheet) -> None:
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_basics(ws: Worksheet, columns: list[Column], data: dict, kind: str, choices: _Choices) -> None:
    for col, header in enumerate(BASICS_HEADERS, start=1):
        write_cell(ws.cell(1, col), header)
        _style_header(ws.cell(1, col), required=False)
    for row, column in enumerate(columns, start=2):
        label = ws.cell(row, 1)
        write_cell(label, column.header + (REQUIRED_MARK if column.required else ""))
        label.font = _REQUIRED_FONT if column.required else Font()
        label.alignment = _WRAP
        value = kind if column.key == ("kind",) else _get(data, column.key)
        cell = ws.cell(row, 2)
        _write_value(cell, value, column.shape)
        write_cell(ws.cell(row, 3), column.hint)
        ws.cell(row, 3).alignment = _WRAP
        write_cell(ws.cell(row, 4), ".".join(column.key))
        if column.options:
            dv = choices.validation(column)
            ws.add_data_validation(dv)
            dv.add(cell)
    labels = [c.header + REQUIRED_MARK for c in columns] + [BASICS_HEADERS[0]]
    ws.column_dimensions["A"].width = min(max(_text_width(t) for t in labels) + 4, 40)
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 64
    ws.column_dimensions["D"].hidden = True  # field paths: reading does not depend on the labels
    _freeze_and_fit(ws)


def _table_rows(table: Table, data: dict, done: dict[Table, list[tuple[tuple, dict]]]) -> list[tuple[tuple, dict]]:
    """(parent-key values, item) for every item of the table, in input order."""
    if table.parent is None:
        owners: list[tuple[tuple, Any]] = [((), data)]
    else:
        owners = [(links + (_get(item, table.link_key),), item) for links, item in done[table.parent]]
    rows = []
    for links, owner in owners:
        items = _get(owner, table.path)
        if isinstance(items, list):
            rows += [(links, item) for item in items if isinstance(item, dict)]
    done[table] = rows
    return rows


def _write_table(ws: Worksheet, table: Table, rows: list[tuple[tuple, dict]], choices: _Choices) -> None:
    declared = {c.key for c in table.columns}
    free_keys = dict.fromkeys(str(k) for _, item in rows for k in item if (str(k),) not in declared) \
        if table.free else {}
    columns = table.columns + [Column(header=k, key=(k,), shape="any") for k in free_keys]
    last_row = max(VALIDATED_ROWS, len(rows) + 200)
    for c, column in enumerate(columns, start=1):
        head = ws.cell(1, c)
        write_cell(head, column.header + (REQUIRED_MARK if column.required else ""))
        _style_header(head, required=column.required)
        if column.hint:
            head.comment = Comment(column.hint, "docgen", width=260, height=110)
        letter = get_column_letter(c)
        dim = ws.column_dimensions[letter]
        dim.number_format = _NUMBER_FORMATS.get(column.shape, "General")
        dim.alignment = _WRAP
        widths = [_text_width(column.header) + 4]
        for r, (links, item) in enumerate(rows, start=2):
            value = links[column.level] if column.level is not None else _get(item, column.key)
            _write_value(ws.cell(r, c), value, column.shape)
            if value is not None:
                widths.append(max(_text_width(line) for line in _plain(
                    _cell_value(value, column.shape)[0]).split("\n")) + 2)
        floor = 14 if column.shape in ("date", "datetime") else 10
        dim.width = max(floor, min(max(widths), 50))
        if column.options:
            dv = choices.validation(column)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last_row}")
    _freeze_and_fit(ws)


def _write_guide(ws: Worksheet, layout: Layout, title: str, kind: str) -> None:
    lines = [
        f"本录入表用于填写“{title.removesuffix('录入表')}”（kind: {kind}），填好后运行：docgen validate 本文件。",
        "带 * 的字段或列为必填；“基本信息”在“值”列填写，“说明”列给出格式与可选值。",
        "日期填 YYYY-MM-DD（如 2025-01-07），时间填 YYYY-MM-DD HH:MM（如 2025-03-02 09:30）。",
        f"一格内填写多项时，用 {LIST_SEPARATOR} 分隔或换行。带下拉箭头的单元格请从列表中选择。",
        "列表工作表每行一项，空行会被忽略；请勿修改表头（表头的批注是填写说明）。",
    ]
    for table in layout.tables:
        text = f"工作表“{table.sheet}”：{table.title}"
        if table.hint:
            text += f"（{table.hint}）"
        if table.required:
            text += "，至少填写一行"
        if table.parent is not None:
            links = "”“".join(c.header for c in table.columns if c.level is not None)
            text += f"；“{links}”列指明每行属于工作表“{table.parent.sheet}”中的哪一行"
        lines.append(text + "。")
    write_cell(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    for row, line in enumerate(lines, start=3):
        write_cell(ws.cell(row, 1), line)
        ws.cell(row, 1).alignment = _WRAP
    ws.column_dimensions["A"].width = 110


def write_form(model: type[BaseModel], *, kind: str, title: str, data: dict | None = None) -> bytes:
    """The 录入表 workbook (.xlsx bytes) for a model; `data` (a YAML-like dict) pre-fills it."""
    layout = layout_of(model)
    data = data or {}
    wb = Workbook()
    choices = _Choices(wb)
    basics = wb.active
    basics.title = BASICS
    _write_basics(basics, layout.basics, data, kind, choices)
    done: dict[Table, list[tuple[tuple, dict]]] = {}
    for table in layout.tables:
        _write_table(wb.create_sheet(table.sheet), table, _table_rows(table, data, done), choices)
    _write_guide(wb.create_sheet(GUIDE), layout, title, kind)
    choices.finish()
    wb.active = 0
    wb.properties.title = title
    wb.properties.creator = "docgen"
    wb.custom_doc_props.append(StringProperty(name="kind", value=kind))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading
@dataclass
class FormData:
    """A filled 录入表 as read: the YAML-like dict, the cell of every field path, structural issues."""

    data: dict
    cells: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _read_value(value: Any, shape: str, options: tuple[Any, ...] | None) -> Any:
    """A cell's value as the model expects it; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if shape == "list":
            return split_list_cell(value) or None
        if shape == "bool":
            return _BOOL_WORDS.get(value.lower(), value)
        if shape == "choice" and options and all(type(o) is int for o in options) \
                and re.fullmatch(r"-?\d+", value):
            return int(value)
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and shape != "datetime" and value.time() == time():
        value = value.date()
    elif isinstance(value, (time, timedelta)):
        value = str(value)
    if shape == "bool" and type(value) is int and value in (0, 1):
        return bool(value)
    return [value] if shape == "list" else value


def _open(path: Path, *, problems: list[Issue] | None = None) -> Workbook:
    """The workbook with cached values (what the user saw). With `problems`, cells a person cannot have meant
    are reported there and emptied: error values (#NAME? …) and formulas saved without their result."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = {FileNotFoundError: "文件不存在，请检查路径", IsADirectoryError: "这是一个目录，不是 Excel 录入表"}
        raise InputError(reason.get(type(exc), f"无法读取文件（{exc.strerror}）"), file=path) from None
    check_size(len(raw), path)
    check_xlsx(raw, path)
    try:
        with warnings.catch_warnings():  # WPS/Excel extensions openpyxl drops are no concern here
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(raw), data_only=True)
            if problems is not None:
                problems.extend(_unmeant_cells(wb, raw))
            return wb
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl reports a foreign or damaged file through many types
        raise InputError("不是有效的 Excel .xlsx 文件（可能是 .xls 旧格式、已加密或已损坏）；请在 Excel 中"
                         "另存为 .xlsx，或用 docgen init KIND --xlsx 重新生成录入表", file=path) from None


ERROR_VALUES = ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!",
                "#CALC!")


def _unmeant_cells(wb: Workbook, raw: bytes) -> list[Issue]:
    """Error values and formulas without a saved result, each emptied and reported at its sheet!cell with
    what to type instead (a typed `=更换网卡` becomes #NAME? once Calc or Excel saves it)."""
    found = []
    for ws in wb.worksheets:
        if ws.title.startswith("_"):  # the hidden list of choices
            continue
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "e" or (isinstance(value, str) and value.strip() in ERROR_VALUES):
                    found.append(Issue("error", "", f"单元格是错误值 {value}：Excel/WPS 把它当成了公式却算不出结果（常见原因："
                                       "输入的文字以 = 开头，如 =更换网卡）。请直接输入内容本身，开头不要用 =、+、-、@；"
                                       "确需以这些符号开头时，先输入一个英文单引号 '", f"{ws.title}!{cell.coordinate}"))
                    cell.value = None
    formulas = _formulas_without_values(wb, raw)
    for sheet, coordinate, formula in formulas:
        found.append(Issue("error", "", f"单元格是公式 {formula}，但文件中没有保存它的计算结果（由程序生成、未经 Excel/WPS "
                           "保存过的文件会这样）；请直接输入值，或在 Excel/WPS 中打开并保存后再提交", f"{sheet}!{coordinate}"))
    return found


def _formulas_without_values(wb: Workbook, raw: bytes) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula whose cached value is missing; the workbook is read a second
    time (formulas kept) only when its sheets contain formulas at all."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        sheets = (zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        has_formulas = any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    if not has_formulas:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = load_workbook(io.BytesIO(raw), data_only=False)
    found = []
    for ws in formulas.worksheets:
        if ws.title.startswith("_") or ws.title not in wb.sheetnames:
            continue
        values = wb[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and values[cell.coordinate].value is None:
                    found.append((ws.title, cell.coordinate, str(cell.value)))
    return found


def _sheet(wb: Workbook, name: str) -> Worksheet | None:
    """A sheet by name, ignoring case and stray spaces as Excel users would expect."""
    wanted = re.sub(r"\s+", "", name).lower()
    return next((ws for ws in wb.worksheets if re.sub(r"\s+", "", ws.title).lower() == wanted), None)


def _kind_cell(wb: Workbook) -> tuple[Any, str] | None:
    """The value and address of 基本信息's kind row (its path column says kind, else the first row)."""
    ws = _sheet(wb, BASICS)
    if ws is None:
        return None
    row = next((r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 4).value or "").strip() == "kind"), 2)
    return ws.cell(row, 2).value, f"{BASICS}!B{row}"


def _kind_of(wb: Workbook) -> str | None:
    for prop in wb.custom_doc_props:
        if prop.name == "kind" and str(prop.value or "").strip():
            return str(prop.value).strip()
    found = _kind_cell(wb)
    if found and str(found[0] or "").strip():
        return str(found[0]).strip()
    return None


def form_kind(path: Path) -> str | None:
    """The kind of a 录入表 (custom property `kind`, else 基本信息's kind row); InputError if unreadable."""
    return _kind_of(_open(Path(path)))


class _Reader:
    """Reads one workbook against a layout, collecting data, cells and issues."""

    def __init__(self, wb: Workbook, layout: Layout) -> None:
        self.wb = wb
        self.layout = layout
        self.data: dict[str, Any] = {}
        self.cells: dict[str, str] = {}
        self.issues: list[Issue] = []
        self.items: dict[Table, list[tuple[dict, str]]] = {}  # every item read, with its field path
        # nested table -> parent-key values -> candidate parent items (more than one: ambiguous)
        self.index: dict[Table, dict[tuple[str, ...], list[tuple[dict, str]]]] = {}

    def error(self, cell: str, message: str, *, level: str = "error") -> None:
        self.issues.append(Issue(level, "", message, cell))

    def map_cell(self, path: str, cell: str) -> None:
        self.cells[path] = cell
        while "." in path or "[" in path:  # let errors on a parent (project, risks[0]) find a cell too
            path = path.rsplit(".", 1)[0] if path.rfind(".") > path.rfind("[") else path.rsplit("[", 1)[0]
            self.cells.setdefault(path, cell)

    def read_basics(self) -> None:
        ws = _sheet(self.wb, BASICS)
        assert ws is not None
        by_path = {".".join(c.key): c for c in self.layout.basics}
        by_label = {_normalize_header(c.header): c for c in self.layout.basics}
        seen: dict[str, int] = {}
        for row in range(2, ws.max_row + 1):  # columns 字段 | 值 | 说明 | 字段路径 (hidden)
            label, value, _, path = (ws.cell(row, c).value for c in range(1, 5))
            path = str(path or "").strip()
            column = by_path.get(path) or by_label.get(_normalize_header(label))
            if column is None:
                if _read_value(label, "any", None) is not None or _read_value(value, "any", None) is not None:
                    name = str(label or path).strip()
                    self.error(f"{BASICS}!A{row}", f"未知字段 “{name}”"
                               f"{_did_you_mean(name, [c.header for c in self.layout.basics], '字段')}"
                               "（请使用录入表原有的字段，或删除该行）")
                continue
            dotted = ".".join(column.key)
            if dotted in seen:
                self.error(f"{BASICS}!A{row}", f"字段 “{column.header}” 重复出现（第 {seen[dotted]} 行和第 "
                           f"{row} 行），请删除其中一行")
                continue
            seen[dotted] = row
            self.map_cell(dotted, f"{BASICS}!B{row}")
            parsed = _read_value(value, column.shape, column.options)
            if parsed is not None:
                _set(self.data, column.key, parsed)

    def read_table(self, table: Table, ws: Worksheet) -> None:
        columns, blank_headers = self.match_headers(ws, table)
        links = [(c, col) for c, col in columns.items() if col.level is not None]
        own = [(c, col) for c, col in columns.items() if col.level is None]
        children = [t for t in self.layout.tables if t.parent is table]
        items = self.items.setdefault(table, [])
        wanted = [c.header for c in table.columns if c.level is not None]
        if table.parent is not None and len(links) < len(wanted):
            self.error(f"{ws.title}!A1", f"缺少关联列 {'、'.join(wanted)}，无法确定各行属于工作表"
                       f"“{table.parent.sheet}”中的哪一行；请恢复这些列")
            return
        reported_blank: set[int] = set()
        if table.parent is None:
            self.map_cell(format_path(table.path), f"{ws.title}!A2")
        for row, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            def at(c: int) -> Any:
                return values[c - 1] if c <= len(values) else None

            for c in blank_headers - reported_blank:
                if _read_value(at(c), "any", None) is not None:
                    reported_blank.add(c)
                    self.error(f"{ws.title}!{get_column_letter(c)}1",
                               "此列有内容但没有表头，无法识别；请补上列名或删除该列内容")
            item: dict[str, Any] = {}
            for c, col in own:
                parsed = _read_value(at(c), col.shape, col.options)
                if parsed is not None:
                    _set(item, col.key, parsed)
            if not item:  # a row with nothing but its parent key is still an empty row
                continue
            link_values = {col.level: _key_text(at(c)) for c, col in links}
            owner = self.owner_of(table, ws.title, row, links, link_values)
            if owner is None:
                continue
            owner_item, owner_path = owner
            container = _get(owner_item, table.path)
            if not isinstance(container, list):
                container = []
                _set(owner_item, table.path, container)
            container.append(item)
            item_path = (f"{owner_path}." if owner_path else "") + format_path(table.path) \
                + f"[{len(container) - 1}]"
            items.append((item, item_path))
            self.map_cell(item_path, f"{ws.title}!A{row}")
            for c, col in own:
                self.cells[f"{item_path}.{'.'.join(col.key)}"] = f"{ws.title}!{get_column_letter(c)}{row}"
            key = tuple(link_values.get(i, "") for i in range(len(links)))
            for child in children:
                by_key = self.index.setdefault(child, {})
                by_key.setdefault(key + (_key_text(_get(item, child.link_key)),), []).append((item, item_path))

    def owner_of(self, table: Table, sheet: str, row: int, links: list[tuple[int, Column]],
                 link_values: dict[int, str]) -> tuple[dict, str] | None:
        """The dict the row's item goes into: the root, or the parent item its key columns name."""
        if table.parent is None:
            return self.data, ""
        level_count = len(links)
        letters = {col.level: get_column_letter(c) for c, col in links}
        headers = {col.level: col.header for c, col in links}
        for level in range(level_count):
            if not link_values.get(level):
                self.error(f"{sheet}!{letters[level]}{row}",
                           f"请填写 {headers[level]}，以便把本行归入工作表“{table.parent.sheet}”中对应的行")
                return None
        key = tuple(link_values[i] for i in range(level_count))
        parents = self.index.get(table, {}).get(key, [])
        if len(parents) == 1:
            return parents[0]
        problem = ("中出现多次，无法确定本行属于哪一行；请让它们各不相同" if parents
                   else "中找不到对应的行；请检查是否填写一致")
        self.error(f"{sheet}!{letters[level_count - 1]}{row}", f"{headers[level_count - 1]} "
                   f"“{' / '.join(key)}” 在工作表“{table.parent.sheet}”{problem}")
        return None

    def match_headers(self, ws: Worksheet, table: Table) -> tuple[dict[int, Column], set[int]]:
        """Column number -> Column for the header row; unknown headers become issues."""
        known: dict[str, Column] = {}
        for col in table.columns:
            known.setdefault(_normalize_header(col.header), col)
            if col.level is None:
                known.setdefault(".".join(col.key), col)
        matched: dict[int, Column] = {}
        blank: set[int] = set()
        where: dict[str, str] = {}
        for c in range(1, ws.max_column + 1):
            raw = ws.cell(1, c).value
            cell = f"{ws.title}!{get_column_letter(c)}1"
            if _read_value(raw, "any", None) is None:
                blank.add(c)
                continue
            text = str(raw).strip()
            col = known.get(_normalize_header(text))
            if col is None and table.free:
                col = Column(header=text, key=(text,), shape="any")
            if col is None:
                own = [k.header for k in table.columns]
                self.error(cell, f"未知列 “{text}”{_did_you_mean(_normalize_header(text), own, '列')}"
                           "（请使用录入表原有的列名，或删除该列）")
                continue
            if col.header in where:
                self.error(cell, f"列 “{col.header}” 重复出现（{where[col.header]} 和 {cell}），请删除其中一列")
                continue
            where[col.header] = cell
            matched[c] = col
        return matched, blank

    def fill_empty_lists(self) -> None:
        """A required list that may be empty reads as [] (not missing) when its sheet is there."""
        for table in self.layout.tables:
            if not table.fill_empty or _sheet(self.wb, table.sheet) is None:
                continue
            if table.parent is None:
                owners = [self.data]
            else:
                owners = [item for item, _ in self.items.get(table.parent, [])]
            for owner in owners:
                # only where the list's own parent object exists: never conjure an optional sub-object
                if _get(owner, table.path) is None and (len(table.path) == 1
                                                        or isinstance(_get(owner, table.path[:-1]), dict)):
                    _set(owner, table.path, [])

    def unknown_sheets(self) -> None:
        known = {BASICS, LISTS, GUIDE} | {t.sheet for t in self.layout.tables}
        for ws in self.wb.worksheets:
            if any(_sheet(self.wb, name) is ws for name in known) or ws.sheet_state != "visible":
                continue
            if any(_read_value(v, "any", None) is not None for row in ws.iter_rows(values_only=True) for v in row):
                names = [t.sheet for t in self.layout.tables]
                self.error(f"{ws.title}!A1", f"未识别的工作表 “{ws.title}”，其内容已忽略"
                           f"{_did_you_mean(ws.title, names, '工作表')}", level="warning")


def read_form(path: Path, *, model: type[BaseModel] | None = None) -> FormData:
    """Read a filled 录入表 into the dict the kind's model validates (model: from the kind registry
    unless given). InputError when it is not a readable .xlsx, has no 基本信息 sheet or no kind."""
    path = Path(path)
    problems: list[Issue] = []
    wb = _open(path, problems=problems)
    if _sheet(wb, BASICS) is None:
        raise InputError(f"没有找到工作表 “{BASICS}”，这不是 docgen 的录入表；请用 docgen init KIND --xlsx "
                         "生成录入表后填写", file=path)
    kind = _kind_of(wb)
    if kind is None:
        raise InputError(f"录入表缺少输入类型：工作表 “{BASICS}” 第一行的 kind 为空；请填写 kind，或用 "
                         "docgen init KIND --xlsx 重新生成录入表", file=path)
    if model is None:
        from docgen.kinds import get_kind

        try:
            model = get_kind(kind).model
        except KeyError:  # validation reports the unknown kind with a suggestion
            found = _kind_cell(wb)
            return FormData(data={"kind": kind}, cells={"kind": found[1]} if found else {})
    reader = _Reader(wb, layout_of(model))
    reader.read_basics()
    reader.data.setdefault("kind", kind)
    for table in reader.layout.tables:
        ws = _sheet(wb, table.sheet)
        if ws is not None:
            reader.read_table(table, ws)
    reader.fill_empty_lists()
    reader.unknown_sheets()
    return FormData(data=reader.data, cells=reader.cells, issues=problems + reader.issues)
