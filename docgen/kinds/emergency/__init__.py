"""应急响应 deliverable pack (kind: emergency, §5.4.7.2; GB/T 28827.3): 响应支持记录 (xlsx), 响应支持关键指标
数据记录 (xlsx with native charts: SLA 达成情况、数量、分布、趋势), 重大事件(故障)的分析改进报告 (one per major
incident), 运行维护服务对象配置信息更新记录 (xlsx), 交付清单 and the customer zip.

The incidents are the archive's (docs/archive.md "Incidents"): the period's service records of category 故障
(docgen.metrics.incidents). The input keeps what records cannot know — major-incident analyses, configuration
updates — and, for events handled without a service record, typed incidents: each is listed with a warning
(and an audit finding), counted in 数量/分布/趋势 but not in 达成情况, whose figures come from the records
exactly as the service reports' do. A typed incident reported at the same minute as an incident record is
that record (counted once)."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import TYPE_CHECKING, Literal

from docgen.doctypes import MAJOR_LEVELS
from docgen.errors import Issue
from docgen.facts import (
    NO_PLAN,
    FrozenSla,
    ImprovementFact,
    IncidentFact,
    MajorIncidentFacts,
    PlanSla,
    ResponseRecordFacts,
)
from docgen.fields import (
    DateTime,
    OptDate,
    OptText,
    StrictModel,
    Text,
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
from docgen.kinds._service import IncidentLevel, fmt_time, plan_sla
from docgen.kinds.emergency.response_kpi import LEVELS, measure, response_kpi_context
from docgen.metrics.incidents import Incident as IncidentRow
from docgen.metrics.incidents import record_incidents
from docgen.numbers import fmt_num
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.pipeline import GeneratedDoc

PACK = "emergency"


class Incident(StrictModel):
    id: Text = label("事件编号", "例如 INC-001；本包内唯一")
    level: IncidentLevel = label("级别", "一般 | 较大 | 重大 | 特别重大")
    category: Text = label("类别", "例如 网络、数据库、应用")
    reported_at: DateTime = label("报告时间", "YYYY-MM-DD HH:MM")
    responded_at: DateTime = label("响应时间", "YYYY-MM-DD HH:MM")
    resolved_at: DateTime = label("解决时间", "YYYY-MM-DD HH:MM")
    description: Text = label("事件描述")
    handling: Text = label("处理过程")


class Improvement(StrictModel):
    action: Text = label("改进措施")
    owner: OptText = label("责任人", default=None)
    due: OptDate = label("完成期限", "YYYY-MM-DD", default=None)


class MajorReport(StrictModel):
    incident: Text = label("事件编号", "incidents 中重大事件的 id")
    timeline: Text = label("事件经过", "“时间 事件”，以“；”或换行分隔，例如 22:05 告警；22:11 响应")
    impact: Text = label("影响范围")
    root_cause: Text = label("根本原因")
    improvements: list[Improvement] = label("改进措施", min_length=1, sheet="改进措施")


class EmergencyInput(PackBase):
    kind: Literal["emergency"] = label("输入类型", "固定为 emergency")
    incidents: list[Incident] = label("响应支持记录", "§5.4.7.2", default_factory=list, sheet="响应支持")
    major_reports: list[MajorReport] = label("重大事件(故障)的分析改进报告", "§5.4.7.2；每个重大事件一份",
                                             default_factory=list, sheet="重大事件报告")
    config_updates: list[ConfigUpdate] = label("运行维护服务对象配置信息更新记录", "§5.4.7.2",
                                               default_factory=list, sheet="配置更新")


def emergency_rules(pack: EmergencyInput) -> list[Issue]:
    issues: list[Issue] = []
    first, last = period_bounds(pack.period)
    seen: dict[str, int] = {}
    for i, inc in enumerate(pack.incidents):
        path = f"incidents[{i}]"
        if inc.id in seen:
            issues.append(Issue("error", f"{path}.id", f"事件编号 {inc.id} 重复（与 incidents[{seen[inc.id]}] 相同）；"
                                                       "每个事件的编号应唯一"))
        seen.setdefault(inc.id, i)
        for (a, a_name), (b, b_name) in ((("reported_at", "报告时间"), ("responded_at", "响应时间")),
                                         (("responded_at", "响应时间"), ("resolved_at", "解决时间"))):
            if getattr(inc, b) < getattr(inc, a):
                issues.append(Issue("error", f"{path}.{b}",
                                    f"时间顺序错误：{b_name} {path}.{b}（{fmt_time(getattr(inc, b))}）早于{a_name} "
                                    f"{path}.{a}（{fmt_time(getattr(inc, a))}），请更正其中之一"))
        if not first <= inc.resolved_at.date() <= last:
            issues.append(Issue("warning", f"{path}.resolved_at",
                                f"事件 {inc.id} 的解决时间 {fmt_time(inc.resolved_at)} 不在本包期间 {pack.period}"
                                f"（{first}～{last}）内，列入响应支持记录但不计入关键指标，请确认"))
    reported: dict[str, int] = {}
    for i, rep in enumerate(pack.major_reports):
        path = f"major_reports[{i}]"
        if rep.incident in reported:
            issues.append(Issue("error", f"{path}.incident", f"事件 {rep.incident} 已有重大事件报告"
                                                             f"（major_reports[{reported[rep.incident]}]）；每个事件一份"))
        reported.setdefault(rep.incident, i)
        for j, imp in enumerate(rep.improvements):
            for name, title in (("owner", "责任人"), ("due", "完成期限")):
                if getattr(imp, name) in (None, ""):
                    issues.append(Issue("error", f"{path}.improvements[{j}].{name}",
                                        f"改进措施{title}缺失：{path}.improvements[{j}].{name}"
                                        "（每项改进措施须明确责任人和完成期限）"))
    for i, upd in enumerate(pack.config_updates):
        if not first <= upd.at <= last:
            issues.append(Issue("warning", f"config_updates[{i}].at",
                                f"配置更新日期 {upd.at} 不在本包期间 {pack.period}（{first}～{last}）内，请确认"))
    if pack.prepared_on is not None and pack.prepared_on < first:
        issues.append(Issue("error", "prepared_on", f"编制日期 prepared_on（{pack.prepared_on}）早于期间 period 的开始（{first}）"))
    return issues


def _timeline(text: str) -> list[dict[str, str]]:
    """“22:05 告警；22:11 响应” → rows of time and event (a part without a leading time keeps it blank)."""
    rows = []
    for part in (p.strip() for p in re.split(r"[；;\n]+", text)):
        if not part:
            continue
        m = re.match(r"^((?:\d{4}-\d{2}-\d{2}\s+)?\d{1,2}[:：]\d{2})\s*(.*)$", part)
        at, event = (m[1], m[2] or "—") if m else ("", part)
        rows.append({"no": str(len(rows) + 1), "at": at, "event": event})
    return rows


def parse_time(text: str | None) -> datetime | None:
    """A fact's "YYYY-MM-DD HH:MM" back to a time, so the workbook keeps a real date-time cell."""
    return datetime.strptime(text[:16], "%Y-%m-%d %H:%M") if text else None


def _fmt_minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{fmt_num(value)} 分钟"


def _typed(inc: Incident, sla: list[PlanSla] | None, plan_version: str | None, pack: EmergencyInput) -> IncidentRow:
    measured = measure(inc, sla, plan_version)
    results = () if measured["sla"] == NO_PLAN else tuple(FrozenSla(**r) for r in measured["sla"])
    return IncidentRow(id=inc.id, service_no=None, level=inc.level, category=inc.category,
                       reported_at=fmt_time(inc.reported_at), responded_at=fmt_time(inc.responded_at),
                       resolved_at=fmt_time(inc.resolved_at), description=inc.description, handling=inc.handling,
                       measures=measured["values"], results=results,
                       pack=pack.period)


def pack_incidents(pack: EmergencyInput, archive: Archive | None, sla: list[PlanSla] | None,
                   plan_version: str | None) -> tuple[list[IncidentRow], dict[str, str], list[str]]:
    """(the period's incidents: its incident records and the typed events without one, in time order;
    every id a major report may name → the incident's id; warnings about the typed incidents)."""
    first, last = period_bounds(pack.period)
    records = record_incidents(archive, pack.project.code, first, last)
    by_reported = {inc.reported_at: inc for inc in records}
    aliases = {inc.id: inc.id for inc in records}
    typed: list[IncidentRow] = []
    warnings: list[str] = []
    for i, inc in enumerate(pack.incidents):
        same = by_reported.get(fmt_time(inc.reported_at))
        if same is not None:
            aliases[inc.id] = same.id
            warnings.append(f"incidents[{i}]：事件 {inc.id} 与服务记录 {same.service_no} 报告时间相同（{fmt_time(inc.reported_at)}），"
                            f"按同一事件以服务记录为准、不重复计数；请从 incidents 中删除本条，重大事件报告可直接写服务单号")
            continue
        aliases[inc.id] = inc.id
        typed.append(_typed(inc, sla, plan_version, pack))
        warnings.append(f"incidents[{i}]：事件 {inc.id} 没有服务记录，按输入列入响应支持记录和事件数量，不计入 SLA 达成情况；"
                        "应急响应的事件应有现场或远程服务记录（§5.4.6，category: 故障），请补录服务记录后从 incidents 中删除本条")
    return sorted(records + typed, key=lambda x: (x.reported_at, x.id)), aliases, warnings


def _major_warnings(pack: EmergencyInput, incidents: list[IncidentRow], aliases: dict[str, str]) -> list[str]:
    out = []
    first, last = period_bounds(pack.period)
    ids = {inc.id for inc in incidents}
    for i, rep in enumerate(pack.major_reports):
        if aliases.get(rep.incident, rep.incident) not in ids:
            out.append(f"major_reports[{i}].incident：本期（{pack.period}，{first}～{last}）没有事件 {rep.incident}："
                       f"归档库中没有该服务单号的故障类服务记录，incidents 中也没有该编号；未生成其重大事件(故障)的分析改进报告，"
                       "请核对编号，或先生成该事件的服务记录")
    reported = {aliases.get(rep.incident, rep.incident) for rep in pack.major_reports}
    for inc in incidents:
        if inc.major and inc.id not in reported:
            out.append(f"major_reports：{inc.level}事件 {inc.id}（{inc.description}）没有重大事件(故障)的分析改进报告；"
                       "请在 major_reports 中补充（incident 写该事件编号）")
    return out


def emergency_documents(pack: EmergencyInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    sla, plan_version = plan_sla(archive, pack.project.code)
    incidents, aliases, typed_warnings = pack_incidents(pack, archive, sla, plan_version)
    warnings = [*warnings, *typed_warnings, *_major_warnings(pack, incidents, aliases)]
    reports = {aliases.get(r.incident, r.incident): r for r in pack.major_reports}

    rows = [{"no": n, "id": inc.id, "source": "服务记录" if inc.service_no else "无服务记录", "level": inc.level,
             "category": inc.category or "未分类", "reported_at": parse_time(inc.reported_at),
             "responded_at": parse_time(inc.responded_at), "resolved_at": parse_time(inc.resolved_at),
             "response_minutes": inc.minutes("response_minutes"), "resolution_minutes": inc.minutes("resolution_minutes"),
             "description": inc.description, "handling": inc.handling,
             "major_report": "有" if inc.id in reports else ("缺失" if inc.major else "—")}
            for n, inc in enumerate(incidents, 1)]
    facts_incidents = [IncidentFact(id=inc.id, service_no=inc.service_no, level=inc.level, category=inc.category,
                                    reported_at=inc.reported_at, responded_at=inc.responded_at,
                                    resolved_at=inc.resolved_at, response_minutes=inc.minutes("response_minutes"),
                                    resolution_minutes=inc.minutes("resolution_minutes"),
                                    major_report=inc.id in reports, sla=[] if inc.service_no else list(inc.results),
                                    description=inc.description, handling=inc.handling)
                       for inc in incidents]
    by_level = {lv: sum(1 for inc in incidents if inc.level == lv) for lv in LEVELS}
    by_category: dict[str, int] = {}
    for inc in incidents:
        by_category[inc.category or "未分类"] = by_category.get(inc.category or "未分类", 0) + 1
    record = pack_spec(pack, PACK, "response_record", template="response_record.xlsx", warnings=warnings,
                       context=pack_context(pack, doc_type="response_record", warnings=warnings) | {
                           "rows": rows,
                           "summary": [{"label": "事件数", "formula": "COUNTA({id})"},
                                       {"label": "重大事件数", "formula": 'COUNTIF({level},"重大")'},
                                       {"label": "特别重大事件数", "formula": 'COUNTIF({level},"特别重大")'},
                                       {"label": "平均响应用时（分钟）", "formula": "AVERAGE({response_minutes})"},
                                       {"label": "平均解决用时（分钟）", "formula": "AVERAGE({resolution_minutes})"}]},
                       facts=ResponseRecordFacts(pack=PACK, incidents=facts_incidents, by_level=by_level,
                                                 by_category=by_category))

    response_ctx, response_facts = response_kpi_context(incidents, pack=PACK, period=pack.period, plan_sla=sla,
                                                        plan_version=plan_version)
    indicators = pack_spec(pack, PACK, "response_kpi", template="response_kpi.xlsx", warnings=warnings,
                           context=pack_context(pack, doc_type="response_kpi", warnings=warnings) | response_ctx,
                           facts=response_facts)

    majors = []
    for inc in incidents:
        rep = reports.get(inc.id)
        if rep is None:
            continue
        context = pack_context(pack, doc_type="major_incident_report", warnings=warnings)
        context |= {
            "incident": {"id": inc.id, "level": inc.level, "category": inc.category or "未分类",
                         "reported_at": inc.reported_at, "responded_at": inc.responded_at or "",
                         "resolved_at": inc.resolved_at,
                         "response_minutes": _fmt_minutes(inc.minutes("response_minutes")),
                         "resolution_minutes": _fmt_minutes(inc.minutes("resolution_minutes")),
                         "description": inc.description, "handling": inc.handling},
            "timeline": _timeline(rep.timeline), "impact": rep.impact, "root_cause": rep.root_cause,
            # the page shows 未指定 (in red) where the input names nobody or no date: a value, not a tag literal
            "improvements": [{"no": str(n), "action": imp.action, "owner": imp.owner or "未指定",
                              "due": imp.due.isoformat() if imp.due else "未指定",
                              "no_owner": not imp.owner, "no_due": imp.due is None}
                             for n, imp in enumerate(rep.improvements, 1)],
        }
        majors.append(pack_spec(pack, PACK, "major_incident_report", template="major_incident_report.docx",
                                warnings=warnings, context=context, extra_key=(inc.id,),
                                facts=MajorIncidentFacts(
                                    pack=PACK, incident=inc.id, level=inc.level,
                                    improvements=[ImprovementFact(action=i.action, owner=i.owner,
                                                                  due=i.due.isoformat() if i.due else None)
                                                  for i in rep.improvements])))

    config = config_update_spec(pack, PACK, sorted(pack.config_updates, key=lambda u: u.at), warnings=warnings)
    return [record, indicators, *majors, config]


def _idle_items(pack: EmergencyInput, produced: list[GeneratedDoc]) -> dict[str, str]:
    """Without a major incident the period owes no 重大事件(故障)的分析改进报告 (read from the 响应支持记录 just
    made, which lists the period's incidents)."""
    record = next((d.facts for d in produced if d.doc_type == "response_record"), None)
    incidents = record.incidents if isinstance(record, ResponseRecordFacts) else []
    majors = [i for i in incidents if i.level in MAJOR_LEVELS]
    return {} if majors or pack.major_reports else {"major_incident_report": "本期无重大事件"}


def _standalone_example(pack: EmergencyInput) -> EmergencyInput:
    """The example as it reads without an archive: the service records its major reports name, typed in as
    major incidents (so `templates check` sees the 重大事件(故障)的分析改进报告's variables too)."""
    first, last = period_bounds(pack.period)
    typed = [Incident(id=rep.incident, level="重大", category="网络", reported_at=datetime.combine(last, time(9)),
                      responded_at=datetime.combine(last, time(9, 10)), resolved_at=datetime.combine(last, time(11)),
                      description="示例重大事件", handling="示例处理过程") for rep in pack.major_reports]
    return pack.model_copy(update={"incidents": [*pack.incidents, *typed]})


KIND = Kind(name="emergency", title="应急响应交付成果", stage=4, model=EmergencyInput, rules=emergency_rules,
            documents=emergency_documents, standalone_example=_standalone_example,
            templates={"response_record": "response_record.xlsx", "response_kpi": "response_kpi.xlsx",
                       "major_incident_report": "major_incident_report.docx", "config_update": "config_update.xlsx",
                       "pack_manifest": "pack_manifest.docx"},
            example="emergency.yaml", **pack_hooks(PACK, not_applicable=_idle_items))
