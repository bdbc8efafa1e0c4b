"""Service records say what they are (#13 item 1): a category (故障 by default), an incident's level and
category, plan SLA entries that cover named categories, and requests/changes the customer scheduled
measured from the time the customer asked for — never as a fault resolved hours late."""
from __future__ import annotations

from pathlib import Path

from docx import Document

from docgen.archive import Archive
from docgen.facts import ServiceRecordFacts, view_of
from docgen.kinds import get_kind
from docgen.metrics.kpi import sla_figures
from docgen.pipeline import check_input, generate
from docgen.render import TemplateSet
from tests.conftest import example_data as _example
from tests.conftest import write_input as _write


def _change(category: str = "变更") -> dict:
    """A change the customer asked for at 09:00, wanted done at 20:00, done 20:00–20:40."""
    data = _example("onsite.yaml")
    data.pop("incident")
    data.update(category=category, service_no="XC-2025-0101", requested_at="2025-03-12 09:00",
                responded_at="2025-03-12 09:10", arrived_at="2025-03-12 19:50", resolved_at="2025-03-12 20:40",
                departed_at="2025-03-12 21:00", leftover_issues=[], resolved_leftovers=[])
    data.pop("leftover_confirmed_by", None)
    data["preparation"].update(content="计划内变更：前置机操作系统补丁升级", requested_arrival="2025-03-12 20:00")
    data["work"] = [{"at": "2025-03-12 20:00", "action": "按方案升级补丁", "result": "完成"}]
    data["customer_signoff"]["signed_at"] = "2025-03-12 20:45"
    return data


def _archive_with_plan(tmp_path: Path, plan: dict) -> Archive:
    archive = Archive(tmp_path / "archive")
    generate([_write(tmp_path, plan, "plan.yaml")], archive=archive, templates=TemplateSet())
    return archive


def _facts(tmp_path: Path, data: dict, archive: Archive | None) -> tuple[ServiceRecordFacts, list]:
    checked = check_input(_write(tmp_path, data, "record.yaml"))
    assert checked.errors == [], checked.errors
    specs = get_kind(data["kind"]).documents(checked.model, archive=archive, warnings=[])
    return specs[0].facts, specs


def test_a_change_is_not_measured_against_fault_targets(tmp_path, plan_data):
    archive = _archive_with_plan(tmp_path, plan_data)
    facts, specs = _facts(tmp_path, _change(), archive)
    assert facts.category == "变更" and not facts.is_incident and facts.incident_level is None
    assert facts.frozen_results() == []  # the plan's time metrics cover 故障 only (the default)
    # the form says so instead of "resolved 11 hours late"
    measures = {row["name"]: row for row in specs[1].context["measures"]}
    assert measures["解决时间"]["target"] == "不考核（计划的该指标不适用于变更类服务）"
    assert measures["解决时间"]["value"] == "40 分钟" and measures["解决时间"]["met"] == "—"
    assert specs[0].context["category"] == "变更" and specs[0].context["incident_text"] == "不适用"


def test_a_scheduled_change_is_measured_from_the_time_the_customer_asked_for(tmp_path, plan_data):
    for entry in plan_data["sla"]:
        if entry["metric"] in ("response_minutes", "arrival_minutes", "resolution_minutes"):
            entry["categories"] = ["故障", "变更"]
    archive = _archive_with_plan(tmp_path, plan_data)
    facts, specs = _facts(tmp_path, _change(), archive)
    results = {s.metric: s for s in facts.frozen_results()}
    # response from the request (09:00 → 09:10); arrival and resolution from the wanted 20:00
    assert results["response_minutes"].value == 10 and not results["response_minutes"].from_scheduled
    assert results["arrival_minutes"].value == 0 and results["arrival_minutes"].from_scheduled  # early: 0
    assert results["resolution_minutes"].value == 40 and results["resolution_minutes"].met
    assert facts.scheduled_at == "2025-03-12 20:00"
    rows = {row["name"]: row for row in specs[1].context["measures"]}
    assert any("自客户要求时间起算" in row["value"] for row in rows.values())


def test_without_a_category_a_record_is_an_incident_as_before(tmp_path, plan_data):
    archive = _archive_with_plan(tmp_path, plan_data)
    data = _example("onsite.yaml")
    data.pop("category")
    data.pop("incident")
    checked = check_input(_write(tmp_path, data, "old.yaml"))
    assert checked.errors == []
    assert [w.path for w in checked.warnings] == ["incident"]
    assert "按“一般”事件统计" in checked.warnings[0].message
    facts, _ = _facts(tmp_path, data, archive)
    assert facts.category == "故障" and facts.level == "一般" and not facts.major
    assert [s.metric for s in facts.frozen_results()] == ["response_minutes", "arrival_minutes", "resolution_minutes"]


def test_incident_level_and_category_reach_the_facts_and_the_form(tmp_path):
    data = _example("onsite.yaml")
    data["incident"] = {"level": "重大", "category": "网络"}
    facts, _ = _facts(tmp_path, data, None)
    assert (facts.incident_level, facts.incident_category, facts.major) == ("重大", "网络", True)
    archive = Archive(tmp_path / "archive")
    docs = generate([_write(tmp_path, data, "major.yaml")], archive=archive, templates=TemplateSet())
    form = next(d for d in docs if d.doc_type == "onsite_form")
    cells = [c.text for t in Document(form.path).tables for row in t.rows for c in row.cells]
    assert "服务类别" in cells and "故障" in cells and "重大（网络）" in cells


def test_incident_details_on_a_non_incident_are_warned_and_ignored(tmp_path):
    data = _change("服务请求")
    data["incident"] = {"level": "重大"}  # e.g. the blank scaffold's default left in place
    checked = check_input(_write(tmp_path, data, "odd.yaml"))
    assert checked.errors == [] and [w.path for w in checked.warnings] == ["incident"]
    assert "不是故障" in checked.warnings[0].message and "已忽略" in checked.warnings[0].message
    facts, _ = _facts(tmp_path, data, None)
    assert facts.incident_level is None and not facts.major


def test_unknown_category_and_level_are_errors_naming_the_field(tmp_path):
    data = _example("remote.yaml")
    data["category"] = "抢修"
    data["incident"] = {"level": "严重"}
    checked = check_input(_write(tmp_path, data, "bad.yaml"))
    assert {e.path for e in checked.errors} == {"category", "incident.level"}


def test_a_request_without_the_customers_time_is_warned(tmp_path):
    data = _change("服务请求")
    data["preparation"].pop("requested_arrival")
    checked = check_input(_write(tmp_path, data, "req.yaml"))
    assert checked.errors == []
    assert [w.path for w in checked.warnings] == ["preparation.requested_arrival"]


def test_categories_only_on_time_metrics(tmp_path, plan_data):
    entry = next(s for s in plan_data["sla"] if s["metric"] == "satisfaction_score")
    entry["categories"] = ["故障"]
    checked = check_input(_write(tmp_path, plan_data, "plan.yaml"))
    paths = [e.path for e in checked.errors]
    assert len(paths) == 1 and paths[0].endswith(".categories")


def test_plan_table_names_the_categories_a_metric_covers(tmp_path, plan_data):
    plan_data["sla"][0]["categories"] = "故障；服务请求"  # one Excel cell
    checked = check_input(_write(tmp_path, plan_data, "plan.yaml"))
    assert checked.errors == []
    spec = get_kind("plan").documents(checked.model, archive=None, warnings=[])[0]
    assert spec.context["sla"][0]["source"].endswith("（故障、服务请求类）")
    assert spec.facts.sla[0].categories == ["故障", "服务请求"]


def test_the_kpi_and_the_service_report_count_a_change_as_not_assessed(tmp_path, plan_data):
    archive = _archive_with_plan(tmp_path, plan_data)
    generate([_write(tmp_path, _example("onsite.yaml"), "fault.yaml"), _write(tmp_path, _change(), "change.yaml")],
             archive=archive, templates=TemplateSet())
    figures = {f.metric: f for f in sla_figures(archive, "2025-03", "YNTD-YW-2025-001")}
    assert figures["resolution_minutes"].records == 1  # the fault only
    report = _example("service_report.yaml")
    docs = generate([_write(tmp_path, report, "report.yaml")], archive=archive, templates=TemplateSet())
    text = "\n".join(p.text for p in Document(docs[0].path).paragraphs)
    assert "故障 1 次、变更 1 次" in text and "不考核 1 次" in text
    records = view_of(archive).service_records("YNTD-YW-2025-001")
    assert sorted(d.facts_as(ServiceRecordFacts).category for d in records.values()) == sorted(["故障", "变更"])
