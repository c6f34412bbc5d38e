"""Benchmarks of the map and the import at analyst scale (run with `make bench`).

Timings are measured here, never asserted inside tests; the asserts only check that the
benchmarked call did the work (so a fast wrong answer does not look like a speed-up).
"""

import json

import pandas as pd
import pytest

from components.map_builder import build_map
from panhuo.catalog import open_catalog
from panhuo.geo.boundaries import plan_areas
from panhuo.geo.features import map_features
from panhuo.importing.engine import InputFile, import_files

N_FEATURES = 5_000
N_ROWS = 20_000


@pytest.fixture(scope="module")
def huzhou():
    return open_catalog(imports=False).get("huzhou-2023")


@pytest.fixture(scope="module")
def many_zones(huzhou):
    """The 66 湖州 片区 repeated to 5,000 records, each with its own id and town."""
    zones = huzhou.zones
    reps = -(-N_FEATURES // len(zones))
    frame = pd.concat([zones] * reps, ignore_index=True).head(N_FEATURES).copy()
    frame["id"] = [f"z{i}" for i in range(len(frame))]
    frame["location"] = frame["location"].astype(str) + (frame.index % 40).astype(str)
    return frame


def test_place_5000_schematic_features(benchmark, huzhou, many_zones):
    features = benchmark(
        map_features, many_zones, city=huzhou.city, province=huzhou.province, counties=huzhou.counties
    )
    assert len(features) == N_FEATURES
    assert features.geometry.notna().all()


def test_build_map_of_5000_features(benchmark, huzhou, many_zones):
    features = map_features(many_zones, city=huzhou.city, province=huzhou.province, counties=huzhou.counties)
    outlines, _problems = plan_areas(huzhou.counties, city=huzhou.city, province=huzhou.province)
    spec = benchmark(build_map, features, outlines, color_by="family", unit="mu")
    payload = spec.deck.to_json()
    benchmark.extra_info["deck_json_mb"] = round(len(payload.encode()) / 1e6, 2)
    layers = {layer["id"]: layer for layer in json.loads(payload)["layers"]}
    assert len(layers["features-schematic"]["data"]) == N_FEATURES


def test_check_a_20000_row_survey_csv(benchmark, tmp_path):
    rows = [f"DK{i:05d},地块{i},吴兴区,{(i % 97) + 1}.5,低效工业用地,正在实施" for i in range(N_ROWS)]
    data = ("地块编号,地块名称,所在区县,面积（亩）,类型,实施阶段\n" + "\n".join(rows)).encode("utf-8-sig")
    files = [InputFile("调查.csv", data)]
    result = benchmark(import_files, files, "huzhou-2023", dry_run=True)
    assert result.ok, result
