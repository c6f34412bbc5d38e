"""Thin cached wrappers at the I/O boundary: the catalog of plans and the findings of a plan."""

from __future__ import annotations

import streamlit as st

from panhuo.catalog import Catalog, get_catalog
from panhuo.model import Plan
from panhuo.reconcile import Finding, reconcile
from panhuo.settings import Settings, load_settings


def settings() -> Settings:
    """Settings from the environment, overridden by st.secrets when a secrets file exists."""
    try:
        overrides = dict(st.secrets)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        overrides = {}
    return load_settings(overrides)


@st.cache_resource(show_spinner=False)
def _catalog(revision: int) -> Catalog:
    # shared across sessions and read-only: pages never modify a plan's frames in place
    return get_catalog()


_REVISION_KEY = "_panhuo_catalog_revision"


def catalog() -> Catalog:
    return _catalog(st.session_state.get(_REVISION_KEY, 0))


def invalidate() -> None:
    """Forget cached plans (after an import) so every page sees the new data."""
    _catalog.clear()
    _findings.clear()
    st.session_state[_REVISION_KEY] = st.session_state.get(_REVISION_KEY, 0) + 1


def plan(plan_id: str) -> Plan:
    return catalog().get(plan_id)


@st.cache_data(show_spinner=False)
def _findings(plan_id: str, revision: int) -> list[Finding]:
    return reconcile(catalog().get(plan_id))


def findings(plan_id: str) -> list[Finding]:
    return _findings(plan_id, st.session_state.get(_REVISION_KEY, 0))


@st.cache_data(show_spinner="正在准备地图……")
def plan_outlines(plan_id: str, revision: int = 0):
    """区县 outlines of a plan (WGS84) and problems, cached per plan."""
    from panhuo.geo import plan_areas

    p = catalog().get(plan_id)
    return plan_areas(p.counties, city=p.city or None, province=p.province or None)


@st.cache_data(show_spinner="正在放置示意位置……")
def schematic_features(plan_id: str, ids: tuple[str, ...], revision: int = 0):
    """Schematic features for the records with these ids (the filter result), cached."""
    from panhuo.geo.schematic import place_schematic

    p = catalog().get(plan_id)
    _dataset, frame = p.records()
    frame = frame[frame["id"].astype(str).isin(ids)]
    default = p.counties[0] if len(p.counties) == 1 else None
    return place_schematic(frame, city=p.city or None, province=p.province or None, default_county=default)


def revision() -> int:
    return st.session_state.get(_REVISION_KEY, 0)
