"""Shared fixtures. Paths are built from the repository root (AppTest resolves relative paths
against the test file)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_IDS = ["shangdang-2021", "wuwei-2023", "liaocheng-2020", "huzhou-2023", "urumqi-2025"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def catalog():
    from panhuo.catalog import open_catalog

    return open_catalog(imports=False)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """Each test session writes its SQLite store to a temporary file, never to var/; the
    demonstration plan is off (its tests turn it on with PANHUO_DEMO=1)."""
    db = tmp_path_factory.getbasetemp() / "panhuo-test.sqlite"
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(db))
    monkeypatch.setenv("PANHUO_DEMO", "0")
