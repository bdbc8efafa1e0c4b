"""Document control (docgen.control, #14 item 4): the 版本 a document prints is the version the archive gives
it, 编制/审核/批准 come from the input or the plan, forms carry their own 表单编号 and 版本."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.computed import auditor, kpi_preparer
from docgen.control import HAND_DATE, HAND_NAME, Signoff, Signoffs, version_label
from docgen.errors import InputError, VersionMoved
from docgen.facts import view_of
from docgen.numbering import Numbering, parse_numbering
from docgen.pipeline import _archive_rendered, _render_specs, check_input, generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES
from tests.conftest import example_data as _load
from tests.conftest import write_input as _write

P = "YNTD-YW-2025-001"


def _contexts(path: Path, archive: Archive | None) -> list[dict]:
    """The contexts an input's documents are rendered with (control block included), nothing written."""
    item = check_input(path)
    assert item.errors == [], item.errors
    specs = item.kind.documents(item.model, archive=archive, warnings=[])
    return [r.spec.context for r in _render_specs(item, specs, TemplateSet(), archive=archive)]


def _printed_version(path: str) -> str:
    """The 版本 of a Word document's control rows (文件编号 | … | 版本 | …)."""
    import docx

    for table in docx.Document(path).tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if cells[0] == "文件编号" and "版本" in cells:
                return cells[cells.index("版本") + 1]
    raise AssertionError(f"{path} has no control rows")


@pytest.fixture
def planned(tmp_path) -> Archive:
    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet(), index=False)
    return archive


def test_version_label_and_hand_signed_lines():
    assert version_label(1) == "V1.0" and version_label(12) == "V12.0"
    ctx = Signoffs.of(prepared_by="张伟").with_plan(None)
    assert ctx.prepared == Signoff("张伟", None)
    lines = ctx.prepared.context()
    assert lines == {"name": "张伟", "date": HAND_DATE} and "手签" in HAND_DATE
    assert Signoff().context()["name"] == HAND_NAME == "（手签）"


def test_the_printed_version_is_the_archive_version_and_unchanged_keeps_it(tmp_path, planned):
    data = _load("service_report.yaml")
    path = _write(tmp_path, data, "report.yaml")
    [first] = generate([path], archive=planned, templates=TemplateSet(), index=False)
    assert (first.version, first.doc_version, first.status) == (1, "V1.0", "new")
    [again] = generate([path], archive=planned, templates=TemplateSet(), index=False)
    assert (again.version, again.doc_version, again.status) == (1, "V1.0", "unchanged")
    data["summary"] += "（补充：3月12日网卡更换后运行稳定。）"
    [second] = generate([_write(tmp_path, data, "report.yaml")], archive=planned, templates=TemplateSet(), index=False)
    assert (second.version, second.doc_version, second.status) == (2, "V2.0", "version")
    record = planned.latest(second.doc_id)
    assert record["doc_version"] == "V2.0" and record["doc_no"] == f"{P}-FWBG-2025-03"
    doc = view_of(planned).latest(second.doc_id)
    assert doc.version_label == "V2.0"
    assert doc.citation() == f"《运维服务报告（2025-03）》（文件编号 {P}-FWBG-2025-03，版本 V2.0）"
    assert _printed_version(second.path) == "V2.0"  # the page says so too


def test_the_plan_prints_its_own_version(tmp_path):
    archive = Archive(tmp_path / "archive")
    data = _load("plan.yaml")
    data["version"] = "V2.1"
    [doc] = generate([_write(tmp_path, data, "plan.yaml")], archive=archive, templates=TemplateSet(), index=False)
    assert (doc.version, doc.doc_version) == (1, "V2.1")
    assert archive.latest(doc.doc_id)["doc_version"] == "V2.1"


def test_another_writer_in_between_renders_again_with_the_real_version(tmp_path, planned):
    path = _write(tmp_path, _load("service_report.yaml"), "report.yaml")
    item = check_input(path)
    specs = item.kind.documents(item.model, archive=planned, warnings=[])
    [rendered] = _render_specs(item, specs, TemplateSet(), archive=planned)
    assert rendered.version == 1 and rendered.spec.context["control"]["version"] == "V1.0"
    # meanwhile another process archives version 1 of the same document
    spec = rendered.spec
    planned.put(b"other", project=spec.project, doc_type=spec.doc_type, key=spec.key, title=spec.title,
                date=spec.date, period=spec.period, ext=".docx", source="other", context_sha256="x")
    with pytest.raises(VersionMoved):
        planned.put(rendered.data, project=spec.project, doc_type=spec.doc_type, key=spec.key, title=spec.title,
                    date=spec.date, period=spec.period, ext=".docx", source="t", expect_version=1)
    assert len(planned.versions(planned.latest(f"{P}/service_report/2025-03")["doc_id"])) == 1  # nothing written
    doc = _archive_rendered(rendered, archive=planned, write_archive=True, outdir=None, source="t",
                            templates=TemplateSet())
    assert (doc.version, doc.doc_version) == (2, "V2.0")
    assert planned.latest(doc.doc_id)["doc_version"] == "V2.0"
    assert _printed_version(doc.path) == "V2.0"


def test_reports_take_the_names_they_lack_from_the_plan(tmp_path, planned):
    [ctx] = _contexts(_write(tmp_path, _load("service_report.yaml"), "r.yaml"), planned)
    control = ctx["control"]
    assert control["doc_no"] == ctx["doc_no"] == f"{P}-FWBG-2025-03" and control["version"] == "V1.0"
    assert control["prepared"] == {"name": "张伟", "date": "2025-04-03"}
    assert control["reviewed"] == {"name": "赵刚", "date": HAND_DATE}  # the plan's 运维部经理 reviewer
    assert control["approved"] == {"name": "刘建国", "date": HAND_DATE}  # the plan's approver
    assert [r["role"] for r in control["rows"]] == ["编制", "审核", "批准"]
    assert control["form_no"] == "" and control["form_version"] == ""


def test_the_input_approval_wins_over_the_plan(tmp_path, planned):
    data = _load("service_report.yaml")
    data["approval"] = {"reviewed_by": "王五", "reviewed_on": "2025-04-05", "approved_by": "钱六"}
    [ctx] = _contexts(_write(tmp_path, data, "r.yaml"), planned)
    assert ctx["control"]["reviewed"] == {"name": "王五", "date": "2025-04-05"}
    assert ctx["control"]["approved"] == {"name": "钱六", "date": HAND_DATE}


def test_without_a_plan_every_unknown_line_is_signed_by_hand(tmp_path):
    [ctx] = _contexts(_write(tmp_path, _load("service_report.yaml"), "r.yaml"), None)
    assert ctx["control"]["reviewed"] == {"name": HAND_NAME, "date": HAND_DATE}
    assert ctx["control"]["approved"] == {"name": HAND_NAME, "date": HAND_DATE}


def test_the_plan_signs_off_from_its_own_review(tmp_path):
    [ctx] = _contexts(EXAMPLES / "plan.yaml", None)
    control = ctx["control"]
    assert control["prepared"] == {"name": "张伟", "date": "2025-01-07"}
    assert control["reviewed"] == {"name": "赵刚", "date": "2025-01-08"}
    assert control["approved"] == {"name": "刘建国", "date": "2025-01-09"}
    assert control["version"] == "V1.0"


def test_pack_documents_are_prepared_by_the_pack_and_checked_by_the_plan(tmp_path, planned):
    contexts = _contexts(EXAMPLES / "routine.yaml", planned)
    for ctx in contexts:
        assert ctx["control"]["prepared"]["name"] == "李娜"
        assert ctx["control"]["reviewed"]["name"] == "赵刚"
        assert ctx["control"]["approved"]["name"] == "刘建国"


def test_forms_carry_the_form_number_not_sign_offs(tmp_path, planned):
    contexts = _contexts(EXAMPLES / "onsite.yaml", planned)
    assert contexts
    numbers = {ctx["control"]["form_no"] for ctx in contexts}
    assert numbers <= {"YNTD-ITSS-0901-JL01", "YNTD-ITSS-0901-JL02", "YNTD-ITSS-0901-JL03"}
    for ctx in contexts:
        assert ctx["control"]["form_version"] == "V1.0"
        assert ctx["control"]["reviewed"]["name"] == HAND_NAME  # the form's own rows say who checked it
    [remote] = _contexts(EXAMPLES / "remote.yaml", planned)
    assert remote["control"]["form_no"] == "YNTD-ITSS-0901-JL04"


def test_approval_dates_need_their_person_and_follow_the_preparation(tmp_path):
    data = _load("service_report.yaml")
    data["approval"] = {"reviewed_on": "2025-04-05", "approved_by": "钱六", "approved_on": "2025-04-01"}
    item = check_input(_write(tmp_path, data, "r.yaml"))
    assert [(i.level, i.path) for i in item.issues] == [
        ("error", "approval.reviewed_by"), ("warning", "approval.approved_on")]
    assert "审核人" in item.errors[0].message and "2025-04-03" in item.warnings[0].message
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "r.yaml")])
    assert result.exit_code == 1 and "approval.reviewed_by" in result.output


def test_form_numbers_are_overridable_per_archive(tmp_path):
    parsed = parse_numbering({"forms": {"现场服务单": {"number": "QR-YW-01", "version": "A/0"}}}, file=tmp_path / "n.yaml")
    assert parsed.form("onsite_form").no == "QR-YW-01" and parsed.form("onsite_form").version == "A/0"
    assert parsed.form("remote_record").no == "YNTD-ITSS-0901-JL04"
    assert Numbering().form("service_report") is None
    for bad, words in [({"forms": {"运维服务报告": {"number": "X"}}}, "不是表单"),
                       ({"forms": {"现场服务单": "QR"}}, "number（表单编号）"),
                       ({"forms": {"现场服务单": {"number": "QR 01"}}}, "不含空格"),
                       ({"forms": ["x"]}, "映射")]:
        with pytest.raises(InputError) as exc:
            parse_numbering(bad, file=tmp_path / "n.yaml")
        assert words in str(exc.value) and "n.yaml" in str(exc.value)


def test_an_overridden_form_number_is_printed(tmp_path, planned):
    (planned.root / "config").mkdir()
    (planned.root / "config" / "numbering.yaml").write_text(
        "forms:\n  远程服务记录: {number: QR-YW-04, version: B/1}\n", encoding="utf-8")
    docs = generate([EXAMPLES / "remote.yaml"], archive=planned, templates=TemplateSet(), index=False)
    import docx

    remote = next(d for d in docs if d.doc_type == "remote_record")
    document = docx.Document(remote.path)
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(p.text for s in document.sections for p in s.header.paragraphs)
    assert "QR-YW-04" in text and "B/1" in text


def test_computed_documents_name_who_prepared_them(tmp_path, planned):
    plan = view_of(planned).plan_facts(P)
    assert auditor(plan) == "孙丽"  # the plan's 质量部 reviewer
    assert kpi_preparer(plan) == "张伟"
    assert auditor(None) == kpi_preparer(None) == ""
    result = CliRunner().invoke(cli, ["--archive", str(planned.root), "kpi", "2025-03", "--prepared-by", " "])
    assert result.exit_code == 1 and "--prepared-by 的姓名为空" in result.output
    result = CliRunner().invoke(cli, ["--archive", str(planned.root), "audit", P, "--prepared-by", ""])
    assert result.exit_code == 1 and "--prepared-by 的姓名为空" in result.output
    result = CliRunner().invoke(cli, ["--archive", str(planned.root), "kpi", "2025-03", "--json"])
    assert result.exit_code == 0
    json.loads(result.stdout)


def test_the_forms_signature_lines_say_what_is_signed_by_hand(tmp_path, planned):
    import docx

    docs = generate([EXAMPLES / "onsite.yaml"], archive=planned, templates=TemplateSet(), index=False)
    report = next(d for d in docs if d.doc_type == "onsite_report")
    cells = [c.text for t in docx.Document(report.path).tables for r in t.rows for c in r.cells]
    [line] = {c for c in cells if "审核人签字" in c}
    assert "审核人签字：赵刚" in line and "日期：" + HAND_DATE in line
