"""The file against the plan's previous version (family 与上一版本比较): per unit id, the units
added, removed and whose area changed.

An import replaces the dataset, so the previous version is the plan's whole dataset as it
stands (``Plan.parcels`` or ``Plan.zones``). Areas are compared in hectares at the precision
they are printed: ``1.35`` 公顷 is anything in 1.345–1.355, so an area *changed* only when the
two values differ by more than half a unit of the last printed decimal of each, added up
(1.35 公顷 and 13500 平方米 are the same area; 1.35 and 1.36 公顷 are not). A value without a
readable number is left out of the comparison.

The report gets info rows: a summary (counts and area totals), one row each for the units
added, removed (their count, area and first ids) and changed (count, net change), then one row
per changed unit (area before → after), at most :data:`MAX_LISTED`.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from panhuo.importing.report import Problem
from panhuo.units import decimals_of, format_area, parse_number, to_ha, unit_label

MAX_LISTED = 500  # changed units listed one per row
SHOWN_IDS = 20  # ids named in the 新增 and 删除 rows


def _natural(ident: str) -> list:
    """140404002 before 140404010, 2 before 10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", ident)]


def previous_of(plan, kind: str) -> pd.DataFrame | None:
    """id, area, area_unit of the plan's current dataset of ``kind`` (None: no plan, or empty)."""
    if plan is None:
        return None
    frame = getattr(plan, "parcels" if kind == "parcels" else "zones", None)
    if frame is None or frame.empty or "id" not in frame.columns:
        return None
    columns = [c for c in ("id", "area", "area_unit", "area_ha") if c in frame.columns]
    return frame[columns].copy()


def _areas(frame: pd.DataFrame, default_unit: str) -> dict[str, tuple[Decimal, Decimal] | None]:
    """id → (area in ha, half a printed unit in ha), None where the area cannot be read."""
    ids = frame["id"].astype(str).str.strip().tolist()
    if "area" in frame.columns:
        texts = frame["area"].astype(object).where(frame["area"].notna(), "").astype(str).tolist()
        units = (
            frame["area_unit"].astype(object).where(frame["area_unit"].notna(), "").astype(str).tolist()
            if "area_unit" in frame.columns
            else [""] * len(ids)
        )
    else:  # only the normalised hectares
        texts = [str(v) for v in frame["area_ha"]]
        units = ["公顷"] * len(ids)
    out: dict[str, tuple[Decimal, Decimal] | None] = {}
    for ident, text, unit in zip(ids, texts, units, strict=True):
        if not ident or ident in out:
            continue
        number = parse_number(text) if text else None
        unit = unit or default_unit
        hectares = to_ha(number, unit) if number is not None else None
        if hectares is None:
            out[ident] = None
            continue
        half = to_ha(Decimal(5) * Decimal(10) ** (-decimals_of(text) - 1), unit) or Decimal(0)
        out[ident] = (hectares, half)
    return out


def version_problems(
    previous: pd.DataFrame | None, records: pd.DataFrame, unit: str, filename: str = ""
) -> list[Problem]:
    """The comparison of the checked ``records`` (id, area, area_unit: the rows to import) with
    ``previous`` (:func:`previous_of`), shown in ``unit``; nothing without a previous version."""
    if previous is None or previous.empty or records is None or "id" not in records.columns:
        return []
    before, after = _areas(previous, "公顷"), _areas(records, unit)
    base = {"file": filename, "family": "versions", "column": "面积"}
    added = [i for i in after if i not in before]
    removed = [i for i in before if i not in after]
    changed: list[tuple[str, Decimal, Decimal]] = []
    for ident, new in after.items():
        old = before.get(ident)
        if old is None or new is None:
            continue
        if abs(new[0] - old[0]) > new[1] + old[1]:
            changed.append((ident, old[0], new[0]))
    label = unit_label(unit)

    def shown(hectares: Decimal) -> str:
        return f"{format_area(hectares, unit)} {label}"

    def total(ids: list[str], areas: dict) -> Decimal:
        return sum((areas[i][0] for i in ids if areas.get(i)), Decimal(0))

    delta = sum((new - old for _, old, new in changed), Decimal(0))

    def signed(value: Decimal) -> str:
        return f"{'+' if value >= 0 else '−'}{shown(abs(value))}"

    def some(ids: list[str]) -> str:
        ids = sorted(ids, key=_natural)
        more = f"等 {len(ids):,} 个" if len(ids) > SHOWN_IDS else ""
        return "、".join(ids[:SHOWN_IDS]) + more

    common = len(after) - len(added)
    hint = "面积按打印精度比较：两值之差超过各自末位的半个单位才算变化"
    if before and after and not common:
        hint = "本文件的编号与上一版本没有一个相同：请确认导入的是同一规划的数据、编号列选得对"
    problems = [
        Problem(
            "info",
            f"与上一版本比较（按编号）：上一版本 {len(before):,} 个，本文件 {len(after):,} 个，"
            f"新增 {len(added):,} 个，删除 {len(removed):,} 个，面积变化 {len(changed):,} 个；"
            f"面积总计 {shown(total(list(before), before))} → {shown(total(list(after), after))}",
            hint,
            file=filename,
            family="versions",
        )
    ]
    if added:
        problems.append(
            Problem(
                "info",
                f"新增 {len(added):,} 个（上一版本没有），共 {shown(total(added, after))}：{some(added)}",
                "",
                file=filename,
                family="versions",
            )
        )
    if removed:
        problems.append(
            Problem(
                "info",
                f"删除 {len(removed):,} 个（本文件没有，导入后不再列入），共 {shown(total(removed, before))}："
                f"{some(removed)}",
                "如不应删除，请在文件中补上这些记录",
                file=filename,
                family="versions",
            )
        )
    if changed:
        problems.append(
            Problem(
                "info",
                f"面积变化 {len(changed):,} 个，合计 {signed(delta)}",
                "",
                file=filename,
                family="versions",
            )
        )
    for ident, old, new in sorted(changed, key=lambda c: _natural(c[0]))[:MAX_LISTED]:
        problems.append(
            Problem(
                "info",
                f"编号“{ident}”面积 {shown(old)} → {shown(new)}（{signed(new - old)}）",
                "",
                value=ident,
                **base,
            )
        )
    return problems
