"""A project's incidents (事件), one source for the emergency pack, the service report and the audit
(docs/archive.md "Incidents"): the archived service records of category 故障, plus the events an emergency
pack typed in without a service record (each one an audit finding). An incident belongs to the month of
its resolution, as every service record does."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from docgen.doctypes import MAJOR_LEVELS
from docgen.facts import (
    FrozenSla,
    IncidentFact,
    ResponseRecordFacts,
    ServiceRecordFacts,
    view_of,
)
from docgen.periods import parse_day

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.facts import ArchiveView


@dataclass(frozen=True)
class Incident:
    """One incident as every document lists it."""

    id: str  # the record's service_no; a typed incident's own id (INC-001)
    service_no: str | None  # None: typed in an emergency pack, no service record
    level: str  # 一般 | 较大 | 重大 | 特别重大
    category: str  # 网络、数据库 … ("" when the record did not say)
    reported_at: str
    responded_at: str | None
    resolved_at: str
    description: str = ""
    handling: str = ""
    measures: dict[str, float] = field(default_factory=dict)  # 7×24 minutes
    results: tuple[FrozenSla, ...] = ()  # per plan metric, frozen when the record (or pack) was archived
    pack: str | None = None  # the period of the emergency pack that typed it

    @property
    def resolved_day(self) -> date:
        return parse_day(self.resolved_at)  # type: ignore[return-value]  # both sources carry a time

    @property
    def month(self) -> str:
        return self.resolved_at[:7]

    @property
    def major(self) -> bool:
        return self.level in MAJOR_LEVELS

    @property
    def typed(self) -> bool:
        """Typed in a pack input, without a service record."""
        return self.service_no is None

    def result(self, metric: str) -> FrozenSla | None:
        return next((r for r in self.results if r.metric == metric and r.value is not None), None)

    def minutes(self, metric: str) -> float | None:
        """The minutes as the SLA measured them (working minutes on a workday clock), else 7×24."""
        found = self.result(metric)
        return found.value if found is not None else self.measures.get(metric)


def from_record(facts: ServiceRecordFacts) -> Incident:
    return Incident(id=facts.service_no, service_no=facts.service_no, level=facts.level,
                    category=facts.incident_category or "", reported_at=facts.requested_at or facts.resolved_at,
                    responded_at=facts.responded_at, resolved_at=facts.resolved_at, description=facts.content,
                    handling=facts.handling, measures=dict(facts.measures), results=tuple(facts.frozen_results()))


def from_fact(fact: IncidentFact, pack: str | None) -> Incident:
    measures = {k: v for k, v in (("response_minutes", fact.response_minutes),
                                  ("resolution_minutes", fact.resolution_minutes)) if v is not None}
    return Incident(id=fact.id, service_no=None, level=fact.level, category=fact.category,
                    reported_at=fact.reported_at, responded_at=fact.responded_at,
                    resolved_at=fact.resolved_at or fact.reported_at, description=fact.description,
                    handling=fact.handling, measures=measures, results=tuple(fact.sla), pack=pack)


def record_incidents(archive: Archive | ArchiveView | None, project: str, first: date | None = None,
                     last: date | None = None) -> list[Incident]:
    """The project's incident service records (category 故障) resolved between first and last."""
    if archive is None:
        return []
    records = [doc.facts_as(ServiceRecordFacts) for doc in view_of(archive).service_records(project, None, first,
                                                                                           last).values()]
    return sorted((from_record(facts) for facts in records if facts.is_incident), key=_order)


def typed_incidents(archive: Archive | ArchiveView | None, project: str, first: date | None = None,
                    last: date | None = None) -> list[Incident]:
    """Incidents emergency packs typed in without a service record, resolved between first and last (one per
    id: the most recently archived pack wins)."""
    if archive is None:
        return []
    found: dict[str, Incident] = {}
    docs = sorted((d for d in view_of(archive).documents(project, "response_record") if not d.received),
                  key=lambda d: (d.created_at, d.doc_id))
    for doc in docs:
        for fact in doc.facts_as(ResponseRecordFacts).incidents:
            if fact.service_no is not None:
                continue
            incident = from_fact(fact, doc.period)
            day = parse_day(incident.resolved_at)
            if day is None or (first is not None and day < first) or (last is not None and day > last):
                continue
            found[incident.id] = incident
    return sorted(found.values(), key=_order)


def incidents_between(archive: Archive | ArchiveView | None, project: str, first: date | None = None,
                      last: date | None = None) -> list[Incident]:
    """Every incident of the project resolved between first and last: the incident records, then (in time
    order with them) the events packs typed in without a record."""
    if archive is None:
        return []
    view = view_of(archive)
    return sorted(record_incidents(view, project, first, last) + typed_incidents(view, project, first, last),
                  key=_order)


def _order(incident: Incident) -> tuple[str, str]:
    return incident.reported_at, incident.id
