"""服务报告比例 and the record-based SLA figures (docs/archive.md "Report counting", "SLA metrics";
regulation §8), on real archives: every expected figure is worked out by hand in the comments."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from docgen.archive import Archive
from docgen.metrics.kpi import overall_report_ratio, p90_nearest_rank, report_ratio, sla_figures
from docgen.pipeline import generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"  # the example plan: 2025-01-01…2025-12-31, monthly service_report, per_service onsite_report


def _write(tmp_path: Path, data: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _plan(tmp_path: Path, plan: dict | None = None, name: str = "plan.yaml", archive: Archive | None = None) -> Archive:
    """An archive with the example plan (or `plan`) generated into it."""
    archive = archive or Archive(tmp_path / "archive")
    path = EXAMPLES / "plan.yaml" if plan is None else _write(tmp_path, plan, name)
    generate([path], archive=archive, templates=TemplateSet())
    return archive


def _put(archive: Archive, doc_type: str, period: str, *, day: str, key: tuple[str, ...] = (), project: str = P,
         facts: dict | None = None, data: bytes = b"x", title: str = "t"):
    return archive.put(data, project=project, doc_type=doc_type, key=key or (period,), title=title,
                       date=datetime.date.fromisoformat(day), period=period, ext=".txt", source="test",
                       facts=facts or {})


def _record(archive: Archive, doc_type: str, service_no: str, resolved_at: str, *, sla=None, measures=None,
            project: str = P):
    """A synthetic onsite/remote document carrying a record's facts (docs/archive.md identity and period)."""
    facts = {"service_no": service_no, "resolved_at": resolved_at, "measures": measures or {},
             "sla": [] if sla is None else sla}
    return _put(archive, doc_type, resolved_at[:7], day=resolved_at[:10], key=(service_no,), project=project,
                facts=facts)


def _slots(ratio):
    return [(s.doc_type, s.frequency, s.period, s.delivered_by is not None) for s in ratio.slots]


# --- 服务报告比例 -------------------------------------------------------------------------------


def test_march_monthly_report_written_in_april_and_per_service_reports(tmp_path):
    archive = _plan(tmp_path)
    # March's service report, written on 5 April: counts for March (its period), not April
    _put(archive, "service_report", "2025-03", day="2025-04-05")
    # a second version of it: the document still counts once
    assert _put(archive, "service_report", "2025-03", day="2025-04-06", data=b"v2").version == 2
    # an extra March document of the same type (a day inside March): never above 100 %
    _put(archive, "service_report", "2025-03-20", day="2025-03-20", key=("extra",))
    # two onsite records resolved in March (their 现场服务单), only XC-1 has its 现场服务报告单
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00")
    _record(archive, "onsite_form", "XC-2", "2025-03-31 23:50")
    _record(archive, "onsite_report", "XC-1", "2025-03-03 10:00")
    # resolved on 1 April: due in April, not March
    _record(archive, "onsite_form", "XC-3", "2025-04-01 00:10")
    # a 现场服务报告单 added by hand (archive add --service-no) naming another service_no: never meets XC-2
    _put(archive, "onsite_report", "2025-04-02", day="2025-04-02", key=("scan",),
         facts={"original_name": "scan.pdf", "characters": 0, "service_no": "XC-9"})  # as archive add writes

    march = report_ratio(archive, "2025-03", P)
    # due: service_report 2025-03 (1) + onsite_report XC-1, XC-2 (2) = 3; delivered: 2025-03, XC-1 = 2
    assert (march.due, march.delivered) == (3, 2)
    assert march.value == pytest.approx(200 / 3)  # 66.67 %
    assert march.target == 95 and march.met is False
    assert _slots(march) == [("service_report", "monthly", "2025-03", True),
                             ("onsite_report", "per_service", "XC-1", True),
                             ("onsite_report", "per_service", "XC-2", False)]
    assert march.slots[0].delivered_by == f"{P}/service_report/2025-03"

    # April: service_report 2025-04 missing, XC-3 has no report → 0 / 2
    april = report_ratio(archive, "2025-04", P)
    assert (april.due, april.delivered, april.value, april.met) == (2, 0, 0.0, False)
    assert _slots(april) == [("service_report", "monthly", "2025-04", False),
                             ("onsite_report", "per_service", "XC-3", False)]

    # February: only the monthly report is due, and none was written
    feb = report_ratio(archive, "2025-02", P)
    assert (feb.due, feb.delivered, feb.value) == (1, 0, 0.0)


def test_per_service_report_named_by_service_no_whatever_its_period(tmp_path):
    archive = _plan(tmp_path)
    _put(archive, "service_report", "2025-05", day="2025-06-02")
    _record(archive, "onsite_form", "XC-5", "2025-05-30 16:00")
    # the signed report scanned and added in June (period = its June day) still names XC-5
    _put(archive, "onsite_report", "2025-06-03", day="2025-06-03", key=("scan",),
         facts={"original_name": "scan.pdf", "characters": 0, "service_no": "XC-5"})  # as archive add writes
    may = report_ratio(archive, "2025-05", P)
    assert (may.due, may.delivered, may.value, may.met) == (2, 2, 100.0, True)
    assert may.slots[1].delivered_by == f"{P}/onsite_report/scan"


def test_generated_onsite_record_is_due_and_delivered(tmp_path):
    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml", EXAMPLES / "onsite.yaml"], archive=archive, templates=TemplateSet())
    # onsite XC-2025-0007 resolved 2025-03-12: onsite_form + onsite_report archived; no service report
    march = report_ratio(archive, "2025-03", P)
    assert _slots(march) == [("service_report", "monthly", "2025-03", False),
                             ("onsite_report", "per_service", "XC-2025-0007", True)]
    assert (march.due, march.delivered, march.value) == (2, 1, 50.0)


def _weekly_plan(plan_data: dict, start: str = "2025-01-01") -> dict:
    plan_data["project"]["start"] = datetime.date.fromisoformat(start)
    plan_data["reports"] = [{"name": "周运行状态信息记录", "doc_type": "status_record", "frequency": "weekly",
                             "recipient": "客户信息中心"}]
    return plan_data


def test_weekly_schedule_in_a_month_with_five_sundays(tmp_path, plan_data):
    archive = _plan(tmp_path, _weekly_plan(plan_data))
    # March 2025 Sundays: 2, 9, 16, 23, 30 → ISO weeks W09 (24 Feb–2 Mar), W10, W11, W12, W13 (24–30 Mar)
    _put(archive, "status_record", "2025-W09", day="2025-03-03")      # the week itself
    _put(archive, "status_record", "2025-03-05", day="2025-03-05")    # a day inside W10
    _put(archive, "status_record", "2025-03-06", day="2025-03-06")    # W10 again: extra, not counted twice
    _put(archive, "status_record", "2025-03-31", day="2025-03-31")    # W14: its Sunday is 6 April
    _put(archive, "status_record", "2025-W14", day="2025-04-07")      # W14: April's
    _put(archive, "status_record", "2025-03", day="2025-03-31")       # a month is not a week
    march = report_ratio(archive, "2025-03", P)
    assert [s.period for s in march.slots] == ["2025-W09", "2025-W10", "2025-W11", "2025-W12", "2025-W13"]
    assert (march.due, march.delivered) == (5, 2)
    assert march.value == pytest.approx(40.0)
    assert [s.delivered_by for s in march.slots][:2] == [f"{P}/status_record/2025-W09",
                                                         f"{P}/status_record/2025-03-05"]
    # April 2025 Sundays: 6, 13, 20, 27 → W14…W17; W14 met (two documents, counted once)
    april = report_ratio(archive, "2025-04", P)
    assert [s.period for s in april.slots] == ["2025-W14", "2025-W15", "2025-W16", "2025-W17"]
    assert (april.due, april.delivered, april.value) == (4, 1, 25.0)


def test_weekly_slots_only_inside_the_plan_dates(tmp_path, plan_data):
    archive = _plan(tmp_path, _weekly_plan(plan_data, start="2025-03-10"))
    # Sundays 2 and 9 March are before the start: only W11 (16th), W12 (23rd), W13 (30th) are due
    march = report_ratio(archive, "2025-03", P)
    assert [s.period for s in march.slots] == ["2025-W11", "2025-W12", "2025-W13"]
    assert (march.due, march.delivered, march.value) == (3, 0, 0.0)
    # February is wholly before the start: the plan is not active, nothing due
    feb = report_ratio(archive, "2025-02", P)
    assert (feb.due, feb.value, feb.met, feb.slots) == (0, None, None, [])


def test_weekly_week_crossing_the_year(tmp_path, plan_data):
    plan_data["project"]["end"] = datetime.date(2026, 12, 31)
    archive = _plan(tmp_path, _weekly_plan(plan_data))
    # Sunday 4 Jan 2026 closes ISO week 2026-W01 (29 Dec 2025–4 Jan 2026): January's; a day of
    # 30 Dec 2025 lies inside it
    _put(archive, "status_record", "2025-12-30", day="2025-12-30")
    jan = report_ratio(archive, "2026-01", P)
    assert [s.period for s in jan.slots] == ["2026-W01", "2026-W02", "2026-W03", "2026-W04"]
    assert (jan.due, jan.delivered) == (4, 1)
    # December 2025 Sundays: 7, 14, 21, 28 → W49…W52; the 30 Dec document already counted for W01 is not December's
    dec = report_ratio(archive, "2025-12", P)
    assert [s.period for s in dec.slots] == ["2025-W49", "2025-W50", "2025-W51", "2025-W52"]
    assert dec.delivered == 0


def test_quarterly_entry_due_only_in_the_quarters_last_month(tmp_path, plan_data):
    plan_data["reports"] = [{"name": "季度趋势分析", "doc_type": "trend_analysis", "frequency": "quarterly",
                             "recipient": "客户信息中心"}]
    archive = _plan(tmp_path, plan_data)
    _put(archive, "trend_analysis", "2025-Q1", day="2025-04-10")      # Q1, written in April
    _put(archive, "trend_analysis", "2025-05-20", day="2025-05-20")   # a day inside Q2
    _put(archive, "trend_analysis", "2025-09", day="2025-09-30")      # a month is not the quarter
    for month in ("2025-01", "2025-02", "2025-04", "2025-05"):
        r = report_ratio(archive, month, P)
        assert (r.due, r.value, r.met) == (0, None, None), month
    march = report_ratio(archive, "2025-03", P)
    assert _slots(march) == [("trend_analysis", "quarterly", "2025-Q1", True)]
    assert (march.due, march.delivered, march.value, march.met) == (1, 1, 100.0, True)
    june = report_ratio(archive, "2025-06", P)
    assert _slots(june) == [("trend_analysis", "quarterly", "2025-Q2", True)]
    september = report_ratio(archive, "2025-09", P)
    assert (september.due, september.delivered, september.value) == (1, 0, 0.0)


def test_month_outside_the_plan_has_nothing_due(tmp_path):
    archive = _plan(tmp_path)
    _put(archive, "service_report", "2026-01", day="2026-02-01")
    for month in ("2024-12", "2026-01"):
        r = report_ratio(archive, month, P)
        assert (r.due, r.delivered, r.value, r.met, r.slots) == (0, 0, None, None, []), month
        assert r.target == 95


def test_no_plan_nothing_due_and_bad_month(tmp_path):
    archive = Archive(tmp_path / "archive")
    r = report_ratio(archive, "2025-03", P)
    assert (r.due, r.value, r.met, r.target) == (0, None, None, 95)
    assert sla_figures(archive, "2025-03", P) == []
    for bad in ("2025-3", "2025-13", "2025-W10", "March"):
        with pytest.raises(ValueError):
            report_ratio(archive, bad, P)


def test_plan_active_on_a_single_day_of_the_month(tmp_path, plan_data):
    plan_data["project"]["start"] = datetime.date(2025, 3, 31)
    archive = _plan(tmp_path, plan_data)
    march = report_ratio(archive, "2025-03", P)
    assert (march.due, march.delivered, march.value) == (1, 0, 0.0)


def test_target_from_the_latest_plan_version_else_95(tmp_path, plan_data):
    archive = _plan(tmp_path, plan_data)
    _put(archive, "service_report", "2025-03", day="2025-04-01")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00")
    r = report_ratio(archive, "2025-03", P)
    assert (r.value, r.target, r.met) == (50.0, 95, False)
    # V1.1 lowers the target to 50: 50 ≥ 50 is met
    plan_data["version"] = "V1.1"
    plan_data["sla"][-1]["target"] = 50
    generate([_write(tmp_path, plan_data, "v11.yaml")], archive=archive, templates=TemplateSet())
    r = report_ratio(archive, "2025-03", P)
    assert (r.value, r.target, r.met) == (50.0, 50, True)
    # V1.2 drops the report_ratio entry: the default 95 applies
    plan_data["version"] = "V1.2"
    plan_data["sla"] = [s for s in plan_data["sla"] if s["metric"] != "report_ratio"]
    generate([_write(tmp_path, plan_data, "v12.yaml")], archive=archive, templates=TemplateSet())
    r = report_ratio(archive, "2025-03", P)
    assert (r.target, r.met) == (95, False)


def _write(tmp_path: Path, data: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_overall_is_sum_over_sum_not_a_mean_of_ratios(tmp_path, plan_data):
    archive = _plan(tmp_path)
    plan_data["project"]["code"] = "B-2025"
    generate([_write(tmp_path, plan_data, "b.yaml")], archive=archive, templates=TemplateSet())
    # project A: service_report met, XC-1 and XC-2 without reports → 1 / 3
    _put(archive, "service_report", "2025-03", day="2025-04-01")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00")
    _record(archive, "onsite_form", "XC-2", "2025-03-04 10:00")
    # project B: service_report met → 1 / 1
    _put(archive, "service_report", "2025-03", day="2025-04-01", project="B-2025")
    a, b = report_ratio(archive, "2025-03", P), report_ratio(archive, "2025-03", "B-2025")
    assert (a.delivered, a.due, b.delivered, b.due) == (1, 3, 1, 1)
    # Σ delivered / Σ due = 2 / 4 = 50 %, not (33.3 + 100) / 2 = 66.7 %
    assert overall_report_ratio([a, b]) == (2, 4, 50.0)
    outside = report_ratio(archive, "2026-03", P)
    assert overall_report_ratio([a, b, outside]) == (2, 4, 50.0)
    assert overall_report_ratio([outside]) == (0, 0, None)
    assert overall_report_ratio([]) == (0, 0, None)


# --- SLA figures --------------------------------------------------------------------------------


def _sla(metric: str, value: float, met: bool, target: float = 30, op: str = "<=") -> dict:
    return {"metric": metric, "name": metric, "clock": "7x24", "hours": None, "op": op, "target": target,
            "unit": "分钟", "value": value, "met": met}


def test_p90_nearest_rank():
    assert p90_nearest_rank([]) is None
    assert p90_nearest_rank([7]) == 7
    # n = 10: ⌈9⌉ = 9th smallest
    assert p90_nearest_rank([12, 3, 45, 7, 30, 18, 25, 60, 9, 15]) == 45
    # n = 11: ⌈9.9⌉ = 10th smallest; n = 20: ⌈18⌉ = 18th
    assert p90_nearest_rank(list(range(1, 12))) == 10
    assert p90_nearest_rank(list(range(1, 21))) == 18


def test_sla_figures_from_frozen_flags(tmp_path):
    archive = _plan(tmp_path)  # response ≤30, arrival ≤240, resolution ≤480 (no onsite_minutes target)
    # ten records resolved in March with frozen response results; R-6 took 25 minutes but was frozen
    # as not met (the plan in force then said ≤20): the frozen flag counts, it is not recomputed
    response = [12, 3, 45, 7, 30, 18, 25, 60, 9, 15]
    for i, minutes in enumerate(response):
        met = minutes <= 30 and i != 6
        sla = [_sla("response_minutes", minutes, met)]
        if i < 4:  # the first four are onsite records with an arrival figure too
            sla.append(_sla("arrival_minutes", 100 + 100 * i, 100 + 100 * i <= 240, target=240))
            _record(archive, "onsite_form", f"XC-{i}", f"2025-03-{10 + i:02d} 12:00", sla=sla)
        else:
            _record(archive, "remote_record", f"YC-{i}", f"2025-03-{10 + i:02d} 12:00", sla=sla)
    # XC-0's 现场服务报告单 carries the same facts: the record is counted once
    _record(archive, "onsite_report", "XC-0", "2025-03-10 12:00",
            sla=[_sla("response_minutes", 12, True), _sla("arrival_minutes", 100, True, target=240)])
    # archived before any plan: 无计划目标, listed, not counted
    _record(archive, "onsite_form", "XC-N", "2025-03-20 09:00", sla="无计划目标",
            measures={"response_minutes": 500.0, "arrival_minutes": 600.0})
    _record(archive, "remote_record", "YC-N", "2025-03-21 09:00", sla="无计划目标",
            measures={"response_minutes": 400.0})
    # resolved on 1 April (requested in March): April's
    _record(archive, "remote_record", "YC-A", "2025-04-01 00:05", sla=[_sla("response_minutes", 999, False)])

    figures = {f.metric: f for f in sla_figures(archive, "2025-03", P)}
    assert list(figures) == ["response_minutes", "arrival_minutes", "resolution_minutes"]

    response_fig = figures["response_minutes"]
    # met: 12, 3, 7, 30, 18, 60✗, 9, 15 → 3, 7, 9, 12, 15, 18, 30 and not 25 (frozen ✗), 45 ✗, 60 ✗ → 7 of 10
    assert (response_fig.records, response_fig.met, response_fig.value) == (10, 7, 70.0)
    assert response_fig.mean == pytest.approx(22.4)  # 224 / 10
    assert response_fig.p90 == 45                   # sorted 3 7 9 12 15 18 25 30 45 60 → 9th
    assert (response_fig.target, response_fig.op, response_fig.name) == (30, "<=", "故障响应时间")
    assert response_fig.no_plan_target == ["XC-N", "YC-N"]

    arrival = figures["arrival_minutes"]
    # onsite only: 100 ✓, 200 ✓, 300 ✗, 400 ✗ → 2 / 4 = 50 %; mean 250; p90 ⌈3.6⌉ = 4th = 400
    assert (arrival.records, arrival.met, arrival.value, arrival.mean, arrival.p90) == (4, 2, 50.0, 250.0, 400)
    assert arrival.no_plan_target == ["XC-N"]  # YC-N is remote: no arrival time

    resolution = figures["resolution_minutes"]
    # no record froze a resolution result: no share
    assert (resolution.records, resolution.met, resolution.value, resolution.mean, resolution.p90) == \
        (0, 0, None, None, None)
    assert resolution.no_plan_target == []  # XC-N and YC-N measured no resolution time: not listed
    april = {f.metric: f for f in sla_figures(archive, "2025-04", P)}
    assert (april["response_minutes"].records, april["response_minutes"].value) == (1, 0.0)
    assert april["response_minutes"].no_plan_target == []


def test_sla_figures_of_generated_records(tmp_path, plan_data):
    plan_data["sla"].insert(3, {"metric": "onsite_minutes", "name": "现场支持时间", "op": "<=", "target": 60,
                                "unit": "分钟"})
    archive = Archive(tmp_path / "archive")
    generate([_write(tmp_path, plan_data, "plan.yaml"), EXAMPLES / "onsite.yaml"], archive=archive,
             templates=TemplateSet())
    # onsite XC-2025-0007 (2025-03-12): response 15 ✓ (≤30), arrival 210 ✓ (≤240), resolution 270 ✓ (≤480),
    # onsite 90 ✗ (≤60)
    figures = {f.metric: (f.records, f.met, f.value, f.mean, f.p90) for f in sla_figures(archive, "2025-03", P)}
    assert figures == {"response_minutes": (1, 1, 100.0, 15.0, 15.0),
                       "arrival_minutes": (1, 1, 100.0, 210.0, 210.0),
                       "onsite_minutes": (1, 0, 0.0, 90.0, 90.0),
                       "resolution_minutes": (1, 1, 100.0, 270.0, 270.0)}


def test_report_schedule_counts_as_the_kpi_does(tmp_path):
    """The project page's grid: one row per report of the plan, one cell per month, report_ratio's slots."""
    from docgen.metrics.schedule import report_schedule

    archive = _plan(tmp_path)
    _put(archive, "service_report", "2025-01", day="2025-02-03")  # January's report, written in February
    _put(archive, "service_report", "2025-03", day="2025-03-31")
    schedule = report_schedule(archive, P, as_of=datetime.date(2025, 3, 15))
    assert schedule.months == [f"2025-{m:02d}" for m in range(1, 13)]
    monthly, per_service = schedule.rows
    assert (monthly.doc_type, monthly.frequency) == ("service_report", "monthly")
    assert [c.state for c in monthly.cells[:4]] == ["delivered", "missing", "delivered", "not-due"]
    assert [(c.delivered, c.due) for c in monthly.cells[:3]] == [(1, 1), (0, 1), (1, 1)]
    assert (per_service.doc_type, per_service.frequency) == ("onsite_report", "per_service")
    assert {c.state for c in per_service.cells} == {"not-due"}  # no service, nothing due
    for i, month in enumerate(schedule.months):
        ratio = report_ratio(archive, month, P)
        assert sum(row.cells[i].due for row in schedule.rows) == ratio.due
        assert sum(row.cells[i].delivered for row in schedule.rows) == ratio.delivered
    assert report_schedule(archive, "OTHER", as_of=datetime.date(2025, 3, 15)).rows == []
    assert report_schedule(archive, P, as_of=datetime.date(2025, 2, 10)).rows[0].cells[1].state == "due"
