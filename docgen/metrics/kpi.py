"""Monthly KPI figures read from the archive's metadata (archive.md "Report counting" and "SLA metrics"):
服务报告比例 (regulation §8: 实际交付服务报告数量 / 应交付的服务报告数量 × 100 %, target 95 %) and the
record-based SLA figures. Pure functions: they read the archive, never print or write."""
from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from docgen.archive import Archive, make_doc_id
from docgen.archive._layout import DOCUMENTS
from docgen.doctypes import PER_SERVICE_DOC_TYPES
from docgen.errors import InputError
from docgen.metrics.sla import _OPS, NO_PLAN, RECORD_METRICS, judge
from docgen.periods import safe_bounds

DEFAULT_REPORT_TARGET = 95.0  # regulation §8 考核要求 95 %
NO_REPORTS_DUE = "本月无应交报告"

# the archived documents that stand for one service record of a kind (each carries the record's facts:
# service_no, resolved_at, measures, sla); leftover_confirmation is left out: both kinds produce it
RECORD_DOC_TYPES: dict[str, tuple[str, ...]] = {
    "onsite": ("onsite_form", "onsite_report"),
    "remote": ("remote_record",),
}

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Slot:
    """One due report: `period` is the slot ("2025-03", "2025-W10", "2025-Q1") or, for per_service,
    the record's service_no; `delivered_by` the doc_id of the archived document that meets it."""

    project: str
    doc_type: str
    period: str
    kind: str  # monthly | weekly | quarterly | per_service
    delivered_by: str | None = None


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


# --- helpers -----------------------------------------------------------------------------------


def _month_bounds(month: str) -> tuple[date, date]:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"月份 {month!r} 格式不对，应为 YYYY-MM（例如 2025-03）")
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def latest_plan(archive: Archive, project: str) -> dict | None:
    """The metadata record of the project's latest archived plan version, or None."""
    return archive.latest(make_doc_id(project, "plan"))


def _all_project_folders(archive: Archive) -> list[str]:
    folder = archive.root / DOCUMENTS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def require_project(archive: Archive, project: str) -> None:
    """InputError (with did-you-mean and the projects there are) unless the archive holds documents of
    `project`; names starting with `_` (`_all`) are reserved, never projects."""
    if project.startswith("_"):
        raise InputError(f"项目编号 “{project}” 无效：以 _ 开头的名称（如 _all）是保留名称，不是项目编号")
    known = _all_project_folders(archive)
    if project not in known:
        close = difflib.get_close_matches(project, known, n=1, cutoff=0.6)
        hint = f"，是否为 {close[0]}?" if close else ""
        listed = f"（已有项目：{'、'.join(known[:10])}{' 等' if len(known) > 10 else ''}）" if known else "（归档库中还没有任何项目）"
        raise InputError(f"归档库中没有项目 {project} 的文档{hint}{listed}；请检查项目编号", file=str(archive.root))


def _plan_dates(plan: dict) -> tuple[date, date] | None:
    facts = plan.get("facts") or {}
    try:
        return date.fromisoformat(facts["start"]), date.fromisoformat(facts["end"])
    except (KeyError, TypeError, ValueError):
        return None


def _resolved_day(record: dict) -> date | None:
    resolved = (record.get("facts") or {}).get("resolved_at")
    try:
        return date.fromisoformat(resolved[:10]) if isinstance(resolved, str) else None
    except ValueError:
        return None


def service_records_between(archive: Archive, project: str, kind: str, first: date, last: date) -> dict[str, dict]:
    """The kind's ("onsite" / "remote") service records resolved between `first` and `last` (inclusive),
    one per service_no (the latest archived document standing for it), in service_no order."""
    found: dict[str, dict] = {}
    for doc_type in RECORD_DOC_TYPES[kind]:
        for record in archive.records(project=project, doc_type=doc_type):
            service_no = (record.get("facts") or {}).get("service_no")
            day = _resolved_day(record)
            if not service_no or day is None or not first <= day <= last:
                continue
            seen = found.get(service_no)
            if seen is None or record.get("created_at", "") > seen.get("created_at", ""):
                found[service_no] = record
    return dict(sorted(found.items()))


def _service_records(archive: Archive, project: str, kind: str, month: str) -> dict[str, dict]:
    first, last = _month_bounds(month)
    return service_records_between(archive, project, kind, first, last)


def _due_slots(entry: dict, project: str, month: str, first: date, last: date, plan_start: date,
               plan_end: date, archive: Archive) -> list[Slot]:
    doc_type, kind = entry.get("doc_type"), entry.get("frequency")
    if kind == "monthly":
        return [Slot(project, doc_type, month, kind)]
    if kind == "weekly":
        slots = []
        day = first + timedelta(days=(6 - first.weekday()) % 7)  # the month's first Sunday
        while day <= last:
            if plan_start <= day <= plan_end:
                year, week, _ = day.isocalendar()
                slots.append(Slot(project, doc_type, f"{year}-W{week:02d}", kind))
            day += timedelta(days=7)
        return slots
    if kind == "quarterly":
        if first.month % 3:
            return []
        return [Slot(project, doc_type, f"{first.year}-Q{first.month // 3}", kind)]
    if kind == "per_service":
        producer = PER_SERVICE_DOC_TYPES.get(doc_type)
        if producer is None:  # the plan rules reject this; nothing can be counted for it
            return []
        return [Slot(project, doc_type, no, kind) for no in _service_records(archive, project, producer, month)]
    return []


def _meets(slot: Slot, record: dict) -> bool:
    if slot.kind == "per_service":
        return (record.get("facts") or {}).get("service_no") == slot.period
    period = str(record.get("period") or "")
    if period == slot.period:
        return True
    if len(period) != 10:  # only the slot itself or a day inside it
        return False
    day, inner = safe_bounds(period), safe_bounds(slot.period)
    return day is not None and inner is not None and inner[0] <= day[0] <= inner[1]


# --- 服务报告比例 ---------------------------------------------------------------------------------


def report_ratio(archive: Archive, month: str, project: str) -> ReportRatio:
    """服务报告比例 of `project` in `month` (YYYY-MM) under the project's latest plan: each due slot
    met by at most one archived document (any version, counted once), each document meeting at most
    one slot; the month a report is written in does not matter, its period does."""
    first, last = _month_bounds(month)
    plan = latest_plan(archive, project)
    facts = (plan or {}).get("facts") or {}
    target_entry = next((s for s in facts.get("sla") or [] if s.get("metric") == "report_ratio"), None)
    target = float(target_entry["target"]) if target_entry and target_entry.get("target") is not None \
        else DEFAULT_REPORT_TARGET
    op = (target_entry or {}).get("op") or ">="
    dates = _plan_dates(plan) if plan else None
    if dates is None or dates[0] > last or dates[1] < first:  # no plan, or not active this month
        return ReportRatio(project, month, 0, 0, None, target, None, [])

    slots: list[Slot] = []
    for entry in facts.get("reports") or []:
        slots.extend(_due_slots(entry, project, month, first, last, dates[0], dates[1], archive))

    documents: dict[str, list[dict]] = {}
    used: set[str] = set()
    for slot in slots:
        if slot.doc_type not in documents:
            documents[slot.doc_type] = archive.records(project=project, doc_type=slot.doc_type)
        # a document whose period is the slot itself is preferred over one dated a day inside it
        candidates = [r for r in documents[slot.doc_type] if r["doc_id"] not in used and _meets(slot, r)]
        candidates.sort(key=lambda r: (slot.kind != "per_service" and r.get("period") != slot.period))
        if candidates:
            slot.delivered_by = candidates[0]["doc_id"]
            used.add(slot.delivered_by)

    due = len(slots)
    delivered = sum(1 for s in slots if s.delivered_by is not None)
    if due == 0:
        return ReportRatio(project, month, 0, 0, None, target, None, slots)
    value = delivered * 100 / due  # not delivered / due * 100: 57/100 must be 57, not 56.99…
    check = _OPS.get(op, _OPS[">="])
    return ReportRatio(project, month, due, delivered, value, target, bool(check(value, target)), slots)


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


def sla_figures(archive: Archive, month: str, project: str) -> list[SlaFigure]:
    """One figure per record-based SLA entry of the project's latest plan (response_minutes,
    arrival_minutes, resolution_minutes, onsite_minutes), in plan order, over the onsite and remote
    records resolved in `month`, using each record's frozen met flag and value (facts["sla"]).
    Records marked 无计划目标 to which the metric applies are listed, not counted; a record whose
    frozen results lack the metric (it does not apply, or the plan then in force set no target)
    is not counted either."""
    first, last = _month_bounds(month)
    return sla_figures_between(archive, project, first, last, label=month)


def sla_figures_between(archive: Archive, project: str, first: date, last: date, *, label: str) -> list[SlaFigure]:
    """sla_figures over any span of days (a week, a quarter, the whole project for acceptance);
    `label` is what the figures' `month` field says (the period or span)."""
    plan = latest_plan(archive, project)
    if plan is None:
        return []
    records = [r for kind in RECORD_DOC_TYPES
               for r in service_records_between(archive, project, kind, first, last).values()]
    figures = []
    seen: set[str] = set()
    for entry in (plan.get("facts") or {}).get("sla") or []:
        metric = entry.get("metric")
        if metric not in RECORD_METRICS or metric in seen:
            continue
        seen.add(metric)
        values: list[float] = []
        met = 0
        no_plan: list[str] = []
        for record in records:
            facts = record.get("facts") or {}
            frozen = facts.get("sla")
            if frozen == NO_PLAN:
                measures = facts.get("measures")
                if not isinstance(measures, dict) or metric in measures:
                    no_plan.append(facts["service_no"])
                continue
            result = next((s for s in frozen or [] if isinstance(s, dict) and s.get("metric") == metric), None)
            if result is None or result.get("value") is None:
                continue
            values.append(float(result["value"]))
            met += bool(result.get("met"))
        n = len(values)
        figures.append(SlaFigure(
            project=project, month=label, metric=metric, name=entry.get("name") or RECORD_METRICS[metric][0],
            target=float(entry["target"]), op=entry.get("op") or "<=", records=n, met=met,
            value=met * 100 / n if n else None, mean=sum(values) / n if n else None,
            p90=p90_nearest_rank(values), no_plan_target=sorted(no_plan)))
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
    source: str | None  # doc_id the value was read from
    note: str = ""


def _narrowest_containing(records: list[dict], first: date, last: date) -> dict | None:
    """The record whose period contains first…last with the fewest days (ties: the newest)."""
    best: tuple[int, str, dict] | None = None
    for record in records:
        bounds = safe_bounds(record.get("period"))
        if bounds is None or not (bounds[0] <= first and last <= bounds[1]):
            continue
        rank = ((bounds[1] - bounds[0]).days, record.get("created_at", ""))
        if best is None or rank[0] < best[0] or (rank[0] == best[0] and rank[1] > best[1]):
            best = (rank[0], rank[1], record)
    return best[2] if best else None


def _any_period_bounds(period: str) -> tuple[date, date]:
    bounds = safe_bounds(period)
    if bounds is None:
        raise ValueError(f"期间 {period!r} 格式不对，应为 YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY")
    return bounds


def availability_figure(archive: Archive, month: str, project: str, *, target: float | None = None,
                        op: str = ">=", name: str = "系统可用率") -> ValueFigure:
    """availability_percent of the month (or any period): from the project's service_report whose
    period is it (or the narrowest one containing it); when the project reports weekly, the mean of
    the weeks whose Sunday falls in it."""
    first, last = _any_period_bounds(month)
    reports = [r for r in archive.records(project=project, doc_type="service_report")
               if (r.get("facts") or {}).get("availability_percent") is not None]
    found = _narrowest_containing(reports, first, last)
    value, source, note = None, None, ""
    if found is not None:
        value, source = float(found["facts"]["availability_percent"]), found["doc_id"]
    else:
        weeks = []
        for r in reports:
            period = str(r.get("period") or "")
            bounds = safe_bounds(period) if "-W" in period else None
            if bounds and first <= bounds[1] <= last:
                weeks.append(r)
        if weeks:
            value = sum(float(r["facts"]["availability_percent"]) for r in weeks) / len(weeks)
            source = "、".join(r["doc_id"] for r in weeks)
            note = f"{len(weeks)} 份周报的平均值"
        else:
            note = "该期间没有带可用率的运维服务报告"
    return ValueFigure(project, month, "availability_percent", name, target, op, value,
                       judge(value, op, target), source, note)


def satisfaction_figure(archive: Archive, month: str, project: str, *, target: float | None = None,
                        op: str = ">=", name: str = "客户满意度") -> ValueFigure:
    """satisfaction_score of the month (or any period): the overall score of the survey report with
    the narrowest period containing it (archive.md); record-level 回访 scores are not counted."""
    first, last = _any_period_bounds(month)
    surveys = [r for r in archive.records(project=project, doc_type="survey_report")
               if (r.get("facts") or {}).get("overall") is not None]
    found = _narrowest_containing(surveys, first, last)
    if found is None:
        return ValueFigure(project, month, "satisfaction_score", name, target, op, None, None, None,
                           "没有覆盖该期间的满意度调查报告")
    value = float(found["facts"]["overall"])
    return ValueFigure(project, month, "satisfaction_score", name, target, op, value, judge(value, op, target),
                       found["doc_id"], f"调查期间 {found.get('period')}")
