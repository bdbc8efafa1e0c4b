"""`docgen templates list|check`, user template folders, and the Jinja sandbox."""
from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.errors import TemplateProblem
from docgen.render import TemplateSet, render_docx
from docgen.pipeline import check_templates, example_contexts
from docgen.render.check import split_tags
from tests.conftest import EXAMPLES


def context_for(template: str) -> dict:
    return copy.deepcopy(example_contexts()[template])


def _user_template(folder: Path, *paragraphs: str | list[str], name: str = "plan.docx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for text in paragraphs:
        para = document.add_paragraph()
        for run in [text] if isinstance(text, str) else text:
            para.add_run(run)
    path = folder / name
    document.save(path)
    return path


def test_packaged_templates_check_clean():
    findings = check_templates(TemplateSet())
    assert [f for f in findings if f.level != "info"] == []


def test_templates_list_shows_plan(tmp_path):
    result = CliRunner().invoke(cli, ["templates", "list"])
    assert result.exit_code == 0 and "plan.docx" in result.output and "内置模板" in result.output


def test_check_finds_unknown_variable_syntax_error_and_split_tag(tmp_path):
    folder = tmp_path / "tpl"
    _user_template(folder, "{{ project.nmae }}", "{% if review_passed %}", ["{{ proj", "ect.name }}"])
    result = CliRunner().invoke(cli, ["templates", "check", str(folder)])
    assert result.exit_code == 1
    assert "Jinja 语法错误" in result.stderr
    _user_template(folder, "{{ project.nmae }} {{ unknown_thing }}", ["{{ proj", "ect.name }}"])
    findings = check_templates(TemplateSet(folder), only_user=True)
    messages = " ".join(f.text() for f in findings)
    assert "project.nmae" in messages and "unknown_thing" in messages
    assert "被 Word 拆分" in messages


def test_check_reports_templates_missing_from_user_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["templates", "check", str(tmp_path / "empty")])
    assert result.exit_code == 0 and "plan.docx" in result.output and "内置模板" in result.output


def test_loop_variables_are_checked_against_list_items(tmp_path):
    folder = tmp_path / "tpl"
    _user_template(folder, "{% for r in risks %}{{ r.risk }}{{ r.riks }}{% endfor %}")
    findings = check_templates(TemplateSet(folder), only_user=True)
    assert [f.message for f in findings if "r.riks" in f.message]
    assert not [f for f in findings if "r.risk " in f.message]


def test_split_tag_detection():
    xml = '<w:p><w:r><w:t>{{ a</w:t></w:r><w:r><w:t>b }}</w:t></w:r></w:p><w:p><w:r><w:t>{{ c }}</w:t></w:r></w:p>'
    assert split_tags(xml) == ["{{ ab }}"]


def test_user_template_folder_is_used_and_missing_files_fall_back(tmp_path):
    folder = tmp_path / "tpl"
    _user_template(folder, "定制计划 {{ project.name }}")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--templates", str(folder), "--archive", str(tmp_path / "a"), "generate",
                                      str(EXAMPLES / "plan.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [copy_] = out.glob("*.docx")
    assert "定制计划 某供电局调度自动化系统运维服务项目" in docx.Document(copy_).paragraphs[0].text


def test_sandbox_blocks_internals(tmp_path):
    path = _user_template(tmp_path / "tpl", "{{ project.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem):
        render_docx(path, context_for("plan.docx"))
    path = _user_template(tmp_path / "tpl2", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem):
        render_docx(path, context_for("plan.docx"))


def test_missing_templates_folder_is_a_user_error(tmp_path):
    result = CliRunner().invoke(cli, ["--templates", str(tmp_path / "nope"), "generate", str(EXAMPLES / "plan.yaml")])
    assert result.exit_code == 1 and "模板目录不存在" in result.stderr


def test_broken_template_file_is_a_user_error(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "plan.docx").write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["--templates", str(folder), "--archive", str(tmp_path / "a"), "generate",
                                      str(EXAMPLES / "plan.yaml")])
    assert result.exit_code == 1 and "不是有效的 .docx" in result.stderr
    assert not (tmp_path / "a").exists()


def test_check_finds_unknown_placeholders_in_excel_templates(tmp_path):
    import openpyxl

    from docgen.render import packaged_dirs

    folder = tmp_path / "tpl"
    folder.mkdir()
    wb = openpyxl.load_workbook(packaged_dirs()[1] / "status_record.xlsx")
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "r.object" in cell.value:
                cell.value = cell.value.replace("r.object", "r.objct")
            if isinstance(cell.value, str) and "project.name" in cell.value:
                cell.value = cell.value.replace("project.name", "project.nmae")
    wb.save(folder / "status_record.xlsx")
    findings = check_templates(TemplateSet(folder), only_user=True)
    messages = " ".join(f.text() for f in findings if f.template == "status_record.xlsx")
    assert "r.objct" in messages and "project.nmae" in messages


# --- the documents computed from the archive (kpi_report, audit_report) -------------------------


def test_computed_documents_are_registered_apart_from_input_kinds(tmp_path):
    from docgen.kinds import computed_names, get_computed, get_kind, kind_names
    from docgen.pipeline import check_input

    assert len(kind_names()) == 10 and not {"kpi_report", "audit_report"} & set(kind_names())
    assert computed_names() == ["kpi_report", "audit_report"]
    kpi, audit = get_computed("kpi_report"), get_computed("audit_report")
    assert (kpi.stage, audit.stage) == (7, 8) and max(get_kind(n).stage for n in kind_names()) < kpi.stage
    assert (kpi.templates, audit.templates) == ({"kpi_report": "kpi_report.xlsx"}, {"audit_report": "audit_report.xlsx"})
    # no input file is of these kinds
    path = tmp_path / "kpi.yaml"
    path.write_text("kind: kpi_report\nmonth: 2025-03\n", encoding="utf-8")
    assert "未知的输入类型 kind: kpi_report" in " ".join(i.message for i in check_input(path).errors)
    assert CliRunner().invoke(cli, ["init", "kpi_report"]).exit_code == 2


def test_report_templates_are_listed_and_checked():
    result = CliRunner().invoke(cli, ["templates", "list"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "kpi_report.xlsx" in lines["kpi_report"] and "audit_report.xlsx" in lines["audit_report"]
    contexts = example_contexts()
    assert {"month", "scope_label", "indicator", "trend"} <= set(contexts["kpi_report.xlsx"])
    assert {"project", "project_name", "as_of", "months_text"} <= set(contexts["audit_report.xlsx"])


def test_check_finds_unknown_placeholders_in_report_templates(tmp_path):
    import openpyxl

    from docgen.render import packaged_dirs

    folder = tmp_path / "tpl"
    folder.mkdir()
    kpi = openpyxl.load_workbook(packaged_dirs()[1] / "kpi_report.xlsx")
    kpi["汇总"]["A3"] = "统计月份：{{ monthh }}"
    kpi["SLA达成率"]["A2"] = "{{ title }}——{{ indicator.nmae }}"
    kpi.save(folder / "kpi_report.xlsx")
    audit = openpyxl.load_workbook(packaged_dirs()[1] / "audit_report.xlsx")
    audit["审计结果"]["A2"] = "审计日期：{{ as_off }}"
    audit.save(folder / "audit_report.xlsx")
    findings = check_templates(TemplateSet(folder), only_user=True)
    errors = {f.template: f.message for f in findings if f.level == "error"}
    kpi_errors = " ".join(f.message for f in findings if f.template == "kpi_report.xlsx")
    assert "monthh" in kpi_errors and "indicator.nmae" in kpi_errors and "as_off" in errors["audit_report.xlsx"]
    result = CliRunner().invoke(cli, ["templates", "check", str(folder)])
    assert result.exit_code == 1 and "monthh" in result.stderr and "plan.docx" in result.output  # the rest: 内置


def test_report_template_builder_reproduces_the_committed_templates(tmp_path):
    import sys

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools"))
    try:
        import build_report_templates
    finally:
        sys.path.remove(str(root / "tools"))
    assert build_report_templates.main([], out_dir=tmp_path) == 0
    for name in ("kpi_report.xlsx", "audit_report.xlsx"):
        assert (tmp_path / name).read_bytes() == (root / "templates_xlsx" / name).read_bytes(), name


def test_every_registered_template_is_checked_against_a_context():
    """`templates check` knows the variables of every template, including those whose documents need archived
    records (the 重大事件(故障)的分析改进报告) or are made after the others (the 交付清单)."""
    from docgen.kinds import registered_templates
    from docgen.pipeline import example_contexts

    contexts = example_contexts()
    assert {name for _, _, name in registered_templates()} <= set(contexts)
    for context in contexts.values():
        assert context["control"]["version"] and "doc_no" in context
