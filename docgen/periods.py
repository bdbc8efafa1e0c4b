"""Periods as docs/archive.md defines them: YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM, YYYY-Qn, YYYY."""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a period."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if period[5] == "Q":
        first = (int(period[6]) - 1) * 3 + 1
        return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    if period[5] == "W":
        monday = date.fromisocalendar(year, int(period[6:8]), 1)
        return monday, monday + timedelta(days=6)
    if len(period) == 10:
        day = date.fromisoformat(period)
        return day, day
    month = int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def period_label(period: str) -> str:
    """2025-03 → 2025年3月, 2025-Q1 → 2025年第1季度, 2025 → 2025年度, 2025-W10 → 2025年第10周."""
    if len(period) == 4:
        return f"{period}年度"
    if period[5] == "Q":
        return f"{period[:4]}年第{period[6]}季度"
    if period[5] == "W":
        return f"{period[:4]}年第{int(period[6:8])}周"
    if len(period) == 10:
        return f"{period[:4]}年{int(period[5:7])}月{int(period[8:10])}日"
    return f"{period[:4]}年{int(period[5:7])}月"


def within(inner: str, outer: str) -> bool:
    """Whether period `inner` lies inside period `outer` (a 2025-03 survey serves the 2025-Q1 pack)."""
    a, b = period_bounds(inner)
    c, d = period_bounds(outer)
    return c <= a and b <= d


def add_one_month(day: date) -> date:
    """The same day one calendar month later, clamped to that month's length (2025-01-31 → 2025-02-28,
    2024-01-31 → 2024-02-29, 2025-12-31 → 2026-01-31): the §5.4.4.1 "within one month" deadline."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> list[str]:
    """Every month (YYYY-MM) with at least one day in first…last."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def safe_bounds(period: object) -> tuple[date, date] | None:
    """period_bounds of a value read back from metadata, or None when it is not a period."""
    try:
        return period_bounds(str(period))
    except (ValueError, IndexError):
        return None


def parse_day(text: object) -> date | None:
    """The day of a "YYYY-MM-DD[ HH:MM]" string read back from metadata, or None."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
