"""Leftover issues (遗留问题, step 8) tracked across records from the archive's metadata (archive.md):
an issue raised by an onsite/remote record (id `<service_no>#<n>`) stays open until a later record
lists it under `resolved_leftovers`; open past its due date is an audit finding."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from docgen.archive import Archive
from docgen.metrics.kpi import RECORD_DOC_TYPES
from docgen.periods import parse_day


@dataclass
class Leftover:
    """One leftover issue as of a day: `resolved_on` / `resolved_by` set once a record closed it."""

    id: str
    issue: str
    plan: str
    owner: str
    due: date | None
    raised_on: date
    raised_by: str  # service_no of the record that left it
    resolved_on: date | None = None
    resolved_by: str | None = None  # service_no of the record that closed it
    resolution: str = ""
    as_of: date | None = None

    @property
    def open(self) -> bool:
        return self.resolved_on is None

    @property
    def age_days(self) -> int:
        """Days from the record that raised it to `as_of` (or to its resolution)."""
        end = self.resolved_on or self.as_of or self.raised_on
        return max((end - self.raised_on).days, 0)

    @property
    def overdue(self) -> bool:
        return self.open and self.due is not None and self.as_of is not None and self.due < self.as_of

    @property
    def overdue_days(self) -> int:
        return (self.as_of - self.due).days if self.overdue else 0  # type: ignore[operator]


def _records(archive: Archive, project: str) -> dict[str, dict]:
    """The latest archived document standing for each service record of the project (any kind)."""
    found: dict[str, dict] = {}
    for doc_types in RECORD_DOC_TYPES.values():
        for doc_type in doc_types:
            for record in archive.records(project=project, doc_type=doc_type):
                service_no = (record.get("facts") or {}).get("service_no")
                if not service_no:
                    continue
                seen = found.get(service_no)
                if seen is None or record.get("created_at", "") > seen.get("created_at", ""):
                    found[service_no] = record
    return found


def leftovers(archive: Archive, project: str, *, as_of: date) -> list[Leftover]:
    """Every leftover issue raised on or before `as_of`, with its resolution when a record resolved on
    or before `as_of` closed it; sorted by raising day and id."""
    records = _records(archive, project)
    closed: dict[str, tuple[date, str, str]] = {}
    for service_no, record in records.items():
        facts = record.get("facts") or {}
        record_day = parse_day(facts.get("resolved_at")) or parse_day(record.get("date"))
        for item in facts.get("resolved_leftovers") or []:
            ref = item.get("ref") if isinstance(item, dict) else None
            when = parse_day(item.get("at")) or record_day if isinstance(item, dict) else None
            if not ref or when is None or when > as_of:
                continue
            if ref not in closed or when < closed[ref][0]:
                closed[ref] = (when, service_no, str(item.get("resolution") or ""))
    found = []
    for service_no, record in records.items():
        facts = record.get("facts") or {}
        raised = parse_day(facts.get("resolved_at")) or parse_day(record.get("date"))
        if raised is None or raised > as_of:
            continue
        for item in facts.get("leftover_issues") or []:
            leftover = Leftover(id=str(item.get("id")), issue=str(item.get("issue") or ""),
                                plan=str(item.get("plan") or ""), owner=str(item.get("owner") or ""),
                                due=parse_day(item.get("due")), raised_on=raised, raised_by=service_no, as_of=as_of)
            if leftover.id in closed:
                leftover.resolved_on, leftover.resolved_by, leftover.resolution = closed[leftover.id]
            found.append(leftover)
    return sorted(found, key=lambda x: (x.raised_on, x.id))


def open_leftovers(archive: Archive, project: str, *, as_of: date) -> list[Leftover]:
    """The leftover issues still open on `as_of` (for the service report and the audit)."""
    return [x for x in leftovers(archive, project, as_of=as_of) if x.open]
