"""远程交付 (kind: remote): §5.4.6.2 steps 1–13 → 远程服务记录 (+ 遗留问题确认单)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from docgen.kinds.remote.model import RemoteInput
from docgen.metrics.sla import measure_record, measure_rows

if TYPE_CHECKING:
    from docgen.archive import Archive

TITLE = "远程服务记录"


def _yes(value: bool | None) -> str:
    return "是" if value else "否"


def remote_rules(record: RemoteInput) -> list[Issue]:
    rules = StepRules()
    closed = record.session_closed
    conn = record.connection
    rules.order([("requested_at", "报修时间", record.requested_at), ("responded_at", "响应时间", record.responded_at),
                 ("resolved_at", "解决时间", record.resolved_at),
                 ("session_closed.at", "断开连接时间", closed.at if closed else None)])
    verified = ("connection.verified_at", "远程条件验证时间", conn.verified_at if conn else None)
    category_rules(rules, record, "preparation.requested_time")
    common_step_rules(rules, record, work_after=verified,
                      work_before=("session_closed.at", "断开连接时间", closed.at if closed else None))
    if conn is None:
        rules.error(3, "connection", "远程条件验证缺失：connection（须确认远程连接稳定、安全、可用后方可开展工作）")
    else:
        for name, word in (("stable", "稳定"), ("secure", "安全")):
            if getattr(conn, name) is not True:
                rules.error(3, f"connection.{name}", f"远程连接未确认{word}：connection.{name} 应为 true"
                                                     "（确认稳定、安全、可用后方可开展远程运维）")
    if record.customer_signoff is None:
        rules.warning(9, "customer_signoff", "客户验收确认缺失：customer_signoff（完成远程支持后须协助客户验收和确认）")
    if closed is None:
        rules.error(10, "session_closed", "账号注销与断开连接记录缺失：session_closed（远程作业结束须注销操作账号、断开连接并经客户确认）")
    else:
        if closed.account_revoked is not True:
            rules.error(10, "session_closed.account_revoked", "操作账号未注销：session_closed.account_revoked 应为 true")
        if closed.disconnected is not True:
            rules.error(10, "session_closed.disconnected", "远程连接未断开：session_closed.disconnected 应为 true")
        if not closed.confirmed_by:
            rules.error(10, "session_closed.confirmed_by", "客户确认缺失：session_closed.confirmed_by（注销与断开须告知客户并经其确认）")
    review = record.record
    if review and review.reviewed_at and review.reviewed_at < record.resolved_at.date():
        rules.issues.append(Issue("error", "record.reviewed_at",
                                  f"时间顺序错误：审核日期 record.reviewed_at（{review.reviewed_at}）早于解决时间 "
                                  f"resolved_at（{fmt_time(record.resolved_at)}），请更正其中之一"))
    review_rules(rules, reviewed_by=review.reviewed_by if review else None, path="record.reviewed_by",
                 satisfaction=record.satisfaction, satisfaction_step=12)
    return rules.issues


def _steps(record: RemoteInput) -> list[dict[str, str]]:
    prep, conn, closed, review = record.preparation, record.connection, record.session_closed, record.record
    done, na = "已完成", "不适用"
    leftovers = len(record.leftover_issues)
    return steps_rows([
        ("客户信息收集、记录并与客户确认", done, f"服务内容：{prep.content}；要求支持时间：{fmt_time(prep.requested_time) or '未约定'}；"
                                          f"前期情况：{prep.history or '无'}；前期遗留：{'、'.join(prep.open_issues) or '无'}"),
        ("问题判定，制定处理预案及风险应急预案（运维部经理审核）", done,
         f"预案审核人：{prep.plan_approved_by}；识别风险 {len(prep.risks)} 项"),
        ("验证远程交付条件（稳定、安全、可用）", done,
         f"{conn.method}；验证时间：{fmt_time(conn.verified_at) or '—'}；稳定：{_yes(conn.stable)}；安全：{_yes(conn.secure)}" if conn else "—"),
        ("按约定时间联系需求方并提供远程交付", done,
         f"约定时间：{fmt_time(prep.requested_time) or '未约定'}；响应时间：{fmt_time(record.responded_at)}"),
        ("向需求方说明服务内容、预案及风险应对", done if record.briefing_confirmed_by else "缺失",
         f"确认人：{record.briefing_confirmed_by or '—'}"),
        ("按客户管理制度和处理预案开展远程作业并记录", done, f"作业记录 {len(record.work)} 条"),
        ("问题或额外要求上报直属领导并授权", done if record.escalations else na,
         f"上报 {len(record.escalations)} 次，均已授权" if record.escalations else "无需上报"),
        ("记录遗留问题及处理预案、计划，与客户达成共识", done if leftovers else na,
         f"遗留问题 {leftovers} 项，确认人：{record.leftover_confirmed_by}（见遗留问题确认单）" if leftovers else "无遗留问题"),
        ("协助客户验收和确认远程支持成果", done if record.customer_signoff else "缺失",
         f"{record.customer_signoff.signed_by} {fmt_time(record.customer_signoff.signed_at)}" if record.customer_signoff else "—"),
        ("注销操作账号、断开远程连接，经客户确认", done,
         f"账号注销：{_yes(closed.account_revoked)}；断开连接：{_yes(closed.disconnected)}；确认人：{closed.confirmed_by}"
         f"；{fmt_time(closed.at)}" if closed else "—"),
        ("完善服务记录，经运维部经理审核后归档", "已审核" if review and review.reviewed_by else "待审核",
         f"审核人：{review.reviewed_by or '—'}；审核日期：{review.reviewed_at or '—'}" if review else "尚未审核"),
        ("服务台客户满意度回访并记录归档", "已回访" if record.satisfaction else "待回访",
         f"{record.satisfaction.score} 分，{record.satisfaction.surveyed_by or '服务台'}" if record.satisfaction else "—"),
        ("遗留问题深度挖掘，确定最终处理预案并跟踪", "跟踪中" if leftovers else na,
         f"遗留问题 {leftovers} 项" if leftovers else "无遗留问题"),
    ])


def remote_documents(record: RemoteInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    warnings = [*warnings, *unknown_leftover_refs(archive, record)]
    sla, plan_version = plan_sla(archive, record.project.code)
    times = {"requested": record.requested_at, "responded": record.responded_at, "resolved": record.resolved_at}
    measured = measure_record(times, sla, plan_version, category=record.category,
                              scheduled=scheduled_time(record))
    review, conn, closed = record.record, record.connection, record.session_closed
    reviewed_by = review.reviewed_by if review else None
    pending = [m for m, missing in (("待审核", not reviewed_by), ("待回访", record.satisfaction is None)) if missing]
    context: dict[str, Any] = {
        **base_context(record, title=TITLE, company=record.company),
        "times": {k: fmt_time(v) for k, v in times.items()}
        | {"arrived": "", "departed": "", "requested_arrival": "",
           "requested_time": fmt_time(record.preparation.requested_time)},
        "connection": {"method": conn.method if conn else "", "verified_at": fmt_time(conn.verified_at) if conn else "",
                       "stable": _yes(conn and conn.stable), "secure": _yes(conn and conn.secure)},
        "session_closed": {"account_revoked": _yes(closed and closed.account_revoked),
                           "disconnected": _yes(closed and closed.disconnected),
                           "confirmed_by": (closed.confirmed_by or "") if closed else "",
                           "at": fmt_time(closed.at) if closed else ""},
        "measures": [{"no": str(n), **row} for n, row in enumerate(measure_rows(measured, record.category), 1)],
        "steps": _steps(record),
        "review": {"submitted_at": "", "reviewed_by": reviewed_by or "",
                   "reviewed_at": review.reviewed_at.isoformat() if review and review.reviewed_at else "",
                   "status": "已审核" if reviewed_by else "待审核"},
        "pending_marks": pending, "pending_text": "、".join(pending),
        "warnings": list(warnings),
    }
    facts = record_facts(record, kind="remote", times=times | {"session_closed": closed.at if closed else None},
                         measures=measured, reviewed_by=reviewed_by)
    specs = [service_spec(record, "remote_record", TITLE, context, facts, warnings)]
    if record.leftover_issues:
        specs.append(leftover_confirmation_spec(record, context, facts, warnings))
    return specs


KIND = Kind(name="remote", title="远程服务记录", stage=1, model=RemoteInput, rules=remote_rules, documents=remote_documents,
            templates={"remote_record": "remote_record.docx", "leftover_confirmation": "leftover_confirmation.docx"},
            example="remote.yaml")
