"""运维项目管理计划 (kind: plan): the regulation's checks (§5.2, §5.3, §5.4.1) and the plan document."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docgen.control import Signoff, Signoffs
from docgen.doctypes import (
    DEFAULT_SLA_CATEGORIES,
    DOC_TYPES,
    PER_SERVICE_DOC_TYPES,
    doc_type_title,
)
from docgen.errors import Issue
from docgen.facts import (
    HistoryEntry,
    PlanFacts,
    PlanReport,
    PlanReviewer,
    PlanSla,
    review_gaps,
    view_of,
    workload_gap,
)
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds.plan.model import (
    CLOCK_LABELS,
    FREQUENCY_LABELS,
    KNOWN_METRICS,
    METHOD_LABELS,
    NOTIFY_GROUPS,
    PROJECT_TYPE_LABELS,
    SERVICE_LABELS,
    PlanInput,
)
from docgen.numbers import fmt_num, op_text

if TYPE_CHECKING:
    from docgen.archive import Archive

TITLE = "运维项目管理计划"
MINUTE_METRICS = {"response_minutes", "arrival_minutes", "resolution_minutes", "onsite_minutes"}


def _basis_text(plan: PlanInput) -> str:
    """The 估算依据 as written, followed by the breakdown with its computed total when one is given."""
    parts = plan.workload.breakdown
    if not parts:
        return plan.workload.basis
    listed = "、".join(f"{p.item} {fmt_num(p.person_days)} 人天" for p in parts)
    return f"{plan.workload.basis}（分项：{listed}，合计 {fmt_num(sum(p.person_days for p in parts))} 人天）"


def review_passed(plan: PlanInput) -> bool:
    return all(r.conclusion == "通过" for r in plan.review.reviewers)


def plan_rules(plan: PlanInput) -> list[Issue]:
    """The §5.2/§5.3/§5.4.1 checks that the model's types cannot express."""
    issues: list[Issue] = []

    def error(path: str, message: str) -> None:
        issues.append(Issue("error", path, message))

    def warning(path: str, message: str) -> None:
        issues.append(Issue("warning", path, message))

    p = plan.project
    if p.start > p.end:
        error("project.end", f"项目结束日期 project.end（{p.end}）早于开始日期 project.start（{p.start}），请更正其中之一")

    seen_metrics: dict[str, int] = {}
    for i, s in enumerate(plan.sla):
        path = f"sla[{i}]"
        if s.metric in seen_metrics:
            error(f"{path}.metric", f"指标 {s.metric} 与 sla[{seen_metrics[s.metric]}].metric 重复；每个指标只能定义一次，请合并或删除一项")
        seen_metrics.setdefault(s.metric, i)
        if s.metric not in KNOWN_METRICS:
            warning(f"{path}.metric", f"指标编号 {s.metric} 不是 docgen 能自动统计的指标（{'、'.join(KNOWN_METRICS)}），"
                                      "其达成情况需在服务报告中人工填写")
        if s.unit.strip() == "%" and not 0 <= s.target <= 100:
            error(f"{path}.target", f"百分比目标值应在 0–100 之间，实际为 {fmt_num(s.target)}")
        if s.metric == "satisfaction_score" and not 1 <= s.target <= 5:
            error(f"{path}.target", f"满意度目标值应在 1–5 分之间，实际为 {fmt_num(s.target)}")
        if s.metric in MINUTE_METRICS and s.target < 0:
            error(f"{path}.target", f"时间目标不能为负数，实际为 {fmt_num(s.target)}")
        if (s.clock == "workday" or s.hours) and s.metric not in MINUTE_METRICS:
            error(f"{path}.clock", f"计时方式 workday/工作时段只适用于时间类指标（{'、'.join(sorted(MINUTE_METRICS))}），"
                                   f"{s.metric} 请删除 clock/hours")
        if s.categories and s.metric not in MINUTE_METRICS:
            error(f"{path}.categories", f"适用服务类别 categories 只适用于时间类指标（{'、'.join(sorted(MINUTE_METRICS))}），"
                                        f"{s.metric} 请删除 categories")
        if s.hours and s.clock != "workday":
            error(f"{path}.hours", "设置了工作时段 hours，但 clock 不是 workday；请把 clock 改为 workday 或删除 hours")

    for i, r in enumerate(plan.reports):
        if r.frequency == "per_service" and r.doc_type not in PER_SERVICE_DOC_TYPES:
            error(f"reports[{i}].frequency", f"per_service（每次服务一份）只适用于 {'、'.join(PER_SERVICE_DOC_TYPES)}，"
                                             f"{r.doc_type} 请改为 monthly / weekly / quarterly")
        elif r.doc_type not in DOC_TYPES:
            warning(f"reports[{i}].doc_type", f"文档类型 {r.doc_type} 不是内置类型，统计服务报告比例时只认按此类型归档（docgen archive add --type {r.doc_type}）的文档")

    for i, t in enumerate(plan.training):
        if not p.start <= t.date <= p.end:
            warning(f"training[{i}].date", f"培训日期 {t.date} 不在项目周期 {p.start}～{p.end} 内")
    if not plan.training:
        warning("training", "未制定成员培训计划（§5.4.1 要求制定成员培训计划，持续提升团队能力）")
    if p.manager not in {m.name for m in plan.team}:
        warning("team", f"项目经理 {p.manager}（project.manager）不在项目团队 team 中，请补充其职责与汇报关系")

    for i, r in enumerate(plan.review.reviewers):
        if r.date < plan.prepared_on:
            error(f"review.reviewers[{i}].date", f"评审日期 review.reviewers[{i}].date（{r.date}）早于编制日期 prepared_on"
                                                 f"（{plan.prepared_on}）：计划须先编制后评审，请更正其中之一")
    last_review = max(r.date for r in plan.review.reviewers)
    if plan.approved_on is not None:
        if plan.approved_on < last_review:
            error("approved_on", f"批准日期 approved_on（{plan.approved_on}）早于评审日期 review.reviewers[].date"
                                 f"（{last_review}）：须评审后批准，请更正其中之一")
        if not plan.approved_by:
            error("approved_by", "填写了批准日期 approved_on 但没有批准人 approved_by，请补上批准人")
    gap = workload_gap(plan.workload.person_days, [p.person_days for p in plan.workload.breakdown])
    if gap:
        warning("workload.breakdown", gap)
    for path, message in review_gaps(plan_facts(plan)):
        warning(path, message)
    failed = [f"{r.name}（{r.role}）：{r.conclusion}" for r in plan.review.reviewers if r.conclusion != "通过"]
    if failed:
        warning("review.reviewers", f"计划未通过评审（{'；'.join(failed)}），文档标注“未通过评审”，修改后须重新评审")
    return issues


def history_entry(plan: PlanInput) -> dict[str, str]:
    """This version's row of the 文件编制和变更履历 table; archived with the plan so later versions list it."""
    managers = [r for r in plan.review.reviewers if r.role == "运维部经理"] or list(plan.review.reviewers)
    return {
        "version": plan.version,
        "author": plan.prepared_by,
        "date": plan.prepared_on.isoformat(),
        "reviewer": "、".join(r.name for r in managers),
        "review_date": max(r.date for r in managers).isoformat(),
        "approver": plan.approved_by or "",
        "approve_date": plan.approved_on.isoformat() if plan.approved_on else "",
        "change_note": plan.change_note or "",
    }


def change_history(current: dict[str, str], earlier: list[PlanFacts]) -> list[dict[str, str]]:
    """Earlier plan versions from the archive (one row per version label, the latest archived wins),
    then this one; regenerating the same label replaces its row instead of adding one."""
    rows: dict[str, dict[str, str]] = {}
    for facts in earlier:
        entry = facts.history_entry
        if entry is not None and entry.version != current["version"]:
            rows[entry.version] = entry.model_dump()
    rows[current["version"]] = dict(current)
    history = list(rows.values())
    for i, row in enumerate(history):
        if not row.get("change_note"):
            row["change_note"] = "首次发布" if i == 0 else "修订"
    return history


def _numbered(items: list[Any], convert: Any) -> list[dict[str, Any]]:
    return [{"no": str(i), **convert(item)} for i, item in enumerate(items, 1)]


def plan_context(plan: PlanInput, *, history: list[dict[str, str]], warnings: list[str]) -> dict[str, Any]:
    """The template's variables; plain strings, lists and dicts only (the sandbox sees nothing else)."""
    p = plan.project
    entry = history_entry(plan)
    passed = review_passed(plan)
    return {
        "company": plan.company,
        "title": TITLE,
        "doc_no": plan.doc_no or "",  # empty: the archive's numbering rules (docgen.numbering)
        "version": plan.version,
        "project": {
            "code": p.code, "name": p.name, "customer": p.customer, "contract_no": p.contract_no,
            "type_label": PROJECT_TYPE_LABELS[p.type], "manager": p.manager,
            "start": p.start.isoformat(), "end": p.end.isoformat(),
        },
        "prepared_by": plan.prepared_by,
        "prepared_on": plan.prepared_on.isoformat(),
        "reviewed_by": entry["reviewer"],
        "reviewed_on": entry["review_date"],
        "approved_by": entry["approver"],
        "approved_on": entry["approve_date"],
        "review_passed": passed,
        "review_summary": "评审通过" if passed else "未通过评审",
        "history": history,
        "scope": _numbered(plan.scope, lambda s: {
            "service": SERVICE_LABELS[s.service], "content": s.content, "method": METHOD_LABELS[s.method],
            "frequency": s.frequency, "outputs": "、".join(s.outputs)}),
        "sla": _numbered(plan.sla, lambda s: {
            "name": s.name, "metric": s.metric, "op": op_text(s.op),
            "target": fmt_num(s.target), "unit": s.unit,
            "clock": (CLOCK_LABELS[s.clock] + (f"（{s.hours or '08:30-17:30'}）" if s.clock == "workday" else ""))
            if s.metric in MINUTE_METRICS else "—",
            "source": KNOWN_METRICS.get(s.metric, "人工统计") + (
                f"（{'、'.join(s.categories or DEFAULT_SLA_CATEGORIES)}类）" if s.metric in MINUTE_METRICS else "")}),
        "workload": {"person_days": fmt_num(plan.workload.person_days), "basis": _basis_text(plan)},
        "team": _numbered(plan.team, lambda m: m.model_dump()),
        "training": _numbered(plan.training, lambda t: {
            "topic": t.topic, "date": t.date.isoformat(), "audience": t.audience}),
        "processes": list(plan.processes),
        "records": list(plan.records),
        "monitoring": list(plan.monitoring),
        "reports": _numbered(plan.reports, lambda r: {
            "name": r.name, "doc_type": doc_type_title(r.doc_type),
            "frequency": FREQUENCY_LABELS[r.frequency], "recipient": r.recipient}),
        "tools": _numbered(plan.tools, lambda t: t.model_dump()),
        "risks": _numbered(plan.risks, lambda r: r.model_dump()),
        "communication": _numbered(plan.communication, lambda c: c.model_dump()),
        "reviewers": _numbered(plan.review.reviewers, lambda r: {
            "name": r.name, "role": r.role, "conclusion": r.conclusion, "date": r.date.isoformat(),
            "comment": r.comment or ""}),
        "notify": _numbered(plan.review.notify, lambda n: n.model_dump()),
        "warnings": list(warnings),
    }


def plan_facts(plan: PlanInput) -> PlanFacts:
    """What KPI, audit and later documents read from the archive about the plan."""
    p = plan.project
    return PlanFacts(
        name=p.name, customer=p.customer, contract_no=p.contract_no, manager=p.manager,
        plan_version=plan.version, start=p.start, end=p.end,
        sla=[PlanSla(**s.model_dump(mode="json")) for s in plan.sla],
        reports=[PlanReport(**r.model_dump(mode="json")) for r in plan.reports],
        reviewers=[PlanReviewer(name=r.name, role=r.role, conclusion=r.conclusion, date=r.date)
                   for r in plan.review.reviewers],
        review_passed=review_passed(plan),
        notify_groups=sorted({n.group for n in plan.review.notify}, key=NOTIFY_GROUPS.index),
        services=list(dict.fromkeys(s.service for s in plan.scope)), workload_person_days=plan.workload.person_days,
        workload_breakdown=[p.person_days for p in plan.workload.breakdown],
        history_entry=HistoryEntry(**history_entry(plan)), approved_by=plan.approved_by,
        approved_on=plan.approved_on, company=plan.company)


def plan_documents(plan: PlanInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    from docgen.archive import make_doc_id

    earlier = ([d.facts_as(PlanFacts) for d in view_of(archive).versions(make_doc_id(plan.project.code, "plan"))]
               if archive is not None else [])
    history = change_history(history_entry(plan), earlier)
    return [DocumentSpec(
        doc_type="plan", title=f"{TITLE}（{plan.version}）", project=plan.project.code, key=(),
        date=plan.prepared_on, period=str(plan.project.start.year), template="plan.docx",
        context=plan_context(plan, history=history, warnings=warnings),
        facts=plan_facts(plan), warnings=list(warnings),
        out_name=f"{plan.project.code}_{TITLE}_{plan.version}",
        signoffs=plan_signoffs(plan), version=plan.version,
    )]


def plan_signoffs(plan: PlanInput) -> Signoffs:
    """编制 the plan's author, 审核 its 运维部经理 review (§5.3), 批准 its approval: all from the input."""
    managers = [r for r in plan.review.reviewers if r.role == "运维部经理"]
    return Signoffs(Signoff(plan.prepared_by, plan.prepared_on),
                    Signoff("、".join(r.name for r in managers), max(r.date for r in managers)) if managers else Signoff(),
                    Signoff(plan.approved_by or "", plan.approved_on))


KIND = Kind(name="plan", title=TITLE, stage=0, model=PlanInput, rules=plan_rules, documents=plan_documents,
            templates={"plan": "plan.docx"}, example="plan.yaml")
