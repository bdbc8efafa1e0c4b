"""项目交付审计报告 (`audit_report`): the document side of `docgen audit`. The findings come from
docgen.metrics.audit (audit_project → AuditReport); this kind turns them into the context the workbook
shows and the DocumentSpec that fills templates_xlsx/audit_report.xlsx (a user's copy in --templates
restyles it): a findings sheet (severity colours, counts as real formulas) and a 检查项 sheet (what each
check looked at and what it found). Identity: the project; dated the day generated (docs/archive.md)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.control import Signoffs
from docgen.doctypes import DOC_TYPES
from docgen.facts import AuditFinding, AuditReportFacts
from docgen.kinds._kind import ComputedKind, DocumentSpec
from docgen.kinds._workbook import (
    Formula,
    Layout,
    company_of,
    Placeholders,
    finish,
    open_template,
    put,
    sheet,
    stamp_ledger,
)
from docgen.metrics.audit import CHECKS, SEVERITIES, AuditReport, Finding
from docgen.numbering import Numbering

if TYPE_CHECKING:
    from docgen.archive import LedgerHead

TITLE = "项目交付审计报告"
TEMPLATE = "audit_report.xlsx"
FINDINGS, CHECKED = "审计结果", "检查项"  # the template's sheets
FINDING_ROW, COUNT_ROW, CHECK_ROW = 12, 9, 2  # tools/build_report_templates.py lays them out
NO_FINDINGS = "未发现问题：各项检查均已通过"


def _type_name(doc_type: str) -> str:
    """The Chinese name of a finding's doc type; a custom type (`archive add --type minutes`) has none,
    and its code is no word for a reader."""
    if not doc_type:
        return ""
    return DOC_TYPES[doc_type] if doc_type in DOC_TYPES else "其他文档"


def audit_context(report: AuditReport, *, project_name: str = "", company: str | None = None) -> dict[str, Any]:
    """Everything the workbook shows (and the archive's unchanged check fingerprints); `company`: the
    plan's 公司名称."""
    months = report.months
    return {
        # 文件编号 by the default rules; the pipeline renumbers computed documents by the archive's own
        "company": company_of([company]), "doc_no": Numbering().for_document("audit_report", report.project, ()),
        "project": report.project, "project_name": project_name, "as_of": report.as_of.isoformat(),
        "months": months, "months_text": f"{months[0]} 至 {months[-1]}" if months else "—",
        "findings": [{"severity": SEVERITIES[f.severity], "rule": f.rule, "doc_type": f.doc_type,
                      "doc_type_title": _type_name(f.doc_type), "period": f.period,
                      "message": f.message, "doc_id": f.doc_id, "doc_no": f.doc_no} for f in report.findings],
        "checks": [{"rule": rule, "what": what, "checked": report.checked.get(rule, 0)} for rule, what in CHECKS.items()],
    }


def fill_audit_workbook(template: Path, context: dict[str, Any]) -> bytes:
    """The 项目交付审计报告 of audit_context() filled into `template`: one row per finding and per check in
    the style of the template's sample rows, the counts as COUNTIF/COUNTIFS formulas; same template and
    context, same bytes."""
    from docgen.render import fit_rows

    name = template.name
    wb = open_template(template, name)
    placeholders = Placeholders(name, template)
    ws, checks = sheet(wb, FINDINGS, name, template), sheet(wb, CHECKED, name, template)

    findings = context["findings"]
    layout = Layout(ws, FINDING_ROW, name=name, path=template)
    layout.repeat(FINDING_ROW, max(len(findings), 1))
    layout.write()
    placeholders.fill_sheet(ws, context)
    rows = layout.rows(FINDING_ROW)
    first, last = rows.start, rows[-1]
    for r, (n, f) in zip(rows, enumerate(findings, 1)):
        for col, value in enumerate((n, f["severity"], f["rule"], f["doc_type_title"], f["period"], f["message"],
                                     f["doc_no"]), 1):
            put(ws, r, col, value)  # archive text that looks like a formula stays text
    if not findings:
        for col in range(1, 8):
            put(ws, first, col, NO_FINDINGS if col == 6 else None)
    fit_rows(ws, rows)
    severity = f"$B${first}:$B${last}"
    for col, key in enumerate(("严重", "一般", "提示", None), 2):
        put(ws, COUNT_ROW, col, Formula(f'=COUNTIF({severity},"{key}")' if key else
                                        (f"=COUNTA({severity})" if findings else "=0")))
    ws.auto_filter.ref = f"A{first - 1}:G{last}"
    ws.print_area = f"A1:G{layout.last}"

    layout = Layout(checks, CHECK_ROW, name=name, path=template)
    layout.repeat(CHECK_ROW, len(context["checks"]))
    layout.write()
    placeholders.fill_sheet(checks, context)
    for r, c in zip(layout.rows(CHECK_ROW), context["checks"]):
        for col, value in enumerate((c["rule"], c["what"], c["checked"]), 1):
            put(checks, r, col, value)
        for col, label in ((4, "严重"), (5, "一般"), (6, "提示")):
            put(checks, r, col, Formula(f"=COUNTIFS('{ws.title}'!$C${first}:$C${last},$A{r},"
                                        f"'{ws.title}'!$B${first}:$B${last},\"{label}\")"))
        # 符合 only where something was looked at: a check with nothing to check says so
        put(checks, r, 7, Formula(f'=IF(D{r}>0,"不符合",IF(E{r}>0,"需改进",IF(C{r}=0,"未涉及","符合")))'))
    fit_rows(checks, layout.rows(CHECK_ROW))
    checks.print_area = f"A1:G{max(layout.last, 1)}"
    for extra in wb.worksheets:
        if extra not in (ws, checks):  # a sheet the user added to the template: its placeholders only
            placeholders.fill_sheet(extra, context)
    placeholders.fill_properties(wb, context)
    stamp_ledger(wb, context.get("ledger"))
    return finish(wb)


def audit_spec(report: AuditReport, *, today: date, project_name: str = "", prepared_by: str = "",
               ledger: LedgerHead | None = None, company: str | None = None) -> DocumentSpec:
    """The audit as an archivable document: identity project, dated the day generated (docs/archive.md);
    `ledger`, the archive's ledger head when it was made, is recorded in the workbook (stamp_ledger)."""
    context = audit_context(report, project_name=project_name, company=company)
    if ledger is not None:
        context["ledger"] = {"count": ledger.count, "hash": ledger.hash}
    return DocumentSpec(
        doc_type="audit_report", title=f"{TITLE}（{report.as_of}）", project=report.project, key=(), date=today,
        period=report.as_of.isoformat(), template=TEMPLATE, context=context,
        facts=AuditReportFacts(as_of=report.as_of, **{s: report.count(s) for s in SEVERITIES},
                               findings=[AuditFinding(**f.as_json()) for f in report.findings]),
        out_name=f"{report.project}_{TITLE}_{report.as_of}", fill=fill_audit_workbook,
        signoffs=Signoffs.of(prepared_by=prepared_by, prepared_on=today))


def sample_contexts() -> dict[str, dict[str, Any]]:
    """What `docgen templates check` checks the template against: the audit of the example project with
    one finding (every variable the template may use)."""
    report = AuditReport("YNTD-YW-2025-001", date(2025, 3, 1),
                         [Finding("error", "§8 服务报告比例", "service_report", "2025-02", "2025-02 的运维服务报告未归档")],
                         {rule: 1 for rule in CHECKS}, ["2025-01", "2025-02"])
    return {TEMPLATE: audit_context(report, project_name="某供电局调度自动化系统运维服务项目")}


COMPUTED = ComputedKind(
    name="audit_report", title=TITLE, stage=8, templates={"audit_report": TEMPLATE}, spec=audit_spec,
    sample=sample_contexts)

__all__ = ["COMPUTED", "TEMPLATE", "audit_context", "audit_spec", "fill_audit_workbook", "sample_contexts"]
