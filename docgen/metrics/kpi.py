"""Monthly KPI figures read from the archive's metadata (docs/archive.md "Report counting" and "SLA metrics"):
服务报告比例 (regulation §8: 实际交付服务报告数量 / 应交付的服务报告数量 × 100 %, target 95 %) and the
record-based SLA figures. Pure functions: they read the archive, never print or write."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from docgen.doctypes import PER_SERVICE_DOC_TYPES
from docgen.facts import (
    ArchivedDoc,
    ArchiveView,
    PlanReport,
    ServiceRecordFacts,
    ServiceReportFacts,
    SurveyFacts,
    view_of,
)
from docgen.metrics.sla import RECORD_METRICS
from docgen.numbers import judge
from docgen.periods import safe_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

DEFAULT_REPORT_TARGET = 95.0  # regulation §8 考核要求 95 %
NO_REPORTS_DUE = "本月无应交报告"

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Slot:
    """One due report: `period` is the slot ("2025-03", "2025-W10", "2025-Q1") or, for per_service,
    the record's service_no; `delivered_by` the doc_id of the archived document that meets it (for tools),
    `delivered_no` its 文件编号 (what a reader is shown)."""

    project: str
    doc_type: str
    period: str
    frequency: str  # monthly | weekly | quarterly | per_service (the plan's report schedule)
    delivered_by: str | None = None
    delivered_no: str | None = None


@dataclass
class ReportRatio:
    """服务报告比例 of one project in one month; value None when nothing is due (本月无应交报告)."""

    project: str
    month: str
    due: int
    delivered: int
    value: float | None
    target: float
    met: bool | None
    slots: list[Slot] = field(default_factory=list)


@dataclass
class SlaFigure:
    """One plan metric over the month's service records, from their frozen met flags and values."""

    project: str
    month: str
    metric: str
    name: str
    target: float
    op: str
    records: int  # records with a frozen result for this metric (the share's denominator)
    met: int
    value: float | None  # share % of those records meeting the target; None when there is none
    mean: float | None
    p90: float | None  # nearest rank: the ⌈0.9·n⌉-th smallest
    no_plan_target: list[str] = field(default_factory=list)  # service_nos marked 无计划目标, not counted
    unit: str = "分钟"  # the plan's unit of the target (record metrics are times)
    missed: list[ArchivedDoc] = field(default_factory=list)  # the counted records that did not meet the target


# --- helpers -----------------------------------------------------------------------------------


def _month_bounds(month: str) -> tuple[date, date]:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"月份 {month!r} 格式不对，应为 YYYY-MM（例如 2025-03）")
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def _due_slots(entry: PlanReport, project: str, month: str, first: date, last: date, plan_start: date,
               plan_end: date, view: ArchiveView) -> list[Slot]:
    doc_type, frequency = entry.doc_type, entry.frequency
    if frequency == "monthly":
        return [Slot(project, doc_type, month, frequency)]
    if frequency == "weekly":
        slots = []
        day = first + timedelta(days=(6 - first.weekday()) % 7)  # the month's first Sunday
        while day <= last:
            if plan_start <= day <= plan_end:
                year, week, _ = day.isocalendar()
                slots.append(Slot(project, doc_type, f"{year}-W{week:02d}", frequency))
            day += timedelta(days=7)
        return slots
    if frequency == "quarterly":
        if first.month % 3:
            return []
        return [Slot(project, doc_type, f"{first.year}-Q{first.month // 3}", frequency)]
    if frequency == "per_service":
        producer = PER_SERVICE_DOC_TYPES.get(doc_type)
        if producer is None:  # the plan rules reject this; nothing can be counted for it
            return []
        return [Slot(project, doc_type, no, frequency) for no in view.service_records(project, producer, first, last)]
    return []


def _meets(slot: Slot, doc: ArchivedDoc) -> bool:
    if slot.frequency == "per_service":
        return doc.service_no == slot.period
    period = doc.period
    if period == slot.period:
        return True
    if len(period) != 10:  # only the slot itself or a day inside it
        return False
    day, inner = safe_bounds(period), safe_bounds(slot.period)
    return day is not None and inner is not None and inner[0] <= day[0] <= inner[1]


# --- 服务报告比例 ---------------------------------------------------------------------------------


def report_ratio(archive: Archive | ArchiveView, month: str, project: str) -> ReportRatio:
    """服务报告比例 of `project` in `month` (YYYY-MM) under the project's latest plan: each due slot
    met by at most one archived document (any version, counted once), each document meeting at most
    one slot; the month a report is written in does not matter, its period does."""
    first, last = _month_bounds(month)
    view = view_of(archive)
    plan = view.plan_facts(project)
    target_entry = plan.target("report_ratio") if plan is not None else None
    target = target_entry.target if target_entry is not None else DEFAULT_REPORT_TARGET
    op = target_entry.op if target_entry is not None else ">="
    if plan is None or plan.start > last or plan.end < first:  # no plan, or not active this month
        return ReportRatio(project, month, 0, 0, None, target, None, [])

    slots: list[Slot] = []
    for entry in plan.reports:
        slots.extend(_due_slots(entry, project, month, first, last, plan.start, plan.end, view))

    used: set[str] = set()
    for slot in slots:
        # a document whose period is the slot itself is preferred over one dated a day inside it
        candidates = [d for d in view.documents(project, slot.doc_type) if d.doc_id not in used and _meets(slot, d)]
        candidates.sort(key=lambda d: (slot.frequency != "per_service" and d.period != slot.period))
        if candidates:
            slot.delivered_by, slot.delivered_no = candidates[0].doc_id, candidates[0].doc_no
            used.add(slot.delivered_by)

    due = len(slots)
    delivered = sum(1 for s in slots if s.delivered_by is not None)
    if due == 0:
        return ReportRatio(project, month, 0, 0, None, target, None, slots)
    value = delivered * 100 / due  # not delivered / due * 100: 57/100 must be 57, not 56.99…
    return ReportRatio(project, month, due, delivered, value, target, judge(value, op, target), slots)


def overall_report_ratio(ratios: list[ReportRatio]) -> tuple[int, int, float | None]:
    """(Σ delivered, Σ due, Σ delivered / Σ due × 100) over several projects — not a mean of ratios;
    the value is None when nothing is due."""
    delivered = sum(r.delivered for r in ratios)
    due = sum(r.due for r in ratios)
    return delivered, due, (delivered * 100 / due if due else None)


# --- SLA figures --------------------------------------------------------------------------------


def p90_nearest_rank(values: list[float]) -> float | None:
    """The ⌈0.9·n⌉-th smallest value (nearest rank), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(9 * len(ordered) + 9) // 10 - 1]  # ⌈9n/10⌉ in integers: no float rounding


def sla_figures(archive: Archive | ArchiveView, month: str, project: str) -> list[SlaFigure]:
    """One figure per record-based SLA entry of the project's latest plan (response_minutes,
    arrival_minutes, resolution_minutes, onsite_minutes), in plan order, over the onsite and remote
    records resolved in `month`, using each record's frozen met flag and value (ServiceRecordFacts.sla).
    Records marked 无计划目标 to which the metric applies are listed, not counted; a record whose
    frozen results lack the metric (it does not apply, or the plan then in force set no target)
    is not counted either."""
    first, last = _month_bounds(month)
    return sla_figures_between(archive, project, first, last, label=month)


def sla_figures_between(archive: Archive | ArchiveView, project: str, first: date, last: date, *,
                        label: str) -> list[SlaFigure]:
    """sla_figures over any span of days (a week, a quarter, the whole project for acceptance);
    `label` is what the figures' `month` field says (the period or span)."""
    view = view_of(archive)
    plan = view.plan_facts(project)
    if plan is None:
        return []
    records = [(doc.facts_as(ServiceRecordFacts), doc) for doc in view.service_records(project, None, first, last).values()]
    records.sort(key=lambda r: (r[0].kind != "onsite", r[0].service_no))  # onsite first, as the records are listed
    figures = []
    seen: set[str] = set()
    for entry in plan.sla:
        metric = entry.metric
        if metric not in RECORD_METRICS or metric in seen:
            continue
        seen.add(metric)
        values: list[float] = []
        met = 0
        no_plan: list[str] = []
        missed: list[ArchivedDoc] = []
        for facts, doc in records:
            if facts.no_plan:
                if metric in facts.measures and entry.covers(facts.category):
                    no_plan.append(facts.service_no)
                continue
            result = facts.frozen(metric)
            if result is None or result.value is None:
                continue
            values.append(result.value)
            met += bool(result.met)
            if not result.met:
                missed.append(doc)
        n = len(values)
        figures.append(SlaFigure(
            project=project, month=label, metric=metric, name=entry.name or RECORD_METRICS[metric][0],
            target=entry.target, op=entry.op or "<=", records=n, met=met,
            value=met * 100 / n if n else None, mean=sum(values) / n if n else None,
            p90=p90_nearest_rank(values), no_plan_target=sorted(no_plan), unit=entry.unit or "分钟", missed=missed))
    return figures


# --- availability and satisfaction -------------------------------------------------------------


@dataclass
class ValueFigure:
    """A plan metric whose monthly figure is one value read from a document (availability_percent
    from the service report, satisfaction_score from the survey report), judged against the plan's target."""

    project: str
    month: str
    metric: str
    name: str
    target: float | None
    op: str
    value: float | None
    met: bool | None
    source: str | None  # doc_id(s) the value was read from (for tools), joined with 、
    note: str = ""
    source_no: str | None = None  # their 文件编号, as a reader is shown them


def _narrowest_containing(docs: list[ArchivedDoc], first: date, last: date) -> ArchivedDoc | None:
    """The document whose period contains first…last with the fewest days (ties: the newest)."""
    best: tuple[int, str, ArchivedDoc] | None = None
    for doc in docs:
        bounds = safe_bounds(doc.period)
        if bounds is None or not (bounds[0] <= first and last <= bounds[1]):
            continue
        rank = ((bounds[1] - bounds[0]).days, doc.created_at)
        if best is None or rank[0] < best[0] or (rank[0] == best[0] and rank[1] > best[1]):
            best = (rank[0], rank[1], doc)
    return best[2] if best else None


def _any_period_bounds(period: str) -> tuple[date, date]:
    bounds = safe_bounds(period)
    if bounds is None:
        raise ValueError(f"期间 {period!r} 格式不对，应为 YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY")
    return bounds


def _availability(doc: ArchivedDoc) -> float | None:
    return None if doc.received else doc.facts_as(ServiceReportFacts).availability_percent


def availability_figure(archive: Archive | ArchiveView, month: str, project: str, *, target: float | None = None,
                        op: str = ">=", name: str = "系统可用率") -> ValueFigure:
    """availability_percent of the month (or any period): from the project's service_report whose
    period is it (or the narrowest one containing it); when the project reports weekly, the mean of
    the weeks whose Sunday falls in it."""
    first, last = _any_period_bounds(month)
    reports = [d for d in view_of(archive).documents(project, "service_report") if _availability(d) is not None]
    found = _narrowest_containing(reports, first, last)
    value, source, source_no, note = None, None, None, ""
    if found is not None:
        value, source, source_no = _availability(found), found.doc_id, found.doc_no
    else:
        weeks = []
        for d in reports:
            bounds = safe_bounds(d.period) if "-W" in d.period else None
            if bounds and first <= bounds[1] <= last:
                weeks.append(d)
        if weeks:
            value = sum(_availability(d) or 0.0 for d in weeks) / len(weeks)
            source = "、".join(d.doc_id for d in weeks)
            source_no = "、".join(d.doc_no for d in weeks)
            note = f"{len(weeks)} 份周报的平均值"
        else:
            note = "该期间没有带可用率的运维服务报告"
    return ValueFigure(project, month, "availability_percent", name, target, op, value,
                       judge(value, op, target), source, note, source_no)


def satisfaction_figure(archive: Archive | ArchiveView, month: str, project: str, *, target: float | None = None,
                        op: str = ">=", name: str = "客户满意度") -> ValueFigure:
    """satisfaction_score of the month (or any period): the overall score of the survey report with
    the narrowest period containing it; record-level 回访 scores are not counted."""
    first, last = _any_period_bounds(month)
    surveys = [d for d in view_of(archive).documents(project, "survey_report") if not d.received]
    found = _narrowest_containing(surveys, first, last)
    if found is None:
        return ValueFigure(project, month, "satisfaction_score", name, target, op, None, None, None,
                           "没有覆盖该期间的满意度调查报告")
    value = found.facts_as(SurveyFacts).overall
    return ValueFigure(project, month, "satisfaction_score", name, target, op, value, judge(value, op, target),
                       found.doc_id, f"调查期间 {found.period}", found.doc_no)
