"""运维服务报告 (kind: service_report; §5.4.2 第4项 “按照管理要求和服务承诺提交服务报告”, §8 服务报告比例):
the periodic report of one project. The person writes the summary, the monitored availability and
the next period's plan; docgen adds, from the archive's metadata, the services resolved in the
period, the SLA achieved per plan metric (with a chart), the incidents of the emergency packs, the
leftover issues still open and the satisfaction survey. Nothing depends on the day it is generated:
the same input against the same archive renders the same report (docs/archive.md "Unchanged")."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docgen.control import Signoffs
from docgen.doctypes import RECORD_CATEGORIES
from docgen.errors import Issue
from docgen.facts import (
    NO_PLAN,
    ArchiveView,
    PlanFacts,
    ReportSla,
    ServiceCounts,
    ServiceReportFacts,
    SlaSummary,
    SurveyFacts,
    view_of,
)
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._narrative import contradictions
from docgen.kinds.service_report.figures import (
    MET,
    MODES,
    NO_DATA,
    NOT_ASSESSED,
    NOT_MET,
    Service,
    SlaRow,
    incidents_between,
    leftovers_as_of,
    plan_warnings,
    services_between,
    short_time,
    sla_rows,
)
from docgen.kinds.service_report.model import ServiceReportInput, period_kind
from docgen.numbers import AVAILABILITY_DIGITS, fmt_num, rounded
from docgen.periods import period_bounds, period_label

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.metrics.incidents import Incident
    from docgen.metrics.leftovers import Leftover

TITLE = "运维服务报告"
DOC_TYPE = "service_report"
TEMPLATE = "service_report.docx"
CHART_MM = 150.0
LATE_DAYS = 60  # a report written this long after its period is most likely a typo in one of the dates
PERIOD_WORDS = {"month": ("月报", "本月", "下月"), "week": ("周报", "本周", "下周"), "quarter": ("季报", "本季度", "下季度")}


def service_report_rules(report: ServiceReportInput) -> list[Issue]:
    """The checks the model's types cannot express (the archive-based ones come with the documents)."""
    issues: list[Issue] = []
    first, last = period_bounds(report.period)
    if report.prepared_on < first:
        issues.append(Issue("error", "prepared_on",
                            f"编制日期 prepared_on（{report.prepared_on}）早于报告期间 period（{report.period}）的第一天 "
                            f"{first}：报告只能在期间开始后编制，请更正其中之一"))
    elif report.prepared_on < last:
        issues.append(Issue("warning", "prepared_on",
                            f"编制日期 prepared_on（{report.prepared_on}）早于报告期间 period（{report.period}）的最后一天 "
                            f"{last}：期间尚未结束，报告只含生成时已归档的记录；期间结束后请重新生成"))
    elif (report.prepared_on - last).days > LATE_DAYS:
        issues.append(Issue("warning", "prepared_on",
                            f"编制日期 prepared_on（{report.prepared_on}）比报告期间 period（{report.period}）的最后一天 "
                            f"{last} 晚 {(report.prepared_on - last).days} 天；请确认期间和编制日期是否填错"))
    if not report.next_month_plan:
        issues.append(Issue("warning", "next_month_plan", "未填写下期工作计划 next_month_plan，报告中将显示“未填写”"))
    return issues


# ---------------------------------------------------------------------------------------------- the chart
def _chart(rows: list[SlaRow]) -> Any:
    """Bars of the period's SLA achievement rates (share of records meeting each target), red below 100 %."""
    charted = [r for r in rows if r.rate_value is not None]
    if not charted:
        return ""
    from docgen.render import Picture
    from docgen.render.chart import bar_chart_png

    # the bars' labels show the table's figures (rounded the same way)
    png = bar_chart_png([r.name for r in charted], [rounded(r.rate_value) for r in charted],  # type: ignore[misc]
                        title="本期 SLA 达成率（达标服务单数 ÷ 服务单数）", ylabel="达成率（%）", ymax=100,
                        value_format="{:g}%", low_at_or_below=99.999, width_in=6.0, height_in=2.8)
    return Picture(png, CHART_MM)


# ---------------------------------------------------------------------------------------------- context
def _service_rows(services: list[Service]) -> list[dict[str, str]]:
    return [{"no": str(n), "service_no": s.service_no, "mode": f"{MODES[s.kind]}\n{s.category}", "engineer": s.engineer,
             "content": s.content, "times": f"{short_time(s.requested_at)}\n{short_time(s.resolved_at)}",
             "minutes": f"{fmt_num(s.minutes['response_minutes'])} / {fmt_num(s.minutes['resolution_minutes'])}",
             "sla": s.sla_text, "reviewed": "已审核" if s.reviewed else "待审核",
             "score": f"{s.score} 分" if s.score is not None else "待回访"}
            for n, s in enumerate(services, 1)]


def _service_summary(services: list[Service], words: tuple[str, str, str]) -> str:
    if not services:
        return f"{words[1]}归档库中没有解决时间在期间内的现场或远程服务记录。"
    onsite = sum(1 for s in services if s.kind == "onsite")
    counts = {k: sum(1 for s in services if s.sla == k) for k in (MET, NOT_MET, NO_PLAN, NOT_ASSESSED)}
    other = len(services) - sum(counts.values())
    categories = [(c, sum(1 for s in services if s.category == c)) for c in RECORD_CATEGORIES]
    text = (f"{words[1]}共完成服务 {len(services)} 次（现场 {onsite} 次、远程 {len(services) - onsite} 次；"
            f"{'、'.join(f'{c} {n} 次' for c, n in categories if n)}）；"
            f"SLA 全部达标 {counts[MET]} 次、未达标 {counts[NOT_MET]} 次")
    if counts[NO_PLAN]:
        text += f"、无计划目标 {counts[NO_PLAN]} 次"
    if counts[NOT_ASSESSED]:
        text += f"、不考核 {counts[NOT_ASSESSED]} 次（计划的时间指标不适用于该类服务）"
    if other:
        text += f"、计划未设目标 {other} 次"
    pending = sum(1 for s in services if not s.reviewed)
    no_visit = sum(1 for s in services if s.score is None)
    return text + f"；待审核 {pending} 次，待回访 {no_visit} 次。"


def _service_lead(services: list[Service], words: tuple[str, str, str], period_range: str) -> str:
    summary = _service_summary(services, words)
    return f"{summary}解决时间在 {period_range} 内的服务明细如下：" if services else summary


def _sla_summary(rows: list[SlaRow], plan: PlanFacts | None) -> str:
    if plan is None:
        return ("项目尚未在归档库中归档运维项目管理计划，SLA 指标无计划目标（记为“无计划目标”）；下表列出本期实测值，"
                "不作达标判断。")
    met = sum(1 for r in rows if r.met is True)
    failed = [r.name for r in rows if r.met is False]
    open_ = len(rows) - met - len(failed)
    text = f"依据运维项目管理计划（{plan.plan_version}）的 {len(rows)} 项 SLA 指标：达标 {met} 项，未达标 {len(failed)} 项"
    text += f"（{'、'.join(failed)}）" if failed else ""
    return text + (f"，本期无法评价 {open_} 项。" if open_ else "。")


def _incident_rows(incidents: list[Incident], reported: set[str]) -> list[dict[str, str]]:
    rows = []
    for n, inc in enumerate(incidents, 1):
        rows.append({"no": str(n), "id": inc.id if inc.service_no else f"{inc.id}\n（无服务记录）", "level": inc.level,
                     "category": inc.category or "未分类", "reported_at": inc.reported_at, "resolved_at": inc.resolved_at,
                     "minutes": f"{fmt_num(inc.minutes('response_minutes'))} / {fmt_num(inc.minutes('resolution_minutes'))}",
                     "major_report": ("有" if inc.id in reported else "缺失") if inc.major else "不适用"})
    return rows


def _incident_summary(incidents: list[Incident], words: tuple[str, str, str]) -> str:
    if not incidents:
        return f"{words[1]}没有解决时间在期间内的事件（故障类服务记录）。"
    by_level: dict[str, int] = {}
    for inc in incidents:
        by_level[inc.level] = by_level.get(inc.level, 0) + 1
    levels = "、".join(f"{level} {count} 起" for level, count in by_level.items())
    majors = [i.id for i in incidents if i.major]
    text = f"{words[1]}共发生事件 {len(incidents)} 起（{levels}），"
    text += f"其中重大及以上事件 {len(majors)} 起（{'、'.join(majors)}）。" if majors else "无重大事件。"
    typed = [i for i in incidents if i.typed]
    text += "数据来源：故障类现场/远程服务记录"
    if typed:
        packs = "、".join(sorted({i.pack or "" for i in typed}))
        text += (f"；另有 {len(typed)} 起（{'、'.join(i.id for i in typed)}）只录入在应急响应交付成果 {packs} 中、"
                 "没有服务记录，不计入 SLA 达成情况")
    return text + "。"


def _leftover_rows(open_: list[Leftover], closed: list[Leftover]) -> tuple[list[dict], list[dict]]:
    open_rows = [{"no": str(n), "id": x.id, "issue": x.issue + (f"\n计划：{x.plan}" if x.plan else ""),
                  "owner": x.owner or NO_DATA, "raised_on": x.raised_on.isoformat(),
                  "due": x.due.isoformat() if x.due else NO_DATA, "age": str(x.age_days),
                  "status": f"已逾期 {x.overdue_days} 天" if x.overdue else "处理中"}
                 for n, x in enumerate(open_, 1)]
    closed_rows = [{"no": str(n), "id": x.id, "issue": x.issue, "resolved_by": x.resolved_by or NO_DATA,
                    "resolved_on": x.resolved_on.isoformat() if x.resolved_on else NO_DATA,
                    "resolution": x.resolution or NO_DATA}
                   for n, x in enumerate(closed, 1)]
    return open_rows, closed_rows


def _satisfaction(rows: list[SlaRow], view: ArchiveView | None, services: list[Service],
                  words: tuple[str, str, str]) -> dict[str, Any]:
    row = next((r for r in rows if r.metric == "satisfaction_score"), None)
    source = (row.fact.get("source") if row else None) or None
    survey = view.latest(source) if view is not None and source else None
    if survey is None:
        text = "归档库中没有覆盖本期的需方满意度调查和分析报告（§5.4.5）。"
    else:
        facts = survey.facts_as(SurveyFacts)
        respondents = NO_DATA if facts.respondents is None else facts.respondents
        text = (f"适用于{words[1]}的是 {survey.period} 期的{survey.citation()}："
                f"回收问卷 {respondents} 份，总体满意度 {fmt_num(facts.overall)} 分（满分 5 分）")
        if row is not None and row.met is not None:
            text += f"，计划目标 {row.target}，{row.result}"
        low = facts.low_scores
        done = sum(1 for item in low if item.followed_up)
        text += f"；低分项 {len(low)} 项，已确认并制定改进措施 {done} 项。" if low else "；无低分项。"
    scored = [s.score for s in services if s.score is not None]
    visits = (f"{words[1]}服务台回访 {len(scored)} 次，平均评分 {fmt_num(sum(scored) / len(scored))} 分"
              f"（回访评分只列出，不计入客户满意度指标）。" if scored else f"{words[1]}没有服务台回访评分。")
    return {"text": text, "visits": visits,
            "rows": [{"no": str(n), "service_no": s.service_no, "mode": MODES[s.kind], "engineer": s.engineer,
                      "score": f"{s.score} 分" if s.score is not None else "待回访"}
                     for n, s in enumerate(services, 1)]}


# ---------------------------------------------------------------------------------------------- warnings
def _archive_warnings(report: ServiceReportInput, plan: PlanFacts | None, rows: list[SlaRow],
                      open_: list[Leftover], first: Any, last: Any) -> list[str]:
    code = report.project.code
    if plan is None:
        return [f"项目 {code} 尚未归档运维项目管理计划：SLA 指标记为“无计划目标”；请先生成计划（kind: plan）再重新生成本报告"]
    out = plan_warnings(plan, period=report.period, first=first, last=last)
    for r in rows:
        if r.metric == "availability_percent" and r.fact.get("value") is None:
            out.append(f"availability_percent：计划设有{r.name}指标（目标 {r.target}），但未填写本期可用率 "
                       "availability_percent；请填写监控平台测得的数值")
        elif r.metric == "availability_percent" and r.met is False:
            out.append(f"availability_percent：{r.name} {r.measured} 低于计划目标 {r.target}（SLA 未达标）")
        elif r.metric == "satisfaction_score" and r.met is None:
            out.append(f"{r.name}无法评价：归档库中没有覆盖 {report.period} 的需方满意度调查和分析报告（kind: survey）")
        elif r.metric == "satisfaction_score" and r.met is False:
            out.append(f"SLA 未达标：{r.name} {r.measured}，低于计划目标 {r.target}（{r.note}）")
        elif r.metric == "report_ratio" and r.met is False:
            out.append(f"SLA 未达标：{r.name} {r.rate}（{r.measured}），低于计划目标 {r.target}")
        elif r.met is False:
            out.append(f"SLA 未达标：{r.name}（目标 {r.target}）{r.measured}，达成率 {r.rate}"
                       f"{'；' + r.note if r.note else ''}")
    for x in open_:
        if x.overdue:
            out.append(f"遗留问题 {x.id}（{x.issue}）已逾期 {x.overdue_days} 天：计划 {x.due} 完成，责任人 "
                       f"{x.owner or '未填写'}，截至 {last} 仍未关闭")
    return out


# ---------------------------------------------------------------------------------------------- documents
def service_report_documents(report: ServiceReportInput, *, archive: Archive | None,
                             warnings: list[str]) -> list[DocumentSpec]:
    code, period = report.project.code, report.period
    first, last = period_bounds(period)
    words = PERIOD_WORDS[period_kind(period)]
    view = view_of(archive) if archive is not None else None
    plan = view.plan_facts(code) if view is not None else None
    services = services_between(view, code, first, last)
    rows = sla_rows(view, code, period, first, last, plan=plan, services=services,
                    availability=report.availability_percent)
    incidents, reported = incidents_between(view, code, first, last)
    open_, closed = leftovers_as_of(view, code, first, last)
    majors = [i.id for i in incidents if i.major]
    by_mode = {mode: sum(1 for s in services if s.kind == mode) for mode in MODES}  # onsite / remote
    conflicts = contradictions(report.summary, counts=by_mode,
                               missed=[r.name for r in rows if r.met is False], majors=majors)
    warnings = list(warnings) + _archive_warnings(report, plan, rows, open_, first, last) + \
        [f"summary：{c}；文档以统计为准" for c in conflicts]
    open_rows, closed_rows = _leftover_rows(open_, closed)
    overdue = [x.id for x in open_ if x.overdue]

    key_points = [_service_summary(services, words).rstrip("。"), _sla_summary(rows, plan).rstrip("。")]
    if report.availability_percent is not None:
        key_points.append(f"系统可用率 {fmt_num(report.availability_percent, AVAILABILITY_DIGITS)}%（监控平台测得）")
    key_points.append(f"事件 {len(incidents)} 起（重大及以上 {len(majors)} 起）" if incidents else "本期无事件记录")
    key_points.append(f"截至 {last} 未关闭的遗留问题 {len(open_)} 项（已逾期 {len(overdue)} 项），"
                      f"本期关闭 {len(closed)} 项")
    chart = _chart(rows)
    context = {
        "company": report.company, "title": TITLE, "doc_no": report.doc_no or "",
        "project": {"code": code, "name": report.project.name, "customer": report.project.customer},
        "period": period, "period_label": period_label(period), "report_kind": words[0],
        "this_period": words[1], "next_period": words[2],
        "period_range": f"{first.isoformat()} 至 {last.isoformat()}",
        "prepared_by": report.prepared_by, "prepared_on": report.prepared_on.isoformat(),
        "plan_label": f"运维项目管理计划 {plan.plan_version}".strip() if plan else "未归档（无计划目标）",
        "summary": [p.strip() for p in report.summary.split("\n") if p.strip()],
        "key_points": key_points,
        "services": _service_rows(services),
        "service_summary": _service_lead(services, words, f"{first.isoformat()} 至 {last.isoformat()}"),
        "sla_rows": [{"no": str(n), "name": r.name, "target": r.target, "measured": r.measured, "rate": r.rate,
                      "mean_p90": r.mean_p90, "result": r.result, "note": r.note or NO_DATA}
                     for n, r in enumerate(rows, 1)],
        "sla_summary": _sla_summary(rows, plan),
        "sla_chart": chart,
        "chart_note": "" if chart else "本期没有可计算达成率的服务类 SLA 指标（无计划目标或无服务记录），不绘制达成率图。",
        "incidents": _incident_rows(incidents, reported), "incident_summary": _incident_summary(incidents, words),
        "leftovers_open": open_rows, "leftovers_closed": closed_rows,
        "leftover_summary": (f"截至 {last}，未关闭的遗留问题 {len(open_)} 项，其中已逾期 {len(overdue)} 项；"
                             f"{words[1]}关闭遗留问题 {len(closed)} 项。"),
        "satisfaction": _satisfaction(rows, view, services, words),
        "next_plan": list(report.next_month_plan),
        "narrative_conflicts": conflicts,
        "warnings": list(warnings),
    }
    facts = ServiceReportFacts(
        period=period, prepared_by=report.prepared_by, prepared_on=report.prepared_on,
        availability_percent=report.availability_percent, plan_version=plan.plan_version if plan else None,
        services=ServiceCounts(total=len(services), onsite=by_mode["onsite"], remote=by_mode["remote"],
                               service_nos=[s.service_no for s in services],
                               sla_met=[s.service_no for s in services if s.sla == MET],
                               sla_not_met=[s.service_no for s in services if s.sla == NOT_MET],
                               unreviewed=[s.service_no for s in services if not s.reviewed],
                               no_visit=[s.service_no for s in services if s.score is None]),
        sla=NO_PLAN if plan is None else [ReportSla(**r.fact) for r in rows],
        sla_summary=SlaSummary(metrics=len(rows), met=sum(1 for r in rows if r.met is True),
                               not_met=[r.metric for r in rows if r.met is False],
                               not_judged=[r.metric for r in rows if r.met is None]),
        incidents=[i.id for i in incidents], major_incidents=majors,
        open_leftovers=[x.id for x in open_], overdue_leftovers=overdue, closed_leftovers=[x.id for x in closed],
        next_period_plan=list(report.next_month_plan), narrative_conflicts=conflicts)
    return [DocumentSpec(
        doc_type=DOC_TYPE, title=f"{TITLE}（{period}）", project=code, key=(period,), date=report.prepared_on,
        period=period, template=TEMPLATE, context=context, facts=facts, warnings=list(warnings),
        out_name=f"{code}_{TITLE}_{period}",
        signoffs=Signoffs.of(prepared_by=report.prepared_by, prepared_on=report.prepared_on, approval=report.approval))]


KIND = Kind(name="service_report", title=TITLE, stage=5, model=ServiceReportInput, rules=service_report_rules,
            documents=service_report_documents, templates={DOC_TYPE: TEMPLATE}, example="service_report.yaml")
