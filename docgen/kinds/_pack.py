"""What the four deliverable packs of §5.4.7 share: the pack header fields, each service type's list
of deliverables, identity/date/period of pack items, the 交付清单 (pack_manifest) built from the
archive after the items are archived, and the customer zip."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import field_validator

from docgen.control import Signoffs
from docgen.doctypes import doc_type_title
from docgen.facts import (
    ArchivedDoc,
    ConfigUpdateFacts,
    ManifestFacts,
    ManifestItem,
    PackFacts,
    view_of,
)
from docgen.fields import Approval, Date, OptDate, Period, StrictModel, Text, label
from docgen.kinds._kind import DocumentSpec
from docgen.kinds._service import ProjectRef
from docgen.periods import period_bounds, period_label, within

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.pipeline import GeneratedDoc

# service type -> (Chinese name, clause, the deliverables §5.4.7 lists, in its order)
PACK_ITEMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "routine": ("例行操作", "§5.4.7.1", ("status_record", "anomaly_record", "trend_analysis", "config_record",
                                       "survey_report")),
    "emergency": ("应急响应", "§5.4.7.2", ("response_record", "response_kpi", "major_incident_report",
                                         "config_update", "survey_report")),
    "optimization": ("优化改善", "§5.4.7.3", ("optimization_plan", "implementation_plan", "change_release_report",
                                            "config_update", "survey_report")),
    "assessment": ("调研评估", "§5.4.7.4", ("assessment_plan", "assessment_report", "assessment_recommendation",
                                          "survey_report")),
}
MANIFEST_TITLE = "交付清单"


class PackBase(StrictModel):
    """The header every pack input starts with."""

    project: ProjectRef = label("项目")
    period: Period = label("期间", "YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY")
    prepared_by: Text = label("编制人")
    prepared_on: OptDate = label("编制日期", "YYYY-MM-DD；默认为期间的最后一天", default=None)
    company: Text = label("公司名称", "不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    approval: Approval = label("审核与批准", "可选：审核人、批准人及日期；不填的姓名取自计划，日期打印后手签", default_factory=Approval)

    @field_validator("period")
    @classmethod
    def _no_single_day(cls, value: str) -> str:
        if len(value) == 10:
            raise ValueError(f"交付成果包的期间 “{value}” 不能是某一天，应为 YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY")
        return value


class ConfigUpdate(StrictModel):
    """One line of 运行维护服务对象配置信息更新记录 (emergency and optimization packs)."""

    ci: Text = label("配置项")
    change: Text = label("更新内容")
    at: Date = label("更新日期", "YYYY-MM-DD")
    by: Text = label("更新人")


def config_update_spec(pack: PackBase, pack_kind: str, updates: list[ConfigUpdate], *, warnings: list[str],
                       items: list[str] | None = None) -> DocumentSpec:
    """The config_update workbook (templates_xlsx/config_update.xlsx) of a pack, rows in the given order."""
    rows = [{"no": n, "ci": u.ci, "change": u.change, "at": u.at, "by": u.by} for n, u in enumerate(updates, 1)]
    day = max((u.at for u in updates), default=None)  # the record is complete with its last update
    return pack_spec(pack, pack_kind, "config_update", template="config_update.xlsx", warnings=warnings, day=day,
                     context=pack_context(pack, doc_type="config_update", warnings=warnings, day=day) | {
                         "rows": rows, "summary": [{"label": "更新条数", "formula": "COUNTA({ci})"}]},
                     facts=ConfigUpdateFacts(pack=pack_kind, updates=len(rows), items=items or []))


def pack_day(pack: PackBase, own: datetime.date | None = None) -> datetime.date:
    """The day a pack document is dated: its own date as the input gives it (编制, 实施, 发布), else the
    pack's prepared_on, else the last day of the period (docs/archive.md)."""
    return own or pack.prepared_on or period_bounds(pack.period)[1]


def pack_context(pack: PackBase, *, doc_type: str, warnings: list[str],
                 day: datetime.date | None = None) -> dict[str, Any]:
    """The header variables every pack document's template uses; `day` is the document's own date."""
    return {
        "company": pack.company, "title": doc_type_title(doc_type),
        "doc_no": "",  # numbered by the pipeline from the archive's rules (docgen.numbering)
        "project": {"code": pack.project.code, "name": pack.project.name, "customer": pack.project.customer},
        "period": pack.period, "period_label": period_label(pack.period), "prepared_by": pack.prepared_by,
        "prepared_on": pack_day(pack, day).isoformat(), "warnings": list(warnings),
    }


def pack_spec(pack: PackBase, pack_kind: str, doc_type: str, *, template: str, context: dict[str, Any],
              facts: PackFacts, warnings: list[str], extra_key: tuple[str, ...] = (),
              title: str | None = None, day: datetime.date | None = None) -> DocumentSpec:
    """A pack item: identity project + pack kind + doc_type + period (+ incident id), dated its own
    day (pack_day)."""
    name = title or doc_type_title(doc_type)
    suffix = "".join(f"_{k}" for k in extra_key)
    return DocumentSpec(
        doc_type=doc_type, title=f"{name}（{pack.period}{'，' + '，'.join(extra_key) if extra_key else ''}）",
        project=pack.project.code, key=(pack_kind, pack.period, *extra_key), date=pack_day(pack, day),
        period=pack.period, template=template, context=context,
        facts=facts, warnings=list(warnings),
        out_name=f"{pack.project.code}_{pack_kind}_{pack.period}_{name}{suffix}",
        signoffs=Signoffs.of(prepared_by=pack.prepared_by, prepared_on=pack_day(pack, day), approval=pack.approval))


def _survey_for(archive: Archive | None, project: str, period: str) -> ArchivedDoc | None:
    """The project's 需方满意度调查和分析报告 whose period lies within the pack's (the latest such)."""
    if archive is None:
        return None
    found = [d for d in view_of(archive).documents(project, "survey_report") if within(d.period, period)]
    return max(found, key=lambda d: (d.period, d.date), default=None)


def manifest_spec(pack: PackBase, pack_kind: str, *, produced: list[GeneratedDoc], archive: Archive | None,
                  warnings: list[str], not_applicable: dict[str, str] | None = None) -> DocumentSpec:
    """The 交付清单: every item §5.4.7 lists for this service type with its archive identity, or 缺失;
    `not_applicable` names items this period has no occasion for (no major incident → no 重大事件报告),
    listed as 不适用 with the reason instead of 缺失."""
    not_applicable = not_applicable or {}
    service, clause, wanted = PACK_ITEMS[pack_kind]
    by_type: dict[str, list[GeneratedDoc]] = {}
    for doc in produced:
        by_type.setdefault(doc.doc_type, []).append(doc)
    warnings = list(warnings)
    items: list[dict[str, Any]] = []
    for doc_type in wanted:
        docs = by_type.get(doc_type, [])
        if doc_type == "survey_report" and not docs:
            survey = _survey_for(archive, pack.project.code, pack.period)
            if survey is not None:
                items.append({"doc_type": doc_type, "title": survey.title, "doc_id": survey.doc_id,
                              "doc_no": survey.doc_no, "label": survey.version_label,
                              "version": survey.version, "sha256": survey.sha256, "date": survey.date.isoformat(),
                              "path": survey.path, "present": True})
                continue
            warnings.append(f"{doc_type_title(doc_type)}缺失：归档库中没有项目 {pack.project.code} 期间在 "
                            f"{pack.period} 内的满意度调查报告；请先生成 kind: survey 的调查报告再重新生成本交付包")
        if not docs:
            items.append({"doc_type": doc_type, "title": doc_type_title(doc_type), "doc_id": None, "doc_no": None,
                          "version": None, "label": None,
                          "sha256": None, "date": None, "path": None, "present": False,
                          "not_applicable": not_applicable.get(doc_type)})
        for doc in docs:
            items.append({"doc_type": doc_type, "title": doc.title, "doc_id": doc.doc_id, "doc_no": doc.doc_no,
                          "version": doc.version, "label": doc.doc_version,
                          "sha256": doc.sha256, "date": doc.date, "path": doc.archive_path or doc.path,
                          "present": True})
    present = sum(1 for i in items if i["present"])
    skipped = [i for i in items if i.get("not_applicable")]
    context = pack_context(pack, doc_type="pack_manifest", warnings=warnings) | {
        "title": MANIFEST_TITLE, "service_label": service, "clause": clause,
        "items": [{"no": str(n), "title": i["title"], "doc_no": i["doc_no"] or "—",
                   "version": i["label"] or "—",
                   "sha256_short": (i["sha256"] or "—")[:12], "date": i["date"] or "—",
                   "status": _status(i), "missing": not i["present"] and not i.get("not_applicable")}
                  for n, i in enumerate(items, 1)],
        "counts": {"total": str(len(items) - len(skipped)), "present": str(present),
                   "missing": str(len(items) - len(skipped) - present)},
        "zip_name": zip_name(pack, pack_kind),
    }
    facts = ManifestFacts(
        pack=pack_kind, service=service,
        items=[ManifestItem(**{k: i[k] for k in ("doc_type", "doc_id", "doc_no", "version", "sha256", "present", "path")})
               for i in items],
        present=[i["doc_type"] for i in items if i["present"]],
        missing=[i["doc_type"] for i in items if not i["present"] and not i.get("not_applicable")],
        not_applicable={i["doc_type"]: i["not_applicable"] for i in skipped})
    return pack_spec(pack, pack_kind, "pack_manifest", template="pack_manifest.docx", context=context,
                     facts=facts, warnings=warnings, title=f"{service}{MANIFEST_TITLE}")


def _status(item: dict[str, Any]) -> str:
    if item["present"]:
        return "已归档" if item["version"] else "已生成"
    return f"不适用（{item['not_applicable']}）" if item.get("not_applicable") else "缺失"


def zip_name(pack: PackBase, pack_kind: str) -> str:
    """The customer zip's name, in the regulation's words: <项目编号>_应急响应交付成果_2025-Q1.zip."""
    return f"{pack.project.code}_{PACK_ITEMS[pack_kind][0]}交付成果_{pack.period}.zip"


def write_pack_zip(pack: PackBase, pack_kind: str, docs: list[GeneratedDoc], archive: Archive | None,
                   outdir: Path) -> Path:
    """`<project>_<kind>_<period>.zip` with every item and the manifest, for the customer."""
    from docgen.archive import write_atomic

    # the customer reads the file names: 文件编号 and the regulation's name, never the archive's own names
    files: list[tuple[str, Path]] = []
    for doc in docs:
        if doc.path:
            files.append((_zip_name_of(doc.doc_no, doc.doc_type, doc.path), Path(doc.path)))
    made = {Path(d.path).resolve() for d in docs if d.path}
    for doc in docs:
        if doc.doc_type != "pack_manifest":
            continue
        # items taken from the archive rather than made in this run (the survey report)
        manifest = doc.facts
        assert isinstance(manifest, ManifestFacts)  # a pack_manifest is made with them (manifest_spec)
        for item in manifest.items:
            if not item.present or not item.path:
                continue
            path = Path(item.path)
            if not path.is_absolute() and archive is not None:
                path = archive.root / path
            if path.is_file() and path.resolve() not in made:
                files.append((_zip_name_of(item.doc_no, item.doc_type, str(path)), path))
    from docgen.render import fixed_zip

    target = outdir / zip_name(pack, pack_kind)
    outdir.mkdir(parents=True, exist_ok=True)
    write_atomic(target, fixed_zip((arcname, path.read_bytes()) for arcname, path in files))
    return target


def _zip_name_of(doc_no: str | None, doc_type: str, path: str) -> str:
    """YNTD-YW-2025-001-ZDSJ-2025-Q1-XC-2025-0005_重大事件(故障)的分析改进报告.docx"""
    name = doc_type_title(doc_type) if doc_type != "pack_manifest" else MANIFEST_TITLE
    return f"{doc_no}_{name}{Path(path).suffix}" if doc_no else Path(path).name


def pack_hooks(pack_kind: str, *, not_applicable: Callable[[Any, Any], dict[str, str]] | None = None) -> dict[str, Any]:
    """The `finish` (交付清单 after the items are archived) and `bundle` (customer zip) hooks every pack
    kind registers; `not_applicable(model, produced)` names items the period had no occasion for, judged from the
    items just made."""

    def finish(pack: Any, *, archive: Archive | None, produced: list[GeneratedDoc],
               warnings: list[str]) -> list[DocumentSpec]:
        idle = not_applicable(pack, produced) if not_applicable else None
        # the items' own warnings too (found against the archive: incidents without a record, …)
        warnings = list(dict.fromkeys([*warnings, *(w for doc in produced for w in doc.warnings)]))
        return [manifest_spec(pack, pack_kind, produced=produced, archive=archive, warnings=warnings,
                              not_applicable=idle)]

    def bundle(pack: Any, docs: list[GeneratedDoc], archive: Archive | None, outdir: Path) -> Path:
        return write_pack_zip(pack, pack_kind, docs, archive, outdir)

    return {"finish": finish, "bundle": bundle}
