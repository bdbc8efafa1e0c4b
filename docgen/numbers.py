"""How figures read, everywhere: one rounding rule (half up, as people round by hand), one way to print
a number, one table of comparison operators and one way to write a target. The command line, the JSON
output, the Word reports and the workbooks all use these, so a figure reads the same in each."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Callable

DIGITS = 2  # decimals a figure is shown with: rates 66.67 %, scores 4.17, minutes 22.5
AVAILABILITY_DIGITS = 3  # 系统可用率 is read against targets such as 99.95 %: 99.949 must not show as 99.95
NO_VALUE = "—"

OP_TEXT: dict[str, str] = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}  # how a target reads: ≤30 分钟
OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t, "<": lambda v, t: v < t,
    ">": lambda v, t: v > t, "=": lambda v, t: v == t,
}
WORKDAY_NOTE = "（工作时间）"


def round_half_up(value: float | int | Fraction | Decimal, digits: int = DIGITS) -> Decimal:
    """`value` rounded half up to `digits` decimals (4.125 → 4.13; float's round() gives 4.12). Floats
    are taken by their shortest decimal repr, so 66.665 (stored as 66.66499…) still rounds to 66.67."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def rounded(value: float | int | None, digits: int = DIGITS) -> float | None:
    """The value as figures report it in JSON (the same rounding the text shows); None stays None."""
    return None if value is None else float(round_half_up(value, digits))


def fmt_num(value: float | int | Decimal | None, digits: int = DIGITS) -> str:
    """A figure as text: rounded half up to at most `digits` decimals, trailing zeros dropped
    (99.9, 100, 66.67); — for no value."""
    if value is None:
        return NO_VALUE
    text = format(round_half_up(value, digits), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def op_text(op: str | None) -> str:
    return OP_TEXT.get(op or "", op or "")


def judge(value: float | None, op: str | None, target: float | None) -> bool | None:
    """Whether value meets target under op (>= when op is missing); None when either is missing."""
    if value is None or target is None:
        return None
    return bool(OPS.get(op or ">=", OPS[">="])(value, target))


def target_text(op: str | None, target: float | None, unit: str | None = None, *, workday: bool = False) -> str:
    """A target as people write it: ≤30 分钟, ≥99.9%, ≥4.5 分, ≤480 分钟（工作时间）; — without a target."""
    if target is None:
        return NO_VALUE
    unit = unit or ""
    sep = "" if unit in ("", "%", "％") else " "
    return f"{op_text(op)}{fmt_num(target)}{sep}{unit}" + (WORKDAY_NOTE if workday else "")
