"""What every document kind provides: its model, its rules, the documents it demands."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from docgen.errors import Issue
from docgen.facts import Facts

if TYPE_CHECKING:
    from pydantic import BaseModel


@dataclass
class DocumentSpec:
    """One document an input demands, ready to render and archive."""

    doc_type: str
    title: str
    project: str
    key: tuple[str, ...]  # identity beyond project + doc_type (archive.md)
    date: date
    period: str
    template: str  # file name in templates_docx/ or templates_xlsx/
    context: dict[str, Any]
    facts: Facts | None = None  # what the document states for others to read (archived in its sidecar)
    warnings: list[str] = field(default_factory=list)
    out_name: str = ""  # file name (without extension) for -o OUTDIR copies
    # documents laid out by code rather than a template (the KPI and audit workbooks, whose sheets
    # depend on the data): build(context) -> file bytes; `template` then names the builder
    # ("kpi_report.xlsx") and `builder_version` stands in for the template's checksum
    build: Callable[[dict[str, Any]], bytes] | None = None
    builder_version: str = ""


@dataclass(frozen=True)
class Kind:
    """A registry entry: everything docgen needs to know about one input kind."""

    name: str
    title: str  # Chinese name of the input, e.g. 运维项目管理计划
    # dependency order: an input is processed after every input of a lower stage, so what it reads from
    # the archive is there (plans 0 → records 1 → surveys 2 → received documents 3 → packs 4 → service
    # reports 5 → acceptance 6); `generate` and the watcher both order by it
    stage: int
    model: type[BaseModel]
    rules: Callable[[Any], list[Issue]]  # regulation checks on a valid model
    documents: Callable[..., list[DocumentSpec]]  # (model, *, archive, warnings) -> specs
    templates: dict[str, str]  # doc_type -> template file name
    example: str  # file name in examples/
    # documents made after the others are archived (a pack's 交付清单 lists their archive identity):
    # (model, *, archive, produced, warnings) -> specs
    finish: Callable[..., list[DocumentSpec]] | None = None
    # with -o OUTDIR: (model, docs, archive, outdir) -> the customer bundle written (a pack's zip)
    bundle: Callable[..., Any] | None = None


def issues_to_warnings(issues: list[Issue]) -> list[str]:
    return [i.text() for i in issues if i.level == "warning"]
