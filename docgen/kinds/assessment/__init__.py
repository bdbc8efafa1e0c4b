"""调研评估 deliverable pack (kind: assessment, §5.4.7.4): 调研评估计划书, 调研评估分析报告 (findings by
risk), 调研评估的规划方案或建议及评审记录, 交付清单."""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict

from docgen.errors import Issue
from docgen.facts import (
    AssessmentPlanFacts,
    AssessmentRecommendationFacts,
    AssessmentReportFacts,
    PackFacts,
)
from docgen.fields import (
    Date,
    OptDate,
    OptText,
    StrictModel,
    Text,
    TextList,
    label,
)
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._pack import (
    PackBase,
    pack_context,
    pack_hooks,
    pack_spec,
)
from docgen.kinds._review import (
    Review,
    review_facts,
    review_issues,
    review_rows,
    review_status,
    reviewed_on,
)
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

PACK = "assessment"
LEVELS = ("高", "中", "低")


class ScheduleItem(StrictModel):
    # `from` is a Python keyword: the input key is `from` (alias); `from_` is accepted too
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    task: Text = label("工作内容")
    from_: Date = label("开始日期", "YYYY-MM-DD", alias="from")
    to: Date = label("结束日期", "YYYY-MM-DD；不早于开始日期")


class AssessmentPlan(StrictModel):
    subject: Text = label("调研评估主题")
    objectives: TextList = label("调研评估目标", "列表；录入表中一格内用 ； 分隔", min_length=1)
    scope: Text = label("调研评估范围")
    method: Text = label("调研评估方法")
    schedule: list[ScheduleItem] = label("进度安排", "每项写明开始和结束日期", min_length=1, sheet="进度安排")
    date: OptDate = label("计划编制日期", "YYYY-MM-DD；可不填", default=None)


class Finding(StrictModel):
    item: Text = label("评估项")
    finding: Text = label("调研发现")
    risk: Literal["高", "中", "低"] = label("风险等级", "高 | 中 | 低")
    evidence: OptText = label("依据", default=None)


class Recommendation(StrictModel):
    recommendation: Text = label("规划方案或建议")
    priority: Literal["高", "中", "低"] = label("优先级", "高 | 中 | 低")
    estimate: OptText = label("估算投入", "例如 84万元", default=None)
    timeline: OptText = label("实施时间", "自由文本，例如 2026年上半年", default=None)


class Recommendations(StrictModel):
    items: list[Recommendation] = label("规划方案或建议", min_length=1, sheet="规划建议")
    date: OptDate = label("建议编制日期", "YYYY-MM-DD；给出时评审日期不得早于它", default=None)
    review: list[Review] = label("评审记录", "评审人、角色（任意，例如 客户接口人）、结论、日期", default_factory=list,
                                 sheet="建议评审")


class AssessmentInput(PackBase):
    kind: Literal["assessment"] = label("输入类型", "固定为 assessment")
    plan: AssessmentPlan = label("调研评估计划书", "§5.4.7.4")
    findings: list[Finding] = label("调研评估分析报告", "§5.4.7.4 调研发现及风险等级", min_length=1, sheet="调研发现")
    recommendations: Recommendations = label("调研评估的规划方案或建议及评审记录", "§5.4.7.4")


def assessment_rules(pack: AssessmentInput) -> list[Issue]:
    issues: list[Issue] = []
    first, last = period_bounds(pack.period)
    for i, task in enumerate(pack.plan.schedule):
        if task.to < task.from_:
            issues.append(Issue("error", f"plan.schedule[{i}].to",
                                f"时间顺序错误：结束日期 plan.schedule[{i}].to（{task.to}）早于开始日期 "
                                f"plan.schedule[{i}].from（{task.from_}），请更正其中之一"))
        elif task.to < first or task.from_ > last:
            issues.append(Issue("warning", f"plan.schedule[{i}]",
                                f"进度安排 “{task.task}”（{task.from_}～{task.to}）不在本包期间 {pack.period}"
                                f"（{first}～{last}）内，请确认"))
        if pack.plan.date is not None and task.from_ < pack.plan.date:
            issues.append(Issue("warning", f"plan.schedule[{i}].from",
                                f"进度安排 “{task.task}” 的开始日期 {task.from_} 早于计划编制日期 plan.date（{pack.plan.date}）"))
    issues += review_issues(pack.recommendations.review, "recommendations.review", "规划方案或建议",
                            drafted=pack.recommendations.date, drafted_path="recommendations.date")
    if pack.prepared_on is not None and pack.prepared_on < first:
        issues.append(Issue("error", "prepared_on", f"编制日期 prepared_on（{pack.prepared_on}）早于期间 period 的开始（{first}）"))
    return issues


def _counts(values: list[str]) -> dict[str, int]:
    return {level: values.count(level) for level in LEVELS}


def _doc(pack: AssessmentInput, doc_type: str, warnings: list[str], extra: dict[str, Any],
         facts: PackFacts, *, day: datetime.date | None = None) -> DocumentSpec:
    return pack_spec(pack, PACK, doc_type, template=f"{doc_type}.docx", warnings=warnings, day=day,
                     context=pack_context(pack, doc_type=doc_type, warnings=warnings, day=day) | extra, facts=facts)


def assessment_documents(pack: AssessmentInput, *, archive: Archive | None,
                         warnings: list[str]) -> list[DocumentSpec]:
    plan, recs = pack.plan, pack.recommendations
    schedule = [{"no": str(n), "task": t.task, "begin": t.from_.isoformat(), "finish": t.to.isoformat(),
                 "days": str((t.to - t.from_).days + 1)} for n, t in enumerate(plan.schedule, 1)]
    start = min(t.from_ for t in plan.schedule).isoformat()
    end = max(t.to for t in plan.schedule).isoformat()
    header = {"subject": plan.subject, "scope": plan.scope, "method": plan.method, "start": start, "end": end}
    plan_doc = _doc(pack, "assessment_plan", warnings, header | {
        "objectives": [{"no": str(n), "objective": o} for n, o in enumerate(plan.objectives, 1)],
        "schedule": schedule, "plan_date": plan.date.isoformat() if plan.date else "—",
    }, AssessmentPlanFacts(pack=PACK, subject=plan.subject, start=start, end=end, tasks=len(schedule)),
        day=plan.date or min(t.from_ for t in plan.schedule))  # written at the latest when the work starts
    by_risk = _counts([f.risk for f in pack.findings])
    order = {level: n for n, level in enumerate(LEVELS)}
    findings = [{"no": str(n), "item": f.item, "finding": f.finding, "risk": f.risk, "evidence": f.evidence or "—",
                 "high": f.risk == "高"}
                for n, f in enumerate(sorted(pack.findings, key=lambda f: order[f.risk]), 1)]
    report = _doc(pack, "assessment_report", warnings, header | {
        "findings": findings,
        "risk_counts": {"total": str(len(findings)), "high": str(by_risk["高"]), "medium": str(by_risk["中"]),
                        "low": str(by_risk["低"])},
    }, AssessmentReportFacts(pack=PACK, subject=plan.subject, findings=len(findings), by_risk=by_risk),
        day=max(t.to for t in plan.schedule))  # the analysis is done when the planned work is
    by_priority = _counts([r.priority for r in recs.items])
    items = [{"no": str(n), "recommendation": r.recommendation, "priority": r.priority, "high": r.priority == "高",
              "estimate": r.estimate or "—", "timeline": r.timeline or "—"} for n, r in enumerate(recs.items, 1)]
    recommendation = _doc(pack, "assessment_recommendation", warnings, {
        "subject": plan.subject, "items": items, "findings_total": str(len(findings)),
        "high_risks": str(by_risk["高"]), "rec_date": recs.date.isoformat() if recs.date else "—",
        "reviews": review_rows(recs.review), "review_status": review_status(recs.review),
    }, AssessmentRecommendationFacts(pack=PACK, subject=plan.subject, recommendations=len(items),
                                     by_priority=by_priority, review_status=review_status(recs.review),
                                     reviews=review_facts(recs.review)), day=recs.date or reviewed_on(recs.review))
    return [plan_doc, report, recommendation]


KIND = Kind(name="assessment", title="调研评估交付成果", stage=4, model=AssessmentInput, rules=assessment_rules,
            documents=assessment_documents,
            templates={"assessment_plan": "assessment_plan.docx", "assessment_report": "assessment_report.docx",
                       "assessment_recommendation": "assessment_recommendation.docx",
                       "pack_manifest": "pack_manifest.docx"},
            example="assessment.yaml", **pack_hooks(PACK))
