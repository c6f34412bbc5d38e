"""The values a record can plausibly hold: one table, used by import validation, the 潜力 charts
and the 核对 of stored records, so that all three draw the line in the same place.

>>> RANGES["far_after"].text, RANGES["density_before"].text
('0–20', '0–100%')
>>> within("far_before", 21), within("density_after", "35.5"), within("far_after", "")
(False, True, None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from panhuo.units import to_decimal


@dataclass(frozen=True)
class ValueRange:
    """The inclusive range of one record column, its unit and the Chinese names for messages."""

    column: str
    measure: str  # 容积率 | 建筑密度: the message names the measure
    label: str  # the column's own name: 容积率（改造前）
    low: Decimal
    high: Decimal
    unit: str = ""  # "%" for a percentage

    @property
    def text(self) -> str:
        """The range as printed in a message: ``0–20``, ``0–100%``."""
        return f"{self.low}–{self.high}{self.unit}"

    def contains(self, value: object) -> bool | None:
        """True inside the range, False outside, None when ``value`` is no number."""
        number = to_decimal(value)
        if number is None:
            return None
        return self.low <= number <= self.high


RANGES: dict[str, ValueRange] = {
    r.column: r
    for r in (
        # 容积率 over 20 exists nowhere in these plans' cities; beyond it a value is a typo
        ValueRange("far_before", "容积率", "容积率（改造前）", Decimal(0), Decimal(20)),
        ValueRange("far_after", "容积率", "容积率（改造后）", Decimal(0), Decimal(20)),
        # 建筑密度 is a share of the parcel, so a percentage
        ValueRange("density_before", "建筑密度", "建筑密度（改造前）", Decimal(0), Decimal(100), "%"),
        ValueRange("density_after", "建筑密度", "建筑密度（改造后）", Decimal(0), Decimal(100), "%"),
    )
}


def within(column: str, value: object) -> bool | None:
    """Whether ``value`` lies in the range of ``column`` (None: no number, or no range for it)."""
    found = RANGES.get(column)
    return found.contains(value) if found else None


# a bound as printed: ≤1.0, ＞0, <=2.5, 不大于40%
_BOUND = re.compile(
    r"^(≤|<=|=<|不大于|不超过|不高于|<|小于|低于|≥|>=|=>|不小于|不低于|>|大于|高于)(\d+(?:\.\d+)?)%?$"
)
_UPPER = {"≤", "<=", "=<", "不大于", "不超过", "不高于", "<", "小于", "低于"}
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)%?(?:-|~|—|–|至|到)(\d+(?:\.\d+)?)%?$")


def bounds(value: object) -> tuple[Decimal | None, Decimal | None] | None:
    """(lower, upper) bound of a value printed as a number or a range, None when it is neither.

    An open side is None. Whether a bound is strict (＞0) is not kept: both bounds are the
    numbers printed, which is what the checks and the charts need.

    >>> bounds("≤1.0,＞0"), bounds("1.0-2.0"), bounds("≤40%"), bounds("2.0"), bounds("高")
    ((Decimal('0'), Decimal('1.0')), (Decimal('1.0'), Decimal('2.0')), (None, Decimal('40')), (Decimal('2.0'), Decimal('2.0')), None)
    """
    if value is None:
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    number = to_decimal(text)
    if number is not None and not _SPAN.match(text):
        return number, number
    span = _SPAN.match(text)
    if span:
        low, high = Decimal(span.group(1)), Decimal(span.group(2))
        return (low, high) if low <= high else None
    low = high = None
    for part in re.split(r"[,，、;；且]", text):
        if not part:
            continue
        found = _BOUND.match(part)
        if not found:
            return None
        if found.group(1) in _UPPER:
            high = Decimal(found.group(2))
        else:
            low = Decimal(found.group(2))
    if (low is None and high is None) or (low is not None and high is not None and low > high):
        return None
    return low, high


def is_range(value: object) -> bool:
    """True for a value printed as a range (≤1.0, 1.0-2.0), False for a number or anything else."""
    found = bounds(value)
    return found is not None and to_decimal(value) is None


def range_within(column: str, value: object) -> bool | None:
    """Whether both printed bounds of ``value`` lie in the range of ``column`` (None: no bounds)."""
    found, limits = bounds(value), RANGES.get(column)
    if found is None or limits is None:
        return None
    return all(b is None or limits.low <= b <= limits.high for b in found)
