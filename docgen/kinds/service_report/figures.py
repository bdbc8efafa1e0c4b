"""What a 运维服务报告 reads from the archive's metadata for its project and period (docs/archive.md):
the services resolved in the period, the SLA figures per plan metric, the incidents (incident records,
and events the emergency packs typed in without one), the leftover issues and the satisfaction survey. Pure: reads, never writes, and
never looks at the clock, so the same archive gives the same report."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.facts import (
    NO_PLAN,
    ArchivedDoc,
    ArchiveView,
    MajorIncidentFacts,
    PlanFacts,
    PlanSla,
    ServiceRecordFacts,
    view_of,
)
from docgen.metrics.incidents import Incident
from docgen.metrics.incidents import incidents_between as project_incidents
from docgen.metrics.kpi import (
    p90_nearest_rank,
    report_ratio,
    satisfaction_figure,
    sla_figures_between,
)
from docgen.metrics.leftovers import Leftover, leftovers
from docgen.metrics.sla import RECORD_METRICS
from docgen.numbers import AVAILABILITY_DIGITS, fmt_num, judge
from docgen.numbers import target_text as requirement
from docgen.periods import months_between

if TYPE_CHECKING:
    from docgen.archive import Archive
MODES = {"onsite": "现场", "remote": "远程"}
MET, NOT_MET, NO_DATA = "达标", "未达标", "—"
NO_TARGET = "计划未设目标"
NOT_ASSESSED = "不考核"  # a request, change, … the plan's time metrics do not cover (#13)


def target_text(entry: PlanSla) -> str:
    return requirement(entry.op, entry.target, entry.unit)


def short_time(text: Any) -> str:
    """2025-03-12 09:10 → 03-12 09:10 (a report covers at most a quarter of one year)."""
    return text[5:16] if isinstance(text, str) and len(text) >= 16 else (text or "")


# ---------------------------------------------------------------------------------------------- services
@dataclass
class Service:
    """One onsite/remote record resolved in the period, from its archived facts."""

    service_no: str
    kind: str  # onsite | remote
    category: str  # 故障 | 服务请求 | 变更 | 巡检 | 咨询
    engineer: str
    content: str
    requested_at: str
    resolved_at: str
    minutes: dict[str, float | None]  # response / resolution, as the SLA measured them
    measures: dict[str, float]  # every 7×24 measure of the record
    sla: str  # 达标 | 未达标 | 无计划目标 | 计划未设目标
    failed: list[str]  # names of the plan metrics not met
    results: list[Any]  # the record's frozen per-metric results (FrozenSla); empty for 无计划目标
    reviewed: bool
    score: int | None

    @property
    def sla_text(self) -> str:
        return f"{NOT_MET}（{'、'.join(self.failed)}）" if self.failed else self.sla


def _service(kind: str, doc: ArchivedDoc) -> Service:
    facts = doc.facts_as(ServiceRecordFacts)
    results = facts.frozen_results()
    by_metric = {s.metric: s for s in results}
    minutes = {m: (by_metric[m].value if m in by_metric else facts.measures.get(m))
               for m in ("response_minutes", "resolution_minutes")}
    failed = [s.name or RECORD_METRICS.get(s.metric, ("",))[0] for s in results if not s.met]
    if facts.no_plan:
        status = NO_PLAN
    elif not results:
        status = NO_TARGET if facts.is_incident else NOT_ASSESSED
    else:
        status = NOT_MET if failed else MET
    return Service(service_no=facts.service_no, kind=kind, category=facts.category, engineer=facts.engineer,
                   content=facts.content,
                   requested_at=facts.requested_at or "", resolved_at=facts.resolved_at, minutes=minutes,
                   measures=dict(facts.measures), sla=status, failed=failed, results=results,
                   reviewed=facts.reviewed, score=facts.satisfaction_score)


def services_between(archive: Archive | ArchiveView | None, project: str, first: date, last: date) -> list[Service]:
    """The onsite and remote records resolved between first and last, by resolution time."""
    if archive is None:
        return []
    view = view_of(archive)
    found = [_service(kind, doc) for kind in MODES for doc in view.service_records(project, kind, first, last).values()]
    return sorted(found, key=lambda s: (s.resolved_at, s.service_no))


# ---------------------------------------------------------------------------------------------- SLA
@dataclass
class SlaRow:
    """One line of 3 SLA达成情况: a plan metric (or, without a plan, a measured one) this period."""

    metric: str
    name: str
    target: str
    measured: str
    rate: str
    mean_p90: str
    result: str
    note: str
    met: bool | None  # None: nothing to judge (no data, no target, counted by hand)
    rate_value: float | None = None  # the share of records meeting the target, for the chart
    fact: dict[str, Any] = field(default_factory=dict)


def _record_row(entry: PlanSla, figure: Any, services: list[Service]) -> SlaRow:
    metric = entry.metric
    target = target_text(entry)
    notes = []
    if (entry.clock or "7x24") == "workday":
        notes.append(f"按工作时间计（{entry.hours or '08:30-17:30'}，节假日不计）")
    if figure.no_plan_target:
        notes.append(f"无计划目标、未计入：{'、'.join(figure.no_plan_target)}")
    fact = {"metric": metric, "name": figure.name, "op": figure.op, "target": figure.target,
            "unit": entry.unit, "records": figure.records, "met_records": figure.met,
            "value": figure.value, "mean": figure.mean, "p90": figure.p90,
            "no_plan_target": list(figure.no_plan_target)}
    if figure.records == 0:
        fact["met"] = None
        return SlaRow(metric, figure.name, target, "本期无适用的服务记录", NO_DATA, NO_DATA, NO_DATA,
                      "；".join(notes), None, None, fact)
    failed = [s.service_no for s in services
              if any(r.metric == metric and r.value is not None and not r.met for r in s.results)]
    if failed:
        notes.insert(0, f"未达标：{'、'.join(failed)}")
    met = figure.met == figure.records
    unit = entry.unit or "分钟"
    fact |= {"met": met, "not_met": failed}
    return SlaRow(metric, figure.name, target, f"达标 {figure.met}/{figure.records} 单",
                  f"{fmt_num(figure.value)}%", f"{fmt_num(figure.mean)} / {fmt_num(figure.p90)} {unit}",
                  MET if met else NOT_MET, "；".join(notes), met, figure.value, fact)


def _judge(value: float, entry: PlanSla) -> bool:
    return bool(judge(value, entry.op or ">=", entry.target))


def _availability_row(entry: PlanSla, value: float | None) -> SlaRow:
    target = target_text(entry)
    fact = {"metric": "availability_percent", "name": entry.name or "系统可用率", "op": entry.op,
            "target": entry.target, "unit": entry.unit, "value": value}
    if value is None:
        return SlaRow("availability_percent", fact["name"], target, "未填写", NO_DATA, NO_DATA, NO_DATA,
                      "本报告未填写监控平台测得的系统可用率", None, None, fact | {"met": None})
    met = _judge(value, entry)
    return SlaRow("availability_percent", fact["name"], target, f"{fmt_num(value, AVAILABILITY_DIGITS)}%", NO_DATA, NO_DATA,
                  MET if met else NOT_MET, "监控平台测得", met, None, fact | {"met": met})


def _satisfaction_row(entry: PlanSla | None, figure: Any) -> SlaRow:
    name = (entry.name if entry else None) or "客户满意度"
    target = target_text(entry) if entry else NO_PLAN
    fact = {"metric": "satisfaction_score", "name": name, "op": entry.op if entry else None,
            "target": entry.target if entry else None, "unit": entry.unit if entry else None, "value": figure.value,
            "source": figure.source}
    if figure.value is None:
        return SlaRow("satisfaction_score", name, target, "无调查", NO_DATA, NO_DATA, NO_DATA,
                      "归档库中没有覆盖本期的需方满意度调查和分析报告", None, None, fact | {"met": None})
    met = figure.met if entry else None
    result = NO_DATA if met is None else (MET if met else NOT_MET)
    return SlaRow("satisfaction_score", name, target, f"{figure.value:.2f} 分", NO_DATA, NO_DATA, result,
                  f"{figure.note.removeprefix('调查期间 ')} 满意度调查", met, None, fact | {"met": met})


def _report_ratio_row(entry: PlanSla, archive: Archive | ArchiveView, project: str, period: str, first: date,
                      last: date) -> SlaRow:
    """服务报告比例 over the months of the period, counting this report as delivered for its own slot
    (it is being archived now; counting it keeps a regenerated report unchanged)."""
    target = target_text(entry)
    fact: dict[str, Any] = {"metric": "report_ratio", "name": entry.name or "服务报告比例",
                            "op": entry.op, "target": entry.target, "unit": entry.unit}
    if "-W" in period:
        return SlaRow("report_ratio", fact["name"], target, "按月统计", NO_DATA, NO_DATA, NO_DATA,
                      "周报不单独统计，见月度 KPI 统计表", None, None, fact | {"met": None})
    due = delivered = 0
    for month in months_between(first, last):
        ratio = report_ratio(archive, month, project)
        due += ratio.due
        delivered += sum(1 for s in ratio.slots if s.delivered_by is not None
                         or (s.doc_type == "service_report" and s.period == period))
    if due == 0:
        return SlaRow("report_ratio", fact["name"], target, "本期无应交报告", NO_DATA, NO_DATA, NO_DATA,
                      "", None, None, fact | {"due": 0, "delivered": 0, "value": None, "met": None})
    value = delivered / due * 100
    met = _judge(value, entry)
    return SlaRow("report_ratio", fact["name"], target, f"应交 {due} 份，已交 {delivered} 份", f"{fmt_num(value)}%",
                  NO_DATA, MET if met else NOT_MET, "含本报告", met, None,
                  fact | {"due": due, "delivered": delivered, "value": value, "met": met})


def _measured_rows(services: list[Service]) -> list[SlaRow]:
    """Without a plan: the times the period's records measured (7×24 minutes), 无计划目标 beside them."""
    rows = []
    for metric, (name, _, _) in RECORD_METRICS.items():
        values = [float(s.measures[metric]) for s in services if s.measures.get(metric) is not None]
        if not values:
            continue
        mean, p90 = sum(values) / len(values), p90_nearest_rank(values)
        rows.append(SlaRow(metric, name, NO_PLAN, f"{len(values)} 单", NO_DATA, f"{fmt_num(mean)} / {fmt_num(p90)} 分钟",
                           NO_DATA, "项目尚未归档计划，无目标可比", None, None,
                           {"metric": metric, "name": name, "records": len(values), "mean": mean, "p90": p90,
                            "met": None}))
    return rows


def sla_rows(archive: Archive | ArchiveView | None, project: str, period: str, first: date, last: date, *,
             plan: PlanFacts | None, services: list[Service], availability: float | None) -> list[SlaRow]:
    """One row per metric of the project's latest plan, in plan order; without a plan, what was measured."""
    if plan is None or archive is None:
        rows = _measured_rows(services)
        if availability is not None:
            rows.append(SlaRow("availability_percent", "系统可用率", NO_PLAN, f"{fmt_num(availability, AVAILABILITY_DIGITS)}%", NO_DATA,
                               NO_DATA, NO_DATA, "监控平台测得", None, None,
                               {"metric": "availability_percent", "value": availability, "met": None}))
        if archive is not None:
            figure = satisfaction_figure(archive, period, project)
            if figure.value is not None:
                rows.append(_satisfaction_row(None, figure))
        return rows
    figures = {f.metric: f for f in sla_figures_between(archive, project, first, last, label=period)}
    rows: list[SlaRow] = []
    seen: set[str] = set()
    for entry in plan.sla:
        metric = entry.metric
        if not metric or metric in seen:
            continue
        seen.add(metric)
        if metric in figures:
            rows.append(_record_row(entry, figures[metric], services))
        elif metric == "availability_percent":
            rows.append(_availability_row(entry, availability))
        elif metric == "satisfaction_score":
            figure = satisfaction_figure(archive, period, project, target=entry.target,
                                         op=entry.op or ">=", name=entry.name or "客户满意度")
            rows.append(_satisfaction_row(entry, figure))
        elif metric == "report_ratio":
            rows.append(_report_ratio_row(entry, archive, project, period, first, last))
        else:
            rows.append(SlaRow(metric, entry.name or metric, target_text(entry), "需人工统计", NO_DATA,
                               NO_DATA, NO_DATA, f"指标 {metric} 不由 docgen 统计", None, None,
                               {"metric": metric, "name": entry.name, "met": None}))
    if availability is not None and "availability_percent" not in seen:
        rows.append(SlaRow("availability_percent", "系统可用率", NO_TARGET, f"{fmt_num(availability, AVAILABILITY_DIGITS)}%", NO_DATA,
                           NO_DATA, NO_DATA, "监控平台测得", None, None,
                           {"metric": "availability_percent", "value": availability, "met": None}))
    return rows


# ---------------------------------------------------------------------------------------------- incidents
def incidents_between(archive: Archive | ArchiveView | None, project: str, first: date, last: date
                      ) -> tuple[list[Incident], set[str]]:
    """The period's incidents (docgen.metrics.incidents: the incident service records, and events an emergency
    pack typed in without one), and the ids that have an archived 重大事件(故障)的分析改进报告."""
    if archive is None:
        return [], set()
    view = view_of(archive)
    reported = {doc.facts_as(MajorIncidentFacts).incident
                for doc in view.documents(project, "major_incident_report") if not doc.received}
    return project_incidents(view, project, first, last), reported


# ---------------------------------------------------------------------------------------------- leftovers
def leftovers_as_of(archive: Archive | ArchiveView | None, project: str, first: date, last: date
                    ) -> tuple[list[Leftover], list[Leftover]]:
    """(open on the period's last day, closed within the period)."""
    if archive is None:
        return [], []
    found = leftovers(archive, project, as_of=last)
    open_ = [x for x in found if x.open]
    closed = [x for x in found if not x.open and x.resolved_on is not None and first <= x.resolved_on <= last]
    return open_, closed


# ---------------------------------------------------------------------------------------------- plan checks
def plan_warnings(plan: PlanFacts, *, period: str, first: date, last: date) -> list[str]:
    """The report against the plan in force: dates and whether the schedule asks for it (its project name,
    customer … are checked for every kind in one place: pipeline.project_against_plan)."""
    from docgen.kinds.service_report.model import FREQUENCIES, period_kind

    out = []
    start, end = plan.start, plan.end
    if last < start or first > end:
        out.append(f"period：报告期间 {period}（{first}～{last}）不在项目计划的起止日期 {start}～{end} 内，请确认期间")
    frequency = FREQUENCIES[period_kind(period)]
    schedule = [r for r in plan.reports if r.doc_type == "service_report"]
    if schedule and not any(r.frequency == frequency for r in schedule):
        planned = "、".join(sorted({r.frequency for r in schedule}))
        out.append(f"period：计划的服务报告安排中运维服务报告为 {planned}，本报告为 {frequency}，不计入服务报告比例；"
                   "请确认报告期间")
    return out
