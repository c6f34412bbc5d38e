"""Build the pydeck map of a plan: 区县 outlines, a 区县 choropleth, and the features.

Data in (GeoDataFrames in WGS84 from :mod:`panhuo.geo`), ``pdk.Deck`` plus the legend as data
out; no Streamlit here, so everything is testable with plain pytest. The page renders the deck
with ``st.pydeck_chart(spec.deck, on_select="rerun", selection_mode="single-object", key=…)``
and the legend with its own widgets.

Offline by default: ``map_provider=None`` draws no basemap and makes no request. A basemap
needs an XYZ tile URL template (an intranet tile server, 天地图 with a key); pydeck/Streamlit
take a MapLibre ``style.json`` *URL* for that (a style given as a dict crashes the frontend),
so :func:`raster_style` builds the style and :func:`style_url` turns it into a ``data:`` URL.
Checked in Debian chromium (Streamlit 1.67): MapLibre reads the ``data:`` style and draws the
tiles, with nothing written to ``static/`` and no server setting. The tile server must allow
cross-origin reads (``Access-Control-Allow-Origin``; without it the browser blocks every
tile and the basemap stays blank) or be proxied under the app's own address.

Colours and the label font come from :mod:`components.theme`.

Layer ids (used by selections): ``county-choropleth``, ``county-outlines``,
``county-labels``, ``features`` (surveyed polygons), ``features-schematic`` (示意位置 circles).
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from components import theme
from panhuo.geo.schematic import SCHEMATIC
from panhuo.nouns import type_column
from panhuo.units import format_area, format_number, unit_code

LAYER_CHOROPLETH = "county-choropleth"
LAYER_OUTLINES = "county-outlines"
LAYER_LABELS = "county-labels"
LAYER_FEATURES = "features"
LAYER_SCHEMATIC = "features-schematic"
FEATURE_LAYERS = (LAYER_FEATURES, LAYER_SCHEMATIC)

COLOR_BY_LABELS = {
    "family": "类型大类",
    "type": "类型",
    "category": "片区类别",
    "stage": "实施阶段",
    "phase": "实施时序",
}
# the page's layer toggles: group name → Chinese label
LAYER_TOGGLES = {
    "outlines": "区县边界",
    "choropleth": "区县着色",
    "features": "地块/片区",
    "labels": "区县名称",
}
DEFAULT_LAYERS = ("outlines", "choropleth", "features", "labels")
MISSING_LABEL = "未填写"
GCJ_TILE_HOSTS = ("autonavi", "amap", "gtimg", "map.qq", "tencent", "bdimg", "map.baidu", "bdstatic")


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: tuple[int, ...]
    kind: str = "fill"  # fill | ramp | outline | schematic | surveyed
    count: int | None = None

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.color[:3])


@dataclass
class Legend:
    title: str
    items: list[LegendItem]
    layer: str


@dataclass
class MapSpec:
    """What the page needs: the deck, legends as data, and notes to show under the map."""

    deck: pdk.Deck
    legends: list[Legend] = field(default_factory=list)
    layer_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    view: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- basemap


def raster_style(tile_url: str, *, attribution: str = "", tile_size: int = 256, max_zoom: int = 18) -> dict:
    """A MapLibre v8 style with one raster source from an XYZ template (``…/{z}/{x}/{y}.png``)."""
    subdomains = []
    if "{s}" in tile_url:  # Leaflet-style subdomains; MapLibre wants explicit URLs
        subdomains = [tile_url.replace("{s}", s) for s in "abc"]
    return {
        "version": 8,
        "sources": {
            "basemap": {
                "type": "raster",
                "tiles": subdomains or [tile_url],
                "tileSize": tile_size,
                "maxzoom": max_zoom,
                "attribution": attribution,
            }
        },
        "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}],
    }


def style_url(style: dict) -> str:
    """The style as a ``data:`` URL, for ``map_style`` (no file and no server needed)."""
    payload = json.dumps(style, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return "data:application/json;base64," + base64.b64encode(payload).decode("ascii")


def tile_notes(tile_url: str) -> list[str]:
    """Notes under a map with a basemap: where the tiles come from, and what can go wrong."""
    lowered = tile_url.lower()
    host = urlsplit(tile_url).netloc or tile_url
    notes = [
        f"底图瓦片来自 {host}。若底图空白，请确认瓦片服务允许浏览器跨域读取"
        "（响应头 Access-Control-Allow-Origin），或把瓦片服务代理到本系统的同一地址下。"
    ]
    if any(gcj in lowered for gcj in GCJ_TILE_HOSTS):
        notes.append(
            "所配置的底图来自高德/腾讯/百度，其坐标为 GCJ-02 或 BD-09，与本图的 WGS84 数据相差数百米；"
            "请改用天地图或内网 CGCS2000/WGS84 瓦片。"
        )
    return notes


# --------------------------------------------------------------------------- colours


def color_options(frame: pd.DataFrame, dataset: str) -> dict[str, str]:
    """The colourings that make sense for these records: column → Chinese label.

    类型大类 always (every record has a family); the plan's own type words (parcels: 类型,
    zones: 片区类别), 实施阶段 and 实施时序 when the records fill them.
    """
    options = {"family": COLOR_BY_LABELS["family"]}
    own = type_column(dataset)
    for column in (own, "stage", "phase"):
        if column in frame and frame[column].astype("string").fillna("").str.strip().ne("").any():
            options[column] = COLOR_BY_LABELS[column]
    return options


def legend_html(legend: Legend) -> str:
    """One legend as a line of HTML: coloured squares (circles for 示意位置) and escaped labels."""
    parts = []
    for item in legend.items:
        shape = "●" if item.kind == "schematic" else ("□" if item.kind == "outline" else "■")
        count = f"（{item.count:,}）" if item.count is not None else ""
        parts.append(f"<span style='color:{item.hex}'>{shape}</span>&nbsp;{html.escape(item.label)}{count}")
    return f"<b>{html.escape(legend.title)}</b>：" + "&emsp;".join(parts)


def _category_colors(values: pd.Series, color_by: str) -> dict[str, tuple[int, int, int]]:
    present = [v for v in pd.unique(values.astype(str)) if v != MISSING_LABEL]
    palette = theme.MAP_PALETTE
    if color_by == "stage":
        stages = theme.MAP_STAGE_COLORS
        known = [s for s in stages if s in present]
        rest = sorted(v for v in present if v not in stages)
        colors = {s: stages[s] for s in known}
        colors.update({v: palette[i % len(palette)] for i, v in enumerate(rest)})
        return colors
    ordered = sorted(present, key=_natural_key)
    return {v: palette[i % len(palette)] for i, v in enumerate(ordered)}


def _natural_key(text: str) -> tuple:
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    return (int(digits[0]) if digits else math.inf, text)


def _color_column(frame: pd.DataFrame, color_by: str) -> tuple[pd.Series, dict[str, tuple[int, int, int]]]:
    """(label per row, colour per label) for the chosen colouring."""
    if color_by == "family" and "family" in frame:
        labels_by_key = {}
        if "family_label" in frame:
            labels_by_key = dict(
                zip(frame["family"].astype(str), frame["family_label"].astype(str), strict=True)
            )
        keys = frame["family"].fillna("other").astype(str)
        labels = keys.map(lambda k: labels_by_key.get(k, k))
        families = theme.MAP_FAMILY_COLORS
        colors = {labels_by_key.get(k, k): families.get(k, theme.MAP_MISSING) for k in families}
        return labels, {label: colors.get(label, theme.MAP_MISSING) for label in pd.unique(labels)}
    column = color_by if color_by in frame else None
    if column is None:
        labels = pd.Series(MISSING_LABEL, index=frame.index)
    else:
        labels = frame[column].astype("string").fillna("").str.strip().replace("", MISSING_LABEL).astype(str)
    colors = _category_colors(labels, color_by)
    colors[MISSING_LABEL] = theme.MAP_MISSING
    return labels, colors


# --------------------------------------------------------------------------- tooltips


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text in {"nan", "None", "<NA>"} else text


def feature_tip(record: Mapping, unit: str) -> str:
    """The Chinese tooltip of one feature (plain text, one fact per line)."""
    title = _text(record.get("name")) or _text(record.get("id")) or "未命名"
    lines = [title]
    where = "".join(_text(record.get(c)) for c in ("county", "town"))
    ident = _text(record.get("id"))
    head = "｜".join(filter(None, [f"编号 {ident}" if ident and ident != title else "", where]))
    if head:
        lines.append(head)
    for column, label in (
        ("type", "类型"),
        ("category", "类别"),
        ("family_label", "通用类别"),
        ("stage", "实施阶段"),
        ("phase", "时序"),
        ("location", "所在地"),
        ("zone", "片区"),
    ):
        value = _text(record.get(column))
        if value:
            lines.append(f"{label}：{value}")
    area = record.get("area_ha")
    if area is not None and not (isinstance(area, float) and math.isnan(area)):
        count = record.get("count")
        bundle = f"（{int(count)} 宗）" if count is not None and count == count and int(count) > 1 else ""
        lines.append(f"面积：{format_area(float(area), unit, with_unit=True)}{bundle}")
    if record.get("geometry_source") == SCHEMATIC:
        lines.append(f"{SCHEMATIC}：没有坐标，按区县和乡镇摆放，非实际位置")
        # a functional area's note (南太湖新区 drawn in 吴兴区) is part of the placement note
        sentences = _text(record.get("placement_note")).split("。")
        lines.extend(f"{s}。" for s in sentences if "不是行政区划" in s)
    elif _text(record.get("geometry_source")):
        lines.append(f"图形：{_text(record.get('geometry_source'))}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- geometry → layer rows


def _rings(geometry: shapely.Geometry, decimals: int) -> list[list[list[list[float]]]]:
    """Polygon parts as [[outer ring], [hole], …] with rounded coordinates."""
    parts = getattr(geometry, "geoms", [geometry])
    out = []
    for part in parts:
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        out.append([np.round(np.asarray(r.coords)[:, :2], decimals).tolist() for r in rings])
    return out


# --------------------------------------------------------------------------- view


def fit_view(
    bounds: tuple[float, float, float, float],
    size: tuple[int, int] = (800, 560),
    min_span_deg: float = 0.0,
) -> dict:
    """A view (longitude, latitude, zoom) showing ``bounds``, rounded so reruns give equal views.

    Streamlit resets the user's pan/zoom only when the initial view changes (it compares the
    deck's ``initialViewState`` with the previous one), so a view computed from the same
    features must come out exactly the same. ``min_span_deg`` widens tiny extents (a single
    parcel) so the map keeps some surroundings.
    """
    minx, miny, maxx, maxy = bounds
    if min_span_deg > 0:
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half_x = max((maxx - minx) / 2, min_span_deg / 2 / max(math.cos(math.radians(cy)), 0.1))
        half_y = max((maxy - miny) / 2, min_span_deg / 2)
        minx, maxx, miny, maxy = cx - half_x, cx + half_x, cy - half_y, cy + half_y
    width, height = size

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    dx = max((maxx - minx) / 360, 1e-6)
    dy = max(merc_y(maxy) - merc_y(miny), 1e-6)
    # deck.gl's zoom 0 shows the world in 512 pixels (not 256 as raster tiles)
    zoom = math.log2(min(width / (512 * dx), height / (512 * dy)) * 0.9)
    zoom = max(3.0, min(zoom, 16.0))
    return {
        "longitude": round(float(minx + maxx) / 2, 4),
        "latitude": round(float(miny + maxy) / 2, 4),
        "zoom": round(float(zoom), 1),
    }


def _union(boxes: list[tuple[float, ...]]) -> tuple[float, float, float, float] | None:
    boxes = [b for b in boxes if b and all(math.isfinite(v) for v in b)]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def fit_bounds(
    features: gpd.GeoDataFrame | None, outlines: gpd.GeoDataFrame | None, fit: str = "features"
) -> tuple[float, float, float, float] | None:
    """The extent the view shows, whatever layers are toggled (so toggling never moves the map).

    ``features``: surveyed features by their own extent; schematic ones by the whole 区县 they
    are drawn in (their place inside it is not real, the 区县 is); the outlines when there
    are no features. ``all``: outlines and features.
    """
    boxes: list[tuple[float, ...]] = []
    drawn = None
    if features is not None and len(features):
        drawn = features[features.geometry.notna() & ~features.geometry.is_empty]
    outline_box = (
        tuple(float(v) for v in outlines.total_bounds) if outlines is not None and len(outlines) else None
    )
    if drawn is None or not len(drawn):
        return outline_box
    if fit == "all":
        return _union([outline_box, tuple(float(v) for v in drawn.total_bounds)])
    source = drawn.get("geometry_source", pd.Series("", index=drawn.index))
    schematic = drawn[(source == SCHEMATIC).to_numpy()]
    surveyed = drawn[(source != SCHEMATIC).to_numpy()]
    if len(surveyed):
        boxes.append(tuple(float(v) for v in surveyed.total_bounds))
    if len(schematic):
        places = set(schematic.get("placed_in", pd.Series(dtype=object)).dropna().astype(str))
        matched = []
        if outlines is not None and len(outlines):
            for _, row in outlines.iterrows():
                names = {str(row["name"]), *map(str, row.get("members") or [])}
                if names & places:
                    matched.append(tuple(float(v) for v in row.geometry.bounds))
        boxes.extend(matched or [tuple(float(v) for v in schematic.total_bounds)])
    return _union(boxes)


# --------------------------------------------------------------------------- choropleth classes


def _number(value: float, unit: str, bin_edge: bool = False) -> str:
    """亩 0-1 decimals (none when whole at one decimal), 公顷 2, % 1; whole class edges bare."""
    if bin_edge and float(value).is_integer():
        decimals = 0
    elif unit == "公顷":
        decimals = 2
    elif unit == "亩":
        decimals = 0 if round(float(value), 1).is_integer() else 1
    else:
        decimals = 1
    return format_number(value, decimals)


def format_value(value: float, unit: str) -> str:
    """A choropleth value with its unit: 亩 0-1 decimals, 公顷 2, % 1."""
    number = _number(value, unit)
    return f"{number}%" if unit == "%" else f"{number} {unit}".rstrip()


def _class_label(lower: float, upper: float, unit: str) -> str:
    span = f"{_number(lower, unit, True)}–{_number(upper, unit, True)}"
    return f"{span}%" if unit == "%" else f"{span} {unit}".rstrip()


def _ramp_bins(values: list[float]) -> list[float]:
    """Upper bounds of 5 equal classes from 0 to a rounded maximum."""
    top = max(values) if values else 1.0
    if top <= 0:
        top = 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    nice = math.ceil(top / magnitude * 2) / 2 * magnitude  # round up to 1, 1.5, 2, … × 10^n
    return [nice * (k + 1) / len(theme.MAP_RAMP) for k in range(len(theme.MAP_RAMP))]


def _ramp_color(value: float, bins: list[float]) -> tuple[int, int, int]:
    for bound, color in zip(bins, theme.MAP_RAMP, strict=True):
        if value <= bound:
            return color
    return theme.MAP_RAMP[-1]


# --------------------------------------------------------------------------- 区县 layers


def _county_value(members: list[str], choropleth: Mapping[str, float] | None) -> float | None:
    """The choropleth value of one outline: its members' values added up (NaN ones left out)."""
    if choropleth is None:
        return None
    found = [choropleth[m] for m in members if m in choropleth and choropleth[m] == choropleth[m]]
    return float(sum(found)) if found else None


def _outline_rows(
    outlines: gpd.GeoDataFrame, values: list[float | None], title: str, unit: str
) -> list[dict]:
    """One row per outline polygon: rings, tooltip, name and the outline's position."""
    rows = []
    for pos, (_, row) in enumerate(outlines.iterrows()):
        members = list(row.get("members") or [row["name"]])
        label = row["name"] + (
            f"（含{'、'.join(m for m in members if m != row['name'])}）" if len(members) > 1 else ""
        )
        tip = [label]
        if values[pos] is not None:
            tip.append(f"{title}：{format_value(values[pos], unit)}")
        if _text(row.get("note")):
            tip.append(_text(row.get("note")))
        for polygon in _rings(row.geometry, 5):
            rows.append({"polygon": polygon, "tip": "\n".join(tip), "name": row["name"], "pos": pos})
    return rows


def _choropleth_layer(
    outline_rows: list[dict], values: list[float | None], bins: list[float], alpha: int
) -> pdk.Layer:
    rows = []
    for item in outline_rows:
        value = values[item["pos"]]
        color = _ramp_color(value, bins) if value is not None else theme.MAP_MISSING
        rows.append({**item, "fill": [*color, alpha]})
    return pdk.Layer(
        "PolygonLayer",
        id=LAYER_CHOROPLETH,
        data=rows,
        get_polygon="polygon",
        get_fill_color="fill",
        stroked=False,
        pickable=True,
    )


def _choropleth_legend(values: list[float | None], bins: list[float], title: str, unit: str) -> Legend:
    """One class per ramp colour from 0, and 无数据 when an outline has no value."""
    lower = 0.0
    items = []
    for bound, color in zip(bins, theme.MAP_RAMP, strict=True):
        items.append(LegendItem(_class_label(lower, bound, unit), (*color, 255), "ramp"))
        lower = bound
    if any(v is None for v in values):
        items.append(LegendItem("无数据", (*theme.MAP_MISSING, 255), "ramp"))
    return Legend(f"{title}（按区县）", items, LAYER_CHOROPLETH)


def _outlines_layer(outline_rows: list[dict], pickable: bool) -> pdk.Layer:
    return pdk.Layer(
        "PolygonLayer",
        id=LAYER_OUTLINES,
        data=[{k: v for k, v in r.items() if k != "pos"} for r in outline_rows],
        get_polygon="polygon",
        filled=False,
        stroked=True,
        get_line_color=list(theme.MAP_OUTLINE),
        line_width_min_pixels=1.5,
        pickable=pickable,
    )


def _labels_layer(outlines: gpd.GeoDataFrame) -> pdk.Layer:
    """区县 names at a point inside each outline, on a light background."""
    rows = []
    for _, row in outlines.iterrows():
        point = row.geometry.representative_point()
        rows.append({"position": [round(point.x, 5), round(point.y, 5)], "text": row["name"]})
    return pdk.Layer(
        "TextLayer",
        id=LAYER_LABELS,
        data=rows,
        get_position="position",
        get_text="text",
        get_size=14,
        get_color=theme.MAP_LABEL,
        # pydeck turns plain strings and string lists into accessors: quote them
        character_set="'auto'",
        font_family=f"`{theme.MAP_FONT}`",
        background=True,
        get_background_color=theme.MAP_LABEL_BACKGROUND,
        background_padding=[4, 2],
        pickable=False,
    )


def _county_layers(
    outlines: gpd.GeoDataFrame,
    show: set[str],
    choropleth: Mapping[str, float] | None,
    title: str,
    unit: str,
    on_basemap: bool,
) -> tuple[list[pdk.Layer], list[Legend], list[str]]:
    """Choropleth, outlines and labels of the 区县 (those in ``show``), their legends and notes."""
    values = [
        _county_value(list(row.get("members") or [row["name"]]), choropleth) for _, row in outlines.iterrows()
    ]
    outline_rows = _outline_rows(outlines, values, title, unit)
    notes = [_text(row.get("note")) for _, row in outlines.iterrows()]
    layers: list[pdk.Layer] = []
    legends: list[Legend] = []
    if choropleth is not None and "choropleth" in show:
        bins = _ramp_bins([v for v in values if v is not None])
        # lighter over a basemap, so streets and rivers stay readable under the colour
        alpha = theme.CHOROPLETH_ALPHA_ON_BASEMAP if on_basemap else theme.CHOROPLETH_ALPHA
        layers.append(_choropleth_layer(outline_rows, values, bins, alpha))
        legends.append(_choropleth_legend(values, bins, title, unit))
    if "outlines" in show:
        # the choropleth, when drawn, answers the hover; outlines only without it
        layers.append(_outlines_layer(outline_rows, pickable=choropleth is None or "choropleth" not in show))
        legends.append(Legend("边界", [LegendItem("区县界", theme.MAP_OUTLINE, "outline")], LAYER_OUTLINES))
    if "labels" in show:
        layers.append(_labels_layer(outlines))
    return layers, legends, notes


# --------------------------------------------------------------------------- feature layers


def _feature_rows(
    frame: gpd.GeoDataFrame,
    labels: pd.Series,
    colors: Mapping[str, tuple[int, int, int]],
    id_column: str,
    unit: str,
) -> tuple[list[dict], list[dict]]:
    """(示意位置 circle rows, surveyed polygon rows) with record id, label, tooltip and fill."""
    schematic_mask = (frame.get("geometry_source", pd.Series("", index=frame.index)) == SCHEMATIC).to_numpy()
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    schematic_rows, surveyed_rows = [], []
    for record, label, is_schematic, geometry, index in zip(
        records, labels, schematic_mask, frame.geometry, frame.index, strict=True
    ):
        color = colors.get(label, theme.MAP_MISSING)
        record_id = _text(record.get(id_column)) or str(index)
        base = {"record_id": record_id, "label": label, "tip": feature_tip(record, unit)}
        if is_schematic and {"anchor_lon", "anchor_lat", "radius_m"} <= record.keys():
            schematic_rows.append(
                {
                    **base,
                    "position": [
                        round(float(record["anchor_lon"]), 6),
                        round(float(record["anchor_lat"]), 6),
                    ],
                    "radius": round(float(record["radius_m"]), 1),
                    "fill": [*color, theme.SCHEMATIC_ALPHA],
                }
            )
        else:
            for polygon in _rings(geometry, 6):
                surveyed_rows.append({**base, "polygon": polygon, "fill": [*color, theme.SURVEYED_ALPHA]})
    return schematic_rows, surveyed_rows


def _surveyed_layer(rows: list[dict]) -> pdk.Layer:
    return pdk.Layer(
        "PolygonLayer",
        id=LAYER_FEATURES,
        data=rows,
        get_polygon="polygon",
        get_fill_color="fill",
        get_line_color=theme.MAP_FEATURE_EDGE,
        line_width_min_pixels=1,
        stroked=True,
        pickable=True,
        auto_highlight=True,
    )


def _schematic_layer(rows: list[dict]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        id=LAYER_SCHEMATIC,
        data=rows,
        get_position="position",
        get_radius="radius",
        radius_units="'meters'",  # quoted: pydeck turns bare strings into accessors
        radius_min_pixels=5,
        get_fill_color="fill",
        stroked=True,
        get_line_color=theme.MAP_SCHEMATIC_EDGE,
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def _colour_legend(labels: pd.Series, colors: Mapping[str, tuple[int, int, int]], color_by: str) -> Legend:
    """The colours drawn, with their counts, in colour order and 未填写 last."""
    counts = labels.value_counts()
    order = sorted(colors, key=lambda k: (k == MISSING_LABEL, list(colors).index(k)))
    items = [
        LegendItem(label, (*colors[label], 255), "fill", int(counts.get(label, 0)))
        for label in order
        if counts.get(label, 0)
    ]
    return Legend(COLOR_BY_LABELS.get(color_by, color_by), items, LAYER_FEATURES)


def _source_legend(schematic: int, surveyed: int, polygons: bool) -> Legend | None:
    """图形来源: circles (示意位置) and polygons (实测图形), when any is drawn."""
    markers = []
    if schematic:
        markers.append(
            LegendItem(
                f"圆点 = {SCHEMATIC}（非实测，大小按面积）",
                (*theme.MAP_SOURCE_KEY, theme.SCHEMATIC_ALPHA),
                "schematic",
                schematic,
            )
        )
    if polygons:
        markers.append(
            LegendItem(
                "多边形 = 实测图形", (*theme.MAP_SOURCE_KEY, theme.SURVEYED_ALPHA), "surveyed", surveyed
            )
        )
    if not markers:
        return None
    return Legend("图形来源", markers, LAYER_SCHEMATIC if schematic else LAYER_FEATURES)


def _feature_layers(
    features: gpd.GeoDataFrame, color_by: str, id_column: str, unit: str
) -> tuple[list[pdk.Layer], list[Legend], list[str]]:
    """Surveyed polygons and 示意位置 circles of the features, their legends and notes."""
    frame = features[features.geometry.notna() & ~features.geometry.is_empty]
    labels, colors = _color_column(frame, color_by)
    schematic_rows, surveyed_rows = _feature_rows(frame, labels, colors, id_column, unit)
    layers = []
    if surveyed_rows:
        layers.append(_surveyed_layer(surveyed_rows))
    if schematic_rows:
        layers.append(_schematic_layer(schematic_rows))
    legends = [_colour_legend(labels, colors, color_by)]
    source = _source_legend(len(schematic_rows), frame.shape[0] - len(schematic_rows), bool(surveyed_rows))
    if source is not None:
        legends.append(source)
    notes = []
    if schematic_rows:
        notes.append("圆点为示意位置：文件没有坐标，按区县和乡镇示意摆放，大小与面积相当，不代表实际位置。")
    return layers, legends, notes


# --------------------------------------------------------------------------- the map

# the view when there is nothing to fit: the whole country
CHINA_VIEW = {"longitude": 105.0, "latitude": 35.0, "zoom": 3.0}
TOOLTIP = {"text": "{tip}", "style": {"whiteSpace": "pre-line", "fontSize": "13px", "maxWidth": "360px"}}


def _basemap(tile_url: str | None, map_style: str | None) -> tuple[dict, list[str]]:
    """``pdk.Deck`` keyword arguments for the basemap, and the notes it needs."""
    # map_provider=None alone keeps pydeck's "__MAP_STYLE__" placeholder, which Streamlit reads
    # as "no basemap". Passing map_style=None as well drops it, and Streamlit then fetches
    # Carto's style from the internet.
    if not (map_style or tile_url):
        return {"map_provider": None}, []
    style = map_style or style_url(raster_style(tile_url))
    return {"map_provider": "carto", "map_style": style}, tile_notes(tile_url or map_style or "")


def build_map(
    features: gpd.GeoDataFrame | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    *,
    color_by: str = "family",
    unit: str = "mu",
    choropleth: Mapping[str, float] | None = None,
    choropleth_title: str = "面积",
    choropleth_unit: str = "",
    show: Iterable[str] = ("outlines", "choropleth", "features", "labels"),
    tile_url: str | None = None,
    map_style: str | None = None,
    id_column: str = "id",
    size: tuple[int, int] = (800, 560),
    fit: str = "features",
    min_span_deg: float = 0.03,
) -> MapSpec:
    """A pydeck map of outlines, a choropleth and features, with legends and notes.

    Parameters
    ----------
    features
        WGS84 features with ``area_ha``, ``geometry_source`` (示意位置 or 实测图形) and the
        colouring column; schematic ones need ``anchor_lon``, ``anchor_lat``, ``radius_m``.
    outlines
        区县 outlines from :func:`panhuo.geo.boundaries.plan_areas` (``name``, ``members``,
        ``note``).
    color_by
        family | type | category | stage | phase.
    unit
        ``mu`` or ``ha`` for areas in tooltips and legends.
    choropleth
        Value per 区县 as the plan names it; values of names drawn in one outline (吴兴区 and
        南太湖新区) are added up.
    show
        Which layer groups to include (the page's layer toggles).
    fit
        ``features``: the view fits the (filtered) features, or the outlines when there are
        none; ``all``: the outlines and the features. Either way at least ``min_span_deg``
        (≈ 3 km) is shown, and the view is rounded so the same features give the same view.
    tile_url, map_style
        An XYZ template for a raster basemap, or a ready style.json URL. Neither: no basemap.
    """
    show = set(show)
    layers: list[pdk.Layer] = []
    legends: list[Legend] = []
    notes: list[str] = []
    if outlines is not None and len(outlines):
        layers, legends, notes = _county_layers(
            outlines, show, choropleth, choropleth_title, choropleth_unit, bool(tile_url or map_style)
        )
    if features is not None and len(features) and "features" in show:
        feature_layers, feature_legends, feature_notes = _feature_layers(
            features, color_by, id_column, unit_code(unit)
        )
        layers += feature_layers
        legends += feature_legends
        notes = feature_notes + notes  # the 示意位置 note comes first
    bounds = fit_bounds(features, outlines, fit)
    view = fit_view(bounds, size, min_span_deg) if bounds is not None else dict(CHINA_VIEW)
    deck_kwargs, basemap_notes = _basemap(tile_url, map_style)
    deck = pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(**view), tooltip=TOOLTIP, **deck_kwargs)
    return MapSpec(
        deck=deck,
        legends=legends,
        layer_ids=[layer.id for layer in layers],
        notes=_unique(notes + basemap_notes),
        view=view,
    )


# --------------------------------------------------------------------------- selection


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def selected_record_ids(selection: Mapping | None) -> list[str]:
    """Record ids picked on the map, from ``st.pydeck_chart(..., on_select="rerun")``'s state.

    Accepts the whole event (``{"selection": {"indices": …, "objects": …}}``) or its
    ``.selection`` part (``{"indices": {...}, "objects": {layer_id: [obj, …]}}``).
    """
    if not selection:
        return []
    if "selection" in selection:
        selection = selection.get("selection") or {}
    objects = selection.get("objects") or {}
    ids = []
    for layer_id in FEATURE_LAYERS:
        for obj in objects.get(layer_id) or []:
            if isinstance(obj, Mapping) and obj.get("record_id") not in (None, ""):
                ids.append(str(obj["record_id"]))
    return _unique(ids)
