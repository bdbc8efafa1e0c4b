"""SLA measures of one service record (docs/archive.md "SLA metrics"): the minutes between its times,
and, against the plan in force, whether each plan metric was met."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

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


def measure_record(times: dict[str, datetime | None], plan_sla: list[PlanSla] | None,
                   plan_version: str | None) -> dict[str, Any]:
    """values: 7×24 minutes per applicable metric; sla: per plan metric that applies to this record
    {metric, name, clock, hours, op, target, unit, value, met}, or 无计划目标 when no plan is archived."""
    from docgen.metrics.clock import elapsed_minutes

    values: dict[str, float] = {}
    for metric, (_, start, end) in RECORD_METRICS.items():
        if times.get(start) and times.get(end):
            values[metric] = _round(elapsed_minutes(times[start], times[end]))
    if plan_sla is None:
        return {"values": values, "sla": NO_PLAN, "plan_version": None}
    results = []
    for entry in plan_sla:
        metric = entry.metric
        if metric not in values:
            continue
        _, start, end = RECORD_METRICS[metric]
        clock = entry.clock or "7x24"
        value = values[metric] if clock == "7x24" else _round(
            elapsed_minutes(times[start], times[end], clock=clock, hours=entry.hours))
        results.append({"metric": metric, "name": entry.name or RECORD_METRICS[metric][0], "clock": clock,
                        "hours": entry.hours, "op": entry.op, "target": entry.target, "unit": entry.unit,
                        "value": value, "met": bool(OPS[entry.op](value, entry.target))})
    return {"values": values, "sla": results, "plan_version": plan_version}


def measure_rows(measured: dict[str, Any]) -> list[dict[str, str]]:
    """The SLA table of a record's documents: every measured time, its plan target and result."""
    by_metric = {} if measured["sla"] == NO_PLAN else {s["metric"]: s for s in measured["sla"]}
    rows = []
    for metric, minutes in measured["values"].items():
        name = RECORD_METRICS[metric][0]
        sla = by_metric.get(metric)
        if sla is None:
            rows.append({"name": name, "value": f"{fmt_num(minutes)} 分钟",
                         "target": NO_PLAN if measured["sla"] == NO_PLAN else "计划未设目标", "met": "—"})
            continue
        clock = "（工作时间）" if sla["clock"] == "workday" else ""
        rows.append({"name": sla["name"], "value": f"{fmt_num(sla['value'])} 分钟{clock}",
                     "target": target_text(sla["op"], sla["target"], sla.get("unit") or "分钟"),
                     "met": "达标" if sla["met"] else "未达标"})
    return rows
