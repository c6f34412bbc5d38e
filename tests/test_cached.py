"""The pages' cached wrapper (components/cached.py): an import reloads only the plan it changed,
the caches stay bounded (memory after ten imports within 20 % of memory after the first), and
only an unreachable database is caught — as StoreUnavailable — never a bug.

The import loop runs in a fresh Python process so its memory is measured alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.test_store import use_data_dir, use_database

SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    sys.path.insert(0, sys.argv[1])
    from components import cached
    from panhuo.access import system_user
    from panhuo.importing import InputFile, import_files, new_plan_meta
    from panhuo.store import Store

    loads, counting = [], [False]
    original = Store.load_plan

    def load_plan(self, plan_id):
        if counting[0]:
            loads.append(plan_id)
        return original(self, plan_id)

    Store.load_plan = load_plan

    def rss_kb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

    def csv(rows, tag):
        head = "序号,地块名称,乡镇,类型,面积（公顷）,实施阶段\\n"
        return (head + "".join(f"{i},{tag}{i},韩店街道,旧厂矿,1.5,储备\\n" for i in range(1, rows + 1))).encode()

    def look():  # plans are read when first asked for (catalog.get), not by cached.catalog()
        counting[0] = True
        catalog = cached.catalog()
        sizes = {pid: len(catalog.get(pid).parcels) for pid in catalog.ids()}
        counting[0] = False
        return sizes

    meta = lambda pid: new_plan_meta(pid, title=pid, province="山西省", city="长治市")
    store = cached.store()
    big = import_files([InputFile("big.csv", csv(5000, "大"))], "big-plan", plan_meta=meta("big-plan"), store=store,
                       actor=system_user())
    assert big.ok, big.message
    cached.invalidate()
    look()
    rss, sizes = [], []
    for i in range(10):
        result = import_files(
            [InputFile(f"small{i}.csv", csv(3 + i, "小"))], "other-plan", plan_meta=meta("other-plan"), store=store,
            actor=system_user()
        )
        assert result.ok, result.message
        cached.invalidate()
        sizes.append(look())
        gc.collect()
        rss.append(rss_kb())
    print(json.dumps({"loads": loads, "rss": rss, "sizes": sizes}))
    """
)


def test_ten_imports_reload_only_the_changed_plan_and_memory_stays_flat(tmp_path, monkeypatch):
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    script = tmp_path / "imports.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loads"].count("big-plan") == 1  # read once, kept while other-plan changed
    assert found["loads"].count("other-plan") == 10  # once per import into it
    assert set(found["loads"]) == {"big-plan", "other-plan"}  # the sample plan comes from its folder
    assert [s["other-plan"] for s in found["sizes"]] == [3 + i for i in range(10)]
    assert all(s["big-plan"] == 5000 for s in found["sizes"])
    first, last = found["rss"][0], found["rss"][-1]
    assert last <= first * 1.2, f"RSS grew from {first} kB to {last} kB over ten imports"


def test_only_an_unreachable_database_is_caught(monkeypatch, tmp_path):
    """A database error becomes StoreUnavailable with a Chinese message; a bug stays a bug."""
    from panhuo.catalog import open_catalog
    from panhuo.settings import load_settings
    from panhuo.store import Store, StoreUnavailable

    use_data_dir(tmp_path, monkeypatch)
    monkeypatch.setenv("PANHUO_DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    with pytest.raises(StoreUnavailable) as raised:
        open_catalog(load_settings(), create=True)
    assert str(raised.value) == "数据库暂时无法使用" and "OperationalError" in raised.value.detail

    use_database("sqlite", tmp_path, monkeypatch)
    Store.open()

    def broken(self, plan_id):
        raise ZeroDivisionError("a bug in loading")

    monkeypatch.setattr(Store, "plan_revisions", lambda self, demo=True: {"shangdang-2021": 1})
    monkeypatch.setattr(Store, "load_plan", broken)
    with pytest.raises(ZeroDivisionError):  # plans are read when first asked for
        open_catalog(load_settings()).get("shangdang-2021")
