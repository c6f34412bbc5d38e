"""地图: 区县 outlines, parcels / zones coloured by type, stage or phase; click to select."""

import streamlit as st

from components import data
from components.header import missing, page_header
from components.map_builder import area_by_county, build_map, selected_record_ids
from components.sidebar import current
from panhuo.export import records_table
from panhuo.privacy import public_records

COLOR_BY = {"family": "类型大类", "type": "类型", "stage": "实施阶段", "phase": "实施时序"}
LAYERS = {"outlines": "区县边界", "choropleth": "区县面积", "features": "地块/片区", "labels": "区县名称"}


def render() -> None:
    ctx = current()
    page_header("地图", ctx)
    plan = ctx.plan
    outlines, problems = data.plan_outlines(plan.id, data.revision())
    for problem in problems:
        st.warning(problem)
    records = ctx.records
    color_options = {
        k: v for k, v in COLOR_BY.items() if k in records and records[k].astype(str).str.strip().ne("").any()
    }
    if ctx.dataset == "zones":
        color_options = {"family": "类别大类", **({"stage": "实施阶段"} if "stage" in color_options else {})}
    left, right = st.columns([1, 2])
    color_by = left.selectbox(
        "着色依据",
        list(color_options) or ["family"],
        format_func=lambda k: color_options.get(k, k),
        key="map_color_by",
    )
    shown = right.pills(
        "图层",
        list(LAYERS),
        selection_mode="multi",
        default=["outlines", "choropleth", "features"],
        format_func=LAYERS.get,
        key="map_layers",
    )
    features = None
    if len(records):
        ids = tuple(records["id"].astype(str))
        features = data.schematic_features(plan.id, ids, data.revision())
        if ctx.public:
            features = public_records(features)
    else:
        missing("本规划没有地块或片区清单，地图只显示其区县范围。")
    spec = build_map(
        features,
        outlines,
        color_by=color_by if color_by != "family" or ctx.dataset == "parcels" else "family",
        unit=ctx.unit,
        choropleth=area_by_county(records, ctx.unit) if len(records) else None,
        choropleth_title="面积",
        choropleth_unit=ctx.unit_label,
        show=shown or (),
        tile_url=data.settings().tile_url or None,
    )
    event = st.pydeck_chart(
        spec.deck,
        on_select="rerun",
        selection_mode="single-object",
        key="map_deck",
        width="stretch",
        height=560,
    )
    for legend in spec.legends:
        st.markdown(
            f"**{legend.title}**  "
            + "  ".join(f"<span style='color:{item.hex}'>■</span> {item.label}" for item in legend.items),
            unsafe_allow_html=True,
        )
    for note in spec.notes:
        st.caption(note)
    picked = selected_record_ids(event.selection if event else None)
    if picked and len(records):
        chosen = records[records["id"].astype(str).isin(picked)]
        st.subheader("所选记录")
        st.dataframe(
            records_table(chosen, ctx.dataset, ctx.unit, ctx.public),
            hide_index=True,
            width="stretch",
            key="map_selected",
        )
