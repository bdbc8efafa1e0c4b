"""A read-only look at an archived file in the browser: Word through mammoth (which builds its HTML from
the document's structure and escapes every text itself), Excel as one table per sheet (cached values;
the template escapes every cell), PDF as itself, text in <pre>. Anything else: download it."""
from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 500  # per sheet: a preview, not a spreadsheet program
MAX_COLUMNS = 60
MAX_TEXT = 2_000_000  # characters of a .txt/.md shown

_HREF = re.compile(r'href="([^"]*)"')
_SAFE_LINK = re.compile(r"(https?:|mailto:|#)", re.IGNORECASE)


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]
    truncated: bool = False  # more rows or columns than a preview shows
    # (row, column) of cells that show their formula: nothing has computed them yet (a workbook written by
    # a program, docgen's own included, holds formulas that Excel/WPS compute when they open it)
    formulas: set[tuple[int, int]] = field(default_factory=set)

    @property
    def widths(self) -> list[int]:
        """Each column's width class 1–8 (steps of 5 character widths; a Chinese character is two), from
        its longest line, so 项目编号 and 文件编号 are not squeezed into one character per line. The page's
        Content-Security-Policy allows no inline styles: the classes are in style.css."""
        out = []
        for column in zip(*self.rows):
            longest = max((_display_width(line) for cell in column for line in cell.splitlines()), default=0)
            out.append(min(8, max(1, -(-longest // 5))))
        return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Preview:
    """What the preview page shows: kind html (mammoth's markup), sheets, text, pdf (the bytes as they
    are) or none (a Chinese reason; the page offers the download)."""

    kind: str
    html: str = ""
    sheets: list[Sheet] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    text: str = ""
    reason: str = ""


def preview_document(data: bytes, ext: str) -> Preview:
    """The preview of an archived file's bytes by its extension (.docx .xlsx .pdf .txt .md)."""
    ext = ext.lower()
    if ext == ".pdf":
        return Preview("pdf")
    if ext in (".txt", ".md"):
        return Preview("text", text=_decode(data)[:MAX_TEXT])
    # mammoth and openpyxl raise many kinds of errors on a damaged or unusual file; such a file is one to
    # download and open in Word/Excel, not a server error
    if ext == ".docx":
        try:
            return Preview("html", html=_word_html(data))
        except Exception:  # noqa: BLE001
            return Preview("none", reason="这份 Word 文档无法转换为网页预览")
    if ext == ".xlsx":
        try:
            return _workbook(data)
        except Exception:  # noqa: BLE001
            return Preview("none", reason="这份 Excel 工作簿无法转换为网页预览")
    return Preview("none", reason=f"{ext or '无扩展名'} 文件不支持在线预览")


def _word_html(data: bytes) -> str:
    import mammoth

    html = mammoth.convert_to_html(io.BytesIO(data)).value
    # mammoth copies a hyperlink's target as it is; only web, mail and in-page links stay links (CSP
    # forbids script anyway, this keeps `javascript:` and `file:` out of the page altogether)
    return _HREF.sub(lambda m: m.group(0) if _SAFE_LINK.match(m.group(1)) else 'href="#"', html)


def _workbook(data: bytes) -> Preview:
    from openpyxl import load_workbook

    # the values as last computed, and the formulas: a cell with a formula but no computed value shows it
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheets, hidden = [], []
        for ws, wf in zip(book.worksheets, formulas.worksheets):
            if ws.sheet_state != "visible":
                hidden.append(ws.title)
                continue
            sheets.append(_sheet(ws, wf))
        return Preview("sheets", sheets=sheets, hidden_sheets=hidden)
    finally:
        book.close()
        formulas.close()


def _sheet(ws: Any, wf: Any) -> Sheet:
    rows: list[list[str]] = []
    shown: set[tuple[int, int]] = set()
    truncated = False
    for n, (values, written) in enumerate(zip(ws.iter_rows(values_only=True), wf.iter_rows(values_only=True))):
        if n >= MAX_ROWS:
            truncated = True
            break
        cells = []
        for c, (value, formula) in enumerate(zip(values, written)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                shown.add((n, c))
                cells.append(formula)
            else:
                cells.append(_cell_text(value))
        if len(cells) > MAX_COLUMNS:
            truncated |= any(cells[MAX_COLUMNS:])
            cells = cells[:MAX_COLUMNS]
        rows.append(cells)
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return Sheet(ws.title, [r[:width] + [""] * (width - len(r)) for r in rows], truncated,
                 {(r, c) for r, c in shown if r < len(rows) and c < width})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == datetime.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GBK text still comes from Windows PCs
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
