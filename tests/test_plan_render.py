"""The plan .docx as a reader sees it: reopen with python-docx and check chapters, tables, names,
header and footer, fonts, the TOC field, escaping, and the archive-fed change history."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.errors import TemplateProblem
from docgen.pipeline import generate
from docgen.render import TemplateSet, render_docx
from tests.conftest import EXAMPLES

CHAPTERS = ["交付内容", "工作量与人力资源架构", "工作流程", "工具与资源", "风险", "沟通策略", "培训计划",
            "计划评审记录", "通知范围"]


def _generate(tmp_path: Path, path: Path, archive: Archive | None = None) -> tuple[docx.Document, dict]:
    archive = archive or Archive(tmp_path / "archive")
    [doc] = generate([path], archive=archive, templates=TemplateSet())
    return docx.Document(doc.path), doc.as_json()


def _all_text(document: docx.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _table_with(document: docx.Document, header: str) -> docx.table.Table:
    for table in document.tables:
        if header in [c.text.strip() for c in table.rows[0].cells]:
            return table
    raise AssertionError(f"no table with header {header}")


def _header_footer_text(document: docx.Document) -> str:
    texts = []
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            texts.extend(p.text for p in part.paragraphs)
    return "\n".join(texts)


@pytest.fixture
def example_doc(tmp_path):
    return _generate(tmp_path, EXAMPLES / "plan.yaml")


def test_every_chapter_is_a_real_heading(example_doc):
    document, _ = example_doc
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for title in CHAPTERS:
        assert any(title in h for h in headings), f"chapter {title} missing in {headings}"
    assert any(h.startswith("1") for h in headings) and any(h.startswith("7") for h in headings)


def test_tables_have_one_row_per_item(example_doc, plan_data):
    document, _ = example_doc
    assert len(_table_with(document, "应急措施").rows) == 1 + len(plan_data["risks"])
    assert len(_table_with(document, "姓名").rows) == 1 + len(plan_data["team"])
    sla_rows = _table_with(document, "计时方式").rows
    assert len(sla_rows) == 1 + len(plan_data["sla"])
    assert "30" in " ".join(c.text for c in sla_rows[1].cells)
    risk_row = [c.text for c in _table_with(document, "应急措施").rows[1].cells]
    assert "启动数据库应急预案，30分钟内切换至备库" in risk_row


def test_reviewers_notify_and_cover_facts(example_doc):
    document, _ = example_doc
    text = _all_text(document)
    for fact in ("赵刚", "孙丽", "运维部经理", "质量部", "陈主任", "客户接口人", "HT-2025-0031",
                 "某供电局调度自动化系统运维服务项目", "V1.0", "张伟", "2025-01-07", "首次发布"):
        assert fact in text, fact
    assert "未通过评审" not in text


def test_header_has_document_number_and_footer_has_page_x_of_y(example_doc):
    document, _ = example_doc
    assert "YNTD-YW-2025-001-JH" in _header_footer_text(document)
    footer_xml = "".join(s.footer._element.xml for s in document.sections)
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_east_asian_fonts_toc_field_and_header_rows(example_doc):
    document, meta = example_doc
    with zipfile.ZipFile(meta["path"]) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
        body = zf.read("word/document.xml").decode("utf-8")
        settings = zf.read("word/settings.xml").decode("utf-8")
    assert 'w:eastAsia="宋体"' in styles or "w:eastAsia=\"SimSun\"" in styles
    assert "TOC \\o" in body and 'w:dirty="true"' in body
    assert "w:updateFields" in settings
    assert "<w:tblHeader" in body


def test_user_text_is_escaped_everywhere(tmp_path, plan_data, write_yaml):
    plan_data["project"]["name"] = "A&B <系统> 运维"
    plan_data["doc_no"] = "DOC<&>1"
    plan_data["risks"][0]["risk"] = "=1+1 {{ x }} <script>"
    document, _ = _generate(tmp_path, write_yaml(plan_data))
    assert "A&B <系统> 运维" in _all_text(document)
    assert "=1+1 {{ x }} <script>" in _all_text(document)
    assert "DOC<&>1" in _header_footer_text(document)


def test_multiline_text_becomes_line_breaks(tmp_path, plan_data, write_yaml):
    plan_data["risks"][0]["mitigation"] = "第一步\n第二步"
    document, _ = _generate(tmp_path, write_yaml(plan_data))
    cell = [c for c in _table_with(document, "减缓措施").rows[1].cells if "第一步" in c.text][0]
    assert "第一步\n第二步" in cell.text


def test_failed_review_shows_watermark_and_warnings_in_review_section(tmp_path, plan_data, write_yaml):
    plan_data["review"]["reviewers"][1]["conclusion"] = "不通过"
    plan_data["review"]["notify"] = plan_data["review"]["notify"][:1]
    document, meta = _generate(tmp_path, write_yaml(plan_data))
    text = _all_text(document)
    assert "未通过评审" in text
    assert "通知范围未覆盖技术支撑组、客户接口人" in text
    assert len(meta["warnings"]) == 2


def test_regenerating_v2_lists_v1_and_identical_input_is_unchanged(tmp_path, plan_data, write_yaml):
    archive = Archive(tmp_path / "archive")
    _generate(tmp_path, write_yaml(plan_data, "v1.yaml"), archive)
    _, again = _generate(tmp_path, write_yaml(plan_data, "v1-copy.yaml"), archive)
    assert again["status"] == "unchanged" and again["version"] == 1
    plan_data.update(version="V2.0", prepared_on="2025-06-01", change_note="增加优化改善服务", approved_on="2025-06-03")
    for r in plan_data["review"]["reviewers"]:
        r["date"] = "2025-06-02"
    document, meta = _generate(tmp_path, write_yaml(plan_data, "v2.yaml"), archive)
    assert meta["status"] == "version" and meta["version"] == 2
    history = _table_with(document, "更改记录")
    versions = [row.cells[0].text for row in history.rows[1:]]
    assert versions[-2:] == ["V1.0", "V2.0"]
    assert "增加优化改善服务" in history.rows[-1].cells[-1].text
    _, same = _generate(tmp_path, write_yaml(plan_data, "v2-copy.yaml"), archive)
    assert same["status"] == "unchanged" and same["version"] == 2
    assert len(archive.versions(meta["doc_id"])) == 2


def test_missing_variable_names_template_part_and_tag(tmp_path):
    template = TemplateSet().find("plan.docx").path
    with pytest.raises(TemplateProblem) as err:
        render_docx(template, {"company": "X"})
    message = str(err.value)
    assert "plan.docx" in message and "数据中没有这个值" in message
    assert any(part in message for part in ("正文", "页眉", "页脚"))


def test_missing_variable_in_header_is_reported_as_header(tmp_path):
    template = TemplateSet().find("plan.docx").path
    from tests.test_templates import context_for

    ctx = context_for("plan.docx")
    del ctx["doc_no"]
    with pytest.raises(TemplateProblem) as err:
        render_docx(template, ctx)
    assert "doc_no" in str(err.value)


def test_generate_json_and_outdir_copy(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(EXAMPLES / "plan.yaml"),
                                      "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert set(doc) == {"doc_id", "doc_no", "doc_version", "doc_type", "project", "title", "date", "period", "version", "status", "path",
                        "sha256", "warnings"}
    assert doc["doc_type"] == "plan" and doc["period"] == "2025" and doc["date"] == "2025-01-07"
    assert doc["doc_no"] == "YNTD-YW-2025-001-JH"
    assert doc["status"] == "new" and doc["version"] == 1 and Path(doc["path"]).is_file()
    copies = list(out.glob("*.docx"))
    assert len(copies) == 1 and docx.Document(io.BytesIO(copies[0].read_bytes())).paragraphs


def test_no_archive_writes_only_outdir(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(EXAMPLES / "plan.yaml"),
                                      "--no-archive", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert Path(doc["path"]).parent == out and not (tmp_path / "a").exists()
