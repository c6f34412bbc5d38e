"""The store: schema on first use, samples loaded once, versions, restore, original files.

Runs against SQLite always and against PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set
(``.ci/run`` starts Debian's postgresql and passes its URL). The ``db_url`` and ``data_dir``
fixtures here are also used by the import tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from panhuo.access import system_user
from panhuo.store import NewSource, Store, normalise_url, store_plans
from tests.conftest import ROOT

ACTOR = system_user()  # who the store's writes are made by in these tests

PG_URL = os.environ.get("PANHUO_TEST_POSTGRES_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="PANHUO_TEST_POSTGRES_URL 未设置，跳过 PostgreSQL 测试"),
        ],
    ),
]


def use_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with one sample plan (上党区) and the classifications: quick to sync."""
    folder = tmp_path / "data"
    for name in ("shangdang-2021", "classifications"):
        if (ROOT / "data" / name).exists():
            shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    return folder


def use_database(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database of ``backend`` (sqlite | postgres), configured via PANHUO_DATABASE_URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
    monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    return url


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    return use_data_dir(tmp_path, monkeypatch)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch, data_dir) -> str:
    return use_database(request.param, tmp_path, monkeypatch)


def _frame(n: int, area: str = "1.5") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [str(i + 1) for i in range(n)],
            "name": [f"地块{i + 1}" for i in range(n)],
            "area": [area] * n,
            "area_unit": ["公顷"] * n,
            "county": ["上党区"] * n,
        }
    )


def test_normalise_url_uses_psycopg3():
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_file_is_created_on_first_open_with_no_setup(tmp_path, monkeypatch, data_dir):
    path = tmp_path / "nested" / "folder" / "panhuo.sqlite"
    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(path))
    assert store_plans() == [] and not path.exists()  # reading never creates the database
    store = Store.open()
    assert path.exists()
    assert store.plan_ids() == ["shangdang-2021"]


def test_samples_load_once_and_idempotently(db_url):
    store = Store.open()
    first = store.counts()
    assert first["plans"] == 1 and first["dataset_versions"] >= 3 and first["records"] > 89
    assert store.sync_samples() == 0
    assert store.counts() == first
    parcels = [v for v in store.versions("shangdang-2021", "parcels")]
    assert [(v.number, v.origin, v.is_current) for v in parcels] == [(1, "sample", True)]


def test_sample_plan_from_store_equals_the_folder(db_url, data_dir):
    from panhuo.loader import load_plan
    from panhuo.reconcile import reconcile

    stored = Store.open().load_plan("shangdang-2021")
    disk = load_plan(data_dir / "shangdang-2021")
    assert stored.origin == "sample"
    pd.testing.assert_frame_equal(stored.parcels, disk.parcels)
    assert sorted(stored.tables) == sorted(disk.tables)
    assert [f.to_json() for f in reconcile(stored)] == [f.to_json() for f in reconcile(disk)]


def test_a_changed_sample_file_becomes_a_new_current_version(db_url, data_dir):
    store = Store.open()
    path = data_dir / "shangdang-2021" / "parcels.csv"
    path.write_bytes(path.read_bytes().replace("长治钛白粉厂".encode(), "长治钛白粉厂（更正）".encode()))
    assert store.sync_samples() == 1
    versions = store.versions("shangdang-2021", "parcels")
    assert [(v.number, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert "长治钛白粉厂（更正）" in set(store.load_plan("shangdang-2021").parcels["name"])


def test_import_versions_restore_and_original_bytes(db_url):
    store = Store.open()
    original = "\ufeff序号,面积\n1,1.5\n".encode() + b"\x00\xff tail"  # any bytes at all
    v1 = store.save_import(
        "imported",
        "parcels",
        _frame(2),
        [NewSource("a.csv", original)],
        new_plan_meta={"title": "导入", "city": "长治市"},
        actor=ACTOR,
    )
    v2 = store.save_import("imported", "parcels", _frame(3, "2.0"), [NewSource("b.csv", b"b")], actor=ACTOR)
    assert (v1.number, v2.number) == (1, 2)
    assert store.load_plan("imported").parcels["name"].tolist() == ["地块1", "地块2", "地块3"]
    v3 = store.restore("imported", "parcels", 1, actor=ACTOR)
    assert (v3.number, v3.origin, v3.restored_from, v3.is_current) == (3, "restore", v1.id, True)
    plan = store.load_plan("imported")
    assert plan.origin == "import" and len(plan.parcels) == 2
    ((name, digest, content),) = store.source_files(v3.id)
    assert (name, content) == ("a.csv", original)
    assert digest == v1.source_sha256
    assert [v.is_current for v in store.versions("imported", "parcels")] == [False, False, True]
    assert "imported" in [p.id for p in store_plans()]


def test_a_failed_save_writes_nothing(db_url):
    store = Store.open()
    before = store.counts()
    with pytest.raises(KeyError):
        store.save_import("no-such-plan", "parcels", _frame(2), [NewSource("a.csv", b"x")], actor=ACTOR)
    with pytest.raises(ValueError):
        store.save_import("shangdang-2021", "no-such-dataset", _frame(2), [], actor=ACTOR)
    assert store.counts() == before


def test_reports_are_kept_in_their_own_transaction(db_url):
    store = Store.open()
    report_id = store.record_report(
        "x", "a.csv", "abc", "failed", [{"problem": "坏\x00数据"}], "失败", actor=ACTOR
    )
    (report,) = store.reports("x")
    assert report["id"] == report_id and report["problems"] == [{"problem": "坏数据"}]


def test_mappings_are_remembered_per_layout(db_url):
    store = Store.open()
    assert store.saved_mapping("layout-1") is None
    store.remember_mapping(
        "layout-1", "parcels", ["序号", "面积"], {"面积": {"field": "area", "unit": "亩"}}, actor=ACTOR
    )
    store.remember_mapping(
        "layout-1", "parcels", ["序号", "面积"], {"面积": {"field": "area", "unit": "公顷"}}, actor=ACTOR
    )
    assert store.saved_mapping("layout-1") == {"面积": {"field": "area", "unit": "公顷"}}


def test_catalog_lists_imported_plans_and_samples_changed_by_an_import(db_url):
    from panhuo.catalog import open_catalog

    store = Store.open()
    assert open_catalog().get("shangdang-2021").origin == "sample"
    store.save_import("shangdang-2021", "parcels", _frame(4), [NewSource("new.csv", b"new")], actor=ACTOR)
    catalog = open_catalog()
    assert catalog.get("shangdang-2021").origin == "import"
    assert len(catalog.get("shangdang-2021").parcels) == 4
    assert len(catalog.get("shangdang-2021").tables) > 0  # its published tables stay
