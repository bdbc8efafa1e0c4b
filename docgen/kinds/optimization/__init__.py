"""优化改善 deliverable pack (kind: optimization, §5.4.7.3): 优化改善方案及相关评审记录, 优化改善实施方案及相关评审记录
(steps with windows and owners, rollback, review), 优化改善实施的变更和发布报告, 运行维护服务对象配置信息更新记录 (xlsx),
交付清单."""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

from docgen.errors import Issue
from docgen.facts import (
    ChangeReleaseFacts,
    ImplementationPlanFacts,
    OptimizationPlanFacts,
    PackFacts,
)
from docgen.fields import (
    DateTime,
    OptDate,
    StrictModel,
    Text,
    TextList,
    label,
)
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._pack import (
    ConfigUpdate,
    PackBase,
    config_update_spec,
    pack_context,
    pack_hooks,
    pack_spec,
)
from docgen.kinds._review import (
    Review,
    last_review_date,
    review_facts,
    review_issues,
    review_rows,
    review_status,
    reviewed_on,
)
from docgen.kinds._service import fmt_time
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

PACK = "optimization"


class Proposal(StrictModel):
    title: Text = label("方案名称")
    background: Text = label("背景及现状问题")
    goals: TextList = label("优化目标", "列表；录入表中一格内用 ； 分隔", min_length=1)
    solution: Text = label("优化改善方案")
    date: OptDate = label("方案编制日期", "YYYY-MM-DD；给出时评审日期不得早于它", default=None)
    review: list[Review] = label("方案评审记录", "评审人、角色（任意）、结论、日期", default_factory=list,
                                 sheet="方案评审")


class Step(StrictModel):
    step: Text = label("实施步骤")
    window: Text = label("实施窗口", "自由文本，例如 2025-04-20 22:00-23:00")
    owner: Text = label("负责人")


class Implementation(StrictModel):
    steps: list[Step] = label("实施步骤", "每步写明实施窗口和负责人", min_length=1, sheet="实施步骤")
    rollback: Text = label("回退方案")
    date: OptDate = label("实施方案编制日期", "YYYY-MM-DD；给出时评审日期不得早于它", default=None)
    review: list[Review] = label("实施方案评审记录", "评审人、角色（任意）、结论、日期", default_factory=list,
                                 sheet="实施评审")


class ChangeRelease(StrictModel):
    change_no: Text = label("变更单号")
    executed_at: DateTime = label("执行时间", "YYYY-MM-DD HH:MM；不得早于实施方案评审日期")
    result: Literal["成功", "部分成功", "失败", "已回退"] = label("变更结果", "成功 | 部分成功 | 失败 | 已回退")
    verification: Text = label("验证情况")
    released_at: DateTime | None = label("发布时间", "YYYY-MM-DD HH:MM；可不填", default=None)


class OptimizationInput(PackBase):
    kind: Literal["optimization"] = label("输入类型", "固定为 optimization")
    proposal: Proposal = label("优化改善方案及相关评审记录", "§5.4.7.3")
    implementation: Implementation = label("优化改善实施方案及相关评审记录", "§5.4.7.3")
    change_release: ChangeRelease = label("优化改善实施的变更和发布报告", "§5.4.7.3")
    config_updates: list[ConfigUpdate] = label("运行维护服务对象配置信息更新记录", "§5.4.7.3",
                                               default_factory=list, sheet="配置更新")


def optimization_rules(pack: OptimizationInput) -> list[Issue]:
    issues: list[Issue] = []
    first, last = period_bounds(pack.period)
    issues += review_issues(pack.proposal.review, "proposal.review", "优化改善方案",
                            drafted=pack.proposal.date, drafted_path="proposal.date")
    issues += review_issues(pack.implementation.review, "implementation.review", "优化改善实施方案",
                            drafted=pack.implementation.date, drafted_path="implementation.date")
    change = pack.change_release
    approved = last_review_date(pack.implementation.review)
    if approved is not None and change.executed_at.date() < approved[1]:
        i, day = approved
        issues.append(Issue("error", "change_release.executed_at",
                            f"时间顺序错误：变更执行时间 change_release.executed_at（{fmt_time(change.executed_at)}）早于"
                            f"实施方案评审日期 implementation.review[{i}].date（{day}），变更须在实施方案评审通过后执行"))
    if change.released_at is not None and change.released_at < change.executed_at:
        issues.append(Issue("error", "change_release.released_at",
                            f"时间顺序错误：发布时间 change_release.released_at（{fmt_time(change.released_at)}）早于"
                            f"执行时间 change_release.executed_at（{fmt_time(change.executed_at)}）"))
    if not first <= change.executed_at.date() <= last:
        issues.append(Issue("warning", "change_release.executed_at",
                            f"变更执行时间 {fmt_time(change.executed_at)} 不在本包期间 {pack.period}（{first}～{last}）内，请确认"))
    if change.result != "成功":
        issues.append(Issue("warning", "change_release.result",
                            f"变更 {change.change_no} 的结果为 “{change.result}”，请在验证情况中说明处理及后续安排"))
    for i, update in enumerate(pack.config_updates):
        if update.at < change.executed_at.date():
            issues.append(Issue("warning", f"config_updates[{i}].at",
                                f"配置更新日期 {update.at} 早于变更执行时间 {fmt_time(change.executed_at)}，请确认"))
    if pack.prepared_on is not None and pack.prepared_on < first:
        issues.append(Issue("error", "prepared_on", f"编制日期 prepared_on（{pack.prepared_on}）早于期间 period 的开始（{first}）"))
    return issues


def _doc(pack: OptimizationInput, doc_type: str, warnings: list[str], extra: dict[str, Any],
         facts: PackFacts, *, day: datetime.date | None = None) -> DocumentSpec:
    return pack_spec(pack, PACK, doc_type, template=f"{doc_type}.docx", warnings=warnings, day=day,
                     context=pack_context(pack, doc_type=doc_type, warnings=warnings, day=day) | extra, facts=facts)


def optimization_documents(pack: OptimizationInput, *, archive: Archive | None,
                           warnings: list[str]) -> list[DocumentSpec]:
    proposal, impl, change = pack.proposal, pack.implementation, pack.change_release
    plan = _doc(pack, "optimization_plan", warnings, {
        "proposal": {"title": proposal.title, "background": proposal.background, "solution": proposal.solution,
                     "date": proposal.date.isoformat() if proposal.date else "—",
                     "goals": [{"no": str(n), "goal": g} for n, g in enumerate(proposal.goals, 1)]},
        "reviews": review_rows(proposal.review), "review_status": review_status(proposal.review),
    }, OptimizationPlanFacts(pack=PACK, subject=proposal.title, goals=len(proposal.goals),
                             review_status=review_status(proposal.review), reviews=review_facts(proposal.review)),
        day=proposal.date or reviewed_on(proposal.review))
    implementation = _doc(pack, "implementation_plan", warnings, {
        "subject": proposal.title,
        "steps": [{"no": str(n), "step": s.step, "window": s.window, "owner": s.owner}
                  for n, s in enumerate(impl.steps, 1)],
        "rollback": impl.rollback, "date": impl.date.isoformat() if impl.date else "—",
        "reviews": review_rows(impl.review), "review_status": review_status(impl.review),
    }, ImplementationPlanFacts(pack=PACK, steps=len(impl.steps), owners=sorted({s.owner for s in impl.steps}),
                               review_status=review_status(impl.review), reviews=review_facts(impl.review)),
        day=impl.date or reviewed_on(impl.review))
    release = _doc(pack, "change_release_report", warnings, {
        "subject": proposal.title,
        "change": {"change_no": change.change_no, "executed_at": fmt_time(change.executed_at),
                   "released_at": fmt_time(change.released_at) or fmt_time(change.executed_at),
                   "result": change.result, "verification": change.verification},
        "steps": [{"no": str(n), "step": s.step, "window": s.window, "owner": s.owner}
                  for n, s in enumerate(impl.steps, 1)],
        "rollback": impl.rollback, "impl_review_status": review_status(impl.review),
        "updates_count": str(len(pack.config_updates)),
    }, ChangeReleaseFacts(pack=PACK, change_no=change.change_no, executed_at=fmt_time(change.executed_at),
                          result=change.result),
        day=(change.released_at or change.executed_at).date())
    config = config_update_spec(pack, PACK, list(pack.config_updates), warnings=warnings,
                                items=sorted({u.ci for u in pack.config_updates}))
    return [plan, implementation, release, config]


KIND = Kind(name="optimization", title="优化改善交付成果", stage=4, model=OptimizationInput, rules=optimization_rules,
            documents=optimization_documents,
            templates={"optimization_plan": "optimization_plan.docx",
                       "implementation_plan": "implementation_plan.docx",
                       "change_release_report": "change_release_report.docx",
                       "config_update": "config_update.xlsx", "pack_manifest": "pack_manifest.docx"},
            example="optimization.yaml", **pack_hooks(PACK))
