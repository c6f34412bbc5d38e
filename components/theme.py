"""The look of charts and map: :mod:`panhuo.palette`'s values in the forms plotly and pydeck take.

Chart builders and the map builder take every colour and font from here, so a colour is
changed in one place (the values themselves live in :mod:`panhuo.palette`, which the PPTX
briefing shares).
"""

from __future__ import annotations

from panhuo import palette
from panhuo.palette import rgb

# --- plotly (hex strings) ---------------------------------------------------------------------
FONT = palette.CHART_FONT
PALETTE = palette.CHART_PALETTE
PRIMARY = palette.PRIMARY
MUTED = palette.MUTED
ALERT = palette.ALERT
NEUTRAL = palette.NEUTRAL
TOTAL_CELL = palette.TOTAL_CELL
AXIS_LINE = palette.AXIS_LINE
MARKER_EDGE = palette.MARKER_EDGE
TRANSPARENT = palette.TRANSPARENT
HEATMAP_SCALE = palette.HEATMAP_SCALE
STAGE_COLORS = palette.STAGE_COLORS
STATUS_COLORS = palette.STATUS_COLORS
ROLE_COLORS = palette.ROLE_COLORS
DEMO_INK = palette.DEMO_INK
# pairs: the quiet colour for what was (or could be), the accent for what is planned (or real)
BEFORE_COLOR, AFTER_COLOR = MUTED, PRIMARY
THEORY_COLOR, REAL_COLOR = MUTED, PRIMARY
TARGET_COLOR, LISTED_COLOR = MUTED, PRIMARY
INCREASE_COLOR, DECREASE_COLOR, NO_CHANGE_COLOR = PRIMARY, ALERT, MUTED
# measure kinds (panhuo.policy.KIND_LABELS) keep their colour from plan to plan
KIND_COLORS = dict(
    zip(
        ("任务措施", "配套政策", "开发模式", "类别定义", "功能引导", "工作启示", "再开发主体", "实施步骤"),
        PALETTE,
        strict=True,
    )
)


def rgba(hex_color: str, alpha: float) -> str:
    """A CSS ``rgba(…)`` of a hex colour, for half-transparent plotly fills."""
    red, green, blue = rgb(hex_color)
    return f"rgba({red},{green},{blue},{alpha})"


# --- pydeck (RGB tuples, RGBA lists) ----------------------------------------------------------
MAP_FONT = palette.MAP_FONT
MAP_STAGE_COLORS = {stage: rgb(color) for stage, color in STAGE_COLORS.items()}
MAP_FAMILY_COLORS = {family: rgb(color) for family, color in palette.FAMILY_COLORS.items()}
MAP_PALETTE = [rgb(color) for color in palette.MAP_PALETTE]
MAP_MISSING = rgb(palette.MAP_MISSING)
MAP_RAMP = [rgb(color) for color in palette.MAP_RAMP]
MAP_OUTLINE = (*rgb(palette.MAP_OUTLINE), 220)
MAP_FEATURE_EDGE = [*rgb(palette.MAP_FEATURE_EDGE), 230]
MAP_SCHEMATIC_EDGE = [*rgb(palette.MAP_SCHEMATIC_EDGE), 230]
MAP_LABEL = [*rgb(palette.MAP_LABEL), 255]
MAP_LABEL_BACKGROUND = [*rgb(palette.MAP_LABEL_BACKGROUND), 210]
MAP_SOURCE_KEY = rgb(palette.MAP_SOURCE_KEY)
# opacity (0-255): circles lighter than surveyed polygons; the choropleth lighter on a basemap,
# so streets and rivers stay readable under the colour
SCHEMATIC_ALPHA = 170
SURVEYED_ALPHA = 200
CHOROPLETH_ALPHA = 120
CHOROPLETH_ALPHA_ON_BASEMAP = 60
