"""The documents computed from the archive rather than typed in (`docgen audit`, `docgen kpi`): compute
the figures, then, when asked for a file, render and archive them through the one pipeline path."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.errors import DocgenError
from docgen.fields import PROJECT_CODE_RE
from docgen.numbers import fmt_num, target_text

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.facts import PlanFacts
    from docgen.kinds import DocumentSpec
    from docgen.metrics.audit import AuditReport
    from docgen.metrics.kpi_report import KpiReport
    from docgen.pipeline import GeneratedDoc, RenderedFile
    from docgen.render import TemplateSet


@dataclass
class AuditRun:
    report: AuditReport
    documents: list[GeneratedDoc] = field(default_factory=list)  # the archived workbook when -o was given


def check_project_code(project: str) -> str:
    if not PROJECT_CODE_RE.fullmatch(project or ""):
        raise DocgenError(f"项目编号“{project}”无效：只能由字母、数字、- 和 _ 组成且不以 _ 开头，例如 YNTD-YW-2025-001")
    return project


def _check_output(path: Path | None) -> None:
    if path is not None and path.suffix.lower() != ".xlsx":
        raise DocgenError(f"输出文件 {path} 应以 .xlsx 结尾（审计报告和 KPI 统计表是 Excel 工作簿）", file=str(path))
    if path is not None and path.is_dir():
        raise DocgenError(f"输出文件 {path} 是一个目录；请给出文件名，例如 {path / 'audit.xlsx'}", file=str(path))


def auditor(plan: PlanFacts | None) -> str:
    """Who prepares a project's audit when nobody is named: the plan's 质量部 reviewer (质量部 audits, §4)."""
    return next((r.name for r in plan.reviewers if r.role == "质量部"), "") if plan is not None else ""


def kpi_preparer(plan: PlanFacts | None) -> str:
    """Who prepares one project's KPI workbook when nobody is named: its project manager."""
    return (plan.manager or "") if plan is not None else ""


def _name(value: str | None, option: str) -> str:
    """A person's name given on the command line: trimmed; a blank one is a mistake, not "nobody"."""
    if value is None:
        return ""
    if not value.strip():
        raise DocgenError(f"{option} 的姓名为空；请写编制人的姓名，例如 {option} 刘敏，或不写这个选项")
    return value.strip()


def run_audit(archive: Archive, project: str, *, templates: TemplateSet, as_of: date | None = None,
              out_file: Path | None = None, today: date | None = None, prepared_by: str | None = None) -> AuditRun:
    """Audit one project; with `out_file`, also write the 项目交付审计报告 workbook there and archive it
    as `audit_report` (identity: the project). Its 编制 is `prepared_by`, else the plan's 质量部 reviewer
    (the quality department audits, §4)."""
    from docgen.facts import view_of
    from docgen.kinds.audit_report import audit_spec
    from docgen.metrics.audit import audit_project
    from docgen.pipeline import publish

    check_project_code(project)
    _check_output(out_file)
    prepared = _name(prepared_by, "--prepared-by")
    today = today or date.today()
    report = audit_project(archive, project, as_of=as_of or today)
    run = AuditRun(report)
    if out_file is not None:
        plan = view_of(archive).plan_facts(project)
        name = plan.name if plan is not None else ""
        run.documents = publish([audit_spec(report, today=today, project_name=name,
                                            prepared_by=prepared or auditor(plan), ledger=archive.ledger_head(),
                                            company=plan.company if plan is not None else None)],
                                archive=archive,
                                templates=templates, out_file=out_file, source="audit")
    return run


@dataclass
class KpiRun:
    report: KpiReport
    documents: list[GeneratedDoc] = field(default_factory=list)  # the archived workbook when -o was given

    def lines(self) -> list[str]:
        """The figures as text: one line per indicator and project."""
        out = [f"{self.report.title}"]
        for row in self.report.rows:
            target = target_text(row.op, row.target, row.unit)
            if row.value is None:
                figure = row.note or "无数据"
            else:
                figure = f"{fmt_num(row.value)}{_unit(row.unit)}"
                if row.due is not None:
                    figure += f"（{row.delivered}/{row.due}）"
                if row.mean is not None:
                    figure += f"，平均 {fmt_num(row.mean)} 分钟，P90 {fmt_num(row.p90)} 分钟（每单目标 {row.plan_target}）"
            verdict = {True: "达标", False: "未达标", None: "—"}[row.met]
            project = "总体" if row.project == "_all" else row.project
            out.append(f"  {project}  {row.name}：{figure}　目标 {target}　{verdict}")
        if not self.report.rows:
            out.append("  没有可统计的项目（归档库中还没有运维项目管理计划）。")
        return out


def _unit(unit: str) -> str:
    return "%" if unit == "%" else (f" {unit}" if unit else "")


def run_kpi(archive: Archive, month: str, *, project: str | None = None, config: Path | None = None,
            templates: TemplateSet, out_file: Path | None = None, write_archive: bool = True,
            today: date | None = None, prepared_by: str | None = None) -> KpiRun:
    """The month's KPI figures (indicator definitions: `config`, else ARCHIVE/config/indicators.yaml, else
    the packaged §8 defaults) and their 月度KPI统计表, archived as `kpi_report` (project `_all` when
    unfiltered; unchanged figures make no new version) unless write_archive is False, and copied to
    `out_file` when given. Nothing is archived while the archive has no project to count. Its 编制 is
    `prepared_by`, else (one project) that project's manager, else signed by hand."""
    from docgen.metrics.indicators import load_indicators
    from docgen.metrics.kpi_report import compute_kpi
    from docgen.pipeline import publish

    if project is not None:
        check_project_code(project)
    _check_output(out_file)
    prepared = _name(prepared_by, "--prepared-by")
    indicators = load_indicators(config, archive=archive)
    report = compute_kpi(archive, month, project=project, indicators=indicators)
    run = KpiRun(report)
    if out_file is not None or (write_archive and report.projects):
        spec = _kpi_document(archive, report, prepared, today)
        run.documents = publish([spec], archive=archive,
                                templates=templates, write_archive=write_archive, out_file=out_file, source="kpi")
    return run


def _kpi_document(archive: Archive, report: KpiReport, prepared: str, today: date | None) -> DocumentSpec:
    from docgen.kinds.kpi_report import kpi_spec

    if not prepared and report.project is not None:
        from docgen.facts import view_of

        prepared = kpi_preparer(view_of(archive).plan_facts(report.project))
    return kpi_spec(report, today=today or date.today(), prepared_by=prepared, ledger=archive.ledger_head())


def kpi_workbook(archive: Archive, month: str, *, project: str | None = None, templates: TemplateSet,
                 today: date | None = None) -> RenderedFile:
    """The 月度KPI统计表 of `docgen kpi MONTH [--project P] --no-archive -o FILE`, in memory: the same figures
    and workbook, nothing archived and no file written (the auditors' pages hand it out)."""
    from docgen.pipeline import render_computed

    run = run_kpi(archive, month, project=project, templates=templates, write_archive=False, today=today)
    spec = _kpi_document(archive, run.report, "", today)
    return render_computed(spec, archive=archive, templates=templates)
