"""The quality-control checks an import adds to its report once the records are built: the
area field's unit against Shape_Area (:mod:`~panhuo.importing.units_evidence`), the topology
of each GIS layer (:mod:`~panhuo.importing.topology`) and the comparison with the plan's
previous version (:mod:`~panhuo.importing.versions_diff`). One call from
:func:`panhuo.importing.check.check`.
"""

from __future__ import annotations

import logging

import pandas as pd

from panhuo.importing.report import Problem
from panhuo.importing.topology import layer_topology
from panhuo.importing.units_evidence import unit_evidence
from panhuo.importing.versions_diff import version_problems

log = logging.getLogger(__name__)


def _guarded(what: str, family: str, filename: str, run, *args) -> list[Problem]:
    """The rows of one check; a check that fails unexpectedly says so in one row instead of
    stopping the import (the records are checked and stored without it)."""
    try:
        return run(*args)
    except Exception:
        log.exception("quality check %s failed on %s", what, filename)
        return [
            Problem(
                "info", f"{what}未能完成，本次报告中没有这一项", "请联系管理员", file=filename, family=family
            )
        ]


def quality_problems(
    analysis, context, records: pd.DataFrame, rejected: set[int], area_unit: str
) -> list[Problem]:
    """The report rows of these checks for an analysis whose ``records`` were built (the
    ``rejected`` index labels are left out of the comparison with the previous version)."""
    problems: list[Problem] = []
    for layer in analysis.layers:
        if layer.gis is None or layer.mapping is None:
            continue
        name, area = layer.file.name, layer.mapping.choice("area")
        if area is not None:
            unit = area.unit or area_unit
            problems += _guarded("面积单位核对", "area", name, _evidence, layer, area.column, unit)
        problems += _guarded("拓扑检查", "topology", name, layer_topology, layer, context)
    kept = records.drop(index=sorted(rejected), errors="ignore")
    main = analysis.layers[0].file.name if analysis.layers else ""
    previous = getattr(context, "previous", None)
    problems += _guarded(
        "与上一版本比较", "versions", main, version_problems, previous, kept, area_unit, main
    )
    return problems


def _evidence(layer, column: str, unit: str) -> list[Problem]:
    from panhuo.geo.area import geometry_area_m2

    gdf = layer.gis.gdf_wgs84
    try:
        measured = geometry_area_m2(gdf)[0]
    except ValueError:  # no CRS: the reader has said so
        measured = None
    return unit_evidence(gdf, column, unit, measured, layer.file.name)
