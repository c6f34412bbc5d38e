"""Benchmarks of the domain operations pages call on every rerun (run with `make bench`).

Not part of `make test`: timings are measured here, never asserted inside tests.
"""

import pandas as pd
import pytest

from panhuo.aggregate import Filters, apply_filters, group_totals
from panhuo.catalog import open_catalog
from panhuo.loader import plan_from_frames
from panhuo.reconcile import reconcile


@pytest.fixture(scope="module")
def catalog():
    return open_catalog(imports=False)


def test_load_all_sample_plans(benchmark):
    catalog = benchmark(open_catalog, imports=False)
    assert len(catalog.ids()) >= 5


def test_reconcile_shangdang(benchmark, catalog):
    findings = benchmark(reconcile, catalog.get("shangdang-2021"))
    assert findings


def test_group_100k_parcels_by_county(benchmark):
    counties = [f"区县{i % 12}" for i in range(100_000)]
    parcels = pd.DataFrame(
        {
            "id": [str(i) for i in range(100_000)],
            "county": counties,
            "type": ["低效工业用地"] * 100_000,
            "area": [f"{(i % 997) / 100:.2f}" for i in range(100_000)],
            "area_unit": ["公顷"] * 100_000,
        }
    )
    plan = plan_from_frames({"id": "bench", "area_unit": "公顷"}, parcels=parcels)
    frame = apply_filters(plan.parcels, Filters(counties=("区县1", "区县2", "区县3")))
    groups = benchmark(group_totals, frame, "county", "mu")
    assert len(groups) == 3
