"""What the 项目验收报告 reads from the archive's metadata (docs/archive.md; never the documents' text): the
project's latest plan, its deliverables by document type, the SLA achieved over the whole project
period against every SLA entry of the plan, and the leftover issues still open at project end.
Deterministic: the same archive gives the same figures (no "today")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.doctypes import COMPUTED_DOC_TYPES, DOC_TYPES, doc_type_title
from docgen.facts import (
    ArchivedDoc,
    ArchiveView,
    PlanFacts,
    PlanSla,
    SurveyFacts,
    view_of,
)
from docgen.metrics.kpi import (
    availability_figure,
    overall_report_ratio,
    report_ratio,
    sla_figures_between,
)
from docgen.metrics.leftovers import Leftover, open_leftovers
from docgen.metrics.sla import RECORD_METRICS
from docgen.numbers import fmt_num, judge, target_text
from docgen.periods import months_between, safe_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive
# computed from the archive rather than delivered by the project: not listed as deliverables
NOT_DELIVERABLES = (*COMPUTED_DOC_TYPES, "acceptance_report")  # the report does not list itself
MANUAL = "需人工统计"


# ---------------------------------------------------------------------------------------------- plan
@dataclass
class PlanView:
    """The project's latest archived plan, as the acceptance report needs it."""

    doc_id: str
    version: str  # the plan's own label, e.g. V1.0
    start: date
    end: date
    manager: str
    sla: list[PlanSla]


def plan_view(doc: ArchivedDoc | None) -> PlanView | None:
    if doc is None:
        return None
    facts = doc.facts_as(PlanFacts)
    return PlanView(doc.doc_id, facts.plan_version, facts.start, facts.end, facts.manager or "", list(facts.sla))


# ------------------------------------------------------------------------------------- deliverables
def deliverables(archive: Archive | ArchiveView | None, project: str) -> list[dict[str, Any]]:
    """The project's archived documents (latest version of each), grouped by doc type in the order of
    docgen.doctypes (other types after, by id): [{doc_type, title, count, documents: [{title, period,
    version, date, doc_id}]}]. KPI, audit and acceptance reports are computed, not delivered: left out."""
    if archive is None:
        return []
    groups: dict[str, list[ArchivedDoc]] = {}
    for doc in view_of(archive).documents(project):
        if doc.doc_type in NOT_DELIVERABLES:
            continue
        groups.setdefault(doc.doc_type, []).append(doc)
    order = list(DOC_TYPES)
    ranked = sorted(groups, key=lambda t: (order.index(t) if t in order else len(order), t))
    return [{"doc_type": t, "title": doc_type_title(t), "count": len(groups[t]),
             "documents": [{"title": d.title, "period": d.period, "version": d.version, "date": d.date.isoformat(),
                            "doc_id": d.doc_id, "doc_no": d.record.get("doc_no") or "—",
                            "label": d.version_label} for d in groups[t]]}
            for t in ranked]


# ---------------------------------------------------------------------------------------------- SLA
@dataclass
class SlaResult:
    """One plan SLA entry over the project period: the figure compared with the target, how it was
    achieved (text) and from what (text). met None: no data, or not a metric docgen measures."""

    metric: str
    name: str
    op: str
    target: float | None
    unit: str
    value: float | None
    met: bool | None
    achieved: str
    basis: str
    detail: dict[str, Any] = field(default_factory=dict)
    gaps: str = ""  # where it fell short (months, records), for the report's findings

    @property
    def requirement(self) -> str:
        return target_text(self.op, self.target, self.unit)

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "人工评估" if self.achieved == MANUAL else "无数据"
        return "达标" if self.met else "未达标"

    def as_fact(self) -> dict[str, Any]:
        return {"metric": self.metric, "name": self.name, "op": self.op, "target": self.target, "unit": self.unit,
                "value": self.value, "met": self.met, **self.detail}


def surveys_between(archive: Archive | ArchiveView, project: str, first: date, last: date) -> list[dict[str, Any]]:
    """The project's survey reports whose period overlaps first…last, by period."""
    found = []
    for doc in view_of(archive).documents(project, "survey_report"):
        bounds = safe_bounds(doc.period)
        if doc.received or bounds is None or bounds[1] < first or bounds[0] > last:
            continue
        facts = doc.facts_as(SurveyFacts)
        found.append({"doc_id": doc.doc_id, "period": doc.period, "bounds": bounds, "overall": facts.overall,
                      "respondents": facts.respondents, "score_total": facts.score_total,
                      "score_count": facts.score_count})
    return sorted(found, key=lambda s: (s["bounds"], s["doc_id"]))


def _record_result(base: dict, figure: Any) -> SlaResult:
    unit = base["unit"] or "分钟"
    if figure is None or figure.records == 0:
        note = "项目期间没有适用此指标的现场/远程服务记录"
        if figure is not None and figure.no_plan_target:
            note += f"（{len(figure.no_plan_target)} 条记录归档时无计划目标，未计入）"
        return SlaResult(**base, value=None, met=None, achieved="无服务记录", basis=note,
                         detail={"records": 0, "records_met": 0})
    share = figure.value
    met = figure.met == figure.records
    basis = (f"达标率 = 达标记录数 ÷ 记录数；{figure.records} 条服务记录，平均 {fmt_num(figure.mean)} {unit}，"
             f"P90 {fmt_num(figure.p90)} {unit}")
    if figure.no_plan_target:
        basis += f"；另有 {len(figure.no_plan_target)} 条归档时无计划目标，未计入（{'、'.join(figure.no_plan_target)}）"
    gaps = "" if met else f"{figure.records} 条服务记录中 {figure.records - figure.met} 条未达到计划目标"
    return SlaResult(**base, value=share, met=met, gaps=gaps,
                     achieved=f"{fmt_num(share)}%（{figure.met}/{figure.records} 条）", basis=basis,
                     detail={"records": figure.records, "records_met": figure.met, "share_percent": share,
                             "mean": figure.mean, "p90": figure.p90})


def _report_ratio_result(archive: Archive, project: str, months: list[str], base: dict) -> SlaResult:
    ratios = [report_ratio(archive, m, project) for m in months]
    delivered, due, value = overall_report_ratio(ratios)
    if value is None:
        return SlaResult(**base, value=None, met=None, achieved="无应交报告",
                         basis=f"项目期间 {len(months)} 个月均无应交付的服务报告", detail={"due": 0, "delivered": 0})
    missing = [m for m in ratios if m.due and m.delivered < m.due]
    basis = f"项目期间 {len(months)} 个月共应交付 {due} 份、实际交付 {delivered} 份（Σ实际交付 ÷ Σ应交付）"
    gaps = ""
    if missing:
        gaps = "未交齐的月份：" + "、".join(f"{m.month}（{m.delivered}/{m.due}）" for m in missing)
        basis += "；" + gaps
    return SlaResult(**base, value=value, met=judge(value, base["op"], base["target"]), gaps=gaps,
                     achieved=f"{fmt_num(value)}%（{delivered}/{due}）", basis=basis,
                     detail={"due": due, "delivered": delivered})


def _availability_result(archive: Archive, project: str, months: list[str], base: dict) -> SlaResult:
    figures = [availability_figure(archive, m, project, target=base["target"], op=base["op"]) for m in months]
    valued = [f for f in figures if f.value is not None]
    if not valued:
        return SlaResult(**base, value=None, met=None, achieved="无数据",
                         basis=f"项目期间 {len(months)} 个月均没有带可用率的运维服务报告",
                         detail={"months": len(months), "months_with_value": 0})
    value = sum(f.value for f in valued) / len(valued)
    basis = f"{len(valued)}/{len(months)} 个月有可用率数据，取其月均值"
    lacking = [f.month for f in figures if f.value is None]
    if lacking:
        basis += "（无数据：" + "、".join(lacking) + "）"
    below = [f for f in valued if f.met is False]
    gaps = ""
    if below:
        gaps = "未达标月份：" + "、".join(f"{f.month}（{fmt_num(f.value)}%）" for f in below)
        basis += "；" + gaps
    return SlaResult(**base, value=value, met=judge(value, base["op"], base["target"]), gaps=gaps,
                     achieved=f"{fmt_num(value)}%", basis=basis,
                     detail={"months": len(months), "months_with_value": len(valued),
                             "monthly": {f.month: f.value for f in valued}})


def _satisfaction_result(surveys: list[dict[str, Any]], base: dict) -> SlaResult:
    if not surveys:
        return SlaResult(**base, value=None, met=None, achieved="无数据",
                         basis="项目期间没有需方满意度调查和分析报告", detail={"surveys": 0})
    pooled = all(isinstance(s["score_total"], (int, float)) and s["score_count"] for s in surveys)
    if pooled:
        total = sum(s["score_total"] for s in surveys)
        count = sum(s["score_count"] for s in surveys)
        value = total / count
        formula = f"全部评分之和 ÷ 评分个数 = {fmt_num(total)} ÷ {count} = {fmt_num(value)}"
    else:
        value = sum(s["overall"] for s in surveys) / len(surveys)
        formula = "各次调查总体满意度的平均值"
    low = [s for s in surveys if judge(s["overall"], base["op"], base["target"]) is False]
    gaps = ("低于目标的调查：" + "、".join(f"{s['period']}（{fmt_num(s['overall'])} 分）" for s in low)) if low else ""
    return SlaResult(**base, value=value, met=judge(value, base["op"], base["target"]), gaps=gaps,
                     achieved=f"{fmt_num(value)} 分", basis=f"{len(surveys)} 份满意度调查（见下表），{formula}",
                     detail={"surveys": len(surveys), "periods": [s["period"] for s in surveys]})


def sla_results(archive: Archive | ArchiveView | None, project: str, plan: PlanView | None
                ) -> tuple[list[SlaResult], list[dict]]:
    """Every SLA entry of the plan (in plan order) achieved over the plan's start…end, and the surveys
    behind the satisfaction figure. No plan: nothing to assess against."""
    if plan is None or archive is None:
        return [], []
    first, last = plan.start, plan.end
    months = months_between(first, last)
    label = f"{first.isoformat()}～{last.isoformat()}"
    record_figures = {f.metric: f for f in sla_figures_between(archive, project, first, last, label=label)}
    surveys = surveys_between(archive, project, first, last)
    results: list[SlaResult] = []
    seen: set[str] = set()
    for entry in plan.sla:
        metric = entry.metric
        if not metric or metric in seen:
            continue
        seen.add(metric)
        base = {"metric": metric, "name": entry.name or RECORD_METRICS.get(metric, (metric,))[0],
                "op": entry.op or ">=", "target": entry.target, "unit": entry.unit or ""}
        if metric in RECORD_METRICS:
            results.append(_record_result(base, record_figures.get(metric)))
        elif metric == "report_ratio":
            results.append(_report_ratio_result(archive, project, months, base))
        elif metric == "availability_percent":
            results.append(_availability_result(archive, project, months, base))
        elif metric == "satisfaction_score":
            results.append(_satisfaction_result(surveys, base))
        else:
            results.append(SlaResult(**base, value=None, met=None, achieved=MANUAL,
                                     basis="docgen 不能自动统计此指标，达成情况见项目组自评"))
    return results, surveys


def open_at_end(archive: Archive | None, project: str, end: date) -> list[Leftover]:
    """Leftover issues (遗留问题, step 8) still open on the project's last day."""
    if archive is None:
        return []
    return open_leftovers(archive, project, as_of=end)
