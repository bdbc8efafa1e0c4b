"""SLA clocks: 7×24 minutes, and working minutes on Chinese working days (holidays, 调休)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from chinese_calendar import is_workday

from docgen.errors import DocgenError
from docgen.metrics.clock import DEFAULT_HOURS, CalendarNotCovered, elapsed_minutes, parse_hours


def _work(start: datetime, end: datetime, hours: str | None = None) -> float:
    return elapsed_minutes(start, end, clock="workday", hours=hours)


# --- 7x24 -----------------------------------------------------------------------------------------

def test_7x24_counts_every_minute():
    # 2025-03-14 22:00 → 2025-03-15 01:30 = 2 h (to midnight) + 1.5 h = 210
    assert elapsed_minutes(datetime(2025, 3, 14, 22), datetime(2025, 3, 15, 1, 30)) == 210


def test_7x24_counts_seconds():
    # 10:00:00 → 10:02:30 = 150 s = 2.5 min
    assert elapsed_minutes(datetime(2025, 3, 14, 10), datetime(2025, 3, 14, 10, 2, 30)) == 2.5


def test_7x24_zero_length():
    moment = datetime(2025, 3, 14, 10)
    assert elapsed_minutes(moment, moment) == 0


def test_7x24_is_the_default_and_ignores_hours():
    # Sat 2025-03-15 is a rest day, which the 7x24 clock doesn't care about: 12:00 → 13:00 = 60
    start, end = datetime(2025, 3, 15, 12), datetime(2025, 3, 15, 13)
    assert elapsed_minutes(start, end) == elapsed_minutes(start, end, clock="7x24", hours="09:00-10:00") == 60


@pytest.mark.parametrize("clock", ["7x24", "workday"])
def test_end_before_start_is_refused_naming_both_times(clock):
    with pytest.raises(ValueError) as caught:
        elapsed_minutes(datetime(2025, 3, 14, 10), datetime(2025, 3, 14, 9), clock=clock)
    message = str(caught.value)
    assert "2025-03-14 09:00:00" in message and "2025-03-14 10:00:00" in message
    assert "早于开始时间" in message and "填反" in message


def test_unknown_clock_is_refused():
    with pytest.raises(ValueError, match="计时方式“24x7”无效"):
        elapsed_minutes(datetime(2025, 3, 14, 9), datetime(2025, 3, 14, 10), clock="24x7")


def test_mixing_aware_and_naive_times_is_refused_in_chinese():
    with pytest.raises(ValueError, match="一个带时区、一个不带"):
        elapsed_minutes(datetime(2025, 3, 14, 9, tzinfo=timezone.utc), datetime(2025, 3, 14, 10))


# --- workday, ordinary weeks (Mon 2025-03-10 … Sun 2025-03-16 has no holiday) ---------------------

def test_ordinary_week_is_what_the_calendar_says():
    assert [is_workday(date(2025, 3, d)) for d in range(10, 17)] == [True] * 5 + [False] * 2


def test_workday_within_one_day():
    # Mon 09:00 → 11:30, all inside 08:30–17:30 = 150
    assert _work(datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 11, 30)) == 150


def test_workday_starting_before_opening():
    # Mon 07:00 → 09:00: only 08:30 → 09:00 counts = 30
    assert _work(datetime(2025, 3, 10, 7), datetime(2025, 3, 10, 9)) == 30


def test_workday_ending_after_closing():
    # Mon 16:00 → 20:00: only 16:00 → 17:30 counts = 90
    assert _work(datetime(2025, 3, 10, 16), datetime(2025, 3, 10, 20)) == 90


def test_workday_entirely_outside_hours_is_zero():
    # Mon 18:00 → Tue 08:00: closed the whole time = 0
    assert _work(datetime(2025, 3, 10, 18), datetime(2025, 3, 11, 8)) == 0


def test_workday_counts_seconds():
    # Mon 09:00:00 → 09:00:45 = 45 s = 0.75 min
    assert _work(datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 9, 0, 45)) == 0.75


def test_workday_overnight_on_two_workdays():
    # Mon 16:30 → Tue 09:30 = 60 (16:30–17:30) + 60 (08:30–09:30) = 120
    assert _work(datetime(2025, 3, 10, 16, 30), datetime(2025, 3, 11, 9, 30)) == 120


def test_workday_across_a_weekend():
    # Fri 2025-03-14 16:00 → Mon 2025-03-17 10:00 = 90 (Fri 16:00–17:30) + 0 (Sat, Sun) + 90 (Mon 08:30–10:00) = 180
    assert _work(datetime(2025, 3, 14, 16), datetime(2025, 3, 17, 10)) == 180


def test_workday_span_of_whole_weeks():
    # Mon 2025-03-10 08:30 → Mon 2025-03-24 08:30 = 10 workdays × 540 = 5400
    assert _work(datetime(2025, 3, 10, 8, 30), datetime(2025, 3, 24, 8, 30)) == 5400


def test_workday_long_span_matches_a_day_by_day_count():
    # A record open all of 2025: every workday counts a full 540-minute day
    workdays = sum(is_workday(date(2025, 1, 1) + timedelta(days=n)) for n in range(365))
    assert 240 < workdays < 260
    assert _work(datetime(2025, 1, 1), datetime(2026, 1, 1)) == workdays * 540


def test_workday_with_aware_times_uses_the_start_zone():
    # 08:30–17:30 Beijing time; end given in UTC 02:00 = Beijing 10:00 → Mon 09:00–10:00 = 60
    beijing = timezone(timedelta(hours=8))
    start = datetime(2025, 3, 10, 9, tzinfo=beijing)
    end = datetime(2025, 3, 10, 2, tzinfo=timezone.utc)
    assert _work(start, end) == 60


# --- workday, National Day 2025 (holiday Oct 1–8; 调休 workdays Sun Sep 28 and Sat Oct 11) ------------

def test_national_day_2025_calendar_as_assumed():
    assert is_workday(date(2025, 9, 28)) and is_workday(date(2025, 10, 11))  # make-up weekend days
    assert not is_workday(date(2025, 9, 27))  # an ordinary Saturday
    assert not any(is_workday(date(2025, 10, d)) for d in range(1, 9))  # Wed Oct 1 … Wed Oct 8
    assert is_workday(date(2025, 9, 30)) and is_workday(date(2025, 10, 9))


def test_workday_skips_the_national_day_holiday():
    # Tue 2025-09-30 17:00 → Thu 2025-10-09 09:00 = 30 (Sep 30 17:00–17:30) + 0 (Oct 1–8) + 30 (Oct 9 08:30–09:00) = 60
    assert _work(datetime(2025, 9, 30, 17), datetime(2025, 10, 9, 9)) == 60


def test_workday_counts_a_make_up_sunday():
    # Sat 2025-09-27 10:00 → Mon 2025-09-29 09:00 = 0 (Sat 27th, rest) + 540 (Sun 28th, 调休 full day)
    # + 30 (Mon 29th 08:30–09:00) = 570
    assert _work(datetime(2025, 9, 27, 10), datetime(2025, 9, 29, 9)) == 570


def test_workday_counts_a_make_up_saturday():
    # Sat 2025-10-11 (调休) 08:00 → 10:00: 08:30–10:00 = 90
    assert _work(datetime(2025, 10, 11, 8), datetime(2025, 10, 11, 10)) == 90


def test_workday_on_a_holiday_weekday_is_zero():
    # Fri 2025-10-03, within the holiday, 09:00 → 17:00 = 0
    assert _work(datetime(2025, 10, 3, 9), datetime(2025, 10, 3, 17)) == 0


# --- working hours --------------------------------------------------------------------------------

def test_parse_hours_default():
    assert parse_hours(None) == parse_hours(DEFAULT_HOURS) == (time(8, 30), time(17, 30))


def test_parse_hours_accepts_spaces_and_single_digit_hours():
    assert parse_hours(" 9:00 - 18:00 ") == (time(9), time(18))


def test_workday_custom_hours():
    # hours 09:00–18:00; Fri 2025-03-14 08:00 → Mon 2025-03-17 10:00
    # = 540 (Fri 09:00–18:00) + 0 (weekend) + 60 (Mon 09:00–10:00) = 600
    assert _work(datetime(2025, 3, 14, 8), datetime(2025, 3, 17, 10), hours="09:00-18:00") == 600


def test_workday_default_hours_when_none():
    # Mon 17:00 → 18:00 with 08:30–17:30 = 30
    assert _work(datetime(2025, 3, 10, 17), datetime(2025, 3, 10, 18), hours=None) == 30


@pytest.mark.parametrize("hours,expected", [
    ("8:30~17:30", "格式不对"),
    ("08:30", "格式不对"),
    ("", "格式不对"),
    ("0830-1730", "格式不对"),
    ("08:30-24:00", "不存在的钟点"),
    ("08:60-17:30", "不存在的钟点"),
    ("17:30-08:30", "开始时间必须早于结束时间"),
    ("09:00-09:00", "开始时间必须早于结束时间"),
])
def test_parse_hours_refuses_malformed(hours, expected):
    with pytest.raises(ValueError) as caught:
        parse_hours(hours)
    message = str(caught.value)
    assert expected in message and f"“{hours}”" in message and "例如“08:30-17:30”" in message


def test_workday_with_malformed_hours_is_refused():
    with pytest.raises(ValueError, match="格式不对"):
        _work(datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 10), hours="nine to five")


# --- years the calendar package does not cover ----------------------------------------------------

UNCOVERED_2099_MESSAGE = ("工作日历没有 2099 年的数据（chinesecalendar 版本过旧），无法按工作时间计时；"
                         "请升级 chinesecalendar 或把该指标的 clock 改为 7x24")


def test_uncovered_year_is_an_error_not_a_7x24_fallback():
    # 2099 is far past any calendar release; fixed dates keep the test independent of today
    with pytest.raises(NotImplementedError):
        is_workday(date(2099, 3, 10))
    with pytest.raises(CalendarNotCovered) as caught:
        _work(datetime(2099, 3, 10, 9), datetime(2099, 3, 10, 10))
    assert str(caught.value) == UNCOVERED_2099_MESSAGE
    assert isinstance(caught.value, DocgenError)


def test_span_running_into_an_uncovered_year_is_an_error():
    # starts in a covered year, runs into 2099 (uncovered years in between are reported first)
    with pytest.raises(CalendarNotCovered, match="工作日历没有 \\d{4} 年的数据"):
        _work(datetime(2025, 12, 30, 9), datetime(2099, 1, 5, 10))


def test_uncovered_year_does_not_matter_on_the_7x24_clock():
    # 2099-03-10 09:00 → 10:00 = 60
    assert elapsed_minutes(datetime(2099, 3, 10, 9), datetime(2099, 3, 10, 10), clock="7x24") == 60
