"""Shared fixtures. Paths are built from the repository root (AppTest resolves relative paths
against the test file)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_IDS = ["shangdang-2021", "wuwei-2023", "liaocheng-2020", "huzhou-2023", "urumqi-2025"]
# the five public documents the sample plans transcribe (shared/seeds beside the repository)
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_PREFIX = dict(zip(SAMPLE_IDS, ("000", "001", "002", "003", "004"), strict=True))


def seed_text(plan_id_or_prefix: str) -> str:
    """The seed document of a sample plan (``"shangdang-2021"`` or its file prefix ``"000"``).

    Tests comparing the data with the documents fail, loudly, when the documents are missing:
    they are the ground truth, and a skipped comparison would look like a passing one.
    """
    prefix = SEED_PREFIX.get(plan_id_or_prefix, plan_id_or_prefix)
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.fail(
            f"找不到原文 {SEEDS}/{prefix}_*.txt：数据与原文的对照测试需要 ../shared/seeds（五份种子文件）。"
            "请在仓库旁放置 shared/seeds 后再运行。",
            pytrace=False,
        )
    return files[0].read_text(encoding="utf-8")


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
