"""Colours and fonts are written once (panhuo/palette.py) and reach charts, map and briefing unchanged."""

from __future__ import annotations

import re
import tomllib

import pytest

from components import theme
from panhuo import palette
from tests.conftest import ROOT

# a colour written as a value: "#1f6f5c", "#555", "rgba(0,0,0,0)", RGBColor(0x1F, …), (60, 60, 60)
COLOUR_LITERAL = re.compile(
    r"""["']#[0-9a-fA-F]{3,8}["']|["']rgba?\(|RGBColor\(0x|\(\s*\d{1,3},\s*\d{1,3},\s*\d{1,3}\s*[,)]"""
)
DRAWING_MODULES = [
    *sorted((ROOT / "components").glob("charts*.py")),
    ROOT / "components" / "map_builder.py",
    ROOT / "components" / "screen.py",
    ROOT / "panhuo" / "briefing.py",
]


@pytest.mark.parametrize("path", DRAWING_MODULES, ids=lambda p: p.name)
def test_charts_map_and_briefing_take_their_colours_from_the_palette(path):
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if COLOUR_LITERAL.search(line)
    ]
    assert not found, found


def test_streamlit_primary_colour_is_the_palette_primary():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["theme"]["primaryColor"] == palette.PRIMARY == theme.PALETTE[0]


def test_a_stage_has_the_same_colour_on_charts_and_map():
    assert {s: palette.rgb(c) for s, c in theme.STAGE_COLORS.items()} == theme.MAP_STAGE_COLORS
    assert theme.MAP_STAGE_COLORS["正在实施"] == (31, 111, 92)


@pytest.mark.parametrize(
    ("hex_color", "expected"),
    [("#1f6f5c", (31, 111, 92)), ("#555", (85, 85, 85)), ("ffffff", (255, 255, 255))],
)
def test_rgb(hex_color, expected):
    assert palette.rgb(hex_color) == expected


def test_rgba_for_plotly():
    assert theme.rgba("#1f6f5c", 0.35) == "rgba(31,111,92,0.35)"
