"""月度KPI统计表 (`kpi_report`): the document side of `docgen kpi`. The figures come from
docgen.metrics.kpi_report (compute_kpi → KpiReport); this kind turns them into the context the workbook
shows and the DocumentSpec that renders it from templates_xlsx/kpi_report.xlsx (a user's copy in
--templates restyles it) and archives it (identity: month + project, `_all` when unfiltered)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.control import Signoffs
from docgen.doctypes import doc_type_title
from docgen.facts import KpiReportFacts
from docgen.kinds._kind import ComputedKind, DocumentSpec
from docgen.kinds._workbook import company_of
from docgen.kinds.kpi_report._sheets import fill_kpi_workbook
from docgen.metrics.kpi_report import ALL, TITLE, KpiReport
from docgen.numbering import Numbering

if TYPE_CHECKING:
    from docgen.archive import LedgerHead

TEMPLATE = "kpi_report.xlsx"
FREQUENCIES = {"monthly": "每月", "weekly": "每周", "quarterly": "每季度", "per_service": "每次服务"}


def kpi_context(report: KpiReport) -> dict[str, Any]:
    """What the workbook shows: the archive's facts only (no generation date), so the same facts give
    the same context and the archive reports the document unchanged."""
    by_code = {p.code: p for p in report.projects}
    slots = []
    for code in sorted(report.ratios):
        for s in report.ratios[code].slots:
            slots.append({"project": s.project, "doc_type": s.doc_type, "doc_title": doc_type_title(s.doc_type),
                          "frequency": FREQUENCIES.get(s.frequency, s.frequency), "period": s.period,
                          "status": "已交付" if s.delivered_by else "缺失", "delivered_by": s.delivered_by or "",
                          "delivered_no": s.delivered_no or ""})
    if report.project is None:
        scope_label = f"全部项目（{len(report.projects)} 个）"
    else:
        info = by_code.get(report.project)
        scope_label = f"{report.project} {info.name}".strip() if info else report.project
    months = report.trend_months()
    return {
        # 文件编号 by the default rules; the pipeline renumbers computed documents by the archive's own
        "company": company_of([p.company for p in report.projects]),
        "doc_no": Numbering().for_document("kpi_report", report.scope, (report.month,)),
        "title": report.title,
        "month": report.month,
        "scope": report.scope,
        "scope_label": scope_label,
        "config_source": report.indicators.source,
        "indicators": [{**i.model_dump(mode="json"), "formula_text": i.formula_text,
                        "requirement": i.requirement()} for i in report.indicators.indicators],
        "projects": [vars(p).copy() for p in report.projects],
        "rows": [{**r.as_json(), "metric_name": r.metric_name} for r in report.rows],
        "slots": slots,
        "sla_records": [vars(r).copy() for r in report.sla_records],
        "trend": {"months": months,
                  "first": months[0] if months else report.month, "last": months[-1] if months else report.month,
                  "label": "全部项目合计" if report.scope == ALL else report.scope,
                  "projects": [] if report.project is not None or len(report.projects) < 2
                  else [p.code for p in report.projects],
                  "points": [vars(p).copy() for p in report.trend]},
    }


def kpi_spec(report: KpiReport, *, today: date | None = None, prepared_by: str = "",
             ledger: LedgerHead | None = None) -> DocumentSpec:
    """The 月度KPI统计表 as a document: archived as kpi_report, identity month + project (`_all` when
    unfiltered), dated `today`, period the month; filled into the kpi_report.xlsx template. `ledger`, the
    archive's ledger head when it was computed, is recorded in the workbook (stamp_ledger)."""
    scope = report.scope
    name = f"{TITLE}_{report.month}" if scope == ALL else f"{scope}_{TITLE}_{report.month}"
    context = kpi_context(report)
    if ledger is not None:
        context["ledger"] = {"count": ledger.count, "hash": ledger.hash}
    return DocumentSpec(
        doc_type="kpi_report", title=report.title, project=scope, key=(report.month,),
        date=today or date.today(), period=report.month, template=TEMPLATE, context=context,
        facts=KpiReportFacts.model_validate(report.as_json()), warnings=list(report.warnings), out_name=name,
        fill=fill_kpi_workbook, signoffs=Signoffs.of(prepared_by=prepared_by, prepared_on=today or date.today()))


def sample_contexts() -> dict[str, dict[str, Any]]:
    """What `docgen templates check` checks the template against: the context of a month computed from
    an empty archive (no project: every header placeholder, the 12-month trend) with the variable an
    indicator sheet adds (`indicator`)."""
    import tempfile
    from pathlib import Path

    from docgen.archive import Archive
    from docgen.metrics.kpi_report import compute_kpi

    with tempfile.TemporaryDirectory(prefix="docgen-kpi-sample-") as tmp:
        context = kpi_context(compute_kpi(Archive(Path(tmp) / "archive"), "2025-03"))
    return {TEMPLATE: {**context, "indicator": context["indicators"][0]}}


COMPUTED = ComputedKind(
    name="kpi_report", title=TITLE, stage=7, templates={"kpi_report": TEMPLATE}, spec=kpi_spec,
    sample=sample_contexts)

__all__ = ["COMPUTED", "TEMPLATE", "fill_kpi_workbook", "kpi_context", "kpi_spec", "sample_contexts"]
