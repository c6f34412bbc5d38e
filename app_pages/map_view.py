"""地图: 区县 outlines and choropleth, parcels / zones (surveyed or 示意位置); click to select one."""

from dataclasses import replace

import streamlit as st

from components import cached as data
from components import map_data
from components.header import missing, page_header
from components.map_builder import (
    DEFAULT_LAYERS,
    LAYER_TOGGLES,
    Legend,
    build_map,
    color_options,
    legend_html,
    selected_record_ids,
)
from components.sidebar import current
from components.text import plain
from panhuo.export import records_table
from panhuo.geo.features import available_measures, county_values
from panhuo.nouns import noun
from panhuo.privacy import scope_note, scoped_records


def _plain_legend(legend: Legend) -> Legend:
    """The legend with its labels (categories from the data) safe in Markdown; legend_html
    escapes them as HTML, which does not stop Markdown links and images."""
    items = [replace(item, label=plain(item.label, html=True)) for item in legend.items]
    return replace(legend, title=plain(legend.title, html=True), items=items)


def render() -> None:
    ctx = current()
    page_header("地图", ctx)
    plan = ctx.plan
    outlines, problems = map_data.plan_outlines(plan.id, data.plan_revision(plan.id))
    for problem in problems:
        st.warning(plain(problem))
    records = ctx.records
    _dataset, all_records = plan.records()

    colors = color_options(records, ctx.dataset)
    measures = available_measures(plan)
    left, middle, right = st.columns([1, 1, 2])
    color_by, measure = next(iter(colors)), next(iter(measures), None)
    if len(all_records):  # nothing to colour in a plan without a list: only the layer toggles
        color_by = left.selectbox("着色依据", list(colors), format_func=colors.get, key="map_color_by")
        measure = middle.selectbox("区县着色", list(measures), format_func=measures.get, key="map_measure")
    shown = right.pills(
        "图层",
        list(LAYER_TOGGLES),
        selection_mode="multi",
        default=list(DEFAULT_LAYERS),
        format_func=LAYER_TOGGLES.get,
        key="map_layers",
    )

    features = None
    if not len(all_records):
        missing("本规划没有地块或片区清单，地图只显示其区县范围。")
    elif not len(records):
        missing("当前筛选下没有地块或片区，地图只显示区县范围。")
    else:
        # tooltips name a record: a right-holder's name only where the viewer's scope allows
        features = scoped_records(map_data.features_for(plan.id, records), ctx.scope)
    choropleth = county_values(plan, records, measure, ctx.unit) if len(records) else None
    spec = build_map(
        features,
        outlines,
        color_by=color_by,
        unit=ctx.unit,
        choropleth=choropleth.values if choropleth else None,
        choropleth_title=choropleth.title if choropleth else "",
        choropleth_unit=choropleth.unit if choropleth else "",
        show=shown or (),
        tile_url=data.settings().tile_url or None,
    )
    event = st.pydeck_chart(
        spec.deck,
        on_select="rerun",
        selection_mode="single-object",
        key="map_deck",
        width="stretch",
        height=600,
    )
    with st.container(key="map_legend"):
        for legend in spec.legends:
            st.markdown(legend_html(_plain_legend(legend)), unsafe_allow_html=True)
        for note in [
            *spec.notes,
            *(choropleth.notes if choropleth and "choropleth" in (shown or ()) else []),
        ]:
            st.caption(plain(note))

    picked = selected_record_ids(event.selection if event else None)
    chosen = records[records["id"].astype(str).isin(picked)] if picked and len(records) else records.iloc[0:0]
    if len(chosen):
        st.subheader("所选记录")
        st.dataframe(
            records_table(chosen, ctx.dataset, ctx.unit, ctx.scope), hide_index=True, width="stretch"
        )
        if note := scope_note(ctx.scope, noun(ctx.dataset)):
            st.caption(plain(note))
        for note in features.loc[chosen.index, "placement_note"] if features is not None else []:
            st.caption(plain(note))


if __name__ == "__main__":
    render()
