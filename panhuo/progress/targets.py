"""目标分解: a plan's area target broken down by 区县, versioned, checked against the plan.

A breakdown gives each 区县 its share of the plan's target (in one unit, by one deadline) and,
optionally, per year: that year's amount (年度任务, not cumulative). The shares are checked here,
once, for the page and the command line:

- every 区县 must be one of the plan's (or one its records name), at most once;
- values are plain non-negative numbers (no 约, no units in the cell);
- yearly years lie within the plan period; yearly amounts adding up to more than the share are
  an error, to less a warning (the rest has no year);
- the sum is compared with the plan's own area target and the difference is shown; saving a
  breakdown that does not add up needs a reason (the service refuses it without one).

>>> from panhuo.model import Plan
>>> check = BreakdownCheck(Decimal(19000), Decimal(20000), "亩")
>>> check.text
'各区县合计 19000 亩，比全市目标 20000 亩少 1000 亩'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from panhuo.importing.report import Problem
from panhuo.model import Plan
from panhuo.units import DISPLAY_DECIMALS, find_unit, from_ha, unit_code

SHARE_LIMIT = Decimal("1e9")


@dataclass(frozen=True)
class Share:
    """One 区县's share: ``value`` by the deadline; ``yearly`` year → that year's amount."""

    county: str
    value: Decimal
    yearly: Mapping[int, Decimal] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "county": self.county,
            "value": _text(self.value),
            "yearly": {str(y): _text(v) for y, v in sorted(self.yearly.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Share:
        yearly = {int(y): Decimal(str(v)) for y, v in (data.get("yearly") or {}).items()}
        return cls(str(data["county"]), Decimal(str(data["value"])), yearly)


@dataclass(frozen=True)
class BreakdownCheck:
    """The shares' sum against the plan's target (both in ``unit``)."""

    total: Decimal
    plan_target: Decimal | None
    unit: str

    @property
    def difference(self) -> Decimal | None:
        """total − plan target (None when the plan has no area target)."""
        return None if self.plan_target is None else self.total - self.plan_target

    @property
    def tolerance(self) -> Decimal:
        """Half the last digit the unit is shown with (亩: 0.05): a target converted from another
        unit (20000 亩 = 1333.3333… 公顷) matches shares entered to that digit."""
        code = unit_code(self.unit) if find_unit(self.unit) else ""
        return Decimal(5) / Decimal(10) ** (DISPLAY_DECIMALS.get(code, 2) + 1)

    @property
    def matches(self) -> bool:
        return self.difference is None or abs(self.difference) <= self.tolerance

    @property
    def text(self) -> str:
        total = f"各区县合计 {_text(self.total)} {self.unit}"
        if self.plan_target is None:
            return f"{total}（本规划未设全市面积目标，无从比较）"
        diff = self.difference
        target = f"全市目标 {_text(self.plan_target)} {self.unit}"
        if diff == 0:
            return f"{total}，与{target}一致"
        if abs(diff) <= self.tolerance:
            return f"{total}，与{target}一致（单位换算的尾差 {_text(abs(diff))} {self.unit}）"
        return f"{total}，比{target}{'多' if diff > 0 else '少'} {_text(abs(diff))} {self.unit}"


@dataclass(frozen=True)
class TargetBreakdown:
    plan_id: str
    version: int
    unit: str
    deadline: str
    shares: tuple[Share, ...]
    reason: str = ""
    created_by_label: str = ""
    created_at: dt.datetime | None = None
    plan_target: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((s.value for s in self.shares), Decimal(0))

    @property
    def check(self) -> BreakdownCheck:
        return BreakdownCheck(self.total, self.plan_target, self.unit)

    def share(self, county: str) -> Share | None:
        return next((s for s in self.shares if s.county == county), None)

    @property
    def deadline_date(self) -> dt.date | None:
        return deadline_end(self.deadline)


def deadline_end(text: str) -> dt.date | None:
    """The last day a deadline names: ``2027`` → 2027-12-31, ``2027-06`` → 2027-06-30.

    >>> deadline_end("2027"), deadline_end("2027-06"), deadline_end("2027-09-30"), deadline_end("")
    (datetime.date(2027, 12, 31), datetime.date(2027, 6, 30), datetime.date(2027, 9, 30), None)
    """
    from panhuo.views import parse_date

    return parse_date(text, end=True) if text else None


def _text(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 20000, 12.5."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def plan_target_in(plan: Plan, unit: str) -> Decimal | None:
    """The plan's final area target in ``unit`` (the unit as a plan writes it: 亩, 公顷 …)."""
    from panhuo.views import plan_area_target

    target = plan_area_target(plan)
    if target is None:
        return None
    if find_unit(target.unit) and unit_code(target.unit) == unit_code(unit):
        printed = _number(target.printed)
        if printed is not None:
            return printed
    return Decimal(str(from_ha(target.value_ha, unit))).quantize(Decimal("0.0001")).normalize()


def _number(raw: object) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def parse_shares(rows: Iterable[Mapping]) -> tuple[list[Share], list[Problem]]:
    """Rows as a page or workbook gives them (county, value, and optional ``yearly`` or year
    columns ``2024`` …) → shares, and problems for cells that are not numbers."""
    shares: list[Share] = []
    problems: list[Problem] = []
    for index, row in enumerate(rows, start=1):
        county = str(row.get("county") or "").strip()
        raw = row.get("value")
        if not county and (raw in (None, "") or str(raw).strip() == ""):
            continue  # an empty row of the editor
        value = _number(raw)
        if value is None:
            problems.append(
                Problem(
                    "error",
                    "目标不是数字",
                    "填写不带单位的数字，如 3200",
                    row=index,
                    column="目标",
                    value=str(raw if raw is not None else ""),
                )
            )
            value = Decimal(0)
        yearly: dict[int, Decimal] = {}
        pairs = dict(row.get("yearly") or {})
        pairs.update({k: v for k, v in row.items() if re.fullmatch(r"\d{4}", str(k))})
        for year, amount in pairs.items():
            if amount in (None, "") or str(amount).strip() in ("", "nan", "None"):
                continue
            number = _number(amount)
            if number is None:
                problems.append(
                    Problem(
                        "error",
                        "年度任务不是数字",
                        "填写不带单位的数字，或留空",
                        row=index,
                        column=f"{year}年",
                        value=str(amount),
                    )
                )
                continue
            yearly[int(year)] = number
        shares.append(Share(county, value, yearly))
    return shares, problems


def check_breakdown(
    plan: Plan, shares: Iterable[Share], unit: str, deadline: str, counties: Iterable[str] | None = None
) -> tuple[BreakdownCheck, list[Problem]]:
    """The sum against the plan's target, and every problem with the shares (see the module)."""
    shares = list(shares)
    known = list(dict.fromkeys([*plan.counties, *(counties or [])]))
    first, last = plan.period
    problems: list[Problem] = []
    seen: set[str] = set()
    if find_unit(unit) is None:
        problems.append(
            Problem("error", f"面积单位“{unit}”无法识别", "用 亩、公顷 或 平方米", column="单位", value=unit)
        )
    end = deadline_end(deadline)
    if end is None:
        problems.append(
            Problem("error", "期限不是年份或日期", "填写如 2027 或 2027-12-31", column="期限", value=deadline)
        )
    elif first and last and not first <= end.year <= last:
        problems.append(
            Problem(
                "warning", f"期限不在规划期（{first}—{last}年）内", "核对期限", column="期限", value=deadline
            )
        )
    for row, share in enumerate(shares, start=1):
        if not share.county:
            problems.append(Problem("error", "缺少区县", "填写区县名称", row=row, column="区县"))
            continue
        if known and share.county not in known:
            problems.append(
                Problem(
                    "error",
                    f"“{share.county}”不是本规划的区县",
                    f"可用：{'、'.join(known)}",
                    row=row,
                    column="区县",
                    value=share.county,
                )
            )
        if share.county in seen:
            problems.append(
                Problem("error", "区县重复", "每个区县只填一行", row=row, column="区县", value=share.county)
            )
        seen.add(share.county)
        if share.value < 0 or share.value > SHARE_LIMIT:
            problems.append(
                Problem(
                    "error",
                    "目标不能为负数或过大",
                    "核对数值",
                    row=row,
                    column="目标",
                    value=_text(share.value),
                )
            )
        for year, amount in sorted(share.yearly.items()):
            if amount < 0:
                problems.append(
                    Problem(
                        "error",
                        "年度任务不能为负数",
                        "核对数值",
                        row=row,
                        column=f"{year}年",
                        value=_text(amount),
                    )
                )
            if first and last and not first <= year <= last:
                problems.append(
                    Problem(
                        "error",
                        f"{year}年不在规划期（{first}—{last}年）内",
                        "删去该年度",
                        row=row,
                        column=f"{year}年",
                        value=_text(amount),
                    )
                )
            if end is not None and year > end.year:
                problems.append(
                    Problem(
                        "error",
                        f"{year}年晚于期限",
                        "删去该年度或改期限",
                        row=row,
                        column=f"{year}年",
                        value=_text(amount),
                    )
                )
        if share.yearly:
            yearly_sum = sum(share.yearly.values(), Decimal(0))
            if yearly_sum > share.value:
                problems.append(
                    Problem(
                        "error",
                        f"年度任务合计 {_text(yearly_sum)} 超过目标 {_text(share.value)}",
                        "核对年度任务",
                        row=row,
                        column="年度任务",
                        value=_text(yearly_sum),
                    )
                )
            elif yearly_sum < share.value:
                problems.append(
                    Problem(
                        "warning",
                        f"年度任务合计 {_text(yearly_sum)} 少于目标 {_text(share.value)}",
                        "余下部分未分配到年度，按期限前均匀推进计",
                        row=row,
                        column="年度任务",
                        value=_text(yearly_sum),
                    )
                )
    if not shares:
        problems.append(Problem("error", "没有任何区县的目标", "至少填写一个区县"))
    total = sum((s.value for s in shares), Decimal(0))
    return BreakdownCheck(total, plan_target_in(plan, unit) if find_unit(unit) else None, unit), problems
