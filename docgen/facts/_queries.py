"""The questions everyone asks the archive, answered in one place with typed documents: which projects
there are, the plan in force, a project's documents of a type, its service records in a period, the
versions of a document. A view remembers what it read, so build one per computation (a KPI run, one
document) and drop it: it does not see what is archived after it read."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from docgen.archive import require_project
from docgen.facts._doc import ArchivedDoc, read_doc
from docgen.facts._types import PlanFacts, ServiceRecordFacts

if TYPE_CHECKING:
    from docgen.archive import Archive

# the archived documents that stand for one service record of a kind (each carries the record's
# ServiceRecordFacts); leftover_confirmation is left out: both kinds produce it
RECORD_DOC_TYPES: dict[str, tuple[str, ...]] = {
    "onsite": ("onsite_form", "onsite_report"),
    "remote": ("remote_record",),
}


class ArchiveView:
    """Read-only, typed access to an archive's metadata for one computation."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._docs: dict[tuple[str | None, str | None, bool], list[ArchivedDoc]] = {}
        self._versions: dict[str, list[ArchivedDoc]] = {}

    # --- projects --------------------------------------------------------------------------------

    def projects(self) -> list[str]:
        """Every project with archived documents (names starting with `_`, like `_all`, are not projects)."""
        return [p for p in self.archive.projects() if not p.startswith("_")]

    def planned_projects(self) -> list[str]:
        """Every project with an archived plan."""
        return sorted({d.project for d in self.documents(None, "plan") if not d.project.startswith("_")})

    def require_project(self, project: str) -> None:
        """InputError (with did-you-mean and the projects there are) unless the archive holds documents
        of `project`; names starting with `_` are reserved, never projects."""
        require_project(self.archive, project)

    # --- documents -------------------------------------------------------------------------------

    def documents(self, project: str | None, doc_type: str | None = None, *,
                  all_versions: bool = False) -> list[ArchivedDoc]:
        """The documents (latest version of each unless all_versions) of a project (None: every
        project) and doc type (None: every type), sorted by project, date, doc_id, version."""
        key = (project, doc_type, all_versions)
        if key not in self._docs:
            # the archive reads every version's sidecar either way: one read serves both listings (the audit
            # asks for the latest documents and, for its checksums, for every version)
            every = self._docs.get((project, doc_type, True))
            if every is None:
                every = self._docs[(project, doc_type, True)] = [
                    read_doc(r) for r in self.archive.records(project=project, doc_type=doc_type, all_versions=True)]
            if not all_versions:
                newest: dict[str, int] = {}
                for doc in every:
                    newest[doc.doc_id] = max(newest.get(doc.doc_id, 0), doc.version)
                self._docs[key] = [d for d in every if d.version == newest[d.doc_id]]  # keeps the listing's order
        return list(self._docs[key])

    def versions(self, doc_id: str) -> list[ArchivedDoc]:
        """Every archived version of one document, ascending."""
        if doc_id not in self._versions:
            self._versions[doc_id] = [read_doc(r) for r in self.archive.versions(doc_id)]
        return list(self._versions[doc_id])

    def latest(self, doc_id: str) -> ArchivedDoc | None:
        found = self.versions(doc_id)
        return found[-1] if found else None

    # --- the plan --------------------------------------------------------------------------------

    def plan_in_force(self, project: str, on: date | None = None) -> ArchivedDoc | None:
        """The project's 运维项目管理计划 in force: without `on`, its latest archived version; on a day,
        the latest version dated (prepared) on or before it, else the first version (a record made
        before the plan was written is judged by the first plan there was). Its facts are PlanFacts."""
        from docgen.archive import make_doc_id

        versions = self.versions(make_doc_id(project, "plan"))
        if not versions:
            return None
        if on is not None:
            dated = [v for v in versions if v.date <= on]
            chosen = dated[-1] if dated else versions[0]
        else:
            chosen = versions[-1]
        chosen.facts_as(PlanFacts)  # a malformed plan is an error here, not a silent "no target" later
        return chosen

    def plan_facts(self, project: str, on: date | None = None) -> PlanFacts | None:
        plan = self.plan_in_force(project, on)
        return plan.facts_as(PlanFacts) if plan is not None else None

    # --- service records -------------------------------------------------------------------------

    def service_records(self, project: str, kind: str | None = None, first: date | None = None,
                        last: date | None = None) -> dict[str, ArchivedDoc]:
        """The project's onsite/remote service records (kind None: both) resolved between `first` and
        `last` (inclusive; None: unbounded), one per service_no — the latest archived document standing
        for it — in service_no order. Documents taken in from elsewhere carry no record facts: skipped."""
        found: dict[str, ArchivedDoc] = {}
        kinds = [kind] if kind is not None else list(RECORD_DOC_TYPES)
        for k in kinds:
            for doc_type in RECORD_DOC_TYPES[k]:
                for doc in self.documents(project, doc_type):
                    if doc.received:
                        continue
                    facts = doc.facts_as(ServiceRecordFacts)
                    day = facts.resolved_day
                    if (first is not None and day < first) or (last is not None and day > last):
                        continue
                    seen = found.get(facts.service_no)
                    if seen is None or doc.created_at > seen.created_at:
                        found[facts.service_no] = doc
        return dict(sorted(found.items()))

    def record_kind(self, doc: ArchivedDoc) -> str | None:
        """onsite | remote for a document standing for a service record, else None."""
        return next((k for k, types in RECORD_DOC_TYPES.items() if doc.doc_type in types), None)


def view_of(archive: Archive | ArchiveView) -> ArchiveView:
    """A view of `archive` (an ArchiveView is returned as it is, so callers can share one)."""
    return archive if isinstance(archive, ArchiveView) else ArchiveView(archive)
