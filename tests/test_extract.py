"""Text extraction and the pre-archive safety checks, on real files built on tmp_path."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from docx.oxml import parse_xml

from docgen.errors import DocgenError
from docgen.search import _extract
from docgen.search._extract import UnsupportedDocument, check_document, extract_text


# --- factories ----------------------------------------------------------------------------

def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("更换服务器A的网卡")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "XC-2025-0007"
    merged = table.cell(0, 1).merge(table.cell(0, 2))
    merged.text = "合并单元格"
    inner = table.cell(1, 0).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "嵌套表格内容"
    document.add_paragraph("结尾段落")
    section = document.sections[0]
    section.header.paragraphs[0].text = "文件编号 HT-2025-0031"
    section.footer.paragraphs[0].text = "第 1 页 运维部"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "首页页眉"
    document.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "设备清单"
    first.append(["设备", "单价", "数量"])
    first.append(["核心交换机", 99.95, 30.0])
    second = workbook.create_sheet("变更记录")
    second.append(["日期", "说明"])
    second.append([dt.datetime(2025, 3, 1), "机房巡检"])
    workbook.save(path)
    return path


def make_pdf(path: Path, text: str = "INC-002 disk alarm") -> Path:
    """A one-page PDF written by hand (pypdf cannot lay out text), with correct xref offsets."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def encrypt_pdf(source: Path, target: Path, *, user_password: str, owner_password: str) -> Path:
    writer = pypdf.PdfWriter(clone_from=source)
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def minimal_docx_entries() -> dict[str, bytes]:
    return {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def raises_unsupported(path: Path, *fragments: str) -> UnsupportedDocument:
    """Both entry points refuse `path` with a message naming the file and containing `fragments`."""
    for call in (extract_text, check_document):
        with pytest.raises(UnsupportedDocument) as info:
            call(path)
        message = str(info.value)
        assert message.startswith(str(path)), message
        for fragment in fragments:
            assert fragment in message, message
    return info.value


# --- .docx --------------------------------------------------------------------------------

def test_docx_body_tables_headers_and_footers(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "方案.docx")
    text = extract_text(path)
    for expected in ("更换服务器A的网卡", "XC-2025-0007", "嵌套表格内容", "结尾段落",
                     "文件编号 HT-2025-0031", "第 1 页 运维部", "首页页眉"):
        assert expected in text
    assert text.count("合并单元格") == 1
    lines = text.splitlines()
    assert lines.index("更换服务器A的网卡") < lines.index("XC-2025-0007") < lines.index("结尾段落")
    check_document(path)


def test_docx_later_section_linked_header_not_repeated(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx")
    document = docx.Document(str(path))
    document.add_section()  # its header is linked to the previous one
    document.save(str(path))
    assert extract_text(path).count("文件编号 HT-2025-0031") == 1


def test_docx_text_box_found_once(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("正文")
    txbx = ('<w:txbxContent><w:p><w:r><w:t>文本框里的告警编号 INC-009</w:t></w:r></w:p>'
            '</w:txbxContent>')
    paragraph._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><wps:txbx>{txbx}</wps:txbx></mc:Choice>'
        f'<mc:Fallback><w:pict><v:textbox>{txbx}</v:textbox></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r>'))
    document.save(str(path))
    text = extract_text(path)
    assert text.count("文本框里的告警编号 INC-009") == 1
    assert text.splitlines()[0] == "正文"


def test_docx_main_part_named_document2_as_word_online_writes_it(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "a.docx")
    renamed = {"word/document.xml": "word/document2.xml",
               "word/_rels/document.xml.rels": "word/_rels/document2.xml.rels"}
    with zipfile.ZipFile(source) as zf:
        entries = {renamed.get(n, n): zf.read(n) for n in zf.namelist()}
    for name in ("[Content_Types].xml", "_rels/.rels"):
        entries[name] = entries[name].replace(b"word/document.xml", b"word/document2.xml")
    path = make_zip(tmp_path / "b.docx", entries)
    assert "更换服务器A的网卡" in extract_text(path)


def test_docx_that_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "报告.docx"
    path.write_text("其实是文本", encoding="utf-8")
    raises_unsupported(path, "不是有效的 .docx 文件（不是 zip 格式）", "另存为 .docx")


def test_docx_that_is_an_old_or_encrypted_office_file(tmp_path: Path) -> None:
    path = tmp_path / "报告.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    raises_unsupported(path, "旧版 Office 格式或设置了打开密码")


def test_docx_zip_without_main_part(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.docx", {"[Content_Types].xml": b"<Types/>", "readme.txt": b"x"})
    raises_unsupported(path, "缺少 word/document.xml")


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "a.docx")
    with zipfile.ZipFile(source) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["word/document.xml"] = entries["word/document.xml"][:500]  # cut mid-element
    path = make_zip(tmp_path / "b.docx", entries)
    raises_unsupported(path, "无法读取内容", "文件可能已损坏")


def test_zip_bomb_by_compression_ratio(tmp_path: Path) -> None:
    entries = minimal_docx_entries() | {"word/media/zeros.bin": bytes(20 * 1024 * 1024)}
    path = make_zip(tmp_path / "x.docx", entries)
    raises_unsupported(path, "疑似压缩炸弹", "word/media/zeros.bin", "压缩比")


def test_zip_bomb_by_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_extract, "MAX_TOTAL_BYTES", 64 * 1024)
    path = make_zip(tmp_path / "x.xlsx", {"[Content_Types].xml": b"<Types/>",
                                          "xl/workbook.xml": bytes(100 * 1024)})
    raises_unsupported(path, "疑似压缩炸弹", "解压后共")


def test_zip_bomb_by_entry_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_extract, "MAX_ENTRIES", 5)
    entries = minimal_docx_entries() | {f"word/media/{i}.png": b"x" for i in range(10)}
    path = make_zip(tmp_path / "x.docx", entries)
    raises_unsupported(path, "疑似压缩炸弹", "12 个条目")


def test_normal_office_files_pass_the_default_limits(tmp_path: Path) -> None:
    check_document(make_docx(tmp_path / "a.docx"))
    check_document(make_xlsx(tmp_path / "a.xlsx"))


# --- .xlsx --------------------------------------------------------------------------------

def test_xlsx_sheets_numbers_dates(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "清单.xlsx")
    text = extract_text(path)
    lines = text.splitlines()
    assert "设备清单" in lines and "变更记录" in lines
    assert "核心交换机\t99.95\t30" in lines
    assert "30.0" not in text
    assert "2025-03-01\t机房巡检" in lines
    check_document(path)


def test_xlsx_workbook_is_closed(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "a.xlsx")
    extract_text(path)
    path.unlink()  # would fail on Windows if the read-only workbook kept the file open
    assert not path.exists()


def test_xlsx_with_broken_workbook_xml(tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "a.xlsx")
    with zipfile.ZipFile(source) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["xl/workbook.xml"] = b"<workbook"
    path = make_zip(tmp_path / "b.xlsx", entries)
    raises_unsupported(path, "不是有效的 .xlsx 文件", "用 Excel 打开")


def test_xlsx_that_is_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(make_docx(tmp_path / "a.docx").read_bytes())
    raises_unsupported(path, "缺少 xl/workbook.xml")


# --- .pdf ---------------------------------------------------------------------------------

def test_pdf_text(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "告警.pdf")
    assert "INC-002 disk alarm" in extract_text(path)
    check_document(path)


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    path = encrypt_pdf(make_pdf(tmp_path / "a.pdf"), tmp_path / "b.pdf",
                       user_password="secret", owner_password="owner")
    raises_unsupported(path, "PDF 已加密", "请提供未加密的 PDF")


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    path = encrypt_pdf(make_pdf(tmp_path / "a.pdf"), tmp_path / "b.pdf",
                       user_password="", owner_password="x")
    assert pypdf.PdfReader(path).is_encrypted
    assert "INC-002 disk alarm" in extract_text(path)
    check_document(path)


def test_pdf_without_text_layer_gives_empty_text(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "扫描件.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert extract_text(path) == ""


@pytest.mark.parametrize("data", [b"not a pdf at all", b"", b"%PDF-1.4\n1 0 obj\n<< /Type"])
def test_pdf_corrupt(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "坏.pdf"
    path.write_bytes(data)
    raises_unsupported(path, "PDF 文件已损坏")


# --- .txt / .md ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "encoding"), [("a.txt", "utf-8"), ("a.txt", "utf-8-sig"),
                                                ("a.txt", "gbk"), ("a.md", "utf-8"),
                                                ("a.txt", "utf-16")])
def test_plain_text_encodings(tmp_path: Path, name: str, encoding: str) -> None:
    path = tmp_path / name
    path.write_bytes("# 巡检记录\n更换服务器A的网卡\n".encode(encoding))
    assert extract_text(path) == "# 巡检记录\n更换服务器A的网卡\n"
    check_document(path)


def test_plain_text_undecodable_or_binary(tmp_path: Path) -> None:
    for data in (b"\xff\x80\x81\xfe\xff", b"MZ\x90\x00\x03\x00\x00\x00"):
        path = tmp_path / "a.txt"
        path.write_bytes(data)
        raises_unsupported(path, "无法识别文本编码或不是纯文本")


# --- type and existence -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "shown"), [("旧合同.doc", ".doc"), ("setup.exe", ".exe"),
                                             ("README", "（无扩展名）")])
def test_unsupported_suffix(tmp_path: Path, name: str, shown: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    raises_unsupported(path, f"不支持的文件类型 {shown}", "请另存为 .docx/.xlsx/.pdf/.txt/.md")


def test_suffix_case_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "NOTES.TXT"
    path.write_text("大写扩展名", encoding="utf-8")
    assert extract_text(path) == "大写扩展名"


def test_missing_file(tmp_path: Path) -> None:
    error = raises_unsupported(tmp_path / "不存在.docx", "文件不存在")
    assert isinstance(error, DocgenError)
    assert error.file == str(tmp_path / "不存在.docx")
