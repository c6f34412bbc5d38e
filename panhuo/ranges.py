"""The values a record can plausibly hold: one table, used by import validation, the 潜力 charts
and the 核对 of stored records, so that all three draw the line in the same place.

>>> RANGES["far_after"].text, RANGES["density_before"].text
('0–20', '0–100%')
>>> within("far_before", 21), within("density_after", "35.5"), within("far_after", "")
(False, True, None)
"""

from __future__ import annotations

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
