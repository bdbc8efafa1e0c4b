"""响应支持关键指标数据记录 (response_kpi.xlsx, §5.4.7.2: 服务级别协议达成情况、数量、分布、趋势) — the
context for templates_xlsx/response_kpi.xlsx (tools/build_response_kpi_template.py): the rows of its four
sheets and the native charts over them (context ``charts``, docgen/render/_xlsx.py).

An incident belongs to the month of its resolved_at (as service records do, docs/archive.md); only the
months of the pack period are counted. Minutes are 7×24 except where the plan's SLA entry asks for
``clock: workday`` (docgen.metrics.sla.measure_record)."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from docgen.doctypes import INCIDENT_LEVELS, MAJOR_LEVELS
from docgen.facts import NO_PLAN, IncidentRate, PlanSla, ResponseKpiFacts
from docgen.metrics.incidents import Incident
from docgen.metrics.sla import RECORD_METRICS, measure_record
from docgen.numbers import target_text
from docgen.periods import period_bounds

LEVELS = INCIDENT_LEVELS
LEVEL_FIELDS = dict(zip(LEVELS, ("general", "larger", "major", "critical")))
# the incident metrics when no plan is archived (the two an incident has times for)
INCIDENT_METRICS = ("response_minutes", "resolution_minutes")
TOTAL = "合计"


def incident_times(incident: Any) -> dict[str, Any]:
    return {"requested": incident.reported_at, "responded": incident.responded_at, "resolved": incident.resolved_at}


def measure(incident: Any, plan_sla: list[PlanSla] | None, plan_version: str | None) -> dict[str, Any]:
    return measure_record(incident_times(incident), plan_sla, plan_version)


def period_months(period: str) -> list[str]:
    first, last = period_bounds(period)
    months, day = [], date(first.year, first.month, 1)
    while day <= last:
        months.append(f"{day:%Y-%m}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _target(entry: PlanSla) -> str:
    return target_text(entry.op, entry.target, entry.unit or "分钟")


def _clock(entry: PlanSla | None) -> str:
    if entry is not None and entry.clock == "workday":
        return f"工作时间 {entry.hours or '08:30-17:30'}"
    return "7×24"


def response_kpi_context(incidents: list[Incident], *, pack: str, period: str, plan_sla: list[PlanSla] | None,
                         plan_version: str | None) -> tuple[dict[str, Any], ResponseKpiFacts]:
    """(context additions: achievement, counts, distribution, trend, charts; facts). 达成情况 counts the
    incident service records with a result for the metric — the same records and frozen results as the
    service reports' SLA figures; incidents typed in without a record are counted in 数量, 分布 and 趋势 only."""
    months = period_months(period)
    counted = [(inc, inc.month) for inc in incidents if inc.month in months]

    # 达成情况: one block per plan metric an incident has times for (or both incident metrics, 无计划目标)
    if plan_sla is None:
        metrics = [(metric, RECORD_METRICS[metric][0], None) for metric in INCIDENT_METRICS]
    else:
        metrics = [(e.metric, e.name or RECORD_METRICS[e.metric][0], e) for e in plan_sla
                   if e.metric in INCIDENT_METRICS]
    achievement: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    rates: list[dict[str, Any]] = []
    for metric, name, entry in metrics:
        start = len(achievement)
        block_total, block_met = 0, 0
        for month in [*months, TOTAL]:
            rows = [inc for inc, mo in counted if month in (mo, TOTAL) and not inc.typed]
            if entry is None:
                total, met = sum(1 for inc in rows if metric in inc.measures), None
            else:
                results = [r for r in (inc.result(metric) for inc in rows) if r is not None]
                total, met = len(results), sum(1 for r in results if r.met)
            rate = (met / total) if met is not None and total else None
            achievement.append({"no": len(achievement) + 1, "metric": name, "clock": _clock(entry), "month": month,
                                "incidents": total, "met": met, "rate": rate,
                                "target": _target(entry) if entry is not None else NO_PLAN})
            if month == TOTAL:
                block_total, block_met = total, met
        rates.append({"metric": metric, "name": name, "incidents": block_total, "met": block_met,
                      "rate": (block_met / block_total) if block_met is not None and block_total else None,
                      "target": _target(entry) if entry is not None else NO_PLAN})
        charts.append({"sheet": "达成情况", "type": "bar", "title": f"{name} 各月达成率" if entry else f"{name} 各月事件数",
                       "categories": "month", "series": ["rate"] if entry else ["incidents"],
                       "rows": [start, start + len(months)], "y_title": "达成率" if entry else "事件数",
                       "y_format": "0%" if entry else "0"})

    # 数量: per month, in total and per level
    counts: list[dict[str, Any]] = []
    for month in [*months, TOTAL]:
        levels = Counter(inc.level for inc, mo in counted if month in (mo, TOTAL))
        counts.append({"no": len(counts) + 1, "month": month, "count": sum(levels.values()),
                       **{LEVEL_FIELDS[lv]: levels.get(lv, 0) for lv in LEVELS},
                       "major_plus": sum(levels.get(lv, 0) for lv in MAJOR_LEVELS)})
    charts.append({"sheet": "数量", "type": "bar", "title": "各月事件数量", "categories": "month",
                   "series": ["general", "larger", "major", "critical"], "rows": [0, len(months)],
                   "y_title": "事件数", "y_format": "0"})

    # 分布: by level (all four), then by category (as they occur)
    total = len(counted)
    by_level = Counter(inc.level for inc, _ in counted)
    by_category = Counter(inc.category or "未分类" for inc, _ in counted)
    distribution: list[dict[str, Any]] = []
    for dimension, pairs in (("级别", [(lv, by_level.get(lv, 0)) for lv in LEVELS]),
                             ("类别", sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])))):
        for name, count in pairs:
            distribution.append({"no": len(distribution) + 1, "dimension": dimension, "name": name, "count": count,
                                 "share": (count / total) if total else None})
    if total:
        charts.append({"sheet": "分布", "type": "pie", "title": "事件级别分布", "categories": "name",
                       "series": ["count"], "rows": [0, len(LEVELS)]})
        charts.append({"sheet": "分布", "type": "pie", "title": "事件类别分布", "categories": "name",
                       "series": ["count"], "rows": [len(LEVELS), len(distribution)]})
    else:
        charts.append({"sheet": "分布", "type": "bar", "title": "事件级别分布", "categories": "name",
                       "series": ["count"], "rows": [0, len(LEVELS)], "y_format": "0"})

    # 趋势: per month, count and average minutes (7×24)
    trend: list[dict[str, Any]] = []
    for month in months:
        rows = [inc.measures for inc, mo in counted if mo == month]
        resp = [v["response_minutes"] for v in rows if "response_minutes" in v]
        res = [v["resolution_minutes"] for v in rows if "resolution_minutes" in v]
        trend.append({"no": len(trend) + 1, "month": month, "count": len(rows),
                      "avg_response": _round(sum(resp) / len(resp)) if resp else None,
                      "avg_resolution": _round(sum(res) / len(res)) if res else None,
                      "max_resolution": max(res) if res else None})
    charts.append({"sheet": "趋势", "type": "line", "title": "各月平均响应/解决用时（分钟）", "categories": "month",
                   "series": ["avg_response", "avg_resolution"], "y_title": "分钟", "y_format": "0"})
    charts.append({"sheet": "趋势", "type": "bar", "title": "各月事件数", "categories": "month",
                   "series": ["count"], "y_title": "事件数", "y_format": "0"})

    context = {"achievement": achievement, "counts": counts, "distribution": distribution, "trend": trend,
               "charts": charts}
    facts = ResponseKpiFacts(
        pack=pack, incidents=total, sla=[IncidentRate(**r) for r in rates] if plan_sla is not None else NO_PLAN,
        plan_version=plan_version, by_level=dict(by_level), by_category=dict(by_category),
        by_month={row["month"]: row["count"] for row in counts if row["month"] != TOTAL},
        records=[inc.service_no for inc, _ in counted if inc.service_no is not None],
        typed=[inc.id for inc, _ in counted if inc.typed])
    return context, facts
