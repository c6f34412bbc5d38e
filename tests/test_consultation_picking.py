"""Picking a comment's point on the map: the grid a person clicks and what a click may carry."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from panhuo.consultation.picking import ACROSS, LEVELS, M_PER_DEG, NARROW, grid, picked_cell

HUZHOU = (119.6, 30.6, 120.3, 31.1)  # lon/lat bounds of a city about 67 km by 55 km


def _side_m(cell: dict) -> tuple[float, float]:
    (x0, y0), (x1, _), (_, y2), _ = cell["ring"]
    cos = math.cos(math.radians(cell["lat"]))
    return (x1 - x0) * cos * M_PER_DEG, (y2 - y0) * M_PER_DEG


def test_the_first_grid_covers_the_plan_in_square_cells():
    g = grid(HUZHOU)
    assert len(g.cells) == ACROSS * ACROSS == 576
    minx, miny, maxx, maxy = g.bounds
    eps = 1e-9
    assert (
        minx <= HUZHOU[0] + eps
        and maxx >= HUZHOU[2] - eps
        and miny <= HUZHOU[1] + eps
        and maxy >= HUZHOU[3] - eps
    )
    width, height = _side_m(g.cells[0])
    assert abs(width - height) / height < 0.01  # square on the ground, not in degrees
    assert 2_500 < g.cell_m < 3_000  # 67 km / 24
    assert not g.finest


def test_each_click_narrows_the_grid_around_the_point():
    first = grid(HUZHOU)
    point = (first.cells[300]["lon"], first.cells[300]["lat"])
    second = grid(HUZHOU, 1, point)
    third = grid(HUZHOU, 2, point)
    assert math.isclose(second.cell_m, first.cell_m / NARROW, rel_tol=0.02)
    assert math.isclose(third.cell_m, first.cell_m / NARROW**2, rel_tol=0.05)
    assert third.cell_m < 100 and third.finest
    for g in (second, third):  # centred on the picked point
        minx, miny, maxx, maxy = g.bounds
        assert math.isclose((minx + maxx) / 2, point[0], abs_tol=1e-9)
        assert math.isclose((miny + maxy) / 2, point[1], abs_tol=1e-9)
        assert all(c["level"] == g.level for c in g.cells)
    assert grid(HUZHOU, 99, point).level == LEVELS - 1  # never finer than the last level
    assert grid(HUZHOU, 1, None).bounds == first.bounds  # no point yet: the whole plan


def test_a_point_plan_still_gets_a_grid():
    g = grid((120.0, 30.0, 120.0, 30.0))
    assert len(g.cells) == 576 and 80 <= g.cell_m <= 90  # 2 km / 24


def test_a_picked_cell_gives_its_centre_and_level():
    g = grid(HUZHOU, 1, (119.9, 30.8))
    cell = g.cells[10]
    event = {"selection": {"indices": {"pick-cells": [10]}, "objects": {"pick-cells": [cell]}}}
    assert picked_cell(event, "pick-cells") == (cell["lon"], cell["lat"], 1)
    assert picked_cell(event["selection"], "pick-cells") == (cell["lon"], cell["lat"], 1)
    assert picked_cell(event, "features") is None  # a click on another layer picks nothing


def test_invalid_picks_are_ignored():
    def pick(obj):
        return picked_cell({"selection": {"objects": {"pick-cells": [obj]}}}, "pick-cells")

    assert picked_cell(None, "pick-cells") is None
    assert picked_cell({}, "pick-cells") is None
    assert picked_cell({"selection": None}, "pick-cells") is None
    assert pick({"lon": "NaN", "lat": 30}) is None
    assert pick({"lon": float("inf"), "lat": 30}) is None
    assert pick({"lon": 2.35, "lat": 48.85}) is None  # Paris: not a place in a Chinese plan
    assert pick({"lon": "<script>", "lat": 30}) is None
    assert pick({"lat": 30}) is None
    assert pick("120,30") is None
    assert pick({"lon": 120.123456789, "lat": 30.5, "level": 7}) == (120.12346, 30.5, LEVELS - 1)


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_no_selection_from_the_browser_raises(value):
    for event in (
        value,
        {"selection": value},
        {"selection": {"objects": value}},
        {"selection": {"objects": {"pick-cells": value}}},
    ):
        if isinstance(event, dict) or event is None:
            result = picked_cell(event, "pick-cells")
            assert result is None or (73 <= result[0] <= 136 and 3 <= result[1] <= 54)
