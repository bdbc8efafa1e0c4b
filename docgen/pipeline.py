"""The one path every document takes: read → model → rules → context → render → archive.
`docgen generate`, `docgen demo`, the watcher and the tests all call these functions."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import BaseModel, ValidationError

from docgen.control import Control, Signoffs, is_form, version_label
from docgen.errors import (
    DocgenError,
    InputError,
    InputsRejected,
    Issue,
    ValidationFailed,
    VersionMoved,
)
from docgen.facts import Facts, plan_mismatch
from docgen.fields import Approval
from docgen.inputs import RawInput, read_input
from docgen.kinds import DocumentSpec, Kind, get_kind, kind_names, suggest_kind
from docgen.numbering import Numbering, load_numbering
from docgen.validation import issues_from_validation, plain_text

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.facts import ArchiveView
    from docgen.render import TemplateSet
    from docgen.render.check import Finding, TemplateRow


@dataclass
class CheckedInput:
    """An input file after the model and the regulation's rules looked at it."""

    raw: RawInput
    kind: Kind | None
    model: BaseModel | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    def failure(self) -> ValidationFailed:
        return ValidationFailed(self.raw.path, self.errors)


def _with_cell(issue: Issue, cells: dict[str, str]) -> Issue:
    if not cells or issue.cell:
        return issue
    path = issue.path
    while path:
        if path in cells:
            return Issue(issue.level, issue.path, issue.message, cells[path])
        path = path.rsplit(".", 1)[0] if "." in path else (path.rsplit("[", 1)[0] if "[" in path else "")
    return issue


def prune_blank(value: Any) -> Any:
    """A key left empty (`key:` in YAML, an empty cell) means "not filled in": drop it so the model
    reports it as missing, and drop list items left entirely blank (e.g. the scaffold's sample row)."""
    if isinstance(value, dict):
        return {k: prune_blank(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        items = [prune_blank(v) for v in value]
        return [v for v in items if v not in ({}, None)]
    return value


def check_input(path: str | Path) -> CheckedInput:
    """Read and validate one input; InputError when the file cannot be read at all."""
    raw = read_input(path)
    issues = list(raw.issues)
    kind_name = raw.kind
    if not kind_name:
        issues.append(Issue("error", "kind", f"缺少 kind 字段；第一行应写明输入类型，可选：{'、'.join(kind_names())}"))
        return CheckedInput(raw, None, None, [_with_cell(i, raw.cells) for i in issues])
    try:
        kind = get_kind(kind_name)
    except KeyError:
        issues.append(Issue("error", "kind", f"未知的输入类型 kind: {kind_name}{suggest_kind(kind_name)}"
                                             f"（可选：{'、'.join(kind_names())}）"))
        return CheckedInput(raw, None, None, [_with_cell(i, raw.cells) for i in issues])
    model = None
    try:
        model = kind.model.model_validate(prune_blank(raw.data))
    except ValidationError as exc:
        issues.extend(issues_from_validation(kind.model, exc))
    if model is not None:
        issues.extend(kind.rules(model))
        approval = getattr(model, "approval", None)
        if isinstance(approval, Approval):
            issues.extend(Issue(*found) for found in approval.issues("approval", getattr(model, "prepared_on", None)))
    return CheckedInput(raw, kind, model if not [i for i in issues if i.level == "error"] else None,
                        [_with_cell(i, raw.cells) for i in issues])


def check_files(paths: list[str | Path]) -> list[CheckedInput | InputError]:
    """Validate every file (for `docgen validate`): unreadable files come back as their error."""
    results: list[CheckedInput | InputError] = []
    for path in paths:
        try:
            results.append(check_input(path))
        except InputError as exc:
            results.append(exc)
    return results


@dataclass
class GeneratedDoc:
    """One rendered document and what happened to it (the `generate --json` record)."""

    doc_id: str | None
    doc_type: str
    project: str
    title: str
    date: str
    period: str
    version: int | None
    status: str  # new | version | unchanged
    path: str
    sha256: str
    warnings: list[str]
    source: str = ""
    notes: list[str] = field(default_factory=list)  # interrupted earlier writes the archive settled first
    facts: Facts | None = None  # what was archived with it (not part of --json)
    archive_path: str = ""  # its path inside the archive (documents/…), "" when not archived (not part of --json)
    doc_no: str = ""  # 文件编号 as printed (docgen.numbering)
    doc_version: str = ""  # 版本 as printed (docgen.control)

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("doc_id", "doc_no", "doc_version", "doc_type", "project", "title",
                                              "date", "period", "version", "status", "path", "sha256", "warnings")}


@dataclass
class _Rendered:
    spec: DocumentSpec
    data: bytes
    ext: str
    template_name: str
    template_sha256: str
    context_sha256: str
    input_sha256: str | None
    input_path: Path
    version: int  # the archive version its 版本 was worked out from

    def _replace_input(self, earlier: _Rendered) -> _Rendered:
        """This rendering, from the same input as `earlier`."""
        self.input_sha256, self.input_path = earlier.input_sha256, earlier.input_path
        return self


def context_digest(context: dict[str, Any]) -> str:
    """A stable fingerprint of what a document says: same context + same template = unchanged."""
    text = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_spec(spec: DocumentSpec, templates: TemplateSet) -> tuple[bytes, str, Any]:
    from docgen.render import render_docx

    template = templates.find(spec.template)
    ext = template.path.suffix.lower()
    if spec.fill is not None:  # the kind fills its template itself (rows and sheets the data decides)
        return spec.fill(template.path, spec.context), ext, template
    if ext == ".xlsx":
        from docgen.render import render_xlsx

        return render_xlsx(template.path, spec.context), ext, template
    if ext != ".docx":
        raise DocgenError(f"模板 {spec.template} 的类型 {ext} 不受支持（只支持 .docx 和 .xlsx）")
    return render_docx(template.path, spec.context, name=spec.template), ext, template


def _prepared(spec: DocumentSpec, item: CheckedInput | None, numbering: Numbering,
              view: ArchiveView | None) -> None:
    """Everything the pipeline adds to a kind's context before rendering: the 文件编号, the document
    control block (its 版本 filled in by _render_one), the 提示 in the reader's words."""
    # 文件编号: the input's own number when it gives one, else the archive's numbering rules (docgen.numbering)
    if item is None or not spec.context.get("doc_no"):  # computed documents: always the archive's rules
        spec.context["doc_no"] = numbering.for_document(spec.doc_type, spec.project, spec.key)
    form = numbering.form(spec.doc_type) if is_form(spec.doc_type) else None
    signoffs = None
    if form is None:
        signoffs = spec.signoffs or Signoffs()
        if spec.doc_type != "plan" and view is not None and not spec.project.startswith("_"):
            signoffs = signoffs.with_plan(view.plan_facts(spec.project, spec.date))
    spec.context["control"] = Control(spec.context["doc_no"], "", signoffs, form).context()
    # the page's 提示 speak the reader's words: input field paths become the fields' Chinese names (the
    # command line and the archive keep the paths, which tell the PM what to change)
    if item is not None and item.model is not None and isinstance(spec.context.get("warnings"), list):
        spec.context["warnings"] = [plain_text(type(item.model), str(w)) for w in spec.context["warnings"]]


def _next_version(archive: Archive | None, spec: DocumentSpec, digest: str, template_sha256: str) -> int:
    """The archive version this rendering will get: the latest one when it says the same (put() will
    call it unchanged), else the next."""
    from docgen.archive import make_doc_id

    latest = archive.latest(make_doc_id(spec.project, spec.doc_type, spec.key)) \
        if archive is not None and archive.root.exists() else None
    if latest is None:
        return 1
    same = latest.get("context_sha256") == digest and latest.get("template_sha256") == template_sha256
    return latest["version"] if same else latest["version"] + 1


def _render_one(item: CheckedInput | None, spec: DocumentSpec, templates: TemplateSet, source: str,
                archive: Archive | None, version: int | None = None) -> _Rendered:
    """Render with the 版本 the document will have: the input's own (a plan's V1.0) or its archive version.
    The fingerprint leaves the 版本 out, so an unchanged document keeps its version."""
    template = templates.find(spec.template)
    control = spec.context["control"]
    control["version"] = ""
    digest = context_digest(_unstamped(spec.context) if item is None else spec.context)
    number = version if version is not None else _next_version(archive, spec, digest, template.sha256)
    control["version"] = spec.version or version_label(number)
    data, ext, template = render_spec(spec, templates)
    return _Rendered(spec, data, ext, template.name, template.sha256, digest,
                     item.raw.sha256 if item else None, item.raw.path if item else Path(source), number)


def _unstamped(context: dict[str, Any]) -> dict[str, Any]:
    """A computed document's context without when it was computed — the day (its 编制 date) and the archive
    ledger's head it records: the same figures later are the same document (put() keeps the earlier version,
    which shows the day and the head of when they were first computed)."""
    control = context["control"]
    rows = control["rows"]
    control = control | {"prepared": control["prepared"] | {"date": ""}, "rows": [rows[0] | {"date": ""}, *rows[1:]]}
    return {k: v for k, v in context.items() if k != "ledger"} | {"control": control}


def _render_specs(item: CheckedInput | None, specs: list[DocumentSpec], templates: TemplateSet,
                  source: str = "", numbering: Numbering | None = None,
                  archive: Archive | None = None) -> list[_Rendered]:
    from docgen.facts import ArchiveView

    view = ArchiveView(archive) if archive is not None and archive.root.exists() else None
    rendered = []
    for spec in specs:
        _prepared(spec, item, numbering or Numbering(), view)
        rendered.append(_render_one(item, spec, templates, source, archive))
    return rendered


def _archive_rendered(r: _Rendered, *, archive: Archive | None, write_archive: bool, outdir: Path | None,
           source: str, out_file: Path | None = None, templates: TemplateSet | None = None) -> GeneratedDoc:
    """Archive a rendered document and/or copy it to `out_file` (default: its name in `outdir`)."""
    from docgen.archive import make_doc_id, write_atomic

    spec = r.spec
    if out_file is None and outdir is not None:
        out_file = outdir / f"{spec.out_name or spec.doc_type}{r.ext}"
    if write_archive and archive is not None:
        for attempt in range(5):
            try:
                put = archive.put(
                    r.data, project=spec.project, doc_type=spec.doc_type, key=spec.key, title=spec.title,
                    date=spec.date, period=spec.period, ext=r.ext, source=source, template=r.template_name,
                    template_sha256=r.template_sha256, input_sha256=r.input_sha256,
                    context_sha256=r.context_sha256, warnings=spec.warnings, doc_no=spec.context.get("doc_no"),
                    doc_version=spec.context["control"]["version"], expect_version=r.version,
                    facts=spec.facts.to_record() if spec.facts is not None else {})
                break
            except VersionMoved as moved:  # another writer archived a version meanwhile: print the real one
                if templates is None or attempt == 4:
                    raise
                r = _render_one(None, spec, templates, source, archive, moved.actual)._replace_input(r)
        doc = GeneratedDoc(put.doc_id, spec.doc_type, spec.project, spec.title, spec.date.isoformat(),
                           spec.period, put.version, put.status, str(put.path), put.sha256,
                           spec.warnings, str(r.input_path), list(put.recovered), spec.facts,
                           archive_path=str(put.record.get("path", "")), doc_no=spec.context.get("doc_no") or "",
                           doc_version=put.record.get("doc_version") or spec.context["control"]["version"])
        data = put.path.read_bytes() if put.status == "unchanged" else r.data
    else:
        doc = GeneratedDoc(make_doc_id(spec.project, spec.doc_type, spec.key), spec.doc_type, spec.project,
                           spec.title, spec.date.isoformat(), spec.period, None, "new",
                           str(out_file) if out_file else "", hashlib.sha256(r.data).hexdigest(),
                           spec.warnings, str(r.input_path), facts=spec.facts, doc_no=spec.context.get("doc_no") or "",
                           doc_version=spec.context["control"]["version"])
        data = r.data
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out_file, data)
        if not write_archive:
            doc.path = str(out_file)
    return doc


# the project facts an input types again that its plan already states: (field, label); the first two an input
# may leave out and take from the plan
_PROJECT_FACTS = (("name", "项目名称"), ("customer", "客户名称"), ("contract_no", "合同编号"), ("manager", "项目经理"))
_FROM_PLAN = _PROJECT_FACTS[:2]


def project_from_plans(checked: list[CheckedInput], archive: Archive | None) -> list[ValidationFailed]:
    """项目名称 and 客户名称 are the plan's: an input that leaves them out gets them from the plan given in the same
    run, else from the archived plan; with neither, the input is refused (before anything is written), saying
    what to fill in or which plan to generate first."""
    planned = {item.model.project.code: item.model.project for item in checked  # type: ignore[union-attr]
               if item.kind is not None and item.kind.name == "plan" and item.model is not None}
    view = None
    failures = []
    for item in checked:
        model = item.model
        project = getattr(model, "project", None)
        if item.kind is None or item.kind.name == "plan" or project is None:
            continue
        missing = [(name, label) for name, label in _FROM_PLAN
                   if name in type(project).model_fields and getattr(project, name) is None]
        if not missing:
            continue
        source: Any = planned.get(project.code)
        if source is None and archive is not None:
            from docgen.facts import view_of

            view = view or view_of(archive)
            source = view.plan_facts(project.code)
        if source is not None:
            filled = project.model_copy(update={name: getattr(source, name) for name, _ in missing})
            item.model = model.model_copy(update={"project": filled})
            continue
        item.issues += [Issue("error", f"project.{name}", f"未填写{label}，归档库中也没有项目 {project.code} 的运维项目管理计划"
                              f"可以采用；请填写 project.{name}，或先生成该项目的计划（与本文件一起生成也可）")
                        for name, label in missing]
        failures.append(item.failure())
    return failures


def against_plan(kind: Kind, model: BaseModel, archive: Archive | None, warnings: list[str]) -> BaseModel:
    """An input against its project's archived plan, in one place for every kind. 公司名称 has one source, the
    plan: an input that leaves `company` out prints the plan's (not the built-in default). Each fact the input
    types differently from the plan (项目名称, 客户名称, 合同编号, 项目经理, 公司名称) is printed as typed and
    warned, naming both — the archive would otherwise hold two names for one project. The plan itself, projects
    without an archived plan (or facts the plan did not record): unchanged."""
    project = getattr(model, "project", None)
    code = getattr(project, "code", None)
    if kind.name == "plan" or archive is None or not code:
        return model
    from docgen.facts import view_of

    plan = view_of(archive).plan_facts(code)
    if plan is None:
        return model
    company = plan.company
    if company and "company" in type(model).model_fields:
        if "company" not in model.model_fields_set:
            model = model.model_copy(update={"company": company})
        elif (given := getattr(model, "company")) != company:
            warnings.append(plan_mismatch("company", "公司名称", given, company,
                                          fix=f"以计划为准时删去输入中的 company（将采用计划中的公司名称）或改为 “{company}”"))
    for name, label in _PROJECT_FACTS:
        given, planned = getattr(project, name, None), getattr(plan, name, None)
        if given and planned and given != planned:
            warnings.append(plan_mismatch(f"project.{name}", label, given, planned))
    return model


def generate(paths: list[str | Path], *, archive: Archive | None, templates: TemplateSet,
             write_archive: bool = True, outdir: Path | None = None, source: str = "generate",
             progress: Callable[[int, int], None] | None = None, index: bool = True) -> list[GeneratedDoc]:
    """Validate every file first (any error: nothing is written); then, in dependency order (plans
    before the records measured against them, …), render each input's documents and archive them,
    so a record generated in the same run as its plan is measured against that plan. index=False leaves
    the search index to the caller (it catches up from the ledger whenever it is next updated)."""
    checked = []
    failures: list[DocgenError] = []
    for path in paths:
        try:
            item = check_input(path)
        except InputError as exc:
            failures.append(exc)
            continue
        if item.errors:
            failures.append(item.failure())
        checked.append(item)

    def reader() -> Archive | None:
        return archive if archive is not None and archive.root.exists() else None

    failures += project_from_plans(checked, reader())
    if failures:
        raise failures[0] if len(failures) == 1 else InputsRejected(failures)

    checked.sort(key=lambda item: item.kind.stage)  # stable: the same stage keeps the given order
    numbering = load_numbering(archive)  # a bad config/numbering.yaml stops the run before anything is written
    results = []
    for done, item in enumerate(checked, 1):
        kind, model = item.kind, item.model
        assert kind is not None and model is not None
        warnings = [i.text() for i in item.warnings]
        model = against_plan(kind, model, reader(), warnings)
        specs = kind.documents(model, archive=reader(), warnings=warnings)
        produced = [_archive_rendered(r, archive=archive, write_archive=write_archive, outdir=outdir, source=source,
                                      templates=templates)
                    for r in _render_specs(item, specs, templates, numbering=numbering, archive=reader())]
        if kind.finish is not None:
            later = kind.finish(model, archive=reader(), produced=produced, warnings=warnings)
            produced += [_archive_rendered(r, archive=archive, write_archive=write_archive, outdir=outdir,
                                           source=source, templates=templates)
                         for r in _render_specs(item, later, templates, numbering=numbering, archive=reader())]
        if outdir is not None and kind.bundle is not None and produced:
            bundle = kind.bundle(model, produced, reader(), outdir)
            produced[-1].notes.append(f"交付包已打包：{bundle}")
        results.extend(produced)
        if progress:
            progress(done, len(checked))
    if write_archive and index:
        _update_index(archive, results)
    return results


def publish(specs: list[DocumentSpec], *, archive: Archive | None, templates: TemplateSet,
            write_archive: bool = True, outdir: Path | None = None, out_file: Path | None = None,
            source: str) -> list[GeneratedDoc]:
    """The same render → archive → index path for documents computed from the archive rather than
    read from an input file (`docgen kpi`, `docgen audit`). Everything is rendered before anything
    is written; `out_file` (one spec only) copies the result to that exact file name."""
    if out_file is not None and len(specs) != 1:
        raise ValueError("out_file names one document; use outdir for several")
    rendered = _render_specs(None, specs, templates, source, numbering=load_numbering(archive), archive=archive)
    results = [_archive_rendered(r, archive=archive, write_archive=write_archive, outdir=outdir, source=source,
                                 out_file=out_file, templates=templates) for r in rendered]
    if write_archive:
        _update_index(archive, results)
    return results


@dataclass
class RenderedFile:
    """A computed document rendered and not archived: its bytes and the file name a copy is given."""

    data: bytes
    file_name: str  # out_name + extension, e.g. 月度KPI统计表_2025-03.xlsx
    doc_no: str
    doc_version: str


def render_computed(spec: DocumentSpec, *, archive: Archive | None, templates: TemplateSet) -> RenderedFile:
    """What publish() would archive for a computed document, rendered in memory only: the same 文件编号,
    document control and 版本 (the archived version when the content is unchanged, else the next), with
    nothing written anywhere (the auditors' pages hand it out as a download)."""
    rendered = _render_specs(None, [spec], templates, "", numbering=load_numbering(archive), archive=archive)[0]
    return RenderedFile(rendered.data, f"{spec.out_name or spec.doc_type}{rendered.ext}",
                        spec.context.get("doc_no") or "", spec.context["control"]["version"])


def _update_index(archive: Archive | None, results: list[GeneratedDoc]) -> None:
    """Bring the search index up to date after archiving; its notes go with the last document."""
    if archive is None or not results:
        return
    from docgen.search import index_after_write

    notes = index_after_write(archive)
    if notes:
        results[-1].notes.extend(notes)


# ---------------------------------------------------------------------------------------------- templates
def example_contexts() -> dict[str, dict[str, Any]]:
    """template name -> the context the bundled example renders it with: the variables docgen provides
    (for the documents computed from the archive, the small example each of them gives)."""
    from docgen.kinds import computed_names, get_computed
    from docgen.render import packaged_examples

    contexts: dict[str, dict[str, Any]] = {}
    numbering = Numbering()
    for name in kind_names():
        kind = get_kind(name)
        checked = check_input(packaged_examples() / kind.example)
        if checked.model is None:
            continue
        model = kind.standalone_example(checked.model) if kind.standalone_example else checked.model
        specs = kind.documents(model, archive=None, warnings=["示例警告"])
        if kind.finish is not None:  # the 交付清单, made after the items
            specs += kind.finish(model, archive=None, produced=[], warnings=["示例警告"])
        for spec in specs:
            _prepared(spec, checked, numbering, None)  # what the pipeline adds: doc_no, control
            spec.context["control"]["version"] = spec.version or version_label(1)
            contexts.setdefault(spec.template, spec.context)
    for name in computed_names():
        for template, context in get_computed(name).sample().items():
            control = Control("示例文件编号", version_label(1), Signoffs()).context()
            contexts.setdefault(template, {"doc_no": control["doc_no"], "control": control} | context)
    return contexts


def list_templates(templates: TemplateSet) -> list[TemplateRow]:
    """`docgen templates list`: where each document type's template is found."""
    from docgen.kinds import registered_templates
    from docgen.render.check import template_rows

    return template_rows(templates, registered_templates())


def check_templates(templates: TemplateSet, *, only_user: bool = False) -> list[Finding]:
    """`docgen templates check`: every registered template, as `templates` resolves it, against the
    context its document is rendered with (unknown variables, syntax errors, split tags, missing files)."""
    from docgen.kinds import registered_templates
    from docgen.render.check import check_template_set

    return check_template_set(templates, registered_templates(), example_contexts(), only_user=only_user)
