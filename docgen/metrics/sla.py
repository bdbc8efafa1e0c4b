"""SLA measures of one service record (archive.md "SLA metrics"): the minutes between its times,
and, against the plan in force, whether each plan metric was met."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from docgen.facts import NO_PLAN

if TYPE_CHECKING:
    from docgen.facts import PlanSla

# metric -> (Chinese name, from-time, to-time); arrival/onsite only exist for on-site records
RECORD_METRICS: dict[str, tuple[str, str, str]] = {
    "response_minutes": ("响应时间", "requested", "responded"),
    "arrival_minutes": ("到场时间", "requested", "arrived"),
    "resolution_minutes": ("解决时间", "requested", "resolved"),
    "onsite_minutes": ("现场支持时间", "arrived", "departed"),
}
OP_TEXT = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}  # how a target reads: ≤30 分钟
_OPS = {"<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t, "<": lambda v, t: v < t,
        ">": lambda v, t: v > t, "=": lambda v, t: v == t}


def judge(value: float | None, op: str, target: float | None) -> bool | None:
    """Whether value meets target under op; None when either is missing."""
    if value is None or target is None:
        return None
    return bool(_OPS.get(op, _OPS[">="])(value, target))


def fmt_num(value: float | int | None, digits: int = 2) -> str:
    """A figure as documents show it: at most `digits` decimals, no trailing zeros (99.9, 100, 66.67);
    — for no value."""
    if value is None:
        return "—"
    text = f"{float(value):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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
                        "value": value, "met": bool(_OPS[entry.op](value, entry.target))})
    return {"values": values, "sla": results, "plan_version": plan_version}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def measure_rows(measured: dict[str, Any]) -> list[dict[str, str]]:
    """The SLA table of a record's documents: every measured time, its plan target and result."""
    by_metric = {} if measured["sla"] == NO_PLAN else {s["metric"]: s for s in measured["sla"]}
    rows = []
    for metric, minutes in measured["values"].items():
        name = RECORD_METRICS[metric][0]
        sla = by_metric.get(metric)
        if sla is None:
            rows.append({"name": name, "value": f"{_num(minutes)} 分钟",
                         "target": NO_PLAN if measured["sla"] == NO_PLAN else "计划未设目标", "met": "—"})
            continue
        op = sla["op"].replace("<=", "≤").replace(">=", "≥")
        clock = "（工作时间）" if sla["clock"] == "workday" else ""
        rows.append({"name": sla["name"], "value": f"{_num(sla['value'])} 分钟{clock}",
                     "target": f"{op}{_num(sla['target'])} {sla.get('unit') or '分钟'}",
                     "met": "达标" if sla["met"] else "未达标"})
    return rows
