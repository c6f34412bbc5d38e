"""潜力与强度: size and economic potential, theoretical vs realizable, 容积率/建筑密度 against guidance."""

import streamlit as st

from components import charts_potential, theme
from components.chart_view import plotly_chart
from components.header import missing, page_header
from components.kpi import kpi_row
from components.sidebar import current
from components.text import plain
from panhuo import potential as pt


def render() -> None:
    ctx = current()
    page_header("潜力与强度", ctx)
    plan = ctx.plan
    level_tables = pt.tables_with_role(plan, "potential_scale", "potential_economic")
    zones = pt.theoretical_vs_realizable(plan, ctx.unit)
    intensity = pt.tables_with_role(plan, "intensity")
    rules = pt.guidance(plan)
    if not (level_tables or len(zones) or intensity or len(rules)):
        missing("本规划未载潜力测算、开发强度或强度指引数据。")
        return
    if not ctx.view.filters.is_empty():
        st.caption("本页为规划文件发布的表格，侧栏的区县、类型等筛选不改变表中数值。")
    if level_tables:
        st.header("规模潜力与经济潜力")
        _level_tables(level_tables, ctx.unit)
    if len(zones):
        st.header("理论潜力与可实现潜力")
        _zones(plan, zones)
    st.header("开发强度")
    for table in intensity:
        _intensity(table)
    if len(rules):
        _guidance(rules)
    if plan.has_parcels:
        _parcels(ctx.records, rules)
    elif not intensity and not len(rules):
        missing("本规划未载容积率、建筑密度数据。")


def _printed(table) -> None:
    with st.expander(f"{plain(table.id)} 原表（照录）"):
        st.dataframe(
            pt.printed_table(table),
            hide_index=True,
            width="stretch",
            key=f"potential_printed_{table.id}",
        )


def _level_tables(tables, unit: str) -> None:
    roles = list(dict.fromkeys(t.role for t in tables))
    for tab, role in zip(st.tabs([pt.ROLE_LABELS[r] for r in roles]), roles, strict=True):
        with tab:
            for table in (t for t in tables if t.role == role):
                cells = pt.level_cells(table, unit)
                shown_unit = pt.value_unit(table, unit)
                figure = charts_potential.level_heatmap(
                    cells, f"{table.id} {table.title}", table.key, pt.ROLE_LABELS[role], shown_unit
                )
                plotly_chart(figure, key=f"potential_heat_{table.id}", width="stretch")
                printed = f"（原表单位：{plain(table.unit)}，已换算）" if shown_unit != table.unit else ""
                st.caption(
                    f"单位：{plain(shown_unit)}{printed}；占比为占总计的百分比。总计行、列以灰色显示，不参与配色。"
                )
                if table.note:
                    st.caption(f"说明：{plain(table.note)}")
                _printed(table)


def _zones(plan, zones) -> None:
    for metrics in pt.zone_metrics(zones).values():
        kpi_row(metrics)
    rows = zones[~zones["is_total"]]
    left, right = st.columns(2)
    for column, measure in zip((left, right), ("规模潜力", "经济潜力"), strict=True):
        part = rows[rows["measure"] == measure]
        if part.empty:
            continue
        unit = part["unit"].iloc[0]
        figure = charts_potential.grouped_bars(
            part,
            "zone",
            [
                ("theoretical", "理论潜力", theme.THEORY_COLOR),
                ("realizable", "可实现潜力", theme.REAL_COLOR),
            ],
            f"各片区{measure}：理论与可实现",
            unit,
            "片区",
            measure,
        )
        plotly_chart(figure, where=column, key=f"potential_zone_{measure}", width="stretch")
    wide = pt.potential_wide(zones)
    config = {
        c: st.column_config.NumberColumn(c, format="%d" if str(wide[c].dtype) == "Int64" else "%,.2f")
        for c in wide.columns
        if c != "片区"
    }
    st.dataframe(wide, hide_index=True, width="stretch", column_config=config, key="potential_zone_table")
    for table in pt.tables_with_role(plan, "potential_theoretical", "potential_realizable"):
        st.caption(f"{plain(table.id)} {plain(table.title)}：{plain(table.note)}")


def _intensity(table) -> None:
    st.subheader(f"{plain(table.id)} {plain(table.title)}")
    cells = pt.intensity_cells(table)
    invalid = pt.invalid_cells(table)
    sentence = pt.invalid_sentence(invalid)
    if sentence:
        st.warning(f"以下数值不可能成立，未绘入图中：{plain(sentence)}。", icon=":material/warning:")
    figure = charts_potential.intensity_bars(
        cells, "容积率与建筑密度：现状与规划", pt.invalid_sentence(invalid, reasons=False)
    )
    plotly_chart(figure, key=f"potential_intensity_{table.id}", width="stretch")
    config = {
        c: st.column_config.NumberColumn(c, format="%,.2f")
        for c in ("变化率（原表，%）", "变化率（按前后值，%）")
    }
    st.dataframe(
        pt.intensity_display(cells),
        hide_index=True,
        width="stretch",
        column_config=config,
        key=f"potential_intensity_table_{table.id}",
    )
    if table.note:
        st.caption(f"说明：{plain(table.note)}")


def _guidance(rules) -> None:
    st.subheader("容积率与建筑密度指引")
    st.dataframe(pt.guidance_table(rules), hide_index=True, width="stretch", key="potential_guidance")
    st.caption("按规划正文整理（原文无此表）。容积率无单位；建筑密度为占地块面积的百分比。")


def _parcels(records, rules) -> None:
    parcels = pt.parcel_intensity(records, rules)
    if parcels.empty:
        missing("地块清单未载各宗地块的容积率、建筑密度，无法逐宗对照指引。")
        return
    st.subheader("地块容积率、建筑密度与指引")
    figure = charts_potential.grouped_bars(
        parcels.assign(label=parcels["id"].astype(str) + " " + parcels["name"].astype(str)),
        "label",
        [
            ("far_before", "现状容积率", theme.BEFORE_COLOR),
            ("far_after", "规划容积率", theme.AFTER_COLOR),
        ],
        "各地块容积率：现状与规划",
        "",
        "地块",
        "容积率",
    )
    plotly_chart(figure, key="potential_parcels_far", width="stretch")
    bad = parcels[parcels["invalid"] != ""]
    if len(bad):
        st.warning(f"{len(bad)} 宗地块含不可能成立的数值，已从图中略去。", icon=":material/warning:")
    st.dataframe(
        pt.parcel_intensity_table(parcels), hide_index=True, width="stretch", key="potential_parcels_table"
    )


if __name__ == "__main__":
    render()
