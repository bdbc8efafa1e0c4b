"""A project's report schedule month by month (the auditors' page shows it as a grid): for each report
of the plan in force and each month of the plan period, the due slots and whether they were delivered,
counted by report_ratio — the same function as 服务报告比例 in `docgen kpi` and the audit's §8 check."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from docgen.facts import view_of
from docgen.metrics.kpi import Slot, report_ratio
from docgen.periods import months_between

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.facts import ArchiveView

DELIVERED = "delivered"  # every due slot of the month has its report
MISSING = "missing"  # the month has ended (as the audit counts: before the as-of day's month) and a report is not in
DUE = "due"  # the as-of day's month: reports are due and not all in yet
NOT_DUE = "not-due"  # nothing due that month (a quarterly report outside a quarter's last month, no service,
#                      weeks outside the plan period), or a month still to come


@dataclass
class ScheduleCell:
    """One report of the plan in one month: its due slots (report_ratio's) and their state."""

    month: str
    state: str  # delivered | missing | due | not-due
    slots: list[Slot] = field(default_factory=list)

    @property
    def due(self) -> int:
        return len(self.slots)

    @property
    def delivered(self) -> int:
        return sum(1 for s in self.slots if s.delivered_by is not None)


@dataclass
class ScheduleRow:
    """One entry of the plan's `reports` (doc type + frequency) across the plan's months."""

    doc_type: str
    frequency: str
    cells: list[ScheduleCell]


@dataclass
class ReportSchedule:
    """The project's report schedule as of a day; no rows when the project has no plan."""

    project: str
    as_of: date
    months: list[str]
    rows: list[ScheduleRow]


def report_schedule(archive: Archive | ArchiveView, project: str, *, as_of: date) -> ReportSchedule:
    """Every report the latest plan schedules × every month of its period: the due slots and who delivered
    them (report_ratio per month, so the figures are those of `docgen kpi` and `docgen audit`). A month
    before `as_of`'s month with a report not in is missing, `as_of`'s own month is due, later months are
    not due yet."""
    view = view_of(archive)
    plan = view.plan_facts(project)
    if plan is None:
        return ReportSchedule(project, as_of, [], [])
    months = months_between(plan.start, plan.end)
    keys: list[tuple[str, str]] = []
    for entry in plan.reports:
        if (entry.doc_type, entry.frequency) not in keys:
            keys.append((entry.doc_type, entry.frequency))
    current = f"{as_of.year:04d}-{as_of.month:02d}"
    cells: dict[tuple[str, str], list[ScheduleCell]] = {key: [] for key in keys}
    for month in months:
        ratio = report_ratio(view, month, project)
        for key in keys:
            slots = [s for s in ratio.slots if (s.doc_type, s.frequency) == key]
            cells[key].append(ScheduleCell(month, _state(slots, month, current), slots))
    return ReportSchedule(project, as_of, months, [ScheduleRow(d, f, cells[(d, f)]) for d, f in keys])


def _state(slots: list[Slot], month: str, current: str) -> str:
    if not slots:
        return NOT_DUE
    if all(s.delivered_by is not None for s in slots):
        return DELIVERED
    if month < current:
        return MISSING
    return DUE if month == current else NOT_DUE
