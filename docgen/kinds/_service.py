"""What on-site and remote service records (§5.4.6) share: the parts of their models, the step
rules, leftover ids, SLA measures and the context pieces their forms use."""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import field_validator

from docgen.errors import Issue
from docgen.facts import (
    NO_PLAN,
    ArchiveView,
    FrozenSla,
    LeftoverFact,
    PlanSla,
    ResolvedLeftoverFact,
    ServiceRecordFacts,
    view_of,
)
from docgen.fields import Date, DateTime, OptText, ProjectCode, StrictModel, Text, label

if TYPE_CHECKING:
    from docgen.archive import Archive

LEFTOVER_ID_RE = re.compile(r".+#[1-9]\d*")
SERVICE_NO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ProjectRef(StrictModel):
    code: ProjectCode = label("项目编号", "与运维项目管理计划的 project.code 相同")
    name: OptText = label("项目名称", "可选；不填则用该项目运维项目管理计划中的项目名称", default=None)
    customer: OptText = label("客户名称", "可选；不填则用该项目运维项目管理计划中的客户名称", default=None)


RecordCategory = Literal["故障", "服务请求", "变更", "巡检", "咨询"]  # doctypes.RECORD_CATEGORIES
IncidentLevel = Literal["一般", "较大", "重大", "特别重大"]  # doctypes.INCIDENT_LEVELS


class IncidentInfo(StrictModel):
    level: IncidentLevel = label("事件级别", "一般 | 较大 | 重大 | 特别重大（GB/T 28827.3）", default="一般")
    category: OptText = label("事件类别", "例如 网络、数据库、应用、硬件", default=None)


class RiskItem(StrictModel):
    risk: Text = label("风险")
    contingency: Text = label("应急预案")


class WorkEntry(StrictModel):
    at: DateTime = label("时间", "YYYY-MM-DD HH:MM")
    action: Text = label("操作内容")
    result: Text = label("结果")


class Escalation(StrictModel):
    at: DateTime = label("上报时间", "YYYY-MM-DD HH:MM")
    issue: Text = label("问题或额外要求")
    reported_to: Text = label("上报对象", "主管领导/直属领导")
    authorized_by: OptText = label("授权人", "经授权后方可继续作业（第7步）", default=None)


class LeftoverIssue(StrictModel):
    issue: Text = label("遗留问题")
    plan: OptText = label("处理方案及计划", "初步处理方案和处理计划（第8步）", default=None)
    owner: OptText = label("责任人", default=None)
    due: Date | None = label("计划完成日期", "YYYY-MM-DD", default=None)


class ResolvedLeftover(StrictModel):
    ref: Text = label("遗留问题编号", "之前记录的遗留问题编号，如 XC-2025-0007#1")
    resolution: Text = label("处理结果")
    at: DateTime = label("处理时间", "YYYY-MM-DD HH:MM")

    @field_validator("ref")
    @classmethod
    def _ref_format(cls, value: str) -> str:
        if not LEFTOVER_ID_RE.fullmatch(value):
            raise ValueError(f"遗留问题编号 “{value}” 格式应为 <服务单号>#<序号>，例如 XC-2025-0007#1")
        return value


class Signoff(StrictModel):
    signed_by: Text = label("签字人")
    signed_at: DateTime = label("签字时间", "YYYY-MM-DD HH:MM")


class Satisfaction(StrictModel):
    score: int = label("满意度评分", "1–5 分", ge=1, le=5)
    comment: OptText = label("客户意见", default=None)
    surveyed_by: OptText = label("回访人", "服务台回访人员", default=None)


def check_service_no(value: str) -> str:
    if not SERVICE_NO_RE.fullmatch(value):
        raise ValueError(f"服务单号 “{value}” 不合法：只能用字母、数字、- _ .，例如 XC-2025-0007"
                         "（遗留问题编号由它加 #序号 组成）")
    return value


def check_leftover_refs(values: list[str]) -> list[str]:
    for value in values:
        if not LEFTOVER_ID_RE.fullmatch(value):
            raise ValueError(f"遗留问题编号 “{value}” 格式应为 <服务单号>#<序号>，例如 XC-2025-0003#1")
    return values


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


class StepRules:
    """Collects the §5.4.6 checks; messages name the step, e.g. 第5步 客户确认缺失：briefing_confirmed_by."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def error(self, step: int, path: str, message: str) -> None:
        self.issues.append(Issue("error", path, f"第{step}步 {message}"))

    def warning(self, step: int, path: str, message: str) -> None:
        self.issues.append(Issue("warning", path, f"第{step}步 {message}"))

    def order(self, times: list[tuple[str, str, datetime | None]]) -> None:
        """Times that must not go backwards: each (path, Chinese name, value)."""
        known = [(p, n, v) for p, n, v in times if v is not None]
        for (p1, n1, v1), (p2, n2, v2) in zip(known, known[1:]):
            if v2 < v1:
                self.issues.append(Issue("error", p2, f"时间顺序错误：{n2} {p2}（{fmt_time(v2)}）早于 {n1} {p1}"
                                                      f"（{fmt_time(v1)}），请更正其中之一"))

    def within(self, path: str, name: str, value: datetime, low: tuple[str, str, datetime | None],
               high: tuple[str, str, datetime | None]) -> None:
        lp, ln, lv = low
        hp, hn, hv = high
        if lv is not None and value < lv:
            self.issues.append(Issue("error", path, f"时间顺序错误：{name} {path}（{fmt_time(value)}）早于 {ln} {lp}"
                                                    f"（{fmt_time(lv)}），请更正其中之一"))
        elif hv is not None and value > hv:
            self.issues.append(Issue("error", path, f"时间顺序错误：{name} {path}（{fmt_time(value)}）晚于 {hn} {hp}"
                                                    f"（{fmt_time(hv)}），请更正其中之一"))


def common_step_rules(rules: StepRules, record: Any, *, work_after: tuple[str, str, datetime | None],
                      work_before: tuple[str, str, datetime | None]) -> None:
    """Steps 2, 5, 7, 8 (and their times) — identical for on-site and remote delivery."""
    prep = record.preparation
    if not prep.plan_approved_by:
        rules.error(2, "preparation.plan_approved_by", "处理预案审核人缺失：preparation.plan_approved_by"
                                                       "（处理预案须经部门经理审核后方可开展工作）")
    if not record.briefing_confirmed_by and record.work:
        rules.error(5, "briefing_confirmed_by", "客户确认缺失：briefing_confirmed_by（开展作业前须向客户说明服务内容、"
                                                "处理预案及风险，并经客户确认）")
    for i, entry in enumerate(record.work):
        rules.within(f"work[{i}].at", "作业时间", entry.at, work_after, work_before)
    for i, esc in enumerate(record.escalations):
        if not esc.authorized_by:
            rules.error(7, f"escalations[{i}].authorized_by", f"授权人缺失：escalations[{i}].authorized_by"
                                                              "（无法解决的问题或额外要求须经领导授权后方可继续）")
        rules.within(f"escalations[{i}].at", "上报时间", esc.at, work_after, work_before)
    if record.leftover_issues:
        if not record.leftover_confirmed_by:
            rules.error(8, "leftover_confirmed_by", "遗留问题客户确认缺失：leftover_confirmed_by"
                                                    "（有遗留问题时须由客户签署遗留问题确认单）")
        for i, item in enumerate(record.leftover_issues):
            for name, title in (("plan", "处理方案及计划"), ("owner", "责任人"), ("due", "计划完成日期")):
                if getattr(item, name) in (None, ""):
                    rules.error(8, f"leftover_issues[{i}].{name}", f"遗留问题{title}缺失：leftover_issues[{i}].{name}")
    own_prefix = f"{record.service_no}#"
    for i, done in enumerate(record.resolved_leftovers):
        if done.at > record.resolved_at:
            rules.issues.append(Issue("warning", f"resolved_leftovers[{i}].at",
                                      f"时间顺序错误：遗留问题 {done.ref} 的处理时间 resolved_leftovers[{i}].at（{fmt_time(done.at)}）"
                                      f"晚于本次服务的解决时间 resolved_at（{fmt_time(record.resolved_at)}）：本记录只能登记"
                                      "在本次服务中已处理的遗留问题，请核对时间"))
        if done.ref.startswith(own_prefix):
            rules.issues.append(Issue("error", f"resolved_leftovers[{i}].ref",
                                      f"{done.ref} 是本次服务自己的遗留问题编号；resolved_leftovers 只用于关闭之前记录的遗留问题"))


def review_rules(rules: StepRules, *, reviewed_by: str | None, path: str, satisfaction: Any,
                 satisfaction_step: int) -> None:
    if not reviewed_by:
        rules.warning(11, path, f"未经运维部经理审核（{path} 为空），文档标注“待审核”")
    if satisfaction is None:
        rules.warning(satisfaction_step, "satisfaction", "服务台尚未回访（satisfaction 为空），文档标注“待回访”")


def leftover_rows(record: Any) -> list[dict[str, str]]:
    return [{"no": str(n), "id": f"{record.service_no}#{n}", "issue": item.issue, "plan": item.plan or "",
             "owner": item.owner or "", "due": item.due.isoformat() if item.due else ""}
            for n, item in enumerate(record.leftover_issues, 1)]


def base_context(record: Any, *, title: str, company: str) -> dict[str, Any]:
    prep = record.preparation
    return {
        "company": company, "title": title, "service_no": record.service_no,
        "project": {"code": record.project.code, "name": record.project.name, "customer": record.project.customer},
        "site": record.site or record.project.customer, "engineer": record.engineer,
        "customer_contact": record.customer_contact or "",
        "prep": {"content": prep.content, "history": prep.history or "无", "plan": prep.plan,
                 "plan_approved_by": prep.plan_approved_by or "", "tools": "、".join(prep.tools) or "无",
                 "safety": prep.safety or "无", "open_issues": "、".join(prep.open_issues) or "无"},
        "risks": [{"no": str(n), "risk": r.risk, "contingency": r.contingency} for n, r in enumerate(prep.risks, 1)],
        "work": [{"no": str(n), "at": fmt_time(w.at), "action": w.action, "result": w.result}
                 for n, w in enumerate(record.work, 1)],
        "escalations": [{"no": str(n), "at": fmt_time(e.at), "issue": e.issue, "reported_to": e.reported_to,
                         "authorized_by": e.authorized_by or ""} for n, e in enumerate(record.escalations, 1)],
        "leftovers": leftover_rows(record),
        "leftover_confirmed_by": record.leftover_confirmed_by or "",
        "resolved_leftovers": [{"no": str(n), "ref": r.ref, "resolution": r.resolution, "at": fmt_time(r.at)}
                               for n, r in enumerate(record.resolved_leftovers, 1)],
        "signoff": {"signed_by": record.customer_signoff.signed_by if record.customer_signoff else "",
                    "signed_at": fmt_time(record.customer_signoff.signed_at) if record.customer_signoff else ""},
        **category_context(record),
        "satisfaction": {
            "score": f"{record.satisfaction.score} 分" if record.satisfaction else "",
            "comment": (record.satisfaction.comment or "") if record.satisfaction else "",
            "surveyed_by": (record.satisfaction.surveyed_by or "") if record.satisfaction else "",
            "status": "已回访" if record.satisfaction else "待回访"},
    }


def record_facts(record: Any, *, kind: str, times: dict[str, datetime | None], measures: dict[str, Any],
                 reviewed_by: str | None) -> ServiceRecordFacts:
    """What KPI, audit and reports read from the archive about this service record."""
    sla = measures["sla"]
    incident = record.incident if record.category == "故障" else None  # ignored otherwise (a warning says so)
    return ServiceRecordFacts(
        service_no=record.service_no, kind=kind, category=record.category,
        incident_level=incident.level if incident else None, incident_category=incident.category if incident else None,
        scheduled_at=fmt_time(scheduled_time(record)) or None, engineer=record.engineer,
        customer_contact=record.customer_contact, content=record.preparation.content,
        **{f"{k}_at": fmt_time(v) or None for k, v in times.items()},
        measures=measures["values"], sla=sla if sla == NO_PLAN else [FrozenSla(**s) for s in sla],
        plan_version=measures["plan_version"],
        leftover_issues=[LeftoverFact(**{k: row[k] for k in ("id", "issue", "plan", "owner", "due")})
                         for row in leftover_rows(record)],
        resolved_leftovers=[ResolvedLeftoverFact(ref=r.ref, resolution=r.resolution, at=fmt_time(r.at))
                            for r in record.resolved_leftovers],
        open_issues=list(record.preparation.open_issues), escalations=len(record.escalations),
        handling="；".join(w.action for w in record.work) or record.preparation.plan,
        reviewed=bool(reviewed_by), reviewed_by=reviewed_by,
        satisfaction_score=record.satisfaction.score if record.satisfaction else None)


def scheduled_time(record: Any) -> datetime | None:
    """The time the customer asked the service for (要求到场时间 on site, 要求支持时间 remote)."""
    prep = record.preparation
    return getattr(prep, "requested_arrival", None) or getattr(prep, "requested_time", None)


def category_rules(rules: StepRules, record: Any, scheduled_path: str) -> None:
    """What a record says it is (#13): only an incident has an incident level and category; a request or
    change is due from the time the customer asked for, so it should say when that was."""
    if record.category != "故障" and record.incident is not None:
        rules.issues.append(Issue("warning", "incident", f"服务类别 category 为“{record.category}”，不是故障，事件信息 incident "
                                                         "不适用，已忽略；如确为故障请把 category 改为“故障”，否则删除 incident"))
    if record.category == "故障" and record.incident is None:
        rules.issues.append(Issue("warning", "incident", "故障类服务记录未填写事件信息 incident（级别、类别），按“一般”事件统计；"
                                                         "请填写 incident.level 和 incident.category"))
    if record.category in ("服务请求", "变更") and scheduled_time(record) is None:
        rules.issues.append(Issue("warning", scheduled_path,
                                  f"服务类别为“{record.category}”，但未填写客户要求的时间 {scheduled_path}；"
                                  "计划若考核该类服务，将从报修时间起计时。请填写客户要求的时间"))


def category_context(record: Any) -> dict[str, str]:
    """服务类别 and 事件级别/类别 as the record's documents print them."""
    incident = record.incident
    if record.category != "故障":
        text = "不适用"
    else:
        level = incident.level if incident else "一般"
        text = f"{level}（{incident.category}）" if incident and incident.category else level
    return {"category": record.category, "incident_text": text}


def steps_rows(steps: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"no": str(n), "name": name, "status": status, "evidence": evidence}
            for n, (name, status, evidence) in enumerate(steps, 1)]


def plan_sla(archive: Archive | ArchiveView | None, project: str) -> tuple[list[PlanSla] | None, str | None]:
    """The SLA entries of the project's plan in force (its latest archived version), or (None, None)."""
    plan = view_of(archive).plan_facts(project) if archive is not None else None
    if plan is None:
        return None, None
    return list(plan.sla), plan.plan_version


def service_spec(record: Any, doc_type: str, title: str, context: dict[str, Any], facts: ServiceRecordFacts,
                 warnings: list[str]) -> Any:
    """A record's document: identity project + doc_type + service_no, dated the day of resolved_at,
    covering the month of resolved_at (docs/archive.md)."""
    from docgen.kinds._kind import DocumentSpec

    day = record.resolved_at.date()
    return DocumentSpec(doc_type=doc_type, title=f"{title}（{record.service_no}）", project=record.project.code,
                        key=(record.service_no,), date=day, period=f"{day:%Y-%m}", template=f"{doc_type}.docx",
                        context=context, facts=facts, warnings=list(warnings),
                        out_name=f"{record.project.code}_{title}_{record.service_no}")


def leftover_confirmation_spec(record: Any, context: dict[str, Any], facts: ServiceRecordFacts,
                               warnings: list[str]) -> Any:
    """遗留问题确认单 (step 8): produced whenever the record has leftover issues."""
    keep = ("company", "service_no", "project", "site", "engineer", "customer_contact", "category", "incident_text",
            "leftovers", "leftover_confirmed_by")
    ctx = {k: context[k] for k in keep} | {"title": "遗留问题确认单", "date": record.resolved_at.date().isoformat()}
    return service_spec(record, "leftover_confirmation", "遗留问题确认单", ctx, facts, warnings)


def unknown_leftover_refs(archive: Archive | None, record: Any) -> list[str]:
    """Warnings for resolved_leftovers / open_issues that name no leftover issue archived for the
    project (a typo would otherwise leave the real issue open for ever)."""
    refs = [(f"resolved_leftovers[{i}].ref", r.ref) for i, r in enumerate(record.resolved_leftovers)]
    refs += [(f"preparation.open_issues[{i}]", ref) for i, ref in enumerate(record.preparation.open_issues)]
    if archive is None or not refs:
        return []
    known = {item.id for doc in view_of(archive).service_records(record.project.code).values()
             for item in doc.facts_as(ServiceRecordFacts).leftover_issues}
    return [f"{path}：归档库中没有遗留问题 {ref}（项目 {record.project.code}）；请核对编号，或先生成记录该遗留问题的服务记录"
            for path, ref in refs if ref not in known]
