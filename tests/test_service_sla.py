"""SLA measures and facts of service records (docs/archive.md): minutes between the record's times, met
flags against the archived plan in force (or 无计划目标), the working-day clock, leftover ids."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from docgen.archive import Archive
from docgen.kinds import get_kind
from docgen.pipeline import check_input, generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES


def _example(name: str) -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8")))


def _specs(tmp_path: Path, data: dict, archive: Archive | None, name: str = "rec.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checked = check_input(path)
    assert checked.errors == [], checked.errors
    return {s.doc_type: s for s in get_kind(data["kind"]).documents(checked.model, archive=archive, warnings=[])}


def _archive_plan(tmp_path: Path, plan: dict) -> Archive:
    archive = Archive(tmp_path / "archive")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    generate([path], archive=archive, templates=TemplateSet())
    return archive


def test_without_plan_measures_are_recorded_as_no_plan_target(tmp_path):
    facts = _specs(tmp_path, _example("onsite.yaml"), None)["onsite_form"].facts.to_record()
    # 09:10 → 09:25 = 15; 09:10 → 12:40 = 210; 09:10 → 13:40 = 270; 12:40 → 14:10 = 90
    assert facts["measures"] == {"response_minutes": 15.0, "arrival_minutes": 210.0,
                                 "resolution_minutes": 270.0, "onsite_minutes": 90.0}
    assert facts["sla"] == "无计划目标" and facts["plan_version"] is None


def test_met_flags_against_the_archived_plan(tmp_path, plan_data):
    plan_data["sla"][1]["target"] = 200  # arrival 210 > 200: not met
    archive = _archive_plan(tmp_path, plan_data)
    facts = _specs(tmp_path, _example("onsite.yaml"), archive)["onsite_report"].facts.to_record()
    met = {s["metric"]: (s["value"], s["met"]) for s in facts["sla"]}
    assert met == {"response_minutes": (15.0, True), "arrival_minutes": (210.0, False),
                   "resolution_minutes": (270.0, True)}
    assert facts["plan_version"] == "V1.0"


def test_remote_record_has_no_arrival_or_onsite_measures(tmp_path, plan_data):
    archive = _archive_plan(tmp_path, plan_data)
    facts = _specs(tmp_path, _example("remote.yaml"), archive)["remote_record"].facts.to_record()
    # 10:00 → 10:12 = 12; 10:00 → 15:00 = 300
    assert facts["measures"] == {"response_minutes": 12.0, "resolution_minutes": 300.0}
    assert [s["metric"] for s in facts["sla"]] == ["response_minutes", "resolution_minutes"]
    assert facts["resolved_leftovers"][0]["ref"] == "XC-2025-0007#1"
    assert facts["satisfaction_score"] == 4 and facts["reviewed"] is True


def test_workday_clock_across_a_weekend(tmp_path, plan_data):
    plan_data["sla"][2].update(clock="workday", hours="08:30-17:30")
    archive = _archive_plan(tmp_path, plan_data)
    record = _example("remote.yaml")
    # Fri 2025-03-14 16:00 → Mon 2025-03-17 10:00: 90 (Fri) + 0 + 0 + 90 (Mon) = 180 working minutes
    record.update(requested_at="2025-03-14 16:00", responded_at="2025-03-14 16:10", resolved_at="2025-03-17 10:00")
    record["connection"]["verified_at"] = "2025-03-17 08:40"
    record["work"] = [{"at": "2025-03-17 09:00", "action": "处理", "result": "完成"}]
    record["resolved_leftovers"] = []
    record["customer_signoff"]["signed_at"] = "2025-03-17 10:05"
    record["session_closed"]["at"] = "2025-03-17 10:10"
    record["record"]["reviewed_at"] = "2025-03-18"
    facts = _specs(tmp_path, record, archive)["remote_record"].facts.to_record()
    resolution = next(s for s in facts["sla"] if s["metric"] == "resolution_minutes")
    assert resolution["clock"] == "workday" and resolution["value"] == 180.0 and resolution["met"] is True
    assert facts["measures"]["resolution_minutes"] == 3960.0  # 7×24: 66 hours


def test_workday_clock_across_national_day(tmp_path, plan_data):
    plan_data["sla"][0].update(clock="workday")
    archive = _archive_plan(tmp_path, plan_data)
    record = _example("onsite.yaml")
    # Tue 2025-09-30 17:00 → Thu 2025-10-09 09:00: 30 (Sep 30) + 0 (Oct 1–8 holiday) + 30 (Oct 9) = 60 > 30
    record.update(requested_at="2025-09-30 17:00", responded_at="2025-10-09 09:00", arrived_at="2025-10-09 10:00",
                  resolved_at="2025-10-09 11:00", departed_at="2025-10-09 11:30")
    record["preparation"]["requested_arrival"] = "2025-10-09 10:00"
    record["work"] = [{"at": "2025-10-09 10:10", "action": "处理", "result": "完成"}]
    record["customer_signoff"]["signed_at"] = "2025-10-09 11:10"
    record["report"]["submitted_at"] = "2025-10-10"
    facts = _specs(tmp_path, record, archive)["onsite_form"].facts.to_record()
    response = next(s for s in facts["sla"] if s["metric"] == "response_minutes")
    assert (response["value"], response["met"]) == (60.0, False)


def test_leftover_ids_and_record_facts(tmp_path):
    record = _example("onsite.yaml")
    record["leftover_issues"].append({"issue": "机柜标签缺失", "plan": "补贴标签", "owner": "王强", "due": "2025-03-31"})
    specs = _specs(tmp_path, record, None)
    assert set(specs) == {"onsite_form", "onsite_report", "leftover_confirmation"}
    facts = specs["onsite_form"].facts.to_record()
    assert [i["id"] for i in facts["leftover_issues"]] == ["XC-2025-0007#1", "XC-2025-0007#2"]
    for key, value in {"service_no": "XC-2025-0007", "engineer": "王强", "requested_at": "2025-03-12 09:10",
                       "responded_at": "2025-03-12 09:25", "arrived_at": "2025-03-12 12:40",
                       "resolved_at": "2025-03-12 13:40", "departed_at": "2025-03-12 14:10",
                       "satisfaction_score": 5, "reviewed": True}.items():
        assert facts[key] == value, key
    spec = specs["onsite_report"]
    assert (spec.key, spec.date.isoformat(), spec.period) == (("XC-2025-0007",), "2025-03-12", "2025-03")


def test_no_leftovers_no_confirmation_form(tmp_path):
    record = _example("onsite.yaml")
    record["leftover_issues"] = []
    del record["leftover_confirmed_by"]
    assert set(_specs(tmp_path, record, None)) == {"onsite_form", "onsite_report"}


def test_year_outside_the_calendar_is_an_error(tmp_path, plan_data):
    from docgen.metrics.clock import CalendarNotCovered

    plan_data["sla"][0].update(clock="workday")
    archive = _archive_plan(tmp_path, plan_data)
    record = _example("remote.yaml")
    record.update(requested_at="2099-03-02 09:00", responded_at="2099-03-02 09:10", resolved_at="2099-03-02 11:00")
    record["connection"]["verified_at"] = "2099-03-02 09:20"
    record["work"] = [{"at": "2099-03-02 09:30", "action": "处理", "result": "完成"}]
    record["resolved_leftovers"] = []
    record["customer_signoff"]["signed_at"] = "2099-03-02 11:05"
    record["session_closed"]["at"] = "2099-03-02 11:10"
    record["record"]["reviewed_at"] = "2099-03-03"
    with pytest.raises(CalendarNotCovered, match="2099"):
        _specs(tmp_path, record, archive)


def test_resolving_an_unknown_leftover_is_a_warning(tmp_path):
    archive = Archive(tmp_path / "a")
    docs = generate([EXAMPLES / "plan.yaml", EXAMPLES / "remote.yaml"], archive=archive, templates=TemplateSet())
    alone = next(d for d in docs if d.doc_type == "remote_record")
    assert any("归档库中没有遗留问题 XC-2025-0007#1" in w for w in alone.warnings)
    fresh = Archive(tmp_path / "b")
    docs = generate([EXAMPLES / "onsite.yaml", EXAMPLES / "remote.yaml"], archive=fresh, templates=TemplateSet())
    remote = next(d for d in docs if d.doc_type == "remote_record")
    assert remote.warnings == []
