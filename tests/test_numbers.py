"""One way figures read (docgen.numbers): rounding half up, trailing zeros dropped, targets written alike."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from docgen.numbers import fmt_num, judge, round_half_up, rounded, target_text


def test_rounding_is_half_up_as_by_hand():
    assert round_half_up(Fraction(33, 8)) == Decimal("4.13")  # float round() gives 4.12
    assert round_half_up(2.675) == Decimal("2.68")  # the float is 2.67499…; its decimal repr is 2.675
    assert round_half_up(66.665) == Decimal("66.67")
    assert rounded(200 / 3) == 66.67 and rounded(None) is None


def test_numbers_print_alike_everywhere():
    assert [fmt_num(v) for v in (100.0, 99.9, 200 / 3, 15, 22.5, 0.0, -0.001, None)] == \
        ["100", "99.9", "66.67", "15", "22.5", "0", "0", "—"]
    assert fmt_num(99.9549, 3) == "99.955" and fmt_num(Decimal("4.50")) == "4.5"


def test_targets_and_judgement():
    assert target_text("<=", 30.0, "分钟") == "≤30 分钟"
    assert target_text(">=", 99.9, "%") == "≥99.9%"
    assert target_text(">=", 4.5, "分") == "≥4.5 分"
    assert target_text("<=", 480, "分钟", workday=True) == "≤480 分钟（工作时间）"
    assert target_text(">=", None, "%") == "—"
    assert judge(95.0, ">=", 95) is True and judge(94.99, ">=", 95) is False and judge(None, ">=", 95) is None
    assert judge(31, "<=", 30) is False and judge(5, None, 4.5) is True  # no op: ≥


import datetime  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("op, below, at, above", [
    ("<=", True, True, False), ("<", True, False, False), (">=", False, True, True), (">", False, False, True),
    ("=", False, True, False)])
def test_every_operator_at_its_boundary(op, below, at, above):
    assert (judge(29.9, op, 30), judge(30.0, op, 30), judge(30.1, op, 30)) == (below, at, above)


@pytest.mark.parametrize("minutes, met", [(30, True), (31, False)])
def test_a_30_minute_response_meets_a_30_minute_target(minutes, met):
    """The frozen SLA flag of a record: ≤30 分钟 is met at exactly 30 minutes, not at 31."""
    from docgen.facts import PlanSla
    from docgen.metrics.sla import measure_record

    start = datetime.datetime(2025, 3, 12, 9, 0)
    times = {"requested": start, "responded": start + datetime.timedelta(minutes=minutes)}
    target = PlanSla(metric="response_minutes", name="故障响应时间", op="<=", target=30, unit="分钟")
    [result] = measure_record(times, [target], "V1.0")["sla"]
    assert (result["value"], result["met"]) == (float(minutes), met)
