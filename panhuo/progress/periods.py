"""Reporting periods of a plan: from a cadence (months per period), a first day and the days
allowed after a period's end for its report.

湖州 asks its 区县 for a briefing every two months (``progress_cadence_months = 2`` in its
plan.toml, from 四、实施步骤（三）); plans that say nothing report every half year.

>>> [p.id for p in make_periods(dt.date(2024, 1, 1), 2024, 6)]
['2024-H1', '2024-H2']
>>> p = make_periods(dt.date(2024, 1, 1), 2024, 2)[2]
>>> p.id, p.label, p.start.isoformat(), p.end.isoformat(), p.due.isoformat()
('2024-B3', '2024年第3期（5—6月）', '2024-05-01', '2024-06-30', '2024-07-15')
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

CADENCES = {1: "月", 2: "双月", 3: "季度", 6: "半年", 12: "年"}
DEFAULT_CADENCE_MONTHS = 6
DEFAULT_DUE_DAYS = 15


@dataclass(frozen=True)
class Period:
    id: str
    start: dt.date
    end: dt.date
    due: dt.date
    label: str

    def is_closed(self, today: dt.date) -> bool:
        """The period has ended (its report can be made)."""
        return self.end < today

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "due": self.due.isoformat(),
        }


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _name(year: int, start_month: int, months: int) -> tuple[str, str]:
    end_month = start_month + months - 1
    span = f"{start_month}—{end_month}月" if months > 1 else f"{start_month}月"
    if months == 12 and start_month == 1:
        return str(year), f"{year}年"
    if months == 6 and start_month in (1, 7):
        half = 1 if start_month == 1 else 2
        return f"{year}-H{half}", f"{year}年{'上' if half == 1 else '下'}半年"
    if months == 3 and start_month in (1, 4, 7, 10):
        quarter = (start_month - 1) // 3 + 1
        return f"{year}-Q{quarter}", f"{year}年第{quarter}季度（{span}）"
    if months == 2 and start_month % 2 == 1:
        number = (start_month + 1) // 2
        return f"{year}-B{number}", f"{year}年第{number}期（{span}）"
    if months == 1:
        return f"{year}-M{start_month:02d}", f"{year}年{start_month}月"
    return f"{year}-{start_month:02d}+{months}", f"{year}年{span}"


def make_periods(
    first_start: dt.date, last_year: int, months: int, due_days: int = DEFAULT_DUE_DAYS
) -> list[Period]:
    """Periods of ``months`` months from the month of ``first_start`` to the end of ``last_year``."""
    if months not in CADENCES:
        raise ValueError(f"报送周期须为 {'、'.join(f'{m} 个月（{w}）' for m, w in CADENCES.items())} 之一")
    periods = []
    year, month = first_start.year, first_start.month
    while year <= last_year:
        end_year, end_month = year, month + months - 1
        while end_month > 12:
            end_year, end_month = end_year + 1, end_month - 12
        end = _month_end(end_year, end_month)
        pid, label = (
            _name(year, month, months)
            if end_year == year
            else (f"{year}-{month:02d}+{months}", f"{year}年{month}月—{end_year}年{end_month}月")
        )
        periods.append(Period(pid, dt.date(year, month, 1), end, end + dt.timedelta(days=due_days), label))
        month += months
        while month > 12:
            year, month = year + 1, month - 12
    return periods


def period_by_id(periods: Sequence[Period], period_id: str) -> Period:
    """The period with this id; KeyError with the ids there are (Chinese)."""
    for period in periods:
        if period.id == str(period_id).strip():
            return period
    shown = "、".join(p.id for p in periods[:6]) + ("…" if len(periods) > 6 else "")
    raise KeyError(f"没有报送期“{period_id}”。可用：{shown or '（无）'}")


def closed_periods(periods: Sequence[Period], today: dt.date) -> list[Period]:
    return [p for p in periods if p.is_closed(today)]


def previous_periods(periods: Sequence[Period], period_id: str) -> list[Period]:
    """The periods before ``period_id``, oldest first."""
    ids = [p.id for p in periods]
    return list(periods[: ids.index(period_id)]) if period_id in ids else []
