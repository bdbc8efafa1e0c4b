"""`docgen audit`: the §5.4.3 quality checks (质量部 … 对服务交付的情况做审计评估：策划的执行情况、服务交付的
规范程度、文档的归档情况、交付过程信息的记录情况) on one project's archive, read from its metadata
(docs/archive.md). A pure function: it reads the archive and returns findings; it never writes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, TypeVar

from docgen.archive import Archive, sha256_file
from docgen.doctypes import COMPUTED_DOC_TYPES, SERVICE_TYPES, doc_type_title
from docgen.errors import DocgenError
from docgen.facts import (
    RECORD_DOC_TYPES,
    AcceptanceFacts,
    ArchivedDoc,
    ArchiveView,
    Facts,
    FactsError,
    MajorIncidentFacts,
    ManifestFacts,
    PlanFacts,
    ResponseRecordFacts,
    ServiceRecordFacts,
    ServiceReportFacts,
    SurveyFacts,
    plan_mismatches,
    review_gaps,
    workload_gap,
)
from docgen.metrics.incidents import record_incidents, typed_incidents
from docgen.metrics.kpi import (
    availability_figure,
    report_ratio,
    satisfaction_figure,
    sla_figures,
)
from docgen.metrics.leftovers import leftovers
from docgen.numbers import fmt_num, target_text
from docgen.periods import add_one_month, months_between, period_label, safe_bounds

F = TypeVar("F", bound=Facts)
SEVERITIES = {"error": "严重", "warning": "一般", "info": "提示"}
_RANK = {"error": 0, "warning": 1, "info": 2}
LOW_RECORD_SCORE = 2  # a 回访 score at or below this is worth a look (surveys use their own threshold)
# the checks, in report order: rule id -> what it looks at (the 检查项 sheet lists them with counts)
CHECKS: dict[str, str] = {
    "§5.2 交付策划": "已归档运维项目管理计划；预估工作量与其分项合计一致",
    "§5.3 计划评审": "计划经运维部经理、运维业务线和质量部评审通过并已批准，通知了项目组成员、技术支撑组和客户接口人",
    "§8 服务报告比例": "按计划应交付的服务报告逐月已归档",
    "§5.4.3 SLA达成": "逐月 SLA 指标达成情况",
    "§5.4.2 服务记录": "每次现场/远程服务有服务单、报告单、审核、回访",
    "§5.4.2 遗留问题": "遗留问题有确认单，并在到期前关闭",
    "§5.4.5 满意度": "低分项已跟进，并在计划日期前完成改进",
    "说明与统计": "服务报告和验收报告中项目经理写的说明与归档库的统计一致",
    "与计划一致": "各文档的项目名称、客户名称、合同编号、项目经理和公司名称与归档时的运维项目管理计划一致",
    "§5.4.7 交付包": "交付包清单中没有缺失项；交付包属于计划的交付内容，计划的每类服务在项目结束前都有交付包",
    "§5.4.7.2 应急响应": "应急响应交付包的事件都有服务记录，期间内的故障类服务记录都列入该期交付包；重大事件有分析改进报告",
    "归档完整性": "归档文件的校验值与元数据一致",
    "§5.4.4 项目验收": "项目结束一个月内提出内部验收申请；内部申请、评估先于客户初验、终验；验收遗留问题已关闭",
}


@dataclass
class Finding:
    """One audit finding: severity error/warning/info (严重/一般/提示), the rule it comes from."""

    severity: str
    rule: str
    doc_type: str
    period: str
    message: str
    doc_id: str = ""  # the document concerned, for tools (--json)
    doc_no: str = ""  # its 文件编号, as the workbook shows it

    def as_json(self) -> dict[str, str]:
        return {"severity": self.severity, "rule": self.rule, "doc_type": self.doc_type, "period": self.period,
                "message": self.message, "doc_id": self.doc_id, "doc_no": self.doc_no}


@dataclass
class AuditReport:
    """The findings of one project's audit as of a day, plus what was looked at per check."""

    project: str
    as_of: date
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # rule -> number of items looked at
    months: list[str] = field(default_factory=list)  # the months whose reports were checked

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def as_json(self) -> dict[str, Any]:
        return {"project": self.project, "as_of": self.as_of.isoformat(),
                "summary": {s: self.count(s) for s in SEVERITIES},
                "findings": [f.as_json() for f in self.findings]}


class _Audit:
    def __init__(self, archive: Archive, project: str, as_of: date) -> None:
        self.archive, self.project, self.as_of = archive, project, as_of
        self.view = ArchiveView(archive)
        self.report = AuditReport(project, as_of, checked={rule: 0 for rule in CHECKS})

    def add(self, severity: str, rule: str, message: str, *, doc_type: str = "", period: str = "",
            doc_id: str = "", doc_no: str = "") -> None:
        """Record a finding; the document's 文件编号 is looked up from its doc_id unless given (several
        documents' numbers, joined, have no one doc_id to look up)."""
        if doc_id and not doc_no:
            doc = self.view.latest(doc_id)
            doc_no = doc.doc_no if doc is not None else ""
        self.report.findings.append(Finding(severity, rule, doc_type, period, message, doc_id, doc_no))

    def looked(self, rule: str, n: int = 1) -> None:
        self.report.checked[rule] += n

    def facts(self, doc: ArchivedDoc, cls: type[F]) -> F | None:
        """The document's facts, or None after recording unreadable ones as an 归档完整性 finding."""
        try:
            return doc.facts_as(cls)
        except FactsError as exc:
            self.unreadable(exc, doc)
            return None

    def unreadable(self, exc: FactsError, doc: ArchivedDoc | None = None) -> None:
        """An 归档完整性 finding for a document whose facts cannot be read, naming it by its citation (the
        error's own text names its doc_id and fact paths: for the CLI's errors, not a reader)."""
        doc = doc or (self.view.latest(exc.doc_id) if exc.doc_id else None)
        if doc is None:
            message, where = f"{exc}", {}
        else:
            message = f"{doc.citation()}的归档事实无法读取或格式不对；请重新生成该文档，或从备份恢复其元数据"
            where = {"doc_type": doc.doc_type, "period": doc.period, "doc_id": doc.doc_id}
        if any(f.rule == "归档完整性" and f.message == message for f in self.report.findings):
            return  # one finding per unreadable document, however many checks tripped over it
        self.add("error", "归档完整性", message, **where)

    def run(self, check: Callable[..., Any], *args: Any) -> Any:
        """Run one check; facts it cannot read become a finding instead of ending the audit."""
        try:
            return check(self, *args)
        except FactsError as exc:
            self.unreadable(exc)
            return None


def _plan_checks(a: _Audit) -> ArchivedDoc | None:
    a.looked("§5.2 交付策划")
    plan = a.view.plan_in_force(a.project)
    if plan is None:
        a.add("error", "§5.2 交付策划", "没有归档的运维项目管理计划：服务报告、SLA 和验收都无法按计划检查；"
              "请编写运维项目管理计划，生成并归档", doc_type="plan")
        return None
    a.looked("§5.3 计划评审")
    facts = plan.facts_as(PlanFacts)
    gap = workload_gap(facts.workload_person_days, facts.workload_breakdown)
    if gap:
        a.add("warning", "§5.2 交付策划", f"计划（{plan.title}）{gap}；修改后重新生成计划", doc_type="plan",
              period=plan.period, doc_id=plan.doc_id)
    for path, message in review_gaps(facts):
        a.add("error" if path == "review.reviewers" else "warning", "§5.3 计划评审",
              f"计划（{plan.title}）{message}；补充后重新生成计划（{path}）", doc_type="plan", period=plan.period,
              doc_id=plan.doc_id)
    for r in facts.reviewers:
        if r.conclusion == "不通过":
            a.add("error", "§5.3 计划评审", f"计划评审未通过：{r.name}（{r.role}）结论为“不通过”；"
                  "修改计划后须重新评审", doc_type="plan", doc_id=plan.doc_id)
        elif r.conclusion == "有条件通过":
            a.add("info", "§5.3 计划评审", f"{r.name}（{r.role}）的评审结论为“有条件通过”；"
                  "请确认条件已落实", doc_type="plan", doc_id=plan.doc_id)
    return plan


def _monthly_checks(a: _Audit, plan: ArchivedDoc) -> None:
    facts = plan.facts_as(PlanFacts)
    start, end = facts.start, facts.end
    last_complete = date(a.as_of.year, a.as_of.month, 1).toordinal() - 1  # the day before this month
    until = min(end, date.fromordinal(last_complete))
    a.report.months = months_between(start, until) if until >= start else []
    for month in a.report.months:
        ratio = report_ratio(a.view, month, a.project)
        a.looked("§8 服务报告比例", ratio.due)
        for slot in ratio.slots:
            if slot.delivered_by is not None:
                continue
            if slot.frequency == "per_service":
                what = f"{month} 服务 {slot.period} 的{doc_type_title(slot.doc_type)}"
                period = month
            else:
                what = f"{period_label(slot.period)}的{doc_type_title(slot.doc_type)}"
                period = slot.period
            a.add("error", "§8 服务报告比例", f"应交付的{what}未归档；请补交并归档", doc_type=slot.doc_type,
                  period=period)
        if ratio.value is not None and not ratio.met:
            a.add("warning", "§8 服务报告比例", f"{month} 服务报告比例 {fmt_num(ratio.value)}%（{ratio.delivered}/{ratio.due}），"
                  f"低于目标 {fmt_num(ratio.target)}%", doc_type="service_report", period=month)
        for fig in sla_figures(a.view, month, a.project):
            a.looked("§5.4.3 SLA达成", fig.records)
            if fig.records and fig.met < fig.records:
                missed = fig.missed
                types = {d.doc_type for d in missed}
                a.add("warning", "§5.4.3 SLA达成", f"{month} {fig.name}：{fig.records} 条服务记录中 {fig.records - fig.met} 条"
                      f"未达到计划目标（{target_text(fig.op, fig.target, fig.unit)}）："
                      f"{'、'.join(d.service_no or d.doc_no for d in missed)}；请分析原因并改进",
                      period=month, doc_type=types.pop() if len(types) == 1 else "",
                      doc_id=missed[0].doc_id if len(missed) == 1 else "",
                      doc_no="、".join(d.doc_no for d in missed if d.doc_no) if len(missed) > 1 else "")
            if fig.no_plan_target:
                a.add("info", "§5.4.3 SLA达成", f"{month} {fig.name}：{len(fig.no_plan_target)} 条记录归档时没有计划目标"
                      f"（{'、'.join(fig.no_plan_target)}），未计入达成率；重新生成这些记录可按现行计划计算", period=month)
        for metric, figure in (("availability_percent", availability_figure),
                               ("satisfaction_score", satisfaction_figure)):
            entry = facts.target(metric)
            if entry is None:
                continue
            a.looked("§5.4.3 SLA达成")
            fig = figure(a.view, month, a.project, target=entry.target, op=entry.op or ">=",
                         **({"name": entry.name} if entry.name else {}))  # else the figure's Chinese name
            if fig.value is None:
                a.add("warning", "§5.4.3 SLA达成", f"{month} {fig.name}：{fig.note}，无法评估；请归档相应报告",
                      doc_type="service_report" if metric == "availability_percent" else "survey_report", period=month)
            elif not fig.met:
                a.add("warning", "§5.4.3 SLA达成", f"{month} {fig.name} {fmt_num(fig.value)}，未达到计划目标 "
                      f"{target_text(entry.op, entry.target, entry.unit)}", period=month,
                      doc_type="service_report" if metric == "availability_percent" else "survey_report",
                      doc_id=fig.source or "", doc_no=fig.source_no or "")


def _record_checks(a: _Audit) -> None:
    by_service: dict[str, dict[str, ArchivedDoc]] = {}
    kinds: dict[str, str] = {}
    for kind, doc_types in RECORD_DOC_TYPES.items():
        for doc_type in (*doc_types, "leftover_confirmation"):
            for doc in a.view.documents(a.project, doc_type):
                service_no = doc.service_no or (doc.key[0] if doc.key else None)
                if not service_no:
                    continue
                by_service.setdefault(service_no, {})[doc_type] = doc
                if doc_type != "leftover_confirmation":
                    kinds[service_no] = kind
    for service_no in sorted(by_service):
        docs = by_service[service_no]
        kind = kinds.get(service_no)
        if kind is None:
            continue  # a confirmation archived on its own: the record check of its service reports it
        a.looked("§5.4.2 服务记录")
        ranked = [docs[t] for t in ("onsite_report", "remote_record", "onsite_form") if t in docs]
        main = ranked[0]  # kinds[service_no] is only set by these types
        period = main.period
        if kind == "onsite":
            for needed, other in (("onsite_report", "onsite_form"), ("onsite_form", "onsite_report")):
                if needed not in docs:
                    a.add("error", "§5.4.2 服务记录", f"服务 {service_no} 有{doc_type_title(other)}但没有"
                          f"{doc_type_title(needed)}；请补齐并归档", doc_type=needed, period=period, doc_id=main.doc_id)
        generated = [d for d in ranked if not d.received]
        if not generated:
            continue  # only scanned documents: their review and 回访 are on paper, not in facts
        main = generated[0]
        facts = a.facts(main, ServiceRecordFacts)
        if facts is None:
            continue
        if not facts.reviewed:
            a.add("warning", "§5.4.2 服务记录", f"服务 {service_no} 的{doc_type_title(main.doc_type)}未经审核（第11步）；"
                  "请由项目经理审核后填写 reviewed_by 重新生成", doc_type=main.doc_type, period=period, doc_id=main.doc_id)
        score = facts.satisfaction_score
        if score is None:
            a.add("warning", "§5.4.2 服务记录", f"服务 {service_no} 还没有回访满意度（第13步）；请回访后填写 satisfaction 重新生成",
                  doc_type=main.doc_type, period=period, doc_id=main.doc_id)
        elif score <= LOW_RECORD_SCORE:
            a.add("info", "§5.4.5 满意度", f"服务 {service_no} 的回访评分为 {score} 分；请确认已跟进客户意见",
                  doc_type=main.doc_type, period=period, doc_id=main.doc_id)
        if facts.leftover_issues:
            a.looked("§5.4.2 遗留问题")
            if "leftover_confirmation" not in docs:
                a.add("error", "§5.4.2 遗留问题", f"服务 {service_no} 有 {len(facts.leftover_issues)} 个遗留问题，"
                      "但没有归档遗留问题确认单（第8步）；请重新生成该服务记录", doc_type="leftover_confirmation",
                      period=period, doc_id=main.doc_id)


def _leftover_checks(a: _Audit) -> None:
    # the 遗留问题确认单 that recorded each leftover, by the service that left it: the finding names its 文件编号
    forms = {d.service_no: d.doc_id for d in a.view.documents(a.project, "leftover_confirmation")}
    for item in leftovers(a.view, a.project, as_of=a.as_of):
        a.looked("§5.4.2 遗留问题")
        form = forms.get(item.raised_by, "")
        if item.overdue:
            a.add("warning", "§5.4.2 遗留问题", f"遗留问题 {item.id}（{item.issue}，负责人 {item.owner}）已逾期 "
                  f"{item.overdue_days} 天（计划 {item.due} 完成），仍未由后续服务记录的 resolved_leftovers 关闭；"
                  "请跟进处理，并在处理它的服务记录中登记", doc_type="leftover_confirmation",
                  period=f"{item.raised_on:%Y-%m}", doc_id=form)
        elif item.days_late:
            a.add("warning", "§5.4.2 遗留问题", f"遗留问题 {item.id}（{item.issue}，负责人 {item.owner}）计划 {item.due} 完成，"
                  f"{item.resolved_on} 才由服务 {item.resolved_by} 关闭，晚了 {item.days_late} 天；请分析延误原因，"
                  "逾期的遗留问题应在到期前调整计划并经客户确认", doc_type="leftover_confirmation",
                  period=f"{item.raised_on:%Y-%m}", doc_id=form)
        elif item.open:
            due = f"，计划 {item.due} 完成" if item.due else ""
            a.add("info", "§5.4.2 遗留问题", f"遗留问题 {item.id}（{item.issue}）未关闭，已 {item.age_days} 天{due}",
                  doc_type="leftover_confirmation", period=f"{item.raised_on:%Y-%m}", doc_id=form)


def _survey_checks(a: _Audit) -> None:
    for doc in a.view.documents(a.project, "survey_report"):
        a.looked("§5.4.5 满意度")
        facts = None if doc.received else a.facts(doc, SurveyFacts)
        for low in facts.low_scores if facts is not None else []:
            what = f"满意度调查 {doc.period}：{low.respondent} 对 {low.question} 评 {low.score} 分"
            where = {"doc_type": "survey_report", "period": doc.period, "doc_id": doc.doc_id}
            if not low.followed_up:
                a.add("warning", "§5.4.5 满意度", f"{what}，没有跟进记录；请在调查输入的 followups 中补充后重新生成", **where)
            elif low.done_on is not None and low.due is not None and low.done_on > low.due:
                a.add("warning", "§5.4.5 满意度", f"{what}，改进计划 {low.due} 完成，{low.done_on} 才完成，晚了 "
                      f"{(low.done_on - low.due).days} 天；请分析延误原因", **where)
            elif low.done_on is None and low.due is not None and low.due < a.as_of:
                a.add("warning", "§5.4.5 满意度", f"{what}，改进计划 {low.due} 完成，截至 {a.as_of} 仍未记录完成"
                      f"（已逾期 {(a.as_of - low.due).days} 天）；完成后在 followups 中填写 done_on 和 result 并重新生成",
                      **where)


def _narrative_checks(a: _Audit) -> None:
    for doc_type, cls in (("service_report", ServiceReportFacts), ("acceptance_report", AcceptanceFacts)):
        for doc in a.view.documents(a.project, doc_type):
            facts = None if doc.received else a.facts(doc, cls)
            if facts is None:
                continue
            a.looked("说明与统计")
            for conflict in facts.narrative_conflicts:
                a.add("warning", "说明与统计", f"{doc.title}：{conflict}；请改正说明后重新生成", doc_type=doc_type,
                      period=doc.period, doc_id=doc.doc_id)


def _pack_checks(a: _Audit, plan: ArchivedDoc | None) -> None:
    planned = plan.facts_as(PlanFacts) if plan is not None else None
    delivered: set[str] = set()
    for doc in a.view.documents(a.project, "pack_manifest"):
        a.looked("§5.4.7 交付包")
        facts = None if doc.received else a.facts(doc, ManifestFacts)
        if facts is not None:
            delivered.add(facts.pack)
            if planned is not None and planned.services is not None and facts.pack not in planned.services:
                a.add("warning", "§5.4.7 交付包", f"{facts.service}交付包 {doc.period} 不在运维项目管理计划的交付内容中"
                      f"（§5.2.1 计划的服务：{'、'.join(SERVICE_TYPES.get(s, s) for s in planned.services) or '无'}）；"
                      "请核对交付包类型，或修订计划的交付内容 scope", doc_type="pack_manifest", period=doc.period,
                      doc_id=doc.doc_id)
        for doc_type in facts.missing if facts is not None else []:
            a.add("error", "§5.4.7 交付包", f"{facts.service}交付包 {doc.period} 缺少"
                  f"{doc_type_title(doc_type)}；请补齐后重新生成该交付包", doc_type=doc_type,
                  period=doc.period, doc_id=doc.doc_id)
    if planned is None or planned.services is None or a.as_of <= planned.end:
        return
    for service in planned.services:
        a.looked("§5.4.7 交付包")
        if service not in delivered:
            a.add("warning", "§5.4.7 交付包", f"运维项目管理计划的交付内容包括{SERVICE_TYPES.get(service, service)}（§5.2.1），"
                  f"项目已于 {planned.end} 结束，归档库中没有该类交付包；请补交并归档，或说明未交付的原因",
                  doc_type="pack_manifest", period=str(planned.end.year))


def _incident_checks(a: _Audit) -> None:
    """§5.4.7.2 against the archive's one source of incidents (docgen.metrics.incidents): an event a pack typed
    in has no service record; an incident record resolved in a pack's period is missing from that pack (the
    pack was made before it was archived); a major incident has no 重大事件(故障)的分析改进报告."""
    rule = "§5.4.7.2 应急响应"
    packs = [(doc, a.facts(doc, ResponseRecordFacts)) for doc in a.view.documents(a.project, "response_record")
             if not doc.received]
    for doc, facts in packs:
        for incident in facts.incidents if facts is not None else []:
            if incident.service_no is not None:
                continue
            a.looked(rule)
            a.add("warning", rule, f"应急响应交付包 {doc.period} 的事件 {incident.id}（{incident.level}，{incident.reported_at}，"
                  f"{incident.category or '未分类'}）没有服务记录，只录入在交付包中；请补录该事件的现场或远程服务记录"
                  "（category: 故障），并从交付包输入的 incidents 中删除后重新生成该包",
                  doc_type="response_record", period=doc.period, doc_id=doc.doc_id)
    # each readable pack: its period's days and the records it lists
    covered = [(doc, bounds, {i.service_no for i in facts.incidents}) for doc, facts in packs
               if facts is not None and (bounds := safe_bounds(doc.period)) is not None]
    records = record_incidents(a.view, a.project)
    for incident in records:
        a.looked(rule)
        for doc, (first, last), listed in covered:
            if not first <= incident.resolved_day <= last:
                continue
            if incident.service_no not in listed:
                a.add("warning", rule, f"故障类服务记录 {incident.service_no}（{incident.level}，{incident.resolved_at} 解决）"
                      f"未列入应急响应交付包 {doc.period} 的响应支持记录（该包生成于记录归档之前）；请重新生成该交付包",
                      doc_type="response_record", period=doc.period, doc_id=doc.doc_id)
    reported = {f.incident for doc in a.view.documents(a.project, "major_incident_report") if not doc.received
                for f in [a.facts(doc, MajorIncidentFacts)] if f is not None}
    for incident in records + typed_incidents(a.view, a.project):
        if incident.major and incident.id not in reported:
            a.add("warning", rule, f"{incident.level}事件 {incident.id}（{incident.description or incident.category}，"
                  f"{incident.resolved_at} 解决）没有重大事件(故障)的分析改进报告；请在该期应急响应交付包输入的 "
                  "major_reports 中补充后重新生成", doc_type="major_incident_report", period=incident.month)


def _plan_consistency_checks(a: _Audit) -> None:
    """Documents that typed a project fact differently from the plan: the pipeline's warning (plan_mismatch)
    is archived with each; every generated document is looked at, received ones carry no input facts."""
    for doc in a.view.documents(a.project):
        if doc.received or doc.doc_type == "plan" or doc.doc_type in COMPUTED_DOC_TYPES:
            continue
        a.looked("与计划一致")
        for m in plan_mismatches(doc.warnings):
            a.add("warning", "与计划一致", f"{doc.citation()}的{m['label']}为“{m['given']}”，计划中为“{m['planned']}”："
                  f"同一项目的文档说法不一；请核对并按计划改正输入（{m['field']}）后重新生成",
                  doc_type=doc.doc_type, period=doc.period, doc_id=doc.doc_id)


def _checksum_checks(a: _Audit) -> None:
    for doc in a.view.documents(a.project, None, all_versions=True):
        if doc.doc_type not in COMPUTED_DOC_TYPES:  # checked but not counted: the count would change with
            a.looked("归档完整性")          # every archived audit or KPI workbook
        where = doc.citation()
        try:
            actual = sha256_file(a.archive.file_path(doc.record))
        except FileNotFoundError:
            a.add("error", "归档完整性", f"{where}的归档文件缺失；请从备份恢复，并校验归档库",
                  doc_type=doc.doc_type, period=doc.period, doc_id=doc.doc_id)
            continue
        except (OSError, DocgenError) as exc:
            a.add("error", "归档完整性", f"{where}的归档文件无法读取：{exc}", doc_type=doc.doc_type, period=doc.period,
                  doc_id=doc.doc_id)
            continue
        if actual != doc.sha256:
            a.add("error", "归档完整性", f"{where}的校验值与归档时不同（文件被改动过）；归档文件不可修改，请从备份恢复",
                  doc_type=doc.doc_type, period=doc.period, doc_id=doc.doc_id)


def _acceptance_checks(a: _Audit, plan: ArchivedDoc | None) -> None:
    accepted = [d for d in a.view.documents(a.project, "acceptance_report") if not d.received]
    a.looked("§5.4.4 项目验收")
    if accepted:
        doc = accepted[-1]
        got = a.facts(doc, AcceptanceFacts)
        if got is None:
            return
        if got.applied_on > got.deadline:
            a.add("warning", "§5.4.4 项目验收", f"内部验收申请日期 {got.applied_on} 晚于项目结束后一个月的期限 {got.deadline}",
                  doc_type="acceptance_report", period=doc.period, doc_id=doc.doc_id)
        for _path, message in got.order_gaps():
            a.add("warning", "§5.4.4 项目验收", f"{message}（{doc.title}）", doc_type="acceptance_report",
                  period=doc.period, doc_id=doc.doc_id)
        for issue in got.open_issues:
            a.add("warning", "§5.4.4 项目验收", f"客户验收遗留问题未完成：{issue.issue}", doc_type="acceptance_report",
                  period=doc.period, doc_id=doc.doc_id)
        return
    if plan is None:
        return
    end = plan.facts_as(PlanFacts).end
    deadline = add_one_month(end)
    if a.as_of > deadline:
        a.add("error", "§5.4.4 项目验收", f"项目已于 {end} 结束，内部验收申请期限 {deadline} 已过，仍没有归档项目验收报告；"
              "请提交内部验收申请，生成并归档项目验收报告", doc_type="acceptance_report", period=str(end.year))
    elif a.as_of > end:
        a.add("info", "§5.4.4 项目验收", f"项目已于 {end} 结束，请在 {deadline} 前向质量部提出内部验收申请",
              doc_type="acceptance_report", period=str(end.year))


def audit_project(archive: Archive, project: str, *, as_of: date | None = None) -> AuditReport:
    """Run every check on the project's archive as of `as_of` (default today). A DocgenError when
    the project has nothing archived (most likely a mistyped code), listing the projects there are."""
    as_of = as_of or date.today()
    a = _Audit(archive, project, as_of)
    a.view.require_project(project)
    plan = a.run(_plan_checks)
    if plan is not None:
        a.run(_monthly_checks, plan)
    for check in (_record_checks, _leftover_checks, _survey_checks, _narrative_checks):
        a.run(check)
    a.run(_pack_checks, plan)
    a.run(_incident_checks)
    a.run(_plan_consistency_checks)
    a.run(_checksum_checks)
    a.run(_acceptance_checks, plan)
    order = list(CHECKS)
    a.report.findings.sort(key=lambda f: (_RANK[f.severity], order.index(f.rule), f.period, f.doc_type))
    return a.report
