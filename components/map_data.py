"""Cached map data of a plan: 区县 outlines and features (surveyed or 示意位置).

Thin wrappers at the I/O boundary; the work is in :mod:`panhuo.geo`. Keys are cheap (plan
id, the plan's own revision: an import into another plan keeps these), never a frame
(cache_data cannot hash a GeoDataFrame).
Features are placed once per plan for *all* its records, so a record keeps its place
whatever the filters; :func:`features_for` picks the filtered rows by index.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from components import cached


@st.cache_data(show_spinner="正在准备地图……", max_entries=16, ttl=6 * 3600)
def plan_outlines(plan_id: str, revision: int = 0) -> tuple[gpd.GeoDataFrame, list[str]]:
    """区县 outlines of a plan (WGS84) and problems, cached per plan."""
    from panhuo.geo import plan_areas

    plan = cached.plan(plan_id)
    return plan_areas(plan.counties, city=plan.city or None, province=plan.province or None)


@st.cache_data(show_spinner="正在放置地块……", max_entries=16, ttl=6 * 3600)
def plan_features(plan_id: str, revision: int = 0) -> gpd.GeoDataFrame:
    """Every record of the plan as a feature (surveyed outline or schematic circle)."""
    from panhuo.geo.features import map_features

    plan = cached.plan(plan_id)
    dataset, frame = plan.records()
    if dataset in plan.shapes:  # a stored plan's shapes are read only here, by what draws them
        frame = frame.assign(geometry=cached.store().version_geometry(plan.shapes[dataset]))
    return map_features(frame, city=plan.city or None, province=plan.province or None, counties=plan.counties)


def features_for(plan_id: str, records: pd.DataFrame) -> gpd.GeoDataFrame:
    """The features of the (filtered) records, in their order."""
    features = plan_features(plan_id, cached.plan_revision(plan_id))
    present = set(features.index)
    return features.loc[[i for i in records.index if i in present]]
