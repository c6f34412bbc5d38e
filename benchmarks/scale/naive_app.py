"""The naive baseline of the scale benchmark: one Streamlit file, no caching, no store.

Every run reads the whole generated file again (geopandas for a GeoPackage, pandas for a CSV),
parses the areas, filters by the sidebar's 区县 and shows the equivalent of Panhuo's pages:

- ``?page=overview``  总览: totals, and area by 区县 and by 类型
- ``?page=targets``   区县目标: count and area by 区县
- ``?page=timeline``  时序安排: count and area by 实施时序
- ``?page=records``   明细: the filtered rows as one ``st.dataframe``

The file comes from ``PANHUO_BENCH_FILE``::

    PANHUO_BENCH_FILE=/tmp/bench-scale/parcels-10000.gpkg streamlit run benchmarks/scale/naive_app.py
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

COUNTY = "所在区县"
TYPE = "类型"
PHASE = "实施时序"
AREA = "面积（亩）"
PAGES = {"overview": "总览", "targets": "区县目标", "timeline": "时序安排", "records": "明细"}


def read(path: str) -> pd.DataFrame:
    """The whole file's attributes (geometry read too, as a naive GeoPackage reader does)."""
    if path.endswith(".csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        import geopandas as gpd

        frame = pd.DataFrame(gpd.read_file(path)).drop(columns="geometry")
    frame[AREA] = pd.to_numeric(frame[AREA], errors="coerce")
    return frame


def totals(frame: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    return frame.groupby(by).agg(地块数=(AREA, "size"), 面积亩=(AREA, "sum")).reset_index()


def render() -> None:
    """One run of the app: read everything, filter, show the page of ``?page=``."""
    page = st.query_params.get("page", "overview")
    frame = read(os.environ["PANHUO_BENCH_FILE"])
    with st.sidebar:
        counties = st.multiselect(
            "区县", sorted(frame[COUNTY].unique()), key="county", placeholder="全部区县"
        )
    shown = frame[frame[COUNTY].isin(counties)] if counties else frame
    st.title(PAGES.get(page, page))
    if page == "overview":
        left, right = st.columns(2)
        left.metric("地块数", f"{len(shown):,}")
        right.metric("面积（亩）", f"{shown[AREA].sum():,.2f}")
        by_county = totals(shown, COUNTY)
        st.bar_chart(by_county, x=COUNTY, y="面积亩")
        st.bar_chart(totals(shown, TYPE), x=TYPE, y="面积亩")
        st.dataframe(totals(shown, [COUNTY, TYPE]), hide_index=True)
    elif page == "targets":
        by_county = totals(shown, COUNTY)
        st.bar_chart(by_county, x=COUNTY, y="面积亩")
        st.dataframe(by_county, hide_index=True)
    elif page == "timeline":
        by_phase = totals(shown, PHASE)
        st.bar_chart(by_phase, x=PHASE, y="面积亩")
        st.dataframe(by_phase, hide_index=True)
    else:
        st.caption(f"共 {len(shown)} 条记录")
        st.dataframe(shown, hide_index=True)


if __name__ == "__main__":
    render()
