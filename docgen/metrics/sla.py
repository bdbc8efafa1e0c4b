"""SLA measures of one service record (docs/archive.md "SLA metrics"): the minutes between its times,
and, against the plan in force, whether each plan metric was met."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from docgen.doctypes import INCIDENT, SCHEDULED_CATEGORIES
from docgen.facts import NO_PLAN
from docgen.numbers import OPS, fmt_num, target_text

if TYPE_CHECKING:
    from docgen.facts import PlanSla

# metric -> (Chinese name, from-time, to-time); arrival/onsite only exist for on-site records
RECORD_METRICS: dict[str, tuple[str, str, str]] = {
    "response_minutes": ("响应时间", "requested", "responded"),
    "arrival_minutes": ("到场时间", "requested", "arrived"),
    "resolution_minutes": ("解决时间", "requested", "resolved"),
    "onsite_minutes": ("现场支持时间", "arrived", "departed"),
}


def _round(value: float) -> float:
    return round(value, 1)


def _start(metric: str, times: dict[str, datetime | None], category: str,
           scheduled: datetime | None) -> tuple[datetime | None, bool]:
    """Where a metric's clock starts: at the report, except that a request or change the customer scheduled
    for later is due (arrival, resolution) from the time the customer asked for; a response is always owed
    from the report. (start, from_scheduled)"""
    start = times.get(RECORD_METRICS[metric][1])
    if (category in SCHEDULED_CATEGORIES and scheduled is not None and start is not None and scheduled > start
            and RECORD_METRICS[metric][1] == "requested" and metric != "response_minutes"):
        return scheduled, True
    return start, False


def _elapsed(start: datetime, end: datetime, **clock: Any) -> float:
    """Minutes from start to end; 0 when a scheduled service was done before the time asked for."""
    from docgen.metrics.clock import elapsed_minutes

    return 0.0 if end < start else _round(elapsed_minutes(start, end, **clock))


def measure_record(times: dict[str, datetime | None], plan_sla: list[PlanSla] | None,
                   plan_version: str | None, *, category: str = INCIDENT,
                   scheduled: datetime | None = None) -> dict[str, Any]:
    """values: 7×24 minutes per metric the record has times for; sla: per plan metric that applies to this
    record and covers its category {metric, name, clock, hours, op, target, unit, value, met, from_scheduled},
    or 无计划目标 when no plan is archived; not_covered: the plan metrics the record has times for but whose
    entry does not cover its category (a change is not measured against fault targets)."""
    values: dict[str, float] = {}
    starts: dict[str, tuple[datetime, bool]] = {}
    for metric, (_, _, end) in RECORD_METRICS.items():
        start, from_scheduled = _start(metric, times, category, scheduled)
        if start is not None and times.get(end) is not None:
            starts[metric] = (start, from_scheduled)
            values[metric] = _elapsed(start, times[end])  # type: ignore[arg-type]
    if plan_sla is None:
        return {"values": values, "sla": NO_PLAN, "plan_version": None, "not_covered": []}
    results, not_covered = [], []
    for entry in plan_sla:
        metric = entry.metric
        if metric not in values:
            continue
        if not entry.covers(category):
            not_covered.append(metric)
            continue
        start, from_scheduled = starts[metric]
        clock = entry.clock or "7x24"
        value = values[metric] if clock == "7x24" else _elapsed(
            start, times[RECORD_METRICS[metric][2]], clock=clock, hours=entry.hours)  # type: ignore[arg-type]
        results.append({"metric": metric, "name": entry.name or RECORD_METRICS[metric][0], "clock": clock,
                        "hours": entry.hours, "op": entry.op, "target": entry.target, "unit": entry.unit,
                        "value": value, "met": bool(OPS[entry.op](value, entry.target)),
                        "from_scheduled": from_scheduled})
    return {"values": values, "sla": results, "plan_version": plan_version, "not_covered": not_covered}


def measure_rows(measured: dict[str, Any], category: str = INCIDENT) -> list[dict[str, str]]:
    """The SLA table of a record's documents: every measured time, its plan target and result."""
    by_metric = {} if measured["sla"] == NO_PLAN else {s["metric"]: s for s in measured["sla"]}
    rows = []
    for metric, minutes in measured["values"].items():
        name = RECORD_METRICS[metric][0]
        sla = by_metric.get(metric)
        if sla is None:
            if measured["sla"] == NO_PLAN:
                target = NO_PLAN
            elif metric in measured.get("not_covered", ()):
                target = f"不考核（计划的该指标不适用于{category}类服务）"
            else:
                target = "计划未设目标"
            rows.append({"name": name, "value": f"{fmt_num(minutes)} 分钟", "target": target, "met": "—"})
            continue
        clock = "（工作时间）" if sla["clock"] == "workday" else ""
        clock += "（自客户要求时间起算）" if sla.get("from_scheduled") else ""
        rows.append({"name": sla["name"], "value": f"{fmt_num(sla['value'])} 分钟{clock}",
                     "target": target_text(sla["op"], sla["target"], sla.get("unit") or "分钟"),
                     "met": "达标" if sla["met"] else "未达标"})
    return rows
