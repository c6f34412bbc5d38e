"""明细's tools beside its table: the pickers of extra columns (附加列) and the GIS downloads.
The records they use and the files they write are :mod:`panhuo.export`'s and
:mod:`panhuo.gis_export`'s; this module only lays out the widgets."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from components.text import plain
from panhuo.demo import export_name
from panhuo.export import extra_columns, extra_values
from panhuo.gis_export import MIMES, gis_counts, left_out_note, searched
from panhuo.nouns import noun

NO_FILTER = "（不筛选）"


def extra_choices(ctx, on_change: Callable[[], None] | None = None) -> tuple[tuple[str, ...], tuple]:
    """附加列: which extra columns the table shows and one condition on an extra column (the
    columns an import kept beyond the standard ones, those this viewer may see)."""
    extras = extra_columns(ctx.records.head(0), ctx.dataset, ctx.scope)
    if not extras:
        return (), ()
    with st.expander(f"附加列（导入时保留的其他列，共 {len(extras)} 列）"):
        shown = st.multiselect(
            "在表格中显示",
            extras,
            key="records_extras",
            on_change=on_change,
            placeholder="选择要显示的附加列",
        )
        column = st.selectbox(
            "按附加列筛选", [NO_FILTER, *extras], key="records_extra_column", on_change=on_change
        )
        if column == NO_FILTER:
            return tuple(shown), ()
        values = ctx.cached(extra_values, ctx.records, column=column)
        if values is None:  # too many distinct values to pick from
            word = st.text_input(f"“{plain(column)}”包含", key="records_extra_word", on_change=on_change)
            picked: list[str] = []
        else:
            picked = st.multiselect(
                f"“{plain(column)}”的取值",
                values,
                key="records_extra_values",
                on_change=on_change,
                placeholder="选择取值",
            )
            word = ""
    shown = [*shown, column] if column not in shown else shown
    return tuple(shown), ((column, tuple(picked), word),) if picked or word.strip() else ()


def gis_downloads(ctx, query: str, name: str, where: tuple = ()) -> None:
    """下载 GeoPackage / 下载 Shapefile: the searched records with their surveyed outlines
    (CGCS2000, EPSG:4490), built when pressed; a record with only a 示意位置 is left out, and
    the caption says how many."""
    total, surveyed = ctx.cached(
        gis_counts, ctx.records, ctx.dataset, query=query, where=where, scope=ctx.scope
    )
    what = noun(ctx.dataset)
    left, right = st.columns(2)
    buttons = (
        ("gpkg", "下载 GeoPackage", f"{name}.gpkg"),
        ("shp", "下载 Shapefile（zip）", f"{name}-shp.zip"),
    )
    for column, (fmt, label, file_name) in zip((left, right), buttons, strict=True):
        if not surveyed:
            column.button(label, disabled=True, key=f"records_{fmt}", width="stretch")
            continue
        column.download_button(
            label,
            data=partial(gis_file, ctx, query, fmt, where),
            file_name=export_name(ctx.plan, file_name),
            mime=MIMES[fmt],
            key=f"records_{fmt}",
            width="stretch",
            on_click="ignore",
        )
    if not surveyed:
        st.caption(
            f"这些{plain(what)}没有实测图形（地图上为示意位置，不是实际位置），不能导出 GIS 文件；请下载 CSV 或 Excel。"
        )
    else:
        note = left_out_note(ctx.dataset, total, surveyed)
        st.caption(
            f"GIS 文件为 CGCS2000 经纬度（EPSG:4490），含 {surveyed:,} 条有实测图形的{plain(what)}。" + note
        )


def gis_file(ctx, query: str, fmt: str, where: tuple = ()) -> bytes:
    from components import cached
    from panhuo.gis_export import download_bytes, surveyed_geometry

    plan = ctx.plan
    store = cached.store() if ctx.dataset in plan.shapes else None
    return download_bytes(
        searched(ctx.records, ctx.dataset, query, where, ctx.scope), ctx.dataset, fmt, scope=ctx.scope,
        geometry=surveyed_geometry(plan, ctx.dataset, store), plan=plan, name=f"{plan.id}-{ctx.dataset}",
    )  # fmt: skip
