"""Leftover issues (遗留问题, step 8) tracked across records from the archive's metadata (docs/archive.md):
an issue raised by an onsite/remote record (id `<service_no>#<n>`) stays open until a later record
lists it under `resolved_leftovers`; open past its due date is an audit finding."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from docgen.facts import ArchiveView, ServiceRecordFacts, view_of

if TYPE_CHECKING:
    from docgen.archive import Archive


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
    def days_late(self) -> int:
        """Days a closed issue was closed after its due date (0 when on time, open, or no due date)."""
        if self.resolved_on is None or self.due is None:
            return 0
        return max((self.resolved_on - self.due).days, 0)

    @property
    def overdue_days(self) -> int:
        return (self.as_of - self.due).days if self.overdue else 0  # type: ignore[operator]


def leftovers(archive: Archive | ArchiveView, project: str, *, as_of: date) -> list[Leftover]:
    """Every leftover issue raised on or before `as_of`, with its resolution when a record resolved on
    or before `as_of` closed it; sorted by raising day and id."""
    records = {no: doc.facts_as(ServiceRecordFacts) for no, doc in view_of(archive).service_records(project).items()}
    closed: dict[str, tuple[date, str, str]] = {}
    for service_no, facts in records.items():
        for item in facts.resolved_leftovers:
            when = item.day or facts.resolved_day
            if when > as_of:
                continue
            if item.ref not in closed or when < closed[item.ref][0]:
                closed[item.ref] = (when, service_no, item.resolution)
    found = []
    for service_no, facts in records.items():
        raised = facts.resolved_day
        if raised > as_of:
            continue
        for item in facts.leftover_issues:
            leftover = Leftover(id=item.id, issue=item.issue, plan=item.plan, owner=item.owner, due=item.due_day,
                                raised_on=raised, raised_by=service_no, as_of=as_of)
            if leftover.id in closed:
                leftover.resolved_on, leftover.resolved_by, leftover.resolution = closed[leftover.id]
            found.append(leftover)
    return sorted(found, key=lambda x: (x.raised_on, x.id))


def open_leftovers(archive: Archive | ArchiveView, project: str, *, as_of: date) -> list[Leftover]:
    """The leftover issues still open on `as_of` (for the service report and the audit)."""
    return [x for x in leftovers(archive, project, as_of=as_of) if x.open]
