"""What every document kind provides: its model, its rules, the documents it demands."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from docgen.errors import Issue

if TYPE_CHECKING:  # not at run time: `docgen --help` lists the kinds without loading pydantic models
    from pydantic import BaseModel

    from docgen.control import Signoffs
    from docgen.facts import Facts


@dataclass
class DocumentSpec:
    """One document an input demands, ready to render and archive."""

    doc_type: str
    title: str
    project: str
    key: tuple[str, ...]  # identity beyond project + doc_type (docs/archive.md)
    date: date
    period: str
    template: str  # file name in templates_docx/ or templates_xlsx/
    context: dict[str, Any]
    facts: Facts | None = None  # what the document states for others to read (archived in its sidecar)
    warnings: list[str] = field(default_factory=list)
    out_name: str = ""  # file name (without extension) for -o OUTDIR copies
    # documents whose rows and sheets the data decides (the KPI and audit workbooks): fill(template path,
    # context) -> file bytes, starting from `template` as found in the template folders (so a user's copy
    # restyles it and its checksum goes into the archive's unchanged check); None: the generic renderer
    fill: Callable[[Path, dict[str, Any]], bytes] | None = None
    # document control (docgen.control): 编制/审核/批准 as the input states them (the pipeline adds names
    # from the plan and the 版本); version: a 版本 the input gives itself (the plan's V1.0), else the archive's
    signoffs: Signoffs | None = None
    version: str | None = None


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
    # the example model as it must read without an archive for every template to get a context (what it
    # would take from archived records, given in the input); `templates check` uses it
    standalone_example: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ComputedKind:
    """A registry entry for a document computed from the archive rather than typed in (`docgen kpi`,
    `docgen audit`): no input file, so no model or rules; its templates are checked like the others'."""

    name: str  # its doc_type
    title: str  # Chinese name, e.g. 月度KPI统计表
    stage: int  # after every input kind's: it reads what they archived
    templates: dict[str, str]  # doc_type -> template file name
    spec: Callable[..., DocumentSpec]  # (computed figures, *, today, …) -> the document to render and archive
    sample: Callable[[], dict[str, dict[str, Any]]]  # template name -> the context `templates check` uses
