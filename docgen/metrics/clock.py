"""Elapsed time between two moments of a service record, on the 7×24 clock or counting only the
working hours of Chinese working days (public holidays skipped, 调休 make-up workdays counted)."""
from __future__ import annotations

import datetime
import re

import chinese_calendar

from docgen.errors import DocgenError

DEFAULT_HOURS = "08:30-17:30"
CLOCKS = ("7x24", "workday")

_HOURS_RE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_HOURS_HINT = f"应写成“HH:MM-HH:MM”，例如“{DEFAULT_HOURS}”"


class CalendarNotCovered(DocgenError):
    """The working-day calendar package has no data for a year the measured span touches."""


def parse_hours(hours: str | None) -> tuple[datetime.time, datetime.time]:
    """Daily working hours "HH:MM-HH:MM" (None → DEFAULT_HOURS); ValueError when malformed or empty."""
    text = DEFAULT_HOURS if hours is None else hours
    match = _HOURS_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"工作时间“{text}”格式不对：{_HOURS_HINT}")
    h0, m0, h1, m1 = (int(g) for g in match.groups())
    if not (h0 <= 23 and m0 <= 59 and h1 <= 23 and m1 <= 59):
        raise ValueError(f"工作时间“{text}”里有不存在的钟点（小时 00–23，分钟 00–59）：{_HOURS_HINT}")
    start, end = datetime.time(h0, m0), datetime.time(h1, m1)
    if start >= end:
        # a shift across midnight would need two windows per day; no plan asks for one
        raise ValueError(f"工作时间“{text}”的开始时间必须早于结束时间（不支持跨午夜）：{_HOURS_HINT}")
    return start, end


def elapsed_minutes(start: datetime.datetime, end: datetime.datetime, *, clock: str = "7x24",
                    hours: str | None = None) -> float:
    """Minutes from start to end on the given clock; `hours` only matters for clock "workday"."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError(f"开始时间 {start} 和结束时间 {end} 一个带时区、一个不带，无法比较；请统一写成北京时间")
    if end < start:
        raise ValueError(f"结束时间 {end} 早于开始时间 {start}，无法计时；请检查两个时间是否填反或日期写错")
    if clock == "7x24":
        return (end - start).total_seconds() / 60
    if clock == "workday":
        return _working_seconds(start, end, parse_hours(hours)) / 60
    raise ValueError(f"计时方式“{clock}”无效：只能是 {' 或 '.join(CLOCKS)}")


def _working_seconds(start: datetime.datetime, end: datetime.datetime,
                     hours: tuple[datetime.time, datetime.time]) -> float:
    if start.tzinfo is not None:
        # working hours are wall-clock hours, read in the zone the record's start was written in
        end = end.astimezone(start.tzinfo)
    total = 0.0
    day = start.date()
    while day <= end.date():
        opens = datetime.datetime.combine(day, hours[0], tzinfo=start.tzinfo)
        closes = datetime.datetime.combine(day, hours[1], tzinfo=start.tzinfo)
        overlap = (min(end, closes) - max(start, opens)).total_seconds()
        # the calendar is asked only where the answer depends on it
        if overlap > 0 and _is_workday(day):
            total += overlap
        day += datetime.timedelta(days=1)
    return total


def _is_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarNotCovered(
            f"工作日历没有 {day.year} 年的数据（chinesecalendar 版本过旧），无法按工作时间计时；"
            "请升级 chinesecalendar 或把该指标的 clock 改为 7x24") from exc
