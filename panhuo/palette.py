"""Every colour and font name Panhuo draws with, as plain values (hex strings, family names).

It sits in the domain because the meeting briefing (:mod:`panhuo.briefing`, a PPTX written in
the domain) needs colours and a font too, and the domain must not import ``components/``.
``components/theme`` turns these values into what plotly and pydeck take; charts, map and
briefing import no colour from anywhere else. ``.streamlit/config.toml`` cannot import, so
its ``primaryColor`` repeats :data:`PRIMARY` and a test keeps the two equal.
"""

from __future__ import annotations

# --- the app --------------------------------------------------------------------------------
PRIMARY = "#1f6f5c"  # the app's accent (config.toml primaryColor), the first chart colour
MUTED = "#b8c4bf"  # the quiet side of a pair: 现状, 目标, 理论潜力, 储备, 已结束
ALERT = "#d1495b"  # today's line, targets, invalid values, decreases
NEUTRAL = "#7a7a7a"  # a use without a colour of its own (Sankey)
TOTAL_CELL = "#e9ecea"  # 总计 cells of a heatmap, outside the colour scale
AXIS_LINE = "#555"  # the zero line of diverging bars
MARKER_EDGE = "#333"  # the edge of a deadline diamond
TRANSPARENT = "rgba(0,0,0,0)"  # chart backgrounds: the page shows through

# qualitative palette of the charts; series keep their place in it from chart to chart
CHART_PALETTE = ["#1f6f5c", "#e07b39", "#3b7dd8", "#c4a22b", "#8e5bb5", "#d1495b", "#5b8e7d", "#7a7a7a"]
# 实施阶段: the same on charts and map, so a stage looks the same on every page
STAGE_COLORS = {"储备": "#b8c4bf", "计划实施": "#e0a458", "正在实施": "#1f6f5c", "已完成": "#3b7dd8"}
# milestone status on the 时序安排 calendar (panhuo.timeline)
STATUS_COLORS = {
    "进行中": "#1f6f5c",
    "未开始": "#3b7dd8",
    "未到期": "#e07b39",
    "已结束": "#b8c4bf",
    "已到期": "#8a8f8c",
}
# traffic lights of 进展监测 (panhuo.progress.monitor): page, charts, alert levels and 工作简报
LIGHT_COLORS = {"green": "#2e7d32", "amber": "#c77c02", "red": "#c62828", "none": "#8a8f8c"}
# a department's role for a measure (政策与任务): 牵头 dark, 责任 light
ROLE_COLORS = {"牵头": "#1f6f5c", "责任": "#9fd3c0"}
# sequential colour scale of the 潜力区 heatmap (a plotly scale name)
HEATMAP_SCALE = "Greens"

# --- the map (deck.gl takes RGB(A) lists; components.theme converts) ------------------------
# 类型大类 (panhuo.classify families)
FAMILY_COLORS = {
    "industrial": "#7b61a8",
    "urban_residential": "#e07b39",
    "village": "#4c9a2a",
    "mine": "#787878",
    "other": "#3b7dd8",
}
# qualitative palette (Tableau 10) for types, categories and phases on the map
MAP_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
               "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]  # fmt: skip
MAP_MISSING = "#bebebe"  # 未填写 and 无数据
# choropleth ramp, light to dark (5 classes), blue-grey so the dots stay readable on top
MAP_RAMP = ["#eff3f7", "#d0dde9", "#aac2d8", "#7a9ec2", "#4a75a3"]
MAP_OUTLINE = "#3c3c3c"  # 区县 borders
MAP_FEATURE_EDGE = "#1e1e1e"  # surveyed polygon edges
MAP_SCHEMATIC_EDGE = "#ffffff"  # 示意位置 circle edges
MAP_LABEL = "#191919"  # 区县 names
MAP_LABEL_BACKGROUND = "#ffffff"
MAP_SOURCE_KEY = "#787878"  # the 图形来源 legend (circle / polygon)

# --- the briefing (PPTX) --------------------------------------------------------------------
BRIEFING_INK = "#1f2937"
BRIEFING_MUTED = "#4b5563"
BRIEFING_ACCENT = "#1d4e89"
BRIEFING_BORDER = "#cbd5e1"
# the 模拟数据 label of a demonstration plan (chart watermark, briefing band): red on pale red
DEMO_INK = "#b00020"
DEMO_BAND = "#fdecee"

# --- meeting mode (components/screen.py): near-black on white, for a projector in a lit room ---
SCREEN_INK = "#111111"
SCREEN_BACKGROUND = "#ffffff"
SCREEN_NOTE = "#333333"  # notes under headline figures, captions
SCREEN_GRID = "#9e9e9e"
SCREEN_EDGE = "#999999"  # the frame of the corner control
# pale fills that wash out on a projector, and the darker shade they take there
SCREEN_DARKER = {MUTED: "#7f918a", ROLE_COLORS["责任"]: "#4f9e83", TOTAL_CELL: "#c9cfcc"}

# --- fonts ----------------------------------------------------------------------------------
# CJK families present on intranet PCs (Microsoft YaHei) and on Debian (Noto Sans CJK)
CHART_FONT = "Microsoft YaHei, Noto Sans CJK SC, PingFang SC, sans-serif"
MAP_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
BRIEFING_FONT = "Microsoft YaHei"  # PowerPoint substitutes another Chinese font when it is missing


def rgb(hex_color: str) -> tuple[int, int, int]:
    """``"#1f6f5c"`` → ``(31, 111, 92)``; three-digit ``"#555"`` is ``(85, 85, 85)``."""
    digits = hex_color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
