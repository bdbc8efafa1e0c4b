"""现场交付 (kind: onsite): §5.4.6.1 steps 1–13 → 现场服务单, 现场服务报告单 (+ 遗留问题确认单)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docgen.control import HAND_DATE, HAND_NAME
from docgen.errors import Issue
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._service import (
    StepRules,
    base_context,
    category_rules,
    common_step_rules,
    fmt_time,
    leftover_confirmation_spec,
    plan_sla,
    record_facts,
    review_rules,
    scheduled_time,
    service_spec,
    steps_rows,
    unknown_leftover_refs,
)
from docgen.kinds.onsite.model import OnsiteInput
from docgen.metrics.sla import measure_record, measure_rows

if TYPE_CHECKING:
    from docgen.archive import Archive

FORM_TITLE = "现场服务单"
REPORT_TITLE = "现场服务报告单"


def onsite_rules(record: OnsiteInput) -> list[Issue]:
    rules = StepRules()
    rules.order([("requested_at", "报修时间", record.requested_at), ("responded_at", "响应时间", record.responded_at),
                 ("arrived_at", "到场时间", record.arrived_at), ("resolved_at", "解决时间", record.resolved_at),
                 ("departed_at", "离场时间", record.departed_at)])
    category_rules(rules, record, "preparation.requested_arrival")
    common_step_rules(rules, record, work_after=("arrived_at", "到场时间", record.arrived_at),
                      work_before=("departed_at", "离场时间", record.departed_at))
    if record.customer_signoff is None:
        rules.error(9, "customer_signoff", "客户签署服务单缺失：customer_signoff（作业完成后须协助客户验收，并由客户签署服务单）")
    else:
        rules.within("customer_signoff.signed_at", "签字时间", record.customer_signoff.signed_at,
                     ("resolved_at", "解决时间", record.resolved_at), ("departed_at", "离场时间", record.departed_at))
    if record.site_cleaned is not True:
        rules.error(10, "site_cleaned", "现场清洁确认缺失：site_cleaned 应为 true（恢复现场清洁并经客户确认后方可离场）")
    if record.departed_at is None:
        rules.error(10, "departed_at", "离场时间缺失：departed_at")
    report = record.report
    if report and report.submitted_at and report.submitted_at < record.resolved_at.date():
        rules.issues.append(Issue("error", "report.submitted_at",
                                  f"时间顺序错误：报告提交日期 report.submitted_at（{report.submitted_at}）早于解决时间 "
                                  f"resolved_at（{fmt_time(record.resolved_at)}），请更正其中之一"))
    review_rules(rules, reviewed_by=report.reviewed_by if report else None, path="report.reviewed_by",
                 satisfaction=record.satisfaction, satisfaction_step=13)
    return rules.issues


def _steps(record: OnsiteInput) -> list[dict[str, str]]:
    prep = record.preparation
    report = record.report
    done, na = "已完成", "不适用"
    leftovers = len(record.leftover_issues)
    return steps_rows([
        ("客户信息收集与确认", done, f"服务内容：{prep.content}；要求到场：{fmt_time(prep.requested_arrival) or '未约定'}；"
                                    f"前期情况：{prep.history or '无'}；前期遗留：{'、'.join(prep.open_issues) or '无'}"),
        ("制定处理预案及风险应急预案（部门经理审核）", done,
         f"预案审核人：{prep.plan_approved_by}；识别风险 {len(prep.risks)} 项"),
        ("准备资料、工具及安全防范", done, f"工具：{'、'.join(prep.tools) or '无'}；安全：{prep.safety or '无'}"),
        ("抵达现场并告知客户", done, f"到场时间：{fmt_time(record.arrived_at)}"),
        ("向客户说明服务内容、预案及风险，经客户确认", done if record.briefing_confirmed_by else "缺失",
         f"确认人：{record.briefing_confirmed_by or '—'}"),
        ("按处理预案开展并完成运维作业", done, f"作业记录 {len(record.work)} 条"),
        ("问题上报并经主管领导授权", done if record.escalations else na,
         f"上报 {len(record.escalations)} 次，均已授权" if record.escalations else "无需上报"),
        ("遗留问题处理方案及客户签署确认单", done if leftovers else na,
         f"遗留问题 {leftovers} 项，确认人：{record.leftover_confirmed_by}（见遗留问题确认单）" if leftovers else "无遗留问题"),
        ("协助客户验收，客户签署服务单", done,
         f"{record.customer_signoff.signed_by} {fmt_time(record.customer_signoff.signed_at)}" if record.customer_signoff else "—"),
        ("恢复现场清洁，经客户确认后离场", done, f"已恢复清洁；离场时间：{fmt_time(record.departed_at)}"),
        ("提交现场服务报告单，运维部经理审核", "已审核" if report and report.reviewed_by else "待审核",
         f"提交：{report.submitted_at or '—'}；审核人：{report.reviewed_by or '—'}" if report else "尚未提交"),
        ("运维部经理组织讨论遗留问题处理预案", "待下次现场实施" if leftovers else na,
         f"遗留问题 {leftovers} 项，处理预案在下次现场交付时实施" if leftovers else "无遗留问题"),
        ("服务台开展客户满意度调查", "已回访" if record.satisfaction else "待回访",
         f"{record.satisfaction.score} 分，{record.satisfaction.surveyed_by or '服务台'}" if record.satisfaction else "—"),
    ])


def onsite_documents(record: OnsiteInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    warnings = [*warnings, *unknown_leftover_refs(archive, record)]
    sla, plan_version = plan_sla(archive, record.project.code)
    times = {"requested": record.requested_at, "responded": record.responded_at, "arrived": record.arrived_at,
             "resolved": record.resolved_at, "departed": record.departed_at}
    measured = measure_record(times, sla, plan_version, category=record.category,
                              scheduled=scheduled_time(record))
    report = record.report
    reviewed_by = report.reviewed_by if report else None
    pending = [m for m, missing in (("待审核", not reviewed_by), ("待回访", record.satisfaction is None)) if missing]
    context: dict[str, Any] = {
        **base_context(record, title=FORM_TITLE, company=record.company),
        "times": {k: fmt_time(v) for k, v in times.items()} | {"requested_arrival": fmt_time(record.preparation.requested_arrival)},
        "site_cleaned": "是（客户已确认）" if record.site_cleaned else "否",
        "measures": [{"no": str(n), **row} for n, row in enumerate(measure_rows(measured, record.category), 1)],
        "steps": _steps(record),
        "review": {"submitted_at": report.submitted_at.isoformat() if report and report.submitted_at else "",
                   "reviewed_by": reviewed_by or "",
                   "reviewed_at": report.reviewed_at.isoformat() if report and report.reviewed_at else "",
                   "status": "已审核" if reviewed_by else "待审核",
                   # the signature line: what is not recorded is signed by hand, and says so
                   "sign_name": reviewed_by or HAND_NAME,
                   "sign_date": report.reviewed_at.isoformat() if report and report.reviewed_at else HAND_DATE},
        "pending_marks": pending, "pending_text": "、".join(pending),
        "warnings": list(warnings),
    }
    facts = record_facts(record, kind="onsite", times=times, measures=measured, reviewed_by=reviewed_by)
    # the form is signed on site, before review and the follow-up call: its pending marks would mislead
    specs = [service_spec(record, "onsite_form", FORM_TITLE, context | {"pending_marks": [], "pending_text": ""}, facts, warnings),
             service_spec(record, "onsite_report", REPORT_TITLE, context | {"title": REPORT_TITLE}, facts, warnings)]
    if record.leftover_issues:
        specs.append(leftover_confirmation_spec(record, context, facts, warnings))
    return specs


KIND = Kind(name="onsite", title="现场服务记录", stage=1, model=OnsiteInput, rules=onsite_rules, documents=onsite_documents,
            templates={"onsite_form": "onsite_form.docx", "onsite_report": "onsite_report.docx",
                       "leftover_confirmation": "leftover_confirmation.docx"},
            example="onsite.yaml")
