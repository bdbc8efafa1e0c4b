"""The monthly KPI report (`docgen kpi MONTH`): every indicator of the indicator file (regulation §7/§8)
per project, from the archive's metadata only (docs/archive.md "服务报告比例", "SLA figures"), plus the
12-month trend of 服务报告比例. The 月度KPI统计表 workbook that shows them is the kpi_report kind's
(docgen/kinds/kpi_report); nothing here renders.

Rows, per project (in project-code order):
* 服务报告比例 (formula report_ratio): due / delivered slots of the plan's report schedule; target from
  the plan's `report_ratio` SLA entry, else the indicator file's;
* then each SLA entry of the plan, in plan order: record metrics (response / arrival / resolution /
  onsite minutes) as the share of the month's records meeting the plan target (due = records counted,
  delivered = records meeting, target = the sla_share indicator's, mean and p90 beside it, 无计划目标
  records listed and not counted); availability_percent and satisfaction_score as value vs plan target;
* availability / satisfaction indicators the plan sets no target for, when the file gives one.
Unfiltered, a last row `_all`: 服务报告比例 over every project, Σ delivered / Σ due (not a mean)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError
from docgen.metrics.indicators import Indicator, IndicatorSet, load_indicators
from docgen.facts import (
    ALL_PROJECTS,
    NO_PLAN,
    ArchiveView,
    FrozenSla,
    PlanSla,
    ServiceRecordFacts,
)
from docgen.metrics.kpi import (
    NO_REPORTS_DUE,
    ReportRatio,
    availability_figure,
    report_ratio,
    satisfaction_figure,
    sla_figures,
)
from docgen.metrics.sla import RECORD_METRICS
from docgen.numbers import judge, rounded
from docgen.numbers import target_text as requirement
from docgen.periods import period_bounds

if TYPE_CHECKING:
    from docgen.archive import Archive

ALL = ALL_PROJECTS  # the project of the unfiltered report and of its overall row (docs/archive.md: documents/_all/)
TITLE = "月度KPI统计表"
TREND_MONTHS = 12
NO_RECORDS = "本月无考核记录"  # an SLA share with no record counted
NO_DATA = "无数据"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


# --- results -----------------------------------------------------------------------------------


@dataclass
class KpiRow:
    """One indicator of one project (or `_all`). Values are in the indicator's unit: percent numbers
    (95.0, 66.67) for % indicators, the score for satisfaction. `due`/`delivered` are the slots (服务报告
    比例) or the records counted / meeting (SLA shares); None for value indicators."""

    indicator: str  # id of the indicator in the file
    id: str  # the indicator id; for an SLA share row the plan metric (response_minutes …)
    name: str
    formula: str
    project: str
    target: float | None
    op: str
    unit: str
    due: int | None
    delivered: int | None
    value: float | None
    met: bool | None
    target_source: str = "config"  # plan | config
    metric: str | None = None  # the plan SLA metric behind the row
    plan_target: str | None = None  # the plan's own target, e.g. ≤30 分钟 (SLA share rows)
    mean: float | None = None
    p90: float | None = None
    note: str = ""
    no_plan_target: list[str] = field(default_factory=list)
    source: str | None = None  # doc_id(s) a value indicator was read from (for tools)
    source_doc_no: str | None = None  # their 文件编号 (what the workbook shows)
    metric_name: str = ""  # the plan metric's name (SLA share rows), as the workbook's detail lists it

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "target": self.target, "project": self.project,
                "due": self.due, "delivered": self.delivered, "value": rounded(self.value), "met": self.met,
                "indicator": self.indicator, "formula": self.formula, "op": self.op, "unit": self.unit,
                "target_source": self.target_source, "metric": self.metric, "plan_target": self.plan_target,
                "mean": rounded(self.mean), "p90": rounded(self.p90), "note": self.note, "no_plan_target": list(self.no_plan_target),
                "source": self.source, "source_doc_no": self.source_doc_no}


@dataclass
class SlaRecord:
    """One service record behind an SLA share row (the workbook lists every one)."""

    project: str
    metric: str
    metric_name: str
    service_no: str
    kind: str  # onsite | remote
    resolved_at: str
    value: float | None  # minutes (working minutes for a workday clock)
    target: str  # the target frozen in the record, e.g. ≤30 分钟；无计划目标
    result: str  # 达标 | 未达标 | 无计划目标
    doc_id: str  # the record's document (for tools)
    doc_no: str  # its 文件编号 (what the workbook shows)


@dataclass
class TrendPoint:
    """服务报告比例 of one month: the whole scope (project `_all`, or the filtered project's code) or, when
    there are several projects, one of them."""

    month: str
    project: str
    due: int
    delivered: int
    value: float | None
    target: float


@dataclass
class ProjectInfo:
    code: str
    name: str = ""
    customer: str = ""
    start: str = ""
    end: str = ""
    plan_version: str = ""
    has_plan: bool = False
    company: str = ""  # 公司名称 of the plan ("" for plans archived before it was recorded)


@dataclass
class KpiReport:
    """Everything `docgen kpi MONTH` computes: the JSON rows, and the detail the workbook lists
    (docgen.kinds.kpi_report.kpi_context turns it into what the workbook shows)."""

    month: str
    project: str | None  # the --project filter, None for every project
    indicators: IndicatorSet
    projects: list[ProjectInfo]
    rows: list[KpiRow]
    ratios: dict[str, ReportRatio]  # project -> its 服务报告比例 (with the due slots)
    sla_records: list[SlaRecord]
    trend: list[TrendPoint]  # 12 months ending at `month`: the scope first for each month, then each project
    warnings: list[str] = field(default_factory=list)

    @property
    def scope(self) -> str:
        return self.project or ALL

    @property
    def title(self) -> str:
        return f"{TITLE}（{self.month}）"

    def row(self, id: str, project: str) -> KpiRow | None:
        return next((r for r in self.rows if r.id == id and r.project == project), None)

    def as_json(self) -> dict[str, Any]:
        """`docgen kpi --json` (README): {"month", "indicators": [{"id","name","target","project","due","delivered","value","met", …}]}."""
        return {"month": self.month, "indicators": [r.as_json() for r in self.rows]}

    def trend_months(self) -> list[str]:
        return sorted({p.month for p in self.trend})


# --- helpers -----------------------------------------------------------------------------------


def check_month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.fullmatch(month.strip()):
        raise InputError(f"月份 “{month}” 格式不对，应为 YYYY-MM（例如 2025-03），月份为 01–12")
    return month.strip()


def months_ending(month: str, count: int = TREND_MONTHS) -> list[str]:
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mon:02d}")
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
    return out[::-1]


def _percent(part: int, whole: int) -> float | None:
    # part * 100 / whole, not part / whole * 100: 57 / 100 * 100 is 56.99999999999999 and would miss 57
    return part * 100 / whole if whole else None


def target_text(entry: PlanSla | FrozenSla) -> str:
    """A plan SLA target as people write it: ≤30 分钟, ≥99.9%, ≤480 分钟（工作时间）."""
    return requirement(entry.op, entry.target, entry.unit, workday=entry.clock == "workday")


def _project_info(view: ArchiveView, code: str) -> ProjectInfo:
    plan = view.plan_facts(code)
    if plan is None:
        return ProjectInfo(code)
    return ProjectInfo(code, plan.name, plan.customer, plan.start.isoformat(), plan.end.isoformat(),
                       plan.plan_version, True, plan.company or "")


def _plan_entries(view: ArchiveView, project: str) -> list[PlanSla]:
    plan = view.plan_facts(project)
    return list(plan.sla) if plan is not None else []


# --- rows --------------------------------------------------------------------------------------


def _report_row(ind: Indicator, ratio: ReportRatio, entries: list[PlanSla], info: ProjectInfo, month: str) -> KpiRow:
    entry = next((s for s in entries if s.metric == "report_ratio"), None)
    if entry is not None:  # the plan's report_ratio entry for its project, else the indicator file's
        target, op, source = entry.target, entry.op or ">=", "plan"
    else:
        target, op, source = ind.target, ind.op, "config"
    value = _percent(ratio.delivered, ratio.due)
    note = ""
    if ratio.due == 0:
        if not info.has_plan:
            note = f"{NO_REPORTS_DUE}（未找到已归档的运维项目管理计划）"
        elif info.start and info.end and not (info.start[:7] <= month <= info.end[:7]):
            note = f"{NO_REPORTS_DUE}（本月不在计划服务期 {info.start} 至 {info.end} 内）"
        else:
            note = NO_REPORTS_DUE
    return KpiRow(ind.id, ind.id, ind.name, ind.formula, ratio.project, target, op, ind.unit or "%",
                  ratio.due, ratio.delivered, value, judge(value, op, target), source, note=note)


def _sla_details(view: ArchiveView, project: str, month: str, metrics: list[tuple[str, str]]) -> list[SlaRecord]:
    """Every record of the month behind each record metric, classified exactly as sla_figures counts
    them: a frozen result → 达标/未达标; 无计划目标 with the metric measured → listed; otherwise left out."""
    first, last = period_bounds(month)
    records = [(view.record_kind(doc) or "", doc, doc.facts_as(ServiceRecordFacts))
               for doc in view.service_records(project, None, first, last).values()]
    records.sort(key=lambda r: (r[0] != "onsite", r[2].service_no))
    plan = view.plan_facts(project)
    out: list[SlaRecord] = []
    for metric, name in metrics:
        rows: list[SlaRecord] = []
        entry = plan.target(metric) if plan is not None else None
        for kind, doc, facts in records:
            common = (project, metric, name, facts.service_no, kind, facts.resolved_at)
            if facts.no_plan:
                if metric in facts.measures and (entry is None or entry.covers(facts.category)):
                    rows.append(SlaRecord(*common, value=facts.measures[metric], target=NO_PLAN, result=NO_PLAN,
                                          doc_id=doc.doc_id, doc_no=doc.doc_no))
                continue
            result = facts.frozen(metric)
            if result is None or result.value is None:
                continue
            rows.append(SlaRecord(*common, value=result.value, target=target_text(result),
                                  result="达标" if result.met else "未达标", doc_id=doc.doc_id, doc_no=doc.doc_no))
        out.extend(sorted(rows, key=lambda r: (r.resolved_at, r.service_no)))
    return out


def _sla_row(ind: Indicator, figure: Any, entry: PlanSla, project: str, name: str) -> KpiRow:
    value = _percent(figure.met, figure.records)
    notes = []
    if figure.records == 0:
        notes.append(NO_RECORDS if not figure.no_plan_target else "本月记录均无计划目标，未计入")
    if figure.no_plan_target:
        notes.append(f"另有 {len(figure.no_plan_target)} 条记录无计划目标（未计入）：{'、'.join(figure.no_plan_target)}")
    return KpiRow(ind.id, figure.metric, f"{ind.name}（{name}）", ind.formula, project, ind.target, ind.op,
                  ind.unit or "%", figure.records, figure.met, value, judge(value, ind.op, ind.target), "config",
                  metric=figure.metric, plan_target=target_text(entry), mean=figure.mean, p90=figure.p90,
                  note="；".join(notes), no_plan_target=list(figure.no_plan_target), metric_name=name)


def _value_row(ind: Indicator, figure: Any, project: str, entry: PlanSla | None) -> KpiRow:
    note = figure.note
    if figure.value is None and not note:
        note = NO_DATA
    name = ind.name
    if entry is not None and entry.name and entry.name != ind.name:
        name = f"{ind.name}（{entry.name}）"
    unit = str((entry.unit if entry is not None else None) or ind.unit)
    return KpiRow(ind.id, ind.id, name, ind.formula, project, figure.target, figure.op, unit, None, None,
                  figure.value, figure.met, "plan" if entry is not None else "config", metric=figure.metric,
                  plan_target=target_text(entry) if entry is not None else None, note=note, source=figure.source,
                  source_doc_no=figure.source_no)


def _unique_names(entries: list[PlanSla]) -> dict[str, str]:
    """metric -> display name within one project; two metrics sharing a name get what each measures
    added (故障时间（响应时间）), never the metric's code."""
    names: dict[str, str] = {}
    for e in entries:
        metric = e.metric
        if metric in RECORD_METRICS and metric not in names:
            names[metric] = str(e.name or RECORD_METRICS[metric][0])
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {m: (f"{n}（{RECORD_METRICS[m][0]}）" if counts[n] > 1 else n) for m, n in names.items()}


def _project_rows(view: ArchiveView, month: str, info: ProjectInfo, indicators: IndicatorSet,
                  ratio: ReportRatio) -> tuple[list[KpiRow], list[SlaRecord]]:
    project = info.code
    entries = _plan_entries(view, project)
    rows = [_report_row(indicators.by_formula("report_ratio"), ratio, entries, info, month)]  # type: ignore[arg-type]
    share = indicators.by_formula("sla_share")
    figures = {f.metric: f for f in sla_figures(view, month, project)} if share else {}
    names = _unique_names(entries)
    done: set[str] = set()
    for entry in entries:
        metric = entry.metric
        if metric in done or metric == "report_ratio":
            continue
        if metric in figures and share is not None:
            rows.append(_sla_row(share, figures[metric], entry, project, names[metric]))
        elif metric in ("availability_percent", "satisfaction_score") and indicators.by_formula(metric):
            ind = indicators.by_formula(metric)
            compute = availability_figure if metric == "availability_percent" else satisfaction_figure
            rows.append(_value_row(ind, compute(view, month, project, target=entry.target,
                                                op=entry.op or ind.op, name=entry.name or ind.name),
                                   project, entry))
        else:
            continue
        done.add(metric)
    for metric in ("availability_percent", "satisfaction_score"):
        ind = indicators.by_formula(metric)
        if ind is None or metric in done or ind.target is None:
            continue
        compute = availability_figure if metric == "availability_percent" else satisfaction_figure
        rows.append(_value_row(ind, compute(view, month, project, target=ind.target, op=ind.op, name=ind.name),
                               project, None))
    details = _sla_details(view, project, month, [(m, names[m]) for m in figures]) if share else []
    return rows, details


def _trend(view: ArchiveView, month: str, projects: list[ProjectInfo], rows: list[KpiRow], overall_target: float,
           scope: str) -> list[TrendPoint]:
    targets = {r.project: r.target for r in rows if r.formula == "report_ratio"}
    points: list[TrendPoint] = []
    for m in months_ending(month):
        ratios = [report_ratio(view, m, p.code) for p in projects]
        due, delivered = sum(r.due for r in ratios), sum(r.delivered for r in ratios)
        points.append(TrendPoint(m, scope, due, delivered, _percent(delivered, due), overall_target))
        if len(projects) > 1:
            for p, r in zip(projects, ratios):
                points.append(TrendPoint(m, p.code, r.due, r.delivered, _percent(r.delivered, r.due),
                                         float(targets.get(p.code) or overall_target)))
    return points


# --- the report --------------------------------------------------------------------------------


def compute_kpi(archive: Archive, month: str, *, project: str | None = None,
                indicators: IndicatorSet | None = None) -> KpiReport:
    """The month's KPI rows (`docgen kpi`), the detail behind them and the 12-month trend.
    `indicators` defaults to load_indicators(archive=archive) (ARCHIVE/config/indicators.yaml, else the
    packaged §8 defaults). InputError (Chinese) for a bad month or an unknown project."""
    month = check_month(month)
    if indicators is None:
        indicators = load_indicators(archive=archive)
    reader = ArchiveView(archive)  # one view for the month and its 12-month trend
    if project is not None:
        reader.require_project(project)
    codes = [project] if project is not None else reader.planned_projects()
    projects = [_project_info(reader, code) for code in codes]
    rows: list[KpiRow] = []
    details: list[SlaRecord] = []
    ratios: dict[str, ReportRatio] = {}
    warnings: list[str] = []
    report_ind = indicators.by_formula("report_ratio")
    assert report_ind is not None and report_ind.target is not None  # the indicator file's checks
    for info in projects:
        ratio = report_ratio(reader, month, info.code)
        ratios[info.code] = ratio
        project_rows, project_details = _project_rows(reader, month, info, indicators, ratio)
        rows.extend(project_rows)
        details.extend(project_details)
        if not info.has_plan:
            warnings.append(f"{info.code}：未找到已归档的运维项目管理计划，无法确定应交报告和 SLA 目标")
        no_plan = sorted({d.service_no for d in project_details if d.result == NO_PLAN})
        if no_plan:
            warnings.append(f"{info.code}：{len(no_plan)} 条服务记录归档时项目还没有计划（无计划目标），"
                            f"未计入 SLA 达成率：{'、'.join(no_plan)}")
    if project is None:
        due = sum(r.due for r in ratios.values())
        delivered = sum(r.delivered for r in ratios.values())
        value = _percent(delivered, due)
        rows.append(KpiRow(report_ind.id, report_ind.id, report_ind.name, report_ind.formula, ALL, report_ind.target,
                           report_ind.op, report_ind.unit or "%", due, delivered, value,
                           judge(value, report_ind.op, report_ind.target), "config",
                           note="" if due else NO_REPORTS_DUE))
        overall_target = float(report_ind.target)
    else:
        first = rows[0]
        overall_target = float(first.target if first.target is not None else report_ind.target)
    trend = _trend(reader, month, projects, rows, overall_target, project or ALL)
    return KpiReport(month, project, indicators, projects, rows, ratios, details, trend, warnings)
