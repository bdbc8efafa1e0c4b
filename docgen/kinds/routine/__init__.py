"""例行操作 deliverable pack (kind: routine, §5.4.7.1): 运行状态信息记录 (xlsx), 运行状态异常处理记录,
趋势分析及可能的风险消除建议 (with a trend chart), 运行维护服务对象配置信息记录 (xlsx), 交付清单."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

from docgen.errors import Issue
from docgen.facts import (
    AnomalyRecordFacts,
    ConfigRecordFacts,
    StatusRecordFacts,
    TrendAnalysisFacts,
)
from docgen.fields import DateTime, OptText, StrictModel, Text, label
from docgen.kinds._kind import DocumentSpec, Kind
from docgen.kinds._pack import PackBase, pack_context, pack_hooks, pack_spec
from docgen.kinds._service import fmt_time
from docgen.numbers import fmt_num
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

PACK = "routine"
TREND_CHART_MM = 160.0


class StatusRecord(StrictModel):
    at: DateTime = label("记录时间", "YYYY-MM-DD HH:MM")
    object: Text = label("对象", "运行维护服务对象，例如 SCADA主服务器")
    item: Text = label("检查项", "例如 CPU使用率")
    value: float | None = label("数值", "数字；无数值的检查项可不填", default=None)
    unit: OptText = label("单位", "例如 %", default=None)
    status: Literal["正常", "告警", "异常", "故障"] = label("状态", "正常 | 告警 | 异常 | 故障")


class Anomaly(StrictModel):
    found_at: DateTime = label("发现时间", "YYYY-MM-DD HH:MM")
    object: Text = label("对象")
    symptom: Text = label("异常现象")
    cause: OptText = label("原因", default=None)
    action: Text = label("处理措施")
    handled_by: Text = label("处理人")
    closed_at: DateTime | None = label("关闭时间", "YYYY-MM-DD HH:MM；未关闭可不填", default=None)


class TrendRisk(StrictModel):
    risk: Text = label("可能的风险")
    suggestion: Text = label("风险消除建议")


class Trend(StrictModel):
    analysis: Text = label("趋势分析")
    risks: list[TrendRisk] = label("风险及消除建议", default_factory=list, sheet="趋势风险")


class ConfigItem(StrictModel):
    ci: Text = label("配置项")
    type: Text = label("类型", "例如 服务器、数据库")
    model: OptText = label("型号/版本", default=None)
    location: OptText = label("位置", default=None)
    owner: OptText = label("责任人", default=None)
    changed: bool = label("本期有变更", "true/false", default=False)


class RoutineInput(PackBase):
    kind: Literal["routine"] = label("输入类型", "固定为 routine")
    status_records: list[StatusRecord] = label("运行状态信息记录", "§5.4.7.1", min_length=1, sheet="运行状态")
    anomalies: list[Anomaly] = label("运行状态异常处理记录", "§5.4.7.1", default_factory=list, sheet="异常处理")
    trend: Trend = label("趋势分析及可能的风险消除建议", "§5.4.7.1")
    config_items: list[ConfigItem] = label("运行维护服务对象配置信息记录", "§5.4.7.1", min_length=1, sheet="配置信息")


def routine_rules(pack: RoutineInput) -> list[Issue]:
    issues: list[Issue] = []
    first, last = period_bounds(pack.period)
    for i, rec in enumerate(pack.status_records):
        if not first <= rec.at.date() <= last:
            issues.append(Issue("warning", f"status_records[{i}].at",
                                f"记录时间 {fmt_time(rec.at)} 不在本包期间 {pack.period}（{first}～{last}）内，请确认"))
    for i, item in enumerate(pack.anomalies):
        if item.closed_at is not None and item.closed_at < item.found_at:
            issues.append(Issue("error", f"anomalies[{i}].closed_at",
                                f"时间顺序错误：关闭时间 anomalies[{i}].closed_at（{fmt_time(item.closed_at)}）早于发现时间 "
                                f"anomalies[{i}].found_at（{fmt_time(item.found_at)}），请更正其中之一"))
    flagged = {r.object for r in pack.status_records if r.status != "正常"}
    handled = {a.object for a in pack.anomalies}
    for obj in sorted(flagged - handled):
        issues.append(Issue("warning", "anomalies", f"运行状态记录中 {obj} 有告警/异常，但运行状态异常处理记录中没有它的处理记录"))
    if pack.prepared_on is not None and pack.prepared_on < first:
        issues.append(Issue("error", "prepared_on", f"编制日期 prepared_on（{pack.prepared_on}）早于期间 period 的开始（{first}）"))
    return issues


def _trend(pack: RoutineInput) -> tuple[Any, list[dict[str, str]], str]:
    """The trend chart (one line per object/indicator over the recorded days) and its table."""
    from docgen.render import Picture
    from docgen.render.chart import line_chart_png

    series: dict[tuple[str, str, str], dict[str, float | None]] = defaultdict(dict)
    for rec in sorted(pack.status_records, key=lambda r: r.at):
        series[(rec.object, rec.item, rec.unit or "")][rec.at.strftime("%m-%d")] = rec.value
    days = sorted({d for values in series.values() for d in values})
    lines = {f"{obj} {item}": [values.get(d) for d in days] for (obj, item, _), values in series.items()
             if any(v is not None for v in values.values())}
    title = f"{pack.period} 运行状态指标趋势"
    png = line_chart_png(days, lines, title=title, ylabel="数值", width_in=6.4, height_in=3.2)
    rows = []
    for n, ((obj, item, unit), values) in enumerate(series.items(), 1):
        numbers = [v for v in values.values() if v is not None]
        change = numbers[-1] - numbers[0] if len(numbers) > 1 else None
        rows.append({"no": str(n), "object": obj, "item": item, "unit": unit or "—",
                     "first": fmt_num(numbers[0] if numbers else None), "last": fmt_num(numbers[-1] if numbers else None),
                     "change": ("+" if change and change > 0 else "") + fmt_num(change) if change is not None else "—",
                     "count": str(len(values))})
    return Picture(png, TREND_CHART_MM), rows, title


def routine_documents(pack: RoutineInput, *, archive: Archive | None, warnings: list[str]) -> list[DocumentSpec]:
    status_rows = [{"no": n, "at": r.at, "object": r.object, "item": r.item, "value": r.value, "unit": r.unit or "",
                    "status": r.status} for n, r in enumerate(sorted(pack.status_records, key=lambda r: r.at), 1)]
    alarms = sum(1 for r in pack.status_records if r.status != "正常")
    status = pack_spec(pack, PACK, "status_record", template="status_record.xlsx", warnings=warnings,
                       context=pack_context(pack, doc_type="status_record", warnings=warnings) | {
                           "rows": status_rows,
                           "summary": [{"label": "记录条数", "formula": "COUNTA({at})"},
                                       {"label": "告警/异常条数", "value": alarms},
                                       {"label": "其中告警条数", "formula": 'COUNTIF({status},"告警")'},
                                       {"label": "涉及对象数", "value": len({r.object for r in pack.status_records})}]},
                       facts=StatusRecordFacts(pack=PACK, records=len(status_rows), alarms=alarms))
    config_rows = [{"no": n, "ci": c.ci, "type": c.type, "model": c.model or "", "location": c.location or "",
                    "owner": c.owner or "", "changed": "是" if c.changed else "否"}
                   for n, c in enumerate(pack.config_items, 1)]
    config = pack_spec(pack, PACK, "config_record", template="config_record.xlsx", warnings=warnings,
                       context=pack_context(pack, doc_type="config_record", warnings=warnings) | {
                           "rows": config_rows,
                           "summary": [{"label": "配置项数", "formula": "COUNTA({ci})"},
                                       {"label": "本期变更数", "formula": 'COUNTIF({changed},"是")'}]},
                       facts=ConfigRecordFacts(pack=PACK, items=len(config_rows),
                                               changed=sum(c.changed for c in pack.config_items)))
    anomalies = [{"no": str(n), "found_at": fmt_time(a.found_at), "object": a.object, "symptom": a.symptom,
                  "cause": a.cause or "待查", "action": a.action, "handled_by": a.handled_by,
                  "closed_at": fmt_time(a.closed_at) or "—", "status": "已关闭" if a.closed_at else "处理中", "open": a.closed_at is None}
                 for n, a in enumerate(pack.anomalies, 1)]
    closed = sum(1 for a in pack.anomalies if a.closed_at)
    anomaly = pack_spec(pack, PACK, "anomaly_record", template="anomaly_record.docx", warnings=warnings,
                        context=pack_context(pack, doc_type="anomaly_record", warnings=warnings) | {
                            "anomalies": anomalies,
                            "summary": {"total": str(len(anomalies)), "closed": str(closed),
                                        "open": str(len(anomalies) - closed)}},
                        facts=AnomalyRecordFacts(pack=PACK, anomalies=len(anomalies), open=len(anomalies) - closed))
    chart, series, chart_title = _trend(pack)
    trend = pack_spec(pack, PACK, "trend_analysis", template="trend_analysis.docx", warnings=warnings,
                      context=pack_context(pack, doc_type="trend_analysis", warnings=warnings) | {
                          "chart": chart, "chart_title": chart_title, "series": series,
                          "analysis": pack.trend.analysis,
                          "risks": [{"no": str(n), "risk": r.risk, "suggestion": r.suggestion}
                                    for n, r in enumerate(pack.trend.risks, 1)]},
                      facts=TrendAnalysisFacts(pack=PACK, risks=len(pack.trend.risks)))
    return [status, anomaly, trend, config]


KIND = Kind(name="routine", title="例行操作交付成果", stage=4, model=RoutineInput, rules=routine_rules,
            documents=routine_documents,
            templates={"status_record": "status_record.xlsx", "anomaly_record": "anomaly_record.docx",
                       "trend_analysis": "trend_analysis.docx", "config_record": "config_record.xlsx",
                       "pack_manifest": "pack_manifest.docx"},
            example="routine.yaml", **pack_hooks(PACK))
