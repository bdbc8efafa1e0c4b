"""项目交付审计报告 (`audit_report`, xlsx): the findings of `docgen audit` as a workbook 质量部 can file —
a findings sheet (severity colours, counts as real formulas) and a 检查项 sheet (what each check looked
at and what it found). Laid out by code: the number of rows depends on the findings."""
from __future__ import annotations

from datetime import date
from typing import Any

from docgen.doctypes import doc_type_title
from docgen.facts import AuditFinding, AuditReportFacts
from docgen.kinds._kind import DocumentSpec
from docgen.metrics.audit import CHECKS, SEVERITIES, AuditReport

BUILDER_VERSION = "1"
TITLE = "项目交付审计报告"
_FILLS = {"严重": "F8CBAD", "一般": "FFE699", "提示": "DDEBF7"}
_HEAD_FILL = "1F4E78"


def audit_context(report: AuditReport, *, project_name: str = "") -> dict[str, Any]:
    """Everything the workbook shows (and the archive's unchanged check fingerprints)."""
    return {
        "project": report.project, "project_name": project_name, "as_of": report.as_of.isoformat(),
        "months": report.months,
        "findings": [{"severity": SEVERITIES[f.severity], "rule": f.rule, "doc_type": f.doc_type,
                      "doc_type_title": doc_type_title(f.doc_type) if f.doc_type else "", "period": f.period,
                      "message": f.message, "doc_id": f.doc_id} for f in report.findings],
        "checks": [{"rule": rule, "what": what, "checked": report.checked.get(rule, 0)} for rule, what in CHECKS.items()],
    }


def build_audit_workbook(context: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from docgen.render import FIXED_TIME, fit_rows, write_cell, xlsx_bytes

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(name="宋体", bold=True, color="FFFFFF", size=10.5)
    body_font = Font(name="宋体", size=10.5)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(ws: Any, row: int, titles: list[str]) -> None:
        for col, text in enumerate(titles, 1):
            cell = ws.cell(row, col, text)
            cell.font, cell.border = head_font, border
            cell.fill = PatternFill("solid", fgColor=_HEAD_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def body(ws: Any, row: int, values: list[Any]) -> None:
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col)
            write_cell(cell, value)  # archive text that looks like a formula stays text
            cell.font, cell.border, cell.alignment = body_font, border, wrap

    wb = Workbook()
    wb.properties.title = f"{TITLE}（{context['project']}）"
    wb.properties.creator = "docgen"
    wb.properties.created = FIXED_TIME  # openpyxl stamps "now": the same findings must give the same bytes
    ws = wb.active
    ws.title = "审计结果"
    for col, width in enumerate((6, 9, 16, 20, 10, 64, 30), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    title = f"{TITLE}　{context['project']} {context['project_name']}".strip()
    ws.cell(1, 1, title).font = Font(name="黑体", bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    months = context["months"]
    span = f"{months[0]} 至 {months[-1]}" if months else "—"
    write_cell(ws.cell(2, 1), f"审计日期：{context['as_of']}　服务报告检查月份：{span}　依据：《交付管理规定》§5.4.3")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=7)

    first, count = 7, len(context["findings"])
    last = first + max(count, 1) - 1
    sev = f"$B${first}:$B${last}"
    for col, (label, key) in enumerate((("严重", "严重"), ("一般", "一般"), ("提示", "提示"), ("合计", None)), 2):
        head = ws.cell(3, col, label)
        head.font, head.border = Font(name="宋体", bold=True), border
        head.alignment = Alignment(horizontal="center")
        cell = ws.cell(4, col)
        cell.value = f'=COUNTIF({sev},"{key}")' if key else (f"=COUNTA({sev})" if count else "=0")
        cell.font, cell.border = Font(name="宋体", bold=True, size=12), border
        cell.alignment = Alignment(horizontal="center")
    ws.cell(3, 1, "统计").font = Font(name="宋体", bold=True)
    header(ws, 6, ["序号", "严重程度", "条款", "文档类型", "期间", "问题说明", "文档编号"])
    if count:
        for n, f in enumerate(context["findings"], 1):
            body(ws, first + n - 1, [n, f["severity"], f["rule"], f["doc_type_title"], f["period"], f["message"],
                                     f["doc_id"]])
            for col in (1, 2, 5):
                ws.cell(first + n - 1, col).alignment = Alignment(horizontal="center", vertical="top")
    else:
        body(ws, first, ["", "", "", "", "", "未发现问题：各项检查均已通过", ""])
    fit_rows(ws, range(first, last + 1))
    for label, color in _FILLS.items():
        ws.conditional_formatting.add(f"A{first}:G{last}", FormulaRule(
            formula=[f'$B{first}="{label}"'], fill=PatternFill("solid", fgColor=color, bgColor=color)))
    ws.freeze_panes = f"A{first}"
    ws.auto_filter.ref = f"A6:G{last}"
    ws.print_title_rows = "6:6"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"

    checks = wb.create_sheet("检查项")
    header(checks, 1, ["条款", "检查内容", "检查数", "严重", "一般", "提示", "结论"])
    for n, c in enumerate(context["checks"], 2):
        body(checks, n, [c["rule"], c["what"], c["checked"], None, None, None, None])
        for col, label in ((4, "严重"), (5, "一般"), (6, "提示")):
            checks.cell(n, col).value = f"=COUNTIFS(审计结果!$C${first}:$C${last},$A{n},审计结果!$B${first}:$B${last},\"{label}\")"
        checks.cell(n, 7).value = f'=IF(D{n}>0,"不符合",IF(E{n}>0,"需改进","符合"))'
    end = len(context["checks"]) + 1
    checks.conditional_formatting.add(f"G2:G{end}", FormulaRule(
        formula=['$G2="不符合"'], fill=PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")))
    checks.conditional_formatting.add(f"G2:G{end}", FormulaRule(
        formula=['$G2="符合"'], fill=PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")))
    for col, width in enumerate((18, 44, 9, 8, 8, 8, 10), 1):
        checks.column_dimensions[get_column_letter(col)].width = width
    checks.conditional_formatting.add(f"G2:G{end}", FormulaRule(
        formula=['$G2="需改进"'], fill=PatternFill("solid", fgColor="FFE699", bgColor="FFE699")))
    checks.freeze_panes = "A2"
    checks.print_title_rows = "1:1"
    checks.page_setup.orientation = "landscape"
    checks.page_setup.fitToWidth, checks.page_setup.fitToHeight = 1, 0
    checks.sheet_properties.pageSetUpPr.fitToPage = True
    checks.oddFooter.center.text = "第 &P 页 共 &N 页"
    return xlsx_bytes(wb)


def audit_spec(report: AuditReport, *, today: date, project_name: str = "") -> DocumentSpec:
    """The audit as an archivable document: identity project, dated the day generated (archive.md)."""
    context = audit_context(report, project_name=project_name)
    return DocumentSpec(
        doc_type="audit_report", title=f"{TITLE}（{report.as_of}）", project=report.project, key=(), date=today,
        period=report.as_of.isoformat(), template="audit_report.xlsx", context=context,
        facts=AuditReportFacts(as_of=report.as_of, **{s: report.count(s) for s in SEVERITIES},
                               findings=[AuditFinding(**f.as_json()) for f in report.findings]),
        out_name=f"{report.project}_{TITLE}_{report.as_of}", build=build_audit_workbook,
        builder_version=BUILDER_VERSION)
