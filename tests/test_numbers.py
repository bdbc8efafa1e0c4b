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
