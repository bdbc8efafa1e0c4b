"""The acceptance kind end to end (§5.4.4): the example against an archive built by hand, with every
figure of the deliverables list and the SLA self-assessment worked out in the comments; the one-month
deadline with month-end arithmetic; late application, open issues at final acceptance, dates out of
order; unchanged vs new version; an empty archive; `docgen init` and the Excel 录入表 round trip."""
from __future__ import annotations

import copy
import datetime
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.inputs._scaffold import scaffold_yaml
from docgen.inputs._xlsx import read_form, write_form
from docgen.kinds import get_kind, kind_names
from docgen.kinds.acceptance import acceptance_deadline
from docgen.kinds.acceptance.model import AcceptanceInput
from docgen.pipeline import check_input, generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES
from tests.test_init import _keys

P = "YNTD-YW-2025-001"  # the example plan: 2025-01-01…2025-12-31, SLA ≤30/≤240/≤480 min, ≥99.9 %, ≥4.5, ≥95 %
DOC_ID = f"{P}/acceptance_report"


@pytest.fixture
def data() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "acceptance.yaml").read_text(encoding="utf-8")))


def _write(tmp_path: Path, data: dict, name: str = "acceptance.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _put(archive: Archive, doc_type: str, period: str, *, day: str, key: tuple[str, ...] = (),
         facts: dict | None = None, data: bytes = b"x", title: str | None = None):
    return archive.put(data, project=P, doc_type=doc_type, key=key or (period,), title=title or f"{doc_type} {period}",
                       date=datetime.date.fromisoformat(day), period=period, ext=".txt", source="test",
                       facts=facts or {})


def _sla(**values: tuple[float, bool]) -> list[dict]:
    return [{"metric": m, "value": v, "met": met} for m, (v, met) in values.items()]


def _record(archive: Archive, doc_type: str, service_no: str, resolved_at: str, sla: list[dict], **extra) -> None:
    facts = {"service_no": service_no, "resolved_at": resolved_at, "measures": {s["metric"]: s["value"] for s in sla},
             "sla": sla, **extra}
    _put(archive, doc_type, resolved_at[:7], day=resolved_at[:10], key=(service_no,), facts=facts,
         title=f"{doc_type}（{service_no}）")


def build_archive(root: Path) -> Archive:
    """The example plan plus hand-made records; the figures each test expects are derived here."""
    archive = Archive(root)
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet())
    # service records (docs/archive.md: a record belongs to the month of its resolved_at)
    #   XC-0 2024-12-30 — before the project: never counted
    #   XC-1 2025-03-03 response 20 ✓ arrival 200 ✓ resolution 300 ✓ (leftover XC-1#1, closed by YC-1)
    #   XC-2 2025-06-10 response 40 ✗ arrival 250 ✗ resolution 400 ✓ (leftover XC-2#1, never closed)
    #   YC-1 2025-09-01 response 10 ✓ resolution 600 ✗
    _record(archive, "onsite_form", "XC-0", "2024-12-30 10:00",
            _sla(response_minutes=(100, False), arrival_minutes=(120, True), resolution_minutes=(200, True)))
    xc1 = _sla(response_minutes=(20, True), arrival_minutes=(200, True), resolution_minutes=(300, True))
    leftover1 = {"leftover_issues": [{"id": "XC-1#1", "issue": "交换机端口CRC错误", "plan": "更换跳线", "owner": "王强",
                                      "due": "2025-03-20"}]}
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00", xc1, **leftover1)
    _record(archive, "onsite_report", "XC-1", "2025-03-03 10:00", xc1, **leftover1)
    _record(archive, "onsite_form", "XC-2", "2025-06-10 16:00",
            _sla(response_minutes=(40, False), arrival_minutes=(250, False), resolution_minutes=(400, True)),
            leftover_issues=[{"id": "XC-2#1", "issue": "备用电源告警未消除", "plan": "更换电池", "owner": "李娜",
                              "due": "2025-07-01"}])
    _record(archive, "remote_record", "YC-1", "2025-09-01 11:00",
            _sla(response_minutes=(10, True), resolution_minutes=(600, False)),
            resolved_leftovers=[{"ref": "XC-1#1", "resolution": "已更换跳线", "at": "2025-09-01 10:30"}])
    # monthly service reports January…October (November and December missing), with availability:
    # eight months at 100 %, September 99.8 %, October 99.6 % → mean of 10 months = 999.4 / 10 = 99.94 % ≥ 99.9
    for month in range(1, 11):
        availability = {9: 99.8, 10: 99.6}.get(month, 100.0)
        _put(archive, "service_report", f"2025-{month:02d}", day=f"2025-{month:02d}-28",
             facts={"availability_percent": availability})
    # a second version of March's report: still one document, listed as v2
    _put(archive, "service_report", "2025-03", day="2025-03-29", facts={"availability_percent": 100.0}, data=b"v2")
    # surveys: 2024-12 is outside the project; Q1 90/20 = 4.5, Q2 70/16 = 4.375 →
    # overall = (90 + 70) / (20 + 16) = 160 / 36 = 4.44 < 4.5 (the mean of the two scores would be 4.4375)
    _put(archive, "survey_report", "2024-12", day="2024-12-28",
         facts={"overall": 5.0, "score_total": 50, "score_count": 10, "respondents": 2})
    _put(archive, "survey_report", "2025-Q1", day="2025-03-28",
         facts={"overall": 4.5, "score_total": 90, "score_count": 20, "respondents": 4})
    _put(archive, "survey_report", "2025-Q2", day="2025-06-27",
         facts={"overall": 4.375, "score_total": 70, "score_count": 16, "respondents": 4})
    # computed reports are not deliverables
    _put(archive, "kpi_report", "2025-03", day="2025-04-02")
    _put(archive, "audit_report", "2025", day="2026-01-05")
    return archive


def _table(document: docx.Document, *headers: str) -> list[list[str]]:
    """The rows (header row included) of the first table whose header row starts with `headers`."""
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if rows and tuple(rows[0][:len(headers)]) == headers:
            return rows
    raise AssertionError(f"no table with headers {headers}")


def _generate(archive: Archive, path: Path):
    [doc] = generate([path], archive=archive, templates=TemplateSet())
    return doc, docx.Document(doc.path)


# --- the deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("end", "deadline"), [
    ("2025-01-31", "2025-02-28"),  # no 31 February: the month's last day
    ("2024-01-31", "2024-02-29"),  # leap year
    ("2025-03-31", "2025-04-30"),
    ("2025-12-31", "2026-01-31"),  # across the year
    ("2025-01-15", "2025-02-15"),
    ("2025-02-28", "2025-03-28"),
])
def test_deadline_is_one_calendar_month_after_project_end(end, deadline):
    assert acceptance_deadline(datetime.date.fromisoformat(end)) == datetime.date.fromisoformat(deadline)


@pytest.mark.parametrize(("applied_on", "late"), [("2025-02-28", False), ("2025-03-01", True)])
def test_application_on_the_month_end_deadline_is_on_time(tmp_path, data, applied_on, late):
    data["project"]["end"] = "2025-01-31"
    data["internal"]["applied_on"] = applied_on
    for e in data["internal"]["evaluation"]:
        e["date"] = "2025-03-05"
    data["customer"]["preliminary"]["date"] = "2025-02-10"
    data["customer"]["preliminary"]["open_issues"][0]["due"] = "2025-02-20"
    data["customer"]["final"]["date"] = "2025-03-10"
    checked = check_input(_write(tmp_path, data))
    assert checked.errors == []
    warned = [w.text() for w in checked.warnings if w.path == "internal.applied_on"]
    assert bool(warned) is late
    if late:
        assert "晚于期限 2025-02-28" in warned[0] and "逾期 1 天" in warned[0]


# --- the example against a real archive -----------------------------------------------------------


def test_example_against_archive_deliverables_sla_and_findings(tmp_path):
    archive = build_archive(tmp_path / "archive")
    checked = check_input(EXAMPLES / "acceptance.yaml")
    assert checked.errors == [] and checked.warnings == []
    doc, document = _generate(archive, EXAMPLES / "acceptance.yaml")
    assert (doc.doc_id, doc.status, doc.version) == (DOC_ID, "new", 1)
    assert (doc.date, doc.period) == ("2026-01-20", "2025")  # applied_on; the project's end year
    assert doc.warnings == []
    text = "\n".join(p.text for p in document.paragraphs)
    assert "截止 2026-01-31" in text and "于 2026-01-20 提出内部验收申请，在期限内" in text

    # 2.1 deliverables: latest versions, by type; kpi/audit reports left out
    types = _table(document, "序号", "文档类型", "数量（份）")
    assert [(r[1], r[2]) for r in types[1:]] == [
        ("运维项目管理计划", "1"), ("现场服务单", "3"), ("现场服务报告单", "1"), ("远程服务记录", "1"),
        ("运维服务报告", "10"), ("需方满意度调查和分析报告", "3")]
    docs = _table(document, "序号", "文档类型", "标题", "期间", "版本", "日期")
    assert len(docs) - 1 == 1 + 3 + 1 + 1 + 10 + 3
    assert ["运维服务报告", "service_report 2025-03", "2025-03", "第 2 版", "2025-03-29"] in [r[1:] for r in docs]
    assert not [r for r in docs if r[1] in ("月度KPI统计表", "项目交付审计报告")]

    # 2.2 SLA self-assessment over 2025-01-01…2025-12-31
    sla = {r[1]: r for r in _table(document, "序号", "指标", "考核要求", "实际达成", "统计依据", "结论")[1:]}
    # response: XC-1 20 ✓, XC-2 40 ✗, YC-1 10 ✓ → 2/3; mean 70/3 = 23.33; p90 = ⌈2.7⌉ = 3rd smallest = 40
    assert sla["故障响应时间"][2:4] == ["≤30 分钟", "66.67%（2/3 条）"] and sla["故障响应时间"][5] == "未达标"
    assert "平均 23.33 分钟，P90 40 分钟" in sla["故障响应时间"][4]
    # arrival (onsite only): 200 ✓, 250 ✗ → 1/2
    assert sla["现场到达时间"][3] == "50%（1/2 条）" and sla["现场到达时间"][5] == "未达标"
    # resolution: 300 ✓, 400 ✓, 600 ✗ → 2/3
    assert sla["一般故障解决时间"][3] == "66.67%（2/3 条）"
    # availability: mean of the 10 months with a value = 99.94 ≥ 99.9
    assert sla["系统可用率"][3] == "99.94%" and sla["系统可用率"][5] == "达标"
    assert "10/12 个月有可用率数据" in sla["系统可用率"][4] and "2025-11、2025-12" in sla["系统可用率"][4]
    # satisfaction: 160 / 36 = 4.44 < 4.5
    assert sla["客户满意度"][3] == "4.44 分" and sla["客户满意度"][5] == "未达标"
    assert "160 ÷ 36" in sla["客户满意度"][4]
    # report ratio: due 12 monthly + 2 per_service (XC-1, XC-2) = 14; delivered Jan–Oct 10 + XC-1's report 1 = 11
    assert sla["服务报告比例"][3] == "78.57%（11/14）" and sla["服务报告比例"][5] == "未达标"
    surveys = _table(document, "序号", "调查期间", "受访人数", "总体满意度（分）")
    assert [r[1:] for r in surveys[1:]] == [["2025年第1季度（2025-Q1）", "4", "4.5"],
                                            ["2025年第2季度（2025-Q2）", "4", "4.38"]]
    assert "全年SLA指标中故障响应时间、现场到达时间、一般故障解决时间个别月份未达成，已分析原因并纳入下年度改进计划；服务报告按期提交。" in text

    # 2.3 evaluation, 3 customer acceptance
    evaluation = _table(document, "序号", "评估人", "部门/角色", "评估结论", "评估日期")
    assert [r[1:] for r in evaluation[1:]] == [["赵刚", "运维部经理", "合格", "2026-01-25"],
                                               ["孙丽", "质量部", "合格", "2026-01-26"]]
    issues = _table(document, "序号", "遗留问题", "解决措施", "计划完成日期", "状态")
    assert issues[1][1:] == ["备用交换机配置文档未移交", "终验前补交", "2026-02-12", "已解决"]
    assert "客户于 2026-02-15 进行终验，结论：终验通过，客户签字人：陈主任。" in text

    # 4 findings: SLA not met (3 record metrics, satisfaction, report ratio), XC-2#1 open at project end
    findings = [r[1:] for r in _table(document, "序号", "类别", "问题描述")[1:]]
    categories = [c for c, _ in findings]
    assert categories.count("SLA达成") == 5 and "内部验收申请" not in categories
    assert any(t.startswith("服务报告比例未达标：实际 78.57%（11/14），考核要求 ≥95%；未交齐的月份：") and "2025-06（1/2）" in t
               for _, t in findings)
    leftovers = [t for c, t in findings if c == "遗留问题"]
    assert len(leftovers) == 1 and "XC-2#1" in leftovers[0] and "2025-12-31" in leftovers[0]

    # facts (docs/archive.md: applied_on, deadline, open issues; findings and SLA results)
    facts = archive.latest(DOC_ID)["facts"]
    assert (facts["applied_on"], facts["deadline"], facts["on_time"], facts["open_issues"]) == \
        ("2026-01-20", "2026-01-31", True, [])
    by_metric = {s["metric"]: s for s in facts["sla"]}
    assert by_metric["response_minutes"]["records"] == 3 and by_metric["response_minutes"]["met"] is False
    assert by_metric["availability_percent"]["value"] == pytest.approx(99.94)
    assert by_metric["satisfaction_score"]["value"] == pytest.approx(160 / 36)
    assert (by_metric["report_ratio"]["due"], by_metric["report_ratio"]["delivered"]) == (14, 11)
    assert facts["deliverables"]["service_report"] == 10 and "kpi_report" not in facts["deliverables"]
    assert facts["leftovers_open_at_end"] == ["XC-2#1"]
    assert len(facts["findings"]) == 6


def test_regenerating_is_unchanged_and_new_archive_facts_make_a_new_version(tmp_path):
    archive = build_archive(tmp_path / "archive")
    first, _ = _generate(archive, EXAMPLES / "acceptance.yaml")
    again, _ = _generate(archive, EXAMPLES / "acceptance.yaml")
    assert (again.status, again.version) == ("unchanged", 1)
    # November's report arrives: the same input now gives a new version with the new count
    _put(archive, "service_report", "2025-11", day="2025-11-28", facts={"availability_percent": 100.0})
    later, document = _generate(archive, EXAMPLES / "acceptance.yaml")
    assert (later.status, later.version) == ("version", 2)
    sla = {r[1]: r for r in _table(document, "序号", "指标", "考核要求", "实际达成", "统计依据", "结论")[1:]}
    assert sla["服务报告比例"][3] == "85.71%（12/14）"


def test_empty_archive_still_generates_with_warnings(tmp_path):
    archive = Archive(tmp_path / "archive")
    doc, document = _generate(archive, EXAMPLES / "acceptance.yaml")
    assert doc.status == "new"
    assert any("没有项目 YNTD-YW-2025-001 的运维项目管理计划" in w for w in doc.warnings)
    findings = [r[2] for r in _table(document, "序号", "类别", "问题描述")[1:]]
    assert findings == ["归档库中没有本项目的运维项目管理计划，无法按计划的 SLA 指标评估达成情况。"]
    assert _table(document, "序号", "文档类型", "数量（份）")[1][0] == "归档库中没有本项目的交付文档。"
    assert _table(document, "序号", "指标", "考核要求", "实际达成", "统计依据", "结论")[1][0] == "无计划 SLA 指标可评估。"
    assert archive.latest(DOC_ID)["facts"]["sla"] == []


def test_project_end_differing_from_the_plan_is_a_warning(tmp_path, data):
    archive = build_archive(tmp_path / "archive")
    data["project"]["end"] = "2025-12-20"
    doc, _ = _generate(archive, _write(tmp_path, data))
    [warning] = [w for w in doc.warnings if "不一致" in w]
    assert "project.end（2025-12-20）" in warning and "（2025-12-31）" in warning


# --- rules ----------------------------------------------------------------------------------------


def test_late_application_is_a_warning_and_a_finding(tmp_path, data):
    data["internal"]["applied_on"] = "2026-02-05"  # deadline 2026-01-31: five days late
    for e in data["internal"]["evaluation"]:
        e["date"] = "2026-02-10"
    data["customer"]["preliminary"]["date"] = "2026-02-12"  # the customer's acceptance after the internal one
    data["customer"]["preliminary"]["open_issues"][0]["due"] = "2026-02-14"
    path = _write(tmp_path, data)
    checked = check_input(path)
    assert checked.errors == []
    [warning] = checked.warnings
    assert warning.path == "internal.applied_on" and "逾期 5 天" in warning.message and "§5.4.4.1" in warning.message
    archive = build_archive(tmp_path / "archive")
    doc, document = _generate(archive, path)
    assert any("逾期 5 天" in w for w in doc.warnings)
    assert "于 2026-02-05 提出内部验收申请，逾期 5 天" in "\n".join(p.text for p in document.paragraphs)
    findings = [r[1:] for r in _table(document, "序号", "类别", "问题描述")[1:]]
    assert findings[0] == ["内部验收申请", "内部验收申请日期 2026-02-05 晚于期限 2026-01-31（项目结束后一个月，§5.4.4.1），"
                                          "逾期 5 天。"]
    facts = archive.latest(DOC_ID)["facts"]
    assert (facts["on_time"], facts["days_late"]) == (False, 5)


def test_open_issue_not_done_at_final_is_a_warning_and_a_finding(tmp_path, data):
    data["customer"]["preliminary"]["open_issues"][0]["done"] = False
    path = _write(tmp_path, data)
    checked = check_input(path)
    [warning] = checked.warnings
    assert warning.path == "customer.preliminary.open_issues[0].done" and "§5.4.4.2" in warning.message
    archive = Archive(tmp_path / "archive")
    doc, document = _generate(archive, path)
    issues = _table(document, "序号", "遗留问题", "解决措施", "计划完成日期", "状态")
    assert issues[1][4] == "未解决"
    findings = {r[1]: r[2] for r in _table(document, "序号", "类别", "问题描述")[1:]}
    assert "备用交换机配置文档未移交" in findings["客户验收"] and "终验（2026-02-15）" in findings["客户验收"]
    assert archive.latest(DOC_ID)["facts"]["open_issues"] == [
        {"issue": "备用交换机配置文档未移交", "resolution": "终验前补交", "due": "2026-02-12"}]
    # acceptance in progress (no final yet): an open issue is no warning
    del data["customer"]["final"]
    checked = check_input(_write(tmp_path, data, "in_progress.yaml"))
    assert checked.errors == [] and checked.warnings == []


def test_missing_evaluating_department_is_a_warning(tmp_path, data):
    data["internal"]["evaluation"] = data["internal"]["evaluation"][:1]
    [warning] = check_input(_write(tmp_path, data)).warnings
    assert warning.path == "internal.evaluation" and "质量部" in warning.message


def test_failing_evaluation_is_a_warning_and_a_finding(tmp_path, data):
    data["internal"]["evaluation"][1]["conclusion"] = "不合格"
    path = _write(tmp_path, data)
    [warning] = check_input(path).warnings
    assert warning.path == "internal.evaluation[1].conclusion" and "不合格" in warning.message
    _, document = _generate(Archive(tmp_path / "archive"), path)
    findings = {r[1]: r[2] for r in _table(document, "序号", "类别", "问题描述")[1:]}
    assert findings["内部评估"] == "质量部 孙丽 于 2026-01-26 的评估结论为“不合格”（§5.4.4.1），内部验收未通过评估。"
    assert "运维部与质量部均已评估，其中 1 项评估结论为未通过。" in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize(("change", "fields"), [
    (lambda d: d["internal"].update(applied_on="2025-12-20"), ("internal.applied_on", "project.end")),
    (lambda d: d["customer"]["preliminary"].update(date="2025-12-30"), ("customer.preliminary.date", "project.end")),
    (lambda d: d["customer"]["final"].update(date="2026-01-05"), ("customer.final.date", "customer.preliminary.date")),
    (lambda d: d["internal"]["evaluation"][1].update(date="2026-01-19"),
     ("internal.evaluation[1].date", "internal.applied_on")),
])
def test_dates_out_of_order_are_refused_naming_both_fields(tmp_path, data, change, fields):
    change(data)
    path = _write(tmp_path, data)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "archive"), "generate", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = [x for x in result.stderr.splitlines() if "时间顺序错误" in x]
    assert all(f in line for f in fields), line
    assert not (tmp_path / "archive").exists()


def test_final_before_project_end_names_both_fields(tmp_path, data):
    data["customer"]["final"]["date"] = "2025-12-01"
    errors = [e.text() for e in check_input(_write(tmp_path, data)).errors]
    assert any("customer.final.date" in e and "project.end" in e for e in errors)
    assert any("customer.final.date" in e and "customer.preliminary.date" in e for e in errors)


# --- init and the Excel 录入表 ---------------------------------------------------------------------


def test_init_yaml_has_every_example_field_with_a_chinese_comment(tmp_path, data):
    out = tmp_path / "验收.yaml"
    result = CliRunner().invoke(cli, ["init", "acceptance", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.search(r"#\s*\S*[\u4e00-\u9fff]", line), f"no Chinese comment: {line}"
    blank = yaml.safe_load(text)
    assert blank["kind"] == "acceptance"
    assert _keys(data) <= _keys(blank)
    assert _keys(blank) - _keys(data) == {"company", "doc_no", "approval", "approval.reviewed_by",
                                          "approval.reviewed_on", "approval.approved_by", "approval.approved_on"}


def test_workbook_round_trip_and_generation(tmp_path, data):
    book = tmp_path / "acceptance.xlsx"
    result = CliRunner().invoke(cli, ["init", "acceptance", "--xlsx", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert {"基本信息", "内部评估", "初验遗留问题"} <= set(openpyxl.load_workbook(book).sheetnames)

    book.write_bytes(write_form(AcceptanceInput, kind="acceptance", title="项目验收录入表", data=data))
    form = read_form(book)
    assert form.issues == []
    assert AcceptanceInput.model_validate(form.data) == AcceptanceInput.model_validate(data)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(book), "--json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert doc["doc_type"] == "acceptance_report" and doc["date"] == "2026-01-20"

    # acceptance in progress: no final acceptance yet reads back as absent
    del data["customer"]["final"]
    book.write_bytes(write_form(AcceptanceInput, kind="acceptance", title="项目验收录入表", data=data))
    model = AcceptanceInput.model_validate(read_form(book).data)
    assert model.customer.final is None and model.customer.preliminary.open_issues[0].done is True


def test_registered_last_and_example_is_consistent():
    assert kind_names()[-1] == "acceptance" and get_kind("acceptance").templates == {
        "acceptance_report": "acceptance_report.docx"}
    assert set(yaml.safe_load(scaffold_yaml(AcceptanceInput, title="acceptance"))) >= {"kind", "project", "internal",
                                                                                         "customer"}
    # the spec's copy dates 初验 before the internal application; ours is the consistent one (tests/test_contract.py
    # checks the spec's copy is still accepted, with the order warning)
