"""One facts class per archived document type: what the document states for the figures, the audit
and later documents to read. Kinds build these when they render a document; the archive keeps their
`to_record()` in the sidecar; every reader gets them back through `read_doc` (never a raw dict).

Times are the text the documents print ("2025-03-12 09:10"); days are dates; minutes are floats."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from docgen.doctypes import DEFAULT_SLA_CATEGORIES, INCIDENT, MAJOR_LEVELS, NOTIFY_GROUPS, PLAN_REVIEWER_ROLES
from docgen.facts._base import NO_PLAN, Facts, Part
from docgen.numbers import fmt_num
from docgen.periods import parse_day

# --------------------------------------------------------------------------------------------- plan


class PlanSla(Part):
    """One SLA entry of the plan: metric id, its name, the clock it runs on, the target."""

    metric: str
    name: str | None = None
    clock: str = "7x24"  # 7x24 | workday
    hours: str | None = None  # working hours of a workday clock, e.g. 08:30-17:30
    op: str = ">="
    target: float
    unit: str | None = None
    categories: list[str] | None = None  # the record categories a record metric covers (None: only 故障)

    def covers(self, category: str) -> bool:
        """Whether a service record of `category` (故障, 变更, …) is measured against this entry."""
        return category in (self.categories or DEFAULT_SLA_CATEGORIES)


class PlanReport(Part):
    """One line of the plan's report schedule (what is due, how often)."""

    name: str | None = None
    doc_type: str
    frequency: Literal["monthly", "weekly", "quarterly", "per_service"]
    recipient: str | None = None


class PlanReviewer(Part):
    name: str
    role: str
    conclusion: str
    date: date


class HistoryEntry(Part):
    """This plan version's row of the 文件编制和变更履历 table, so later versions can list it."""

    version: str
    author: str = ""
    date: str = ""
    reviewer: str = ""
    review_date: str = ""
    approver: str = ""
    approve_date: str = ""
    change_note: str = ""


class PlanFacts(Facts):
    """运维项目管理计划: the project's dates, SLA targets, report schedule and review."""

    doc_types = ("plan",)

    name: str
    customer: str
    contract_no: str | None = None
    manager: str | None = None
    plan_version: str
    start: date
    end: date
    sla: list[PlanSla] = Field(default_factory=list)
    reports: list[PlanReport] = Field(default_factory=list)
    reviewers: list[PlanReviewer] = Field(default_factory=list)
    review_passed: bool = False
    notify_groups: list[str] = Field(default_factory=list)
    history_entry: HistoryEntry | None = None
    services: list[str] | None = None  # §5.2.1 delivery content: the pack kinds planned (None: docgen 0.1.0)
    workload_person_days: float | None = None  # §5.2.2 预估工作量 (None: written by docgen 0.1.0)
    workload_breakdown: list[float] = Field(default_factory=list)  # the person-days of its breakdown, if given
    approved_by: str | None = None  # 批准 (docgen 0.1.0 recorded it only in history_entry.approver)
    approved_on: date | None = None
    company: str | None = None  # 公司名称 on the plan's cover (None: archived before docgen recorded it)

    @property
    def approver(self) -> str:
        """Who approved the plan ("" when nobody has yet)."""
        return self.approved_by or (self.history_entry.approver if self.history_entry else "") or ""

    def target(self, metric: str) -> PlanSla | None:
        """The plan's first SLA entry for `metric` (None when the plan sets none)."""
        return next((s for s in self.sla if s.metric == metric), None)


def workload_gap(total: float | None, parts: list[float]) -> str | None:
    """§5.2.2: the estimated total against the sum of its breakdown, when both are given (plan generation
    warns with it; the audit reports it)."""
    if total is None or not parts or round(sum(parts), 2) == round(total, 2):
        return None
    return (f"预估工作量 workload.person_days（{fmt_num(total)} 人天）与工作量分项 workload.breakdown[].person_days 之和"
            f"（{fmt_num(sum(parts))} 人天）不一致；请核对总数或分项")


def review_gaps(plan: PlanFacts) -> list[tuple[str, str]]:
    """§5.3 on a plan's facts, as (input field path, Chinese message): every reviewer role the regulation
    names, the approval, every notification group. Plan generation warns with them; the audit reports them."""
    gaps = []
    roles = {r.role for r in plan.reviewers}
    missing_roles = [role for role in PLAN_REVIEWER_ROLES if role not in roles]
    if missing_roles:
        gaps.append(("review.reviewers", f"评审人缺少{'、'.join(missing_roles)}（§5.3 计划须提交运维部经理、运维业务线及质量部评审）"))
    if not plan.approver:
        gaps.append(("approved_by", "计划没有批准记录（approved_by/approved_on 为空），封面“批准”一栏空白；请在评审通过后由批准人"
                                    "批准并填写批准人和批准日期"))
    missing_groups = [g for g in NOTIFY_GROUPS if g not in plan.notify_groups]
    if missing_groups:
        gaps.append(("review.notify", f"通知范围未覆盖{'、'.join(missing_groups)}（§5.3 评审通过的计划应通知项目组成员、"
                                      "技术支撑组、客户接口人）"))
    return gaps


# --------------------------------------------------------------------------------- service records


class FrozenSla(Part):
    """One plan metric as measured and judged when the record was archived (frozen: a later plan
    does not change it)."""

    metric: str
    name: str | None = None
    clock: str = "7x24"
    hours: str | None = None
    op: str = "<="
    target: float | None = None
    unit: str | None = None
    value: float | None = None
    met: bool | None = None
    from_scheduled: bool = False  # measured from the time the customer asked for (a scheduled request/change)


class LeftoverFact(Part):
    """A leftover issue (遗留问题) the record left: id is `<service_no>#<n>`; due may be empty."""

    id: str
    issue: str = ""
    plan: str = ""
    owner: str = ""
    due: str = ""

    @property
    def due_day(self) -> date | None:
        return parse_day(self.due)


class ResolvedLeftoverFact(Part):
    """An earlier record's leftover issue this record closed."""

    ref: str
    resolution: str = ""
    at: str = ""

    @property
    def day(self) -> date | None:
        return parse_day(self.at)


class ServiceRecordFacts(Facts):
    """现场服务单 / 现场服务报告单 / 遗留问题确认单 / 远程服务记录: one service record (§5.4.6) — its times,
    7×24 measures, the SLA results frozen against the plan in force, leftovers, review and 回访."""

    doc_types = ("onsite_form", "onsite_report", "leftover_confirmation", "remote_record")

    service_no: str
    kind: Literal["onsite", "remote"] | None = None  # also told by the doc type (RECORD_DOC_TYPES)
    category: str = INCIDENT  # 故障 | 服务请求 | 变更 | 巡检 | 咨询 (docgen before #13 knew only incidents)
    incident_level: str | None = None  # 一般 | 较大 | 重大 | 特别重大 (incidents only; None: not given, 一般)
    incident_category: str | None = None  # e.g. 网络、数据库 (incidents only)
    scheduled_at: str | None = None  # the time the customer asked the service for (要求到场/支持时间)
    engineer: str = ""
    customer_contact: str | None = None
    content: str = ""
    requested_at: str | None = None
    responded_at: str | None = None
    arrived_at: str | None = None  # onsite only
    resolved_at: str
    departed_at: str | None = None  # onsite only
    session_closed_at: str | None = None  # remote only
    measures: dict[str, float] = Field(default_factory=dict)  # metric -> 7×24 minutes
    sla: list[FrozenSla] | Literal["无计划目标"]
    plan_version: str | None = None
    leftover_issues: list[LeftoverFact] = Field(default_factory=list)
    resolved_leftovers: list[ResolvedLeftoverFact] = Field(default_factory=list)
    open_issues: list[str] = Field(default_factory=list)
    escalations: int = 0
    reviewed: bool = False
    reviewed_by: str | None = None
    satisfaction_score: int | None = None
    handling: str = ""  # what was done (the work entries' actions, or the plan), for the incident lists

    @field_validator("resolved_at")
    @classmethod
    def _resolved_is_a_time(cls, value: str) -> str:
        if parse_day(value) is None:
            raise ValueError(f"“{value}” 不是 YYYY-MM-DD HH:MM 形式的时间")
        return value

    @property
    def resolved_day(self) -> date:
        return parse_day(self.resolved_at)  # type: ignore[return-value]  # checked by the validator

    @property
    def is_incident(self) -> bool:
        return self.category == INCIDENT

    @property
    def level(self) -> str:
        """The incident's level (一般 when the record did not say)."""
        return self.incident_level or "一般"

    @property
    def major(self) -> bool:
        return self.is_incident and self.level in MAJOR_LEVELS

    @property
    def no_plan(self) -> bool:
        """Measured while the project had no archived plan (无计划目标)."""
        return self.sla == NO_PLAN

    def frozen(self, metric: str) -> FrozenSla | None:
        """The frozen result of `metric` (None: no plan, the metric does not apply, or no target)."""
        if self.sla == NO_PLAN:
            return None
        return next((s for s in self.sla if s.metric == metric), None)

    def frozen_results(self) -> list[FrozenSla]:
        return [] if self.sla == NO_PLAN else list(self.sla)


# ----------------------------------------------------------------------------------------- survey


class SurveyQuestion(Part):
    id: str
    text: str = ""
    mean: float | None = None
    min: int | None = None
    max: int | None = None
    n: int = 0
    distribution: dict[str, int] = Field(default_factory=dict)


class LowScore(Part):
    """A score at or below the survey's threshold, whether it was followed up (§5.4.5: confirmed with
    the customer, an improvement planned), by when, and when it was completed."""

    respondent: str
    question: str
    score: int
    followed_up: bool = False
    due: date | None = None  # the improvement's planned completion
    done_on: date | None = None  # when it was completed (None: not yet)
    result: str | None = None


class SurveyFacts(Facts):
    """需方满意度调查和分析报告 (§5.4.5): respondents, scores per question, overall satisfaction."""

    doc_types = ("survey_report",)

    period: str = ""
    surveyed_by: str | None = None
    respondents: int | None = None
    questions: list[SurveyQuestion] = Field(default_factory=list)
    overall: float  # the figure 客户满意度 is judged on
    score_count: int | None = None
    score_total: int | None = None
    satisfied_percent: float | None = None
    low_score_threshold: int | None = None
    low_scores: list[LowScore] = Field(default_factory=list)


# ------------------------------------------------------------------------------------------ packs


class PackFacts(Facts):
    """An item of a §5.4.7 deliverable pack; `pack` is routine | emergency | optimization | assessment."""

    pack: str


class StatusRecordFacts(PackFacts):
    doc_types = ("status_record",)
    records: int
    alarms: int


class ConfigRecordFacts(PackFacts):
    doc_types = ("config_record",)
    items: int
    changed: int


class AnomalyRecordFacts(PackFacts):
    doc_types = ("anomaly_record",)
    anomalies: int
    open: int


class TrendAnalysisFacts(PackFacts):
    doc_types = ("trend_analysis",)
    risks: int


class IncidentFact(Part):
    """One incident of the 响应支持记录, with its minutes on the 7×24 clock: an incident service record
    (service_no set, id = service_no) or one typed in the pack input without a record (service_no None;
    every incident of a pack written before #13 reads back as typed)."""

    id: str
    service_no: str | None = None
    level: str
    category: str = ""
    reported_at: str
    responded_at: str | None = None
    resolved_at: str | None = None
    response_minutes: float | None = None
    resolution_minutes: float | None = None
    major_report: bool = False
    sla: list[FrozenSla] = Field(default_factory=list)  # a typed incident judged against the plan in force
    description: str = ""
    handling: str = ""

    @property
    def reported_day(self) -> date | None:
        return parse_day(self.reported_at)

    @property
    def resolved_day(self) -> date | None:
        return parse_day(self.resolved_at or "")


class ResponseRecordFacts(PackFacts):
    doc_types = ("response_record",)
    incidents: list[IncidentFact] = Field(default_factory=list)
    by_level: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)


class IncidentRate(Part):
    """响应支持关键指标: the share of a period's incidents meeting one plan metric."""

    metric: str
    name: str | None = None
    incidents: int
    met: int
    rate: float | None = None
    target: str = ""


class ResponseKpiFacts(PackFacts):
    doc_types = ("response_kpi",)
    incidents: int
    sla: list[IncidentRate] | Literal["无计划目标"]
    plan_version: str | None = None
    by_level: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)
    by_month: dict[str, int] = Field(default_factory=dict)
    records: list[str] = Field(default_factory=list)  # the incident service records counted (service_no)
    typed: list[str] = Field(default_factory=list)  # incidents typed in without a service record (their ids)


class ImprovementFact(Part):
    action: str
    owner: str | None = None
    due: str | None = None


class MajorIncidentFacts(PackFacts):
    doc_types = ("major_incident_report",)
    incident: str
    level: str
    improvements: list[ImprovementFact] = Field(default_factory=list)


class ConfigUpdateFacts(PackFacts):
    doc_types = ("config_update",)
    updates: int
    items: list[str] = Field(default_factory=list)  # the configuration items updated (optimization)


class ReviewFact(Part):
    name: str
    role: str
    conclusion: str
    date: date
    approved: bool


class OptimizationPlanFacts(PackFacts):
    doc_types = ("optimization_plan",)
    subject: str
    goals: int
    review_status: str
    reviews: list[ReviewFact] = Field(default_factory=list)


class ImplementationPlanFacts(PackFacts):
    doc_types = ("implementation_plan",)
    steps: int
    owners: list[str] = Field(default_factory=list)
    review_status: str
    reviews: list[ReviewFact] = Field(default_factory=list)


class ChangeReleaseFacts(PackFacts):
    doc_types = ("change_release_report",)
    change_no: str
    executed_at: str
    result: str


class AssessmentPlanFacts(PackFacts):
    doc_types = ("assessment_plan",)
    subject: str
    start: date
    end: date
    tasks: int


class AssessmentReportFacts(PackFacts):
    doc_types = ("assessment_report",)
    subject: str
    findings: int
    by_risk: dict[str, int] = Field(default_factory=dict)


class AssessmentRecommendationFacts(PackFacts):
    doc_types = ("assessment_recommendation",)
    subject: str
    recommendations: int
    by_priority: dict[str, int] = Field(default_factory=dict)
    review_status: str
    reviews: list[ReviewFact] = Field(default_factory=list)


class ManifestItem(Part):
    """A 交付清单 line: the item's archive identity, or not present (缺失 / 不适用)."""

    doc_type: str
    doc_id: str | None = None
    doc_no: str | None = None  # its 文件编号 (None: missing, or a manifest written before numbering)
    version: int | None = None
    sha256: str | None = None
    present: bool
    path: str | None = None


class ManifestFacts(PackFacts):
    """交付清单: every item §5.4.7 lists for the pack's service type."""

    doc_types = ("pack_manifest",)
    service: str
    items: list[ManifestItem] = Field(default_factory=list)
    present: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # doc types 缺失 (not counting 不适用)
    not_applicable: dict[str, str] = Field(default_factory=dict)  # doc type -> why 不适用


# --------------------------------------------------------------------------- computed from the archive


class ServiceCounts(Part):
    total: int
    onsite: int
    remote: int
    service_nos: list[str] = Field(default_factory=list)
    sla_met: list[str] = Field(default_factory=list)
    sla_not_met: list[str] = Field(default_factory=list)
    unreviewed: list[str] = Field(default_factory=list)
    no_visit: list[str] = Field(default_factory=list)


class ReportSla(Part):
    """One row of a report's SLA table as judged (a plan metric over the period)."""

    model_config = Part.model_config | {"extra": "allow"}  # rows differ by metric (due/delivered, mean/p90…)

    metric: str
    name: str | None = None
    met: bool | None = None


class SlaSummary(Part):
    metrics: int
    met: int
    not_met: list[str] = Field(default_factory=list)
    not_judged: list[str] = Field(default_factory=list)


class ServiceReportFacts(Facts):
    """运维服务报告 (§5.4.2): what the period's report stated — services, SLA, incidents, leftovers."""

    doc_types = ("service_report",)

    period: str = ""
    prepared_by: str = ""
    prepared_on: date | None = None
    availability_percent: float | None = None  # measured by the monitoring platform; None: not filled in
    plan_version: str | None = None
    services: ServiceCounts | None = None
    sla: list[ReportSla] | Literal["无计划目标"] = Field(default_factory=list)
    sla_summary: SlaSummary | None = None
    incidents: list[str] = Field(default_factory=list)
    major_incidents: list[str] = Field(default_factory=list)
    open_leftovers: list[str] = Field(default_factory=list)
    overdue_leftovers: list[str] = Field(default_factory=list)
    closed_leftovers: list[str] = Field(default_factory=list)
    next_period_plan: list[str] = Field(default_factory=list)
    narrative_conflicts: list[str] = Field(default_factory=list)  # the PM's summary against the figures


class EvaluationFact(Part):
    name: str
    role: str
    conclusion: str
    date: date
    passed: bool


class AcceptanceMeeting(Part):
    date: date
    conclusion: str
    signed_by: str | None = None


class AcceptanceIssue(Part):
    issue: str
    resolution: str | None = None
    due: str | None = None


class AcceptanceFacts(Facts):
    """项目验收报告 (§5.4.4): the internal application against its deadline, the evaluation, the
    customer's acceptance and its open issues, the project's SLA self-assessment."""

    doc_types = ("acceptance_report",)

    name: str = ""
    customer: str = ""
    end: date | None = None
    applied_on: date  # the internal acceptance application, judged against the deadline
    applied_by: str = ""
    deadline: date
    on_time: bool | None = None
    days_late: int = 0
    plan_version: str | None = None
    sla_period: list[date] | None = None
    evaluation: list[EvaluationFact] = Field(default_factory=list)
    preliminary: AcceptanceMeeting | None = None
    final: AcceptanceMeeting | None = None
    open_issues: list[AcceptanceIssue] = Field(default_factory=list)
    sla: list[ReportSla] = Field(default_factory=list)
    deliverables: dict[str, int] = Field(default_factory=dict)  # doc type -> documents archived
    leftovers_open_at_end: list[str] = Field(default_factory=list)
    findings: list[dict[str, str]] = Field(default_factory=list)
    narrative_conflicts: list[str] = Field(default_factory=list)  # the self-assessment against the figures

    def order_gaps(self) -> list[tuple[str, str]]:
        """acceptance_order_gaps of what this report recorded."""
        return acceptance_order_gaps(self.applied_on, [(f"{e.role}{e.name}", e.date) for e in self.evaluation],
                                     self.preliminary.date if self.preliminary else None,
                                     self.final.date if self.final else None)


def acceptance_order_gaps(applied_on: date, evaluations: list[tuple[str, date]], preliminary: date | None,
                          final: date | None) -> list[tuple[str, str]]:
    """§5.4.4's order — internal application → 运维部/质量部 evaluation → customer 初验 → 终验 — as
    (input field path, Chinese message) for each step dated before the one it follows. `evaluations`:
    (who, day). Acceptance generation warns with them; the audit reports them."""
    gaps = []
    if preliminary is not None and preliminary < applied_on:
        gaps.append(("customer.preliminary.date", f"客户初验日期 customer.preliminary.date（{preliminary}）早于内部验收申请日期 "
                                                  f"internal.applied_on（{applied_on}）"))
    late = [(who, day) for who, day in evaluations if preliminary is not None and day > preliminary]
    if late and not (preliminary is not None and preliminary < applied_on):
        who, day = max(late, key=lambda pair: pair[1])
        gaps.append(("customer.preliminary.date", f"客户初验日期 customer.preliminary.date（{preliminary}）早于{who}的内部评估日期 "
                                                  f"internal.evaluation[].date（{day}）"))
    if final is not None and preliminary is None and any(day > final for _, day in evaluations):
        who, day = max(evaluations, key=lambda pair: pair[1])
        gaps.append(("customer.final.date", f"客户终验日期 customer.final.date（{final}）早于{who}的内部评估日期 "
                                            f"internal.evaluation[].date（{day}）"))
    return [(path, f"验收顺序颠倒：{text}；§5.4.4 先由项目组提出内部验收申请、运维部与质量部评估，再由客户初验、终验，"
                   "请核对日期") for path, text in gaps]


class KpiIndicator(Part):
    """One indicator of one project (or `_all`) in the month (`docgen kpi --json`'s indicators)."""

    model_config = Part.model_config | {"extra": "allow"}

    id: str
    name: str
    target: float | None = None
    project: str
    due: int | None = None
    delivered: int | None = None
    value: float | None = None
    met: bool | None = None


class KpiReportFacts(Facts):
    """月度KPI统计表 (§8): the month's indicator figures as `docgen kpi --json` gives them."""

    doc_types = ("kpi_report",)

    month: str
    indicators: list[KpiIndicator] = Field(default_factory=list)


class AuditFinding(Part):
    severity: Literal["error", "warning", "info"]
    rule: str
    doc_type: str = ""
    period: str = ""
    message: str
    doc_id: str = ""
    doc_no: str = ""  # 文件编号 of the document concerned (audits archived before numbering: none)


class AuditReportFacts(Facts):
    """项目交付审计报告 (§5.4.3): the audit's day, counts by severity and the findings."""

    doc_types = ("audit_report",)

    as_of: date
    error: int = 0
    warning: int = 0
    info: int = 0
    findings: list[AuditFinding] = Field(default_factory=list)


# ------------------------------------------------------------------------------------- received


class ReceivedFacts(Facts):
    """A document made elsewhere and taken in by `docgen archive add` or the inbox (any doc type):
    its original file name, the characters of text extracted, and the service it belongs to if given."""

    original_name: str  # its presence marks a received document (see read_doc)
    characters: int = 0
    service_no: str | None = None
