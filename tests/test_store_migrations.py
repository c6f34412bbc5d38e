"""Schema migrations: the revisions make the ORM schema; a store made by the release before
migrations (tables, no ``alembic_version``) is stamped and upgraded in place with its imports,
versions and original files; concurrent first use upgrades once; ``python -m panhuo db``.

SQLite always, PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from panhuo.access import system_user
from panhuo.store import Store, migrate
from panhuo.store.connect import get_engine
from panhuo.store.schema import Base
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests

# --- the schema of the release before migrations (commit 2d1a404), frozen here ----------------
OLD = sa.MetaData()
sa.Table(
    "plans", OLD,
    sa.Column("id", sa.String(120), primary_key=True),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)  # fmt: skip
sa.Table(
    "dataset_versions", OLD,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.String(120), sa.ForeignKey("plans.id"), nullable=False, index=True),
    sa.Column("dataset", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("data_origin", sa.String(16), nullable=False),
    sa.Column("source_name", sa.String(500), nullable=False),
    sa.Column("source_sha256", sa.String(200), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False, index=True),
    sa.Column("restored_from", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.UniqueConstraint("plan_id", "dataset", "number", name="uq_version_number"),
)  # fmt: skip
sa.Table(
    "records", OLD,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False, index=True),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)  # fmt: skip
sa.Table(
    "source_files", OLD,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False, index=True),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)  # fmt: skip
sa.Table(
    "mappings", OLD,
    sa.Column("layout", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)  # fmt: skip
sa.Table(
    "import_reports", OLD,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("plan_id", sa.String(120), nullable=False, index=True),
    sa.Column("source_name", sa.String(1000), nullable=False),
    sa.Column("source_sha256", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("version_id", sa.Integer, nullable=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("problems", sa.JSON, nullable=False),
)  # fmt: skip

ORIGINAL = "\ufeff序号,地块名称,面积（公顷）\n1,老厂,1.5\n2,新厂,2\n".encode() + b"\x00\xff"  # any bytes
WHEN = dt.datetime(2026, 11, 1, 8, 0, 0)


def _old_release_store(url: str) -> None:
    """A store as the previous release left it: its tables, a plan imported in two versions,
    the original file and the import report — and no alembic_version table."""
    engine = get_engine(url)
    OLD.create_all(engine)
    t = OLD.tables
    row = {"area": "1.5", "area_unit": "公顷", "county": "上党区", "name": "老厂", "id": "1"}
    with engine.begin() as c:
        meta = {
            "id": "old-import",
            "title": "旧版导入",
            "city": "长治市",
            "province": "山西省",
            "kind": "parcels",
        }
        c.execute(
            t["plans"].insert(),
            [dict(id="old-import", origin="import", meta=meta, created_at=WHEN, updated_at=WHEN)],
        )
        for number in (1, 2):
            version = c.execute(
                t["dataset_versions"].insert().returning(t["dataset_versions"].c.id),
                dict(
                    plan_id="old-import",
                    dataset="parcels",
                    number=number,
                    created_at=WHEN,
                    origin="import",
                    data_origin="import",
                    source_name=f"v{number}.csv",
                    source_sha256=hashlib.sha256(ORIGINAL).hexdigest(),
                    row_count=number,
                    columns=list(row),
                    is_current=number == 2,
                    restored_from=None,
                    note="",
                    extra={},
                ),
            ).scalar_one()
            c.execute(
                t["records"].insert(),
                [dict(version_id=version, row_no=i, data={**row, "id": str(i + 1)}) for i in range(number)],
            )
            c.execute(
                t["source_files"].insert(),
                dict(
                    version_id=version,
                    filename=f"v{number}.csv",
                    sha256=hashlib.sha256(ORIGINAL).hexdigest(),
                    size=len(ORIGINAL),
                    content=ORIGINAL,
                ),
            )
        c.execute(
            t["import_reports"].insert(),
            dict(created_at=WHEN, plan_id="old-import", source_name="v2.csv", source_sha256="x", status="imported",
                 version_id=version, summary="已导入 2 行", problems=[]),
        )  # fmt: skip


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database(request.param, tmp_path, monkeypatch)


def test_the_revisions_make_exactly_the_orm_schema(db_url):
    store = Store.open()
    assert store.current_revision() == migrate.head()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_store_from_the_previous_release_upgrades_in_place(db_url):
    _old_release_store(db_url)
    before = Store(db_url)
    assert before.exists() and before.current_revision() is None
    with before.engine.connect() as connection:
        assert migrate.is_legacy(connection)

    store = Store.open()  # first use: stamped at the baseline, upgraded, samples added
    assert store.current_revision() == migrate.head()
    plan = store.load_plan("old-import")
    assert plan.title == "旧版导入" and plan.origin == "import"
    assert plan.parcels["name"].tolist() == ["老厂", "老厂"] and len(plan.parcels) == 2
    # migration 0007 turned the parcels' JSON rows into typed parts, with the areas parsed once
    assert plan.parcels["area_q"].dtype == "int64" and plan.parcels["area_exact"].all()
    with store.engine.connect() as connection:
        left = "SELECT count(*) FROM records JOIN dataset_versions v ON v.id = records.version_id"
        assert connection.execute(text(f"{left} WHERE v.dataset = 'parcels'")).scalar() == 0
        parts = "SELECT count(DISTINCT version_id) FROM version_parts"
        assert connection.execute(text(parts)).scalar() >= 2  # both old versions (and the samples')
    versions = store.versions("old-import", "parcels")
    assert [(v.number, v.source_name, v.is_current) for v in versions] == [
        (1, "v1.csv", False),
        (2, "v2.csv", True),
    ]
    for version in versions:
        ((name, digest, content),) = store.source_files(version.id)
        assert (name, content, digest) == (
            f"v{version.number}.csv",
            ORIGINAL,
            hashlib.sha256(ORIGINAL).hexdigest(),
        )
    assert [r["summary"] for r in store.reports("old-import")] == ["已导入 2 行"]
    assert "shangdang-2021" in store.plan_ids()  # the samples joined it
    restored = store.restore("old-import", "parcels", 1, actor=ACTOR)  # and it takes new versions
    assert restored.number == 3 and len(store.load_plan("old-import").parcels) == 1


def _first_use(url: str, data_dir: str, queue) -> None:
    import os

    os.environ["PANHUO_DATABASE_URL"], os.environ["PANHUO_DATA_DIR"] = url, data_dir
    from panhuo.store import Store, connect, migrate

    connect._ENGINES.clear()  # a forked child opens its own connections
    migrate._UPGRADED.clear()
    try:
        Store.open()
        queue.put("ok")
    except Exception as exc:  # reported to the test, which fails with it
        queue.put(f"{type(exc).__name__}: {exc}")


def test_two_processes_opening_a_new_store_at_once_both_succeed(db_url, tmp_path):
    import os

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_first_use, args=(db_url, os.environ["PANHUO_DATA_DIR"], queue))
        for _ in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok"] * 3
    store = Store(db_url)
    assert store.current_revision() == migrate.head() and store.plan_ids() == ["shangdang-2021"]
    assert [v.number for v in store.versions("shangdang-2021", "parcels")] == [1]


def test_db_commands_report_and_upgrade(db_url, tmp_path):
    def db(action: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "panhuo", "db", action],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert "尚未建立" in db("current")
    _old_release_store(db_url)
    assert "旧版数据库" in db("current")
    assert db("upgrade") == f"数据库已升级到 {migrate.head()}（原为 旧版，未记录结构版本）"
    assert db("current") == f"{migrate.head()}（最新）"
    assert db("upgrade") == f"数据库已是最新结构：{migrate.head()}"
    assert Store(db_url).load_plan("old-import").title == "旧版导入"


def test_db_commands_on_an_unreachable_database_say_so_in_chinese():
    """No traceback: the command says the database cannot be used, and exits 1."""
    env = {**os.environ, "PANHUO_DATABASE_URL": "postgresql+psycopg://panhuo:x@127.0.0.1:9/nowhere"}
    for command in (
        ["db", "upgrade"],
        ["db", "current"],
        ["import", str(ROOT / "data" / "README.md"), "--plan", "x"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "panhuo", *command], cwd=ROOT, capture_output=True, text=True, env=env
        )
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.startswith("错误：数据库暂时无法使用"), (command, result.stderr)
        assert "Traceback" not in result.stderr
