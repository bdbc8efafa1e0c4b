"""Templates survive the office suites (#15 item 6): `templates check` agrees with rendering — every shipped
template opened and saved by LibreOffice (as WPS and Word users restyle them) passes the check and renders the
demo with the same text; punctuation typed into a tag is reported by tag with the fix; no shipped template has a
string literal inside a tag."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.facts import view_of
from docgen.pipeline import check_templates
from docgen.render import TemplateSet, packaged_dirs
from docgen.render.check import check_template_file
from docgen.search import extract_text

SOFFICE = shutil.which("soffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
P = "YNTD-YW-2025-001"


def _shipped() -> list[Path]:
    return sorted(p for folder in packaged_dirs() for p in folder.iterdir() if p.suffix in (".docx", ".xlsx"))


def _tags(path: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".xml") and (name.startswith("word/") or name.startswith("xl/")):
                xml = zf.read(name).decode("utf-8")
                text = html.unescape("".join(re.findall(r"<(?:w:)?t(?: [^>]*)?>([^<]*)</(?:w:)?t>", xml)))
                found += re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text)
    return found


def test_no_shipped_template_has_a_string_literal_in_a_tag():
    literals = [(p.name, t) for p in _shipped() for t in _tags(p) if re.search(r"[\"'“”‘’]", t)]
    assert not literals, literals


def _template_with(tmp_path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "自定义.docx"
    document.save(str(path))
    return path


def test_full_width_punctuation_in_a_tag_is_an_error_with_the_fix(tmp_path):
    path = _template_with(tmp_path, "项目：{{ project，name }}")
    findings = check_template_file(path, "自定义.docx", {"project": {"name": "x"}})
    assert [f.level for f in findings] == ["error"]
    assert "{{ project，name }}" in findings[0].message and "“，”改为“,”" in findings[0].message


def test_curly_quotes_in_a_tag_are_a_warning_since_they_still_render(tmp_path):
    path = _template_with(tmp_path, "{{ name|default(“无”) }}")
    findings = check_template_file(path, "自定义.docx", {"name": "张伟"})
    assert [f.level for f in findings] == ["warning"] and "弯引号" in findings[0].message
    from docgen.render import render_docx

    rendered = tmp_path / "out.docx"
    rendered.write_bytes(render_docx(path, {"name": "张伟"}, name="自定义.docx"))
    assert "张伟" in "\n".join(p.text for p in docx.Document(str(rendered)).paragraphs)


def test_a_quote_written_as_an_entity_is_what_the_renderer_sees(tmp_path):
    """LibreOffice writes a typed " inside text as &quot;: the check reads the XML as docxtpl does."""
    path = _template_with(tmp_path, '{{ name|default("无") }}')
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b'"\xe6\x97\xa0"', b"&quot;\xe6\x97\xa0&quot;")
    assert b"&quot;" in parts["word/document.xml"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert check_template_file(path, "自定义.docx", {"name": "张伟"}) == []


def _normalized(path: Path) -> str:
    """What a reader reads, less what the office suite legitimately changes: cached page-number fields, and
    the checksums a 交付清单 lists (the items are other bytes)."""
    text = re.sub(r"第 \d+ 页 共 \d+ 页", "第 X 页 共 Y 页", extract_text(path))
    return re.sub(r"\b[0-9a-f]{12}\b", "校验码", text)


@pytest.fixture(scope="module")
def office_templates(tmp_path_factory) -> Path:
    """Every shipped template opened and saved by headless LibreOffice (Writer for .docx, Calc for .xlsx)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    out = tmp_path_factory.mktemp("office")
    profile = out / "profile"
    for suffix, filt in ((".docx", "docx:MS Word 2007 XML"), (".xlsx", "xlsx:Calc MS Excel 2007 XML")):
        files = [str(p) for p in _shipped() if p.suffix == suffix]
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", filt,
                        "--outdir", str(out / "templates"), *files], check=True, capture_output=True, timeout=300)
    saved = out / "templates"
    assert sorted(p.name for p in saved.iterdir()) == sorted(p.name for p in _shipped())
    return saved


@needs_office
def test_templates_saved_by_libreoffice_pass_the_check(office_templates):
    findings = check_templates(TemplateSet(office_templates), only_user=True)
    assert [f.text() for f in findings if f.level != "info"] == []


@needs_office
def test_templates_saved_by_libreoffice_render_the_demo_with_the_same_text(office_templates, demo_archive, tmp_path):
    root = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["--archive", str(root), "--templates", str(office_templates), "demo"])
    assert result.exit_code == 0, result.output
    shipped = {d.doc_id: d for d in view_of(Archive(demo_archive[0])).documents(None)}
    saved = {d.doc_id: d for d in view_of(Archive(root)).documents(None)}
    assert set(saved) == set(shipped)
    different = [doc_id for doc_id, d in shipped.items()
                 if _normalized(demo_archive[0] / d.path) != _normalized(root / saved[doc_id].path)]
    assert different == []
