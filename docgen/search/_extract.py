"""Plain text of a document for the full-text index, and the safety checks a file made elsewhere
must pass before it enters the archive (known type, not corrupt, not encrypted, not a zip bomb)."""
from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError as StdlibParseError

import docx
import openpyxl
import pypdf
from docx.opc.exceptions import OpcError
from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException
from pypdf.errors import DependencyError, PyPdfError

from docgen.errors import DocgenError

SUPPORTED = (".docx", ".xlsx", ".pdf", ".txt", ".md")

# Limits for zip-based files; module-level so tests can lower them instead of building huge files.
MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, summed over entries; also caps .txt/.md size
MAX_RATIO = 200
# Small XML parts (styles, empty sheets) legitimately compress far beyond 200:1; only a large
# entry with a huge ratio is suspicious.
RATIO_MIN_BYTES = 10 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls, and password-protected .docx/.xlsx
_EOCD = struct.Struct("<4s4H2LH")
# Word Online writes word/document2.xml (the main part is found through _rels/.rels), so the
# check accepts a numbered name rather than only word/document.xml.
_ZIP_KINDS = {
    ".docx": ("Word", re.compile(r"word/document\d*\.xml"), "word/document.xml"),
    ".xlsx": ("Excel", re.compile(r"xl/workbook\d*\.xml"), "xl/workbook.xml"),
}
# What python-docx / openpyxl / lxml raise on a damaged package. Kept concrete so that a bug in
# this module (AttributeError, TypeError) still surfaces instead of being blamed on the file.
_ZIP_READ_ERRORS = (KeyError, ValueError, IndexError, EOFError, zipfile.BadZipFile, zlib.error,
                    etree.LxmlError, StdlibParseError, InvalidFileException, OpcError)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _T, _TAB, _BR, _CR = _W + "p", _W + "t", _W + "tab", _W + "br", _W + "cr"
# mc:Fallback repeats a text box for old readers; w:moveFrom is text that also appears at w:moveTo.
_SKIP = {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", _W + "moveFrom"}
_HEADER_FOOTER_SLOTS = ("header", "first_page_header", "even_page_header",
                        "footer", "first_page_footer", "even_page_footer")


class UnsupportedDocument(DocgenError):
    """A file docgen cannot take into the archive: unknown type, corrupt, encrypted, or a zip bomb."""


def extract_text(path: Path) -> str:
    """Full text of `path` for indexing, lines joined by newlines; "" for a PDF without a text layer."""
    path = Path(path)
    suffix = _checked_suffix(path)
    if suffix in _ZIP_KINDS:
        _check_zip(path, suffix)
        read = _docx_text if suffix == ".docx" else _xlsx_text
        return _read_package(path, suffix, read)
    if suffix == ".pdf":
        return _pdf_text(path, full=True)
    return _plain_text(path)


def check_document(path: Path) -> None:
    """Raise UnsupportedDocument if `path` could not be archived and indexed; skips page-by-page work."""
    path = Path(path)
    suffix = _checked_suffix(path)
    if suffix in _ZIP_KINDS:
        _check_zip(path, suffix)
        _read_package(path, suffix, _open_package)
    elif suffix == ".pdf":
        _pdf_text(path, full=False)
    else:
        _plain_text(path)


def _fail(path: Path, message: str) -> UnsupportedDocument:
    return UnsupportedDocument(message, file=path)


def _checked_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        shown = suffix or "（无扩展名）"
        raise _fail(path, f"不支持的文件类型 {shown}；请另存为 {'/'.join(SUPPORTED)} 后重试")
    if not path.exists():
        raise _fail(path, "文件不存在；请检查路径是否正确")
    if not path.is_file():
        raise _fail(path, "不是普通文件（可能是文件夹）；请指定要归档的文件")
    return suffix


# --- zip-based formats --------------------------------------------------------------------

def _check_zip(path: Path, suffix: str) -> None:
    app, main_part, main_name = _ZIP_KINDS[suffix]
    redo = f"请用 {app} 打开并另存为 {suffix} 后重试"
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            if fh.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
                raise _fail(path, f"不是有效的 {suffix} 文件：这是旧版 Office 格式或设置了打开密码的文件；"
                                  f"请去掉密码，{redo}")
        raise _fail(path, f"不是有效的 {suffix} 文件（不是 zip 格式），可能已损坏或只是改了扩展名；{redo}")
    bomb = f"疑似压缩炸弹，拒绝解压；请确认文件来源，{redo}"
    # ZipFile() builds an object per central-directory entry, so a directory with millions of
    # entries would exhaust memory before infolist() could be counted: read the count first.
    declared = _declared_entry_count(path)
    if declared is not None and declared > MAX_ENTRIES:
        raise _fail(path, f"{bomb}（{declared} 个条目，上限 {MAX_ENTRIES}）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(path, f"不是有效的 {suffix} 文件，zip 目录已损坏（{exc}）；{redo}") from exc
    if len(infos) > MAX_ENTRIES:
        raise _fail(path, f"{bomb}（{len(infos)} 个条目，上限 {MAX_ENTRIES}）")
    # The declared sizes can be trusted as bounds: zipfile stops reading an entry at file_size
    # and fails the CRC check if the data claims more.
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise _fail(path, f"{bomb}（解压后共 {_mib(total)} MiB，上限 {_mib(MAX_TOTAL_BYTES)} MiB）")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise _fail(path, f"{bomb}（{info.filename} 压缩比 {ratio:.0f}:1，上限 {MAX_RATIO}:1）")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(main_part.fullmatch(n) for n in names):
        raise _fail(path, f"不是有效的 {suffix} 文件：缺少 {main_name}，文件已损坏或不是 {app} 文档；{redo}")


def _declared_entry_count(path: Path) -> int | None:
    """Entry count from the end-of-central-directory record (None if not found; ZipFile decides)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - _EOCD.size - 0xFFFF))  # the record may be followed by a comment
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    # 0xFFFF means "see the ZIP64 record", i.e. at least 65 535 entries: too many either way.
    return _EOCD.unpack_from(tail, at)[4]


def _read_package(path: Path, suffix: str, read: Callable[[Path], Any]) -> Any:
    app = _ZIP_KINDS[suffix][0]
    try:
        return read(path)
    except _ZIP_READ_ERRORS as exc:
        raise _fail(path, f"不是有效的 {suffix} 文件，无法读取内容（{type(exc).__name__}: {exc}），"
                          f"文件可能已损坏；请用 {app} 打开并另存为 {suffix} 后重试") from exc


def _open_package(path: Path) -> None:
    # Opening parses the main XML (for .xlsx the workbook, styles and shared strings), which
    # catches broken XML without walking every paragraph or row.
    if path.suffix.lower() == ".xlsx":
        _open_workbook(path).close()
    else:
        docx.Document(str(path))


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    lines = _paragraph_lines(document.element.body)
    seen: set[int] = set()
    for section in document.sections:
        for slot in _HEADER_FOOTER_SLOTS:
            part_owner = getattr(section, slot)
            if part_owner.is_linked_to_previous:  # no definition of its own: shown from an earlier section
                continue
            element = part_owner.part.element
            if id(element) not in seen:  # two sections may point at the same header part
                seen.add(id(element))
                lines += _paragraph_lines(element)
    return "\n".join(lines)


def _paragraph_lines(root: etree._Element) -> list[str]:
    """Text of every w:p under `root` in document order, non-empty ones only.

    Walking the XML rather than python-docx's paragraph/table objects reaches table cells
    (nested ones too, each merged cell once since continuation cells are empty), text boxes,
    content controls and tracked insertions, none of which python-docx's Paragraph.text covers."""
    lines: list[str] = []

    def walk(element: etree._Element, buffer: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == _P:
                slot = len(lines)
                lines.append("")  # reserve the place so a text box inside comes after its host line
                own: list[str] = []
                walk(child, own)
                lines[slot] = "".join(own).strip()
            elif tag == _T:
                buffer.append(child.text or "")
            elif tag == _TAB:
                buffer.append("\t")
            elif tag in (_BR, _CR):
                buffer.append("\n")
            elif tag not in _SKIP:
                walk(child, buffer)

    walk(root, [])
    return [line for line in lines if line]


def _open_workbook(path: Path) -> Any:
    return openpyxl.load_workbook(path, read_only=True, data_only=True)


def _xlsx_text(path: Path) -> str:
    workbook = _open_workbook(path)
    try:
        lines: list[str] = []
        for sheet in workbook.worksheets:
            lines.append(sheet.title)
            # Read-only mode trusts the <dimension> the writer declared; some tools declare A1
            # only, which would hide every other cell.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row if value is not None]
                cells = [c for c in cells if c]
                if cells:
                    lines.append("\t".join(cells))
        return "\n".join(lines)
    finally:
        workbook.close()  # read-only workbooks keep the zip open until closed


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel displays it
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))  # 30.0 → "30", as Excel shows it
        return repr(value)  # shortest round-trip form: 99.95 stays "99.95"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


# --- PDF and plain text -------------------------------------------------------------------

def _pdf_text(path: Path, *, full: bool) -> str:
    corrupt = "PDF 文件已损坏，无法读取（{}）；请用 PDF 阅读器打开并另存为 PDF 后重试"
    encrypted = "PDF 已加密，无法读取文字；请提供未加密的 PDF"
    # pypdf raises more than its own PyPdfError on malformed files (missing keys, bad numbers,
    # runaway nesting); these are the ones seen from its parser on damaged input.
    pdf_errors = (PyPdfError, ValueError, KeyError, IndexError, TypeError, RecursionError, zlib.error)
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            # A PDF with only an owner (permissions) password opens with an empty user password.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:  # AES without a crypto library
                raise _fail(path, f"{encrypted}（{exc}）") from exc
            if opened == pypdf.PasswordType.NOT_DECRYPTED:
                raise _fail(path, encrypted)
        if not full:
            _ = len(reader.pages)  # walks the page tree, the part of the file every reader needs
            return ""
        # A scanned PDF has no text layer: that yields "", which is not an error.
        pages = [page.extract_text() or "" for page in reader.pages]
    except pdf_errors as exc:
        raise _fail(path, corrupt.format(f"{type(exc).__name__}: {exc}")) from exc
    return "\n".join(text.strip() for text in pages if text.strip())


def _plain_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_TOTAL_BYTES:
        raise _fail(path, f"文本文件过大（{_mib(size)} MiB，上限 {_mib(MAX_TOTAL_BYTES)} MiB）；请拆分后再归档")
    data = path.read_bytes()
    # Windows Notepad's "Unicode" is UTF-16 with a BOM, which no 8-bit decoding below accepts.
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # decodes, but is binary data renamed to .txt
            break
        return text
    raise _fail(path, "无法识别文本编码或不是纯文本（只支持 UTF-8、GBK/GB18030、带 BOM 的 UTF-16）；"
                      "请用记事本另存为 UTF-8 后重试")


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0")
