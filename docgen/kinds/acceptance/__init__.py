"""项目验收 (kind: acceptance, §5.4.4): the input checks (internal application within one month
after project end, preliminary open issues done before final acceptance, dates in order, 运维部 and
质量部 evaluating) and the 项目验收报告 (acceptance_report), whose deliverables list and SLA
self-assessment are computed from the archive's metadata over the whole project period."""
from __future__ import annotations

from docgen.control import Signoffs
from typing import TYPE_CHECKING, Any

from docgen.errors import Issue
from docgen.facts import (
    acceptance_order_gaps,
    AcceptanceFacts,
    AcceptanceIssue,
    AcceptanceMeeting,
    EvaluationFact,
    ReportSla,
    view_of,
)
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._narrative import contradictions
from docgen.kinds._review import NOT_APPROVING
from docgen.kinds.acceptance.figures import (
    PlanView,
    SlaResult,
    deliverables,
    open_at_end,
    plan_view,
    sla_results,
)
from docgen.kinds.acceptance.model import AcceptanceInput, acceptance_deadline
from docgen.numbers import fmt_num
from docgen.periods import period_label

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.metrics.leftovers import Leftover

TITLE = "项目验收报告"
DOC_TYPE = "acceptance_report"
TEMPLATE = "acceptance_report.docx"
EVALUATING_UNITS = ("运维部", "质量部")  # §5.4.4.1 运维部与质量部……进行评估
FAILING = (*NOT_APPROVING, "不合格", "不达标")


def evaluation_passes(conclusion: str) -> bool:
    return not any(word in conclusion for word in FAILING)


def days_late(model: AcceptanceInput) -> int:
    """Days the internal application came after its deadline (0 when on time)."""
    return max((model.internal.applied_on - acceptance_deadline(model.project.end)).days, 0)


# -------------------------------------------------------------------------------------------- rules
def acceptance_rules(model: AcceptanceInput) -> list[Issue]:
    """The §5.4.4 checks the model's types cannot express."""
    issues: list[Issue] = []
    end = model.project.end

    def warning(path: str, message: str) -> None:
        issues.append(Issue("warning", path, message))

    def before(path: str, what: str, day: Any, other_path: str, other_what: str, other_day: Any, why: str) -> None:
        issues.append(Issue("error", path, f"时间顺序错误：{what} {path}（{day}）早于{other_what} {other_path}"
                                           f"（{other_day}）：{why}，请更正其中之一"))

    internal = model.internal
    if internal.applied_on < end:
        before("internal.applied_on", "内部验收申请日期", internal.applied_on, "project.end", "项目结束日期", end,
               "验收须在项目结束之后")
    deadline = acceptance_deadline(end)
    if internal.applied_on > deadline:
        warning("internal.applied_on", f"内部验收申请日期 {internal.applied_on} 晚于期限 {deadline}（项目结束日期 "
                                       f"project.end {end} 后一个月，§5.4.4.1），逾期 {days_late(model)} 天；"
                                       "报告“发现的问题”中列出")
    for k, e in enumerate(internal.evaluation):
        path = f"internal.evaluation[{k}]"
        if e.date < internal.applied_on:
            before(f"{path}.date", "评估日期", e.date, "internal.applied_on", "内部验收申请日期", internal.applied_on,
                   "须先提出内部验收申请再评估")
        if not evaluation_passes(e.conclusion):
            warning(f"{path}.conclusion", f"{e.role} {e.name} 的评估结论为 “{e.conclusion}”：内部验收未通过评估，"
                                          "请整改后重新申请")
    roles = [e.role for e in internal.evaluation]
    missing = [unit for unit in EVALUATING_UNITS if not any(unit in role for role in roles)]
    if missing:
        warning("internal.evaluation", f"内部验收评估缺少 {'、'.join(missing)}（§5.4.4.1 由运维部与质量部结合 SLA 达成"
                                       "自评和客户满意度调查结果进行评估）；报告中的评估记录不完整")

    pre, fin = model.customer.preliminary, model.customer.final
    for path, message in acceptance_order_gaps(internal.applied_on, [(f"{e.role}{e.name}", e.date)
                                                                     for e in internal.evaluation],
                                               pre.date if pre else None, fin.date if fin else None):
        warning(path, message)
    if pre is not None:
        if pre.date < end:
            before("customer.preliminary.date", "初验日期", pre.date, "project.end", "项目结束日期", end,
                   "验收须在项目结束之后")
        for k, x in enumerate(pre.open_issues):
            if x.due < pre.date:
                before(f"customer.preliminary.open_issues[{k}].due", "计划完成日期", x.due, "customer.preliminary.date",
                       "初验日期", pre.date, "遗留问题在初验时提出，须在其后解决")
    if fin is not None:
        if fin.date < end:
            before("customer.final.date", "终验日期", fin.date, "project.end", "项目结束日期", end,
                   "验收须在项目结束之后")
        if pre is not None and fin.date < pre.date:
            before("customer.final.date", "终验日期", fin.date, "customer.preliminary.date", "初验日期", pre.date,
                   "终验须在初验之后")
        for k, x in enumerate(pre.open_issues if pre is not None else []):
            if not x.done:
                warning(f"customer.preliminary.open_issues[{k}].done",
                        f"初验遗留问题“{x.issue}”在终验（{fin.date}）时尚未解决（计划 {x.due} 完成；§5.4.4.2 项目经理应在"
                        "终验或与客户约定的时间前组织解决落实）；报告“发现的问题”中列出")
    return issues


# ----------------------------------------------------------------------------------- archive reading
def archive_warnings(model: AcceptanceInput, plan: PlanView | None) -> list[str]:
    """What only the archive can tell: no plan to assess the SLA against, or a different project end."""
    code, end = model.project.code, model.project.end
    if plan is None:
        return [f"归档库中没有项目 {code} 的运维项目管理计划：无法按计划的 SLA 指标自评，报告中 SLA 达成自评为空；"
                "请先归档计划（docgen generate 计划.yaml）后重新生成"]
    if plan.end != end:
        return [f"project.end：项目结束日期 project.end（{end}）与已归档的运维项目管理计划（{plan.version}）的结束日期"
                f"（{plan.end}）不一致；SLA 按计划周期 {plan.start} 至 {plan.end} 统计，请核对项目结束日期或更新计划"]
    return []


def acceptance_findings(model: AcceptanceInput, plan: PlanView | None, sla: list[SlaResult],
                        leftovers: list[Leftover]) -> list[dict[str, str]]:
    """发现的问题: late application, issues open at final acceptance, no plan, SLA not met or not
    measurable, leftover issues still open at project end."""
    found: list[dict[str, str]] = []

    def add(category: str, text: str) -> None:
        found.append({"category": category, "text": text})

    internal, end = model.internal, model.project.end
    late = days_late(model)
    if late:
        add("内部验收申请", f"内部验收申请日期 {internal.applied_on} 晚于期限 {acceptance_deadline(end)}（项目结束后一个月，"
                      f"§5.4.4.1），逾期 {late} 天。")
    for e in internal.evaluation:
        if not evaluation_passes(e.conclusion):
            add("内部评估", f"{e.role} {e.name} 于 {e.date} 的评估结论为“{e.conclusion}”（§5.4.4.1），内部验收未通过评估。")
    pre, fin = model.customer.preliminary, model.customer.final
    if pre is not None and fin is not None:
        for x in pre.open_issues:
            if not x.done:
                add("客户验收", f"初验遗留问题“{x.issue}”在终验（{fin.date}）时尚未解决（措施：{x.resolution}；计划 {x.due} "
                            "完成；§5.4.4.2）。")
    if plan is None:
        add("SLA达成", "归档库中没有本项目的运维项目管理计划，无法按计划的 SLA 指标评估达成情况。")
    for r in sla:
        if r.met is False:
            add("SLA达成", f"{r.name}未达标：实际 {r.achieved}，考核要求 {r.requirement}"
                         + (f"；{r.gaps}。" if r.gaps else "。"))
        elif r.met is None and r.metric in ("availability_percent", "satisfaction_score"):
            add("SLA达成", f"{r.name}无法评估：{r.basis}。")
    for x in leftovers:
        due = f"，计划 {x.due} 完成" if x.due else ""
        add("遗留问题", f"遗留问题 {x.id}“{x.issue}”（{x.raised_by} 提出，责任人 {x.owner or '—'}{due}）在项目结束日 {end} "
                    "仍未关闭。")
    return found


# ------------------------------------------------------------------------------------------ context
def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _numbered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"no": str(n), **item} for n, item in enumerate(items, 1)]


def _sla_summary(sla: list[SlaResult], plan: PlanView | None) -> str:
    if plan is None:
        return "归档库中没有本项目的运维项目管理计划，无法按计划的 SLA 指标自评。"
    if not sla:
        return f"运维项目管理计划（{plan.version}）未设 SLA 指标。"
    counts: dict[str, int] = {}
    for r in sla:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    parts = "，".join(f"{v} {counts[v]} 项" for v in ("达标", "未达标", "无数据", "人工评估") if counts.get(v))
    return f"计划 SLA 指标共 {len(sla)} 项：{parts}。"


def acceptance_context(model: AcceptanceInput, *, plan: PlanView | None, groups: list[dict[str, Any]],
                       sla: list[SlaResult], surveys: list[dict[str, Any]], findings: list[dict[str, str]],
                       warnings: list[str]) -> dict[str, Any]:
    """The template's variables: plain strings, lists and dicts (the sandbox sees nothing else)."""
    p, internal = model.project, model.internal
    deadline = acceptance_deadline(p.end)
    late = days_late(model)
    pre, fin = model.customer.preliminary, model.customer.final
    issues = pre.open_issues if pre is not None else []
    undone = [x for x in issues if not x.done]
    if pre is None:
        pre_summary = "客户尚未进行初验。"
    elif not issues:
        pre_summary = f"客户于 {pre.date} 进行初验，结论：{pre.conclusion}，无遗留问题。"
    else:
        pre_summary = (f"客户于 {pre.date} 进行初验，结论：{pre.conclusion}。初验遗留问题 {len(issues)} 项，已解决 "
                       f"{len(issues) - len(undone)} 项" + (f"，未解决 {len(undone)} 项。" if undone else "。"))
    evaluated = [e.role for e in internal.evaluation]
    missing_units = [u for u in EVALUATING_UNITS if not any(u in r for r in evaluated)]
    failing = [e for e in internal.evaluation if not evaluation_passes(e.conclusion)]
    status = f"尚缺 {'、'.join(missing_units)} 的评估" if missing_units else "运维部与质量部均已评估"
    status += f"，其中 {len(failing)} 项评估结论为未通过。" if failing else "。"
    docs = [{"type": g["title"], **d} for g in groups for d in g["documents"]]
    return {
        "company": model.company,
        "title": TITLE,
        "doc_no": model.doc_no or "",  # empty: the archive's numbering rules (docgen.numbering)
        "period_label": period_label(str(p.end.year)),
        "project": {"code": p.code, "name": p.name, "customer": p.customer, "end": p.end.isoformat(),
                    "start": plan.start.isoformat() if plan else "—",
                    "manager": (plan.manager if plan and plan.manager else internal.applied_by)},
        "plan": {"found": plan is not None, "version": plan.version if plan else "—",
                 "start": plan.start.isoformat() if plan else "—", "end": plan.end.isoformat() if plan else "—"},
        "sla_period": f"{plan.start} 至 {plan.end}" if plan else "—",
        "internal": {
            "applied_on": internal.applied_on.isoformat(), "applied_by": internal.applied_by,
            "deadline": deadline.isoformat(), "on_time": not late,
            "timing": "在期限内" if not late else f"逾期 {late} 天",
            "self_assessment": _lines(internal.self_assessment),
        },
        "deliverable_types": _numbered([{"title": g["title"], "doc_type": g["doc_type"], "count": str(g["count"])}
                                        for g in groups]),
        "deliverable_docs": _numbered([{"type": d["type"], "title": d["title"], "period": d["period"] or "—",
                                        "doc_no": d["doc_no"], "version": d["label"], "date": d["date"]} for d in docs]),
        "deliverable_total": str(len(docs)),
        "sla": _numbered([{"name": r.name, "requirement": r.requirement, "achieved": r.achieved, "basis": r.basis,
                           "verdict": r.verdict, "failed": r.met is False} for r in sla]),
        "sla_summary": _sla_summary(sla, plan),
        "surveys": _numbered([{"period": s["period"], "period_label": period_label(s["period"]),
                               "respondents": str(s["respondents"]) if s["respondents"] is not None else "—",
                               "overall": fmt_num(s["overall"])} for s in surveys]),
        "evaluation": _numbered([{"name": e.name, "role": e.role, "conclusion": e.conclusion,
                                  "date": e.date.isoformat(), "passed": evaluation_passes(e.conclusion)}
                                 for e in internal.evaluation]),
        "evaluation_status": status,
        "preliminary": {
            "held": pre is not None, "date": pre.date.isoformat() if pre else "—",
            "conclusion": pre.conclusion if pre else "—", "summary": pre_summary,
            "issues": _numbered([{"issue": x.issue, "resolution": x.resolution, "due": x.due.isoformat(),
                                  "status": "已解决" if x.done else "未解决", "open": not x.done} for x in issues]),
        },
        "final": {"held": fin is not None, "date": fin.date.isoformat() if fin else "—",
                  "conclusion": fin.conclusion if fin else "—", "signed_by": fin.signed_by if fin else "—"},
        "findings": _numbered(findings),
        "warnings": list(warnings),
    }


def acceptance_facts(model: AcceptanceInput, *, plan: PlanView | None, groups: list[dict[str, Any]],
                     sla: list[SlaResult], findings: list[dict[str, str]], leftovers: list[Leftover],
                     narrative_conflicts: list[str] | None = None) -> AcceptanceFacts:
    """What audit and later reports read from the archive about the acceptance; `narrative_conflicts`:
    what the self-assessment says that the figures contradict."""
    p, internal = model.project, model.internal
    pre, fin = model.customer.preliminary, model.customer.final
    return AcceptanceFacts(
        name=p.name, customer=p.customer, end=p.end, applied_on=internal.applied_on, applied_by=internal.applied_by,
        deadline=acceptance_deadline(p.end), on_time=days_late(model) == 0, days_late=days_late(model),
        plan_version=plan.version if plan else None, sla_period=[plan.start, plan.end] if plan else None,
        evaluation=[EvaluationFact(name=e.name, role=e.role, conclusion=e.conclusion, date=e.date,
                               passed=evaluation_passes(e.conclusion)) for e in internal.evaluation],
        preliminary=AcceptanceMeeting(date=pre.date, conclusion=pre.conclusion) if pre else None,
        final=AcceptanceMeeting(date=fin.date, conclusion=fin.conclusion, signed_by=fin.signed_by) if fin else None,
        open_issues=[AcceptanceIssue(issue=x.issue, resolution=x.resolution, due=x.due.isoformat())
                     for x in (pre.open_issues if pre else []) if not x.done],
        sla=[ReportSla(**r.as_fact()) for r in sla],
        deliverables={g["doc_type"]: g["count"] for g in groups},
        leftovers_open_at_end=[x.id for x in leftovers], findings=findings,
        narrative_conflicts=list(narrative_conflicts or []))


def acceptance_documents(model: AcceptanceInput, *, archive: Archive | None,
                         warnings: list[str]) -> list[DocumentSpec]:
    code = model.project.code
    view = view_of(archive) if archive is not None else None
    plan = plan_view(view.plan_in_force(code)) if view is not None else None
    warnings = list(warnings) + archive_warnings(model, plan)
    groups = deliverables(view, code)
    sla, surveys = sla_results(view, code, plan)
    conflicts = contradictions(model.internal.self_assessment, missed=[r.name for r in sla if r.met is False])
    warnings += [f"internal.self_assessment：{c}；文档以统计为准" for c in conflicts]
    leftovers = open_at_end(view, code, model.project.end)
    findings = acceptance_findings(model, plan, sla, leftovers)
    return [DocumentSpec(
        doc_type=DOC_TYPE, title=TITLE, project=code, key=(), date=model.internal.applied_on,
        period=str(model.project.end.year), template=TEMPLATE,
        context=acceptance_context(model, plan=plan, groups=groups, sla=sla, surveys=surveys, findings=findings,
                                   warnings=warnings) | {"narrative_conflicts": conflicts},
        facts=acceptance_facts(model, plan=plan, groups=groups, sla=sla, findings=findings, leftovers=leftovers,
                               narrative_conflicts=conflicts),
        warnings=warnings, out_name=f"{code}_{TITLE}",
        signoffs=Signoffs.of(prepared_by=model.internal.applied_by, prepared_on=model.internal.applied_on,
                             approval=model.approval),
    )]


KIND = Kind(name="acceptance", title="项目验收", stage=6, model=AcceptanceInput, rules=acceptance_rules,
            documents=acceptance_documents, templates={DOC_TYPE: TEMPLATE}, example="acceptance.yaml")

__all__ = ["KIND", "acceptance_context", "acceptance_deadline", "acceptance_documents", "acceptance_facts",
           "acceptance_findings", "acceptance_rules", "archive_warnings", "days_late", "evaluation_passes"]
