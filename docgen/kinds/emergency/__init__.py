"""应急响应 deliverable pack (kind: emergency, §5.4.7.2; GB/T 28827.3): 响应支持记录 (xlsx), 响应支持关键指标
数据记录 (xlsx with native charts: SLA 达成情况、数量、分布、趋势), 重大事件(故障)分析改进报告 (one per major
incident), 运行维护服务对象配置信息更新记录 (xlsx), 交付清单 and the customer zip.

Incidents feed this pack's KPI workbook only (docs/archive.md): the monthly KPI uses service records."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from docgen.errors import Issue
from docgen.facts import (
    ImprovementFact,
    IncidentFact,
    MajorIncidentFacts,
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
from docgen.kinds._service import fmt_time, plan_sla
from docgen.doctypes import MAJOR_LEVELS
from docgen.kinds.emergency.response_kpi import LEVELS, measure, response_kpi_context
from docgen.numbers import fmt_num
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

PACK = "emergency"
Level = Literal["一般", "较大", "重大", "特别重大"]  # GB/T 28827.3 事件级别, lowest first
assert LEVELS == Level.__args__  # type: ignore[attr-defined]


class Incident(StrictModel):
    id: Text = label("事件编号", "例如 INC-001；本包内唯一")
    level: Level = label("级别", "一般 | 较大 | 重大 | 特别重大")
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
    major_reports: list[MajorReport] = label("重大事件(故障)分析改进报告", "§5.4.7.2；每个重大事件一份",
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
        if rep.incident not in seen:
            issues.append(Issue("error", f"{path}.incident",
                                f"重大事件报告对应的事件编号 {rep.incident} 不在 incidents 中；请检查编号或补充该事件"))
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
    for i, inc in enumerate(pack.incidents):
        if inc.level in MAJOR_LEVELS and inc.id not in reported:
            issues.append(Issue("warning", "major_reports",
                                f"{inc.level}事件 {inc.id}（incidents[{i}]）没有重大事件(故障)分析改进报告；"
                                "请在 major_reports 中补充"))
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


def _minutes(values: dict[str, float], metric: str) -> float | None:
    return values.get(metric)


def _fmt_minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{fmt_num(value)} 分钟"


def emergency_documents(pack: EmergencyInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    sla, plan_version = plan_sla(archive, pack.project.code)
    reports = {r.incident: r for r in pack.major_reports}
    incidents = sorted(pack.incidents, key=lambda inc: (inc.reported_at, inc.id))
    measured = {inc.id: measure(inc, sla, plan_version)["values"] for inc in incidents}

    rows = [{"no": n, "id": inc.id, "level": inc.level, "category": inc.category, "reported_at": inc.reported_at,
             "responded_at": inc.responded_at, "resolved_at": inc.resolved_at,
             "response_minutes": _minutes(measured[inc.id], "response_minutes"),
             "resolution_minutes": _minutes(measured[inc.id], "resolution_minutes"),
             "description": inc.description, "handling": inc.handling,
             "major_report": "有" if inc.id in reports else "—"} for n, inc in enumerate(incidents, 1)]
    facts_incidents = [IncidentFact(id=inc.id, level=inc.level, category=inc.category,
                                    reported_at=fmt_time(inc.reported_at), responded_at=fmt_time(inc.responded_at),
                                    resolved_at=fmt_time(inc.resolved_at),
                                    response_minutes=_minutes(measured[inc.id], "response_minutes"),
                                    resolution_minutes=_minutes(measured[inc.id], "resolution_minutes"),
                                    major_report=inc.id in reports) for inc in incidents]
    by_level = {lv: sum(1 for inc in incidents if inc.level == lv) for lv in LEVELS}
    by_category: dict[str, int] = {}
    for inc in incidents:
        by_category[inc.category] = by_category.get(inc.category, 0) + 1
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
    by_id = {inc.id: inc for inc in incidents}
    for rep in pack.major_reports:
        inc = by_id[rep.incident]
        values = measured[inc.id]
        context = pack_context(pack, doc_type="major_incident_report", warnings=warnings)
        # short enough for the page header: YNTD-YW-2025-001-MIR-2025-Q1-INC-002
        context["doc_no"] = f"{pack.project.code}-MIR-{pack.period}-{inc.id}"
        context |= {
            "incident": {"id": inc.id, "level": inc.level, "category": inc.category,
                         "reported_at": fmt_time(inc.reported_at), "responded_at": fmt_time(inc.responded_at),
                         "resolved_at": fmt_time(inc.resolved_at),
                         "response_minutes": _fmt_minutes(values.get("response_minutes")),
                         "resolution_minutes": _fmt_minutes(values.get("resolution_minutes")),
                         "description": inc.description, "handling": inc.handling},
            "timeline": _timeline(rep.timeline), "impact": rep.impact, "root_cause": rep.root_cause,
            "improvements": [{"no": str(n), "action": imp.action, "owner": imp.owner or "",
                              "due": imp.due.isoformat() if imp.due else ""}
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


def _idle_items(pack: EmergencyInput) -> dict[str, str]:
    """Without a major incident the period owes no 重大事件(故障)分析改进报告."""
    majors = [i for i in pack.incidents if i.level in ("重大", "特别重大")]
    return {} if majors or pack.major_reports else {"major_incident_report": "本期无重大事件"}


KIND = Kind(name="emergency", title="应急响应交付成果", stage=4, model=EmergencyInput, rules=emergency_rules,
            documents=emergency_documents,
            templates={"response_record": "response_record.xlsx", "response_kpi": "response_kpi.xlsx",
                       "major_incident_report": "major_incident_report.docx", "config_update": "config_update.xlsx",
                       "pack_manifest": "pack_manifest.docx"},
            example="emergency.yaml", **pack_hooks(PACK, not_applicable=_idle_items))
