"""报送设置: the plan's cadence by default, changed by an administrator only (page and command
line), in the audit trail, never leaving a report without its period."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from panhuo.access import Grant, PermissionDenied, Role, User
from panhuo.catalog import open_catalog
from panhuo.progress import Progress
from panhuo.store import Store
from tests.accounts import make_user, sign_in
from tests.pages import open_page

PLAN = "huzhou-2023"
ADMIN = User("chief", "局长", (Grant(Role.ADMIN, PLAN),))
REPORTER = User("dq", "德清填报员", (Grant(Role.REPORTER, PLAN, ("德清县",)),))


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "s.sqlite"))
    store = Store.open()
    plan = open_catalog(store=store, only=[PLAN]).get(PLAN)
    return Progress(store, today=lambda: dt.date(2024, 7, 20)), plan


def test_default_from_the_plan_then_changed_by_an_administrator(setup):
    progress, plan = setup
    config = progress.config(plan)
    assert (config.cadence_months, config.first_start, config.due_days, config.is_default) == (
        2,
        dt.date(2024, 1, 1),
        15,
        True,
    )
    with pytest.raises(PermissionDenied, match="没有设置进展填报的权限"):
        progress.set_config(REPORTER, plan, cadence_months=6)
    progress.set_config(ADMIN, plan, cadence_months=6, first_start=dt.date(2024, 1, 1), due_days=20)
    assert [p.id for p in progress.periods(plan)][:2] == ["2024-H1", "2024-H2"]
    assert progress.periods(plan)[0].due == dt.date(2024, 7, 20)
    entries = progress.store.audit_entries()
    row = next(e for e in entries if e.kind == "progress_config_changed")
    assert row.actor == "chief" and row.before["cadence_months"] == 2 and row.after["cadence_months"] == 6


def test_a_change_that_orphans_reports_is_refused(setup):
    progress, plan = setup
    progress.save_draft(REPORTER, plan, "德清县", "2024-B3", [], {"progress": "本期无新进展"})
    with pytest.raises(ValueError, match="已有报告的报送期在新设置下不存在：2024-B3"):
        progress.set_config(ADMIN, plan, cadence_months=6)
    assert progress.config(plan).cadence_months == 2
    with pytest.raises(ValueError, match="0—180 天"):
        progress.set_config(ADMIN, plan, due_days=400)


def test_command_line_config(setup, capsys):
    from panhuo.cli import main

    progress, _plan = setup
    name = make_user("admin", PLAN, store=progress.store)
    assert main(["progress", "config", PLAN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cadence_months"] == 2
    assert main(["progress", "config", PLAN, "--cadence", "3", "--user", name]) == 0
    assert "每 3 个月一期" in capsys.readouterr().out
    reporter = make_user("reporter", PLAN, ("德清县",), store=progress.store)
    assert main(["progress", "config", PLAN, "--cadence", "6", "--user", reporter]) == 2
    assert "没有设置进展填报的权限" in capsys.readouterr().err
    assert main(["progress", "periods", PLAN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "2024-Q1"


def test_settings_panel_only_for_administrators(setup):
    analyst = open_page("progress-review", session=sign_in("analyst", PLAN), plan=PLAN)
    assert not [e for e in analyst.expander if "报送设置" in e.label]
    admin = open_page("progress-review", session=sign_in("admin", PLAN), plan=PLAN)
    assert [e for e in admin.expander if "报送设置" in e.label]
    assert not admin.exception


def test_the_first_period_lies_within_the_plan(setup):
    progress, plan = setup
    with pytest.raises(ValueError, match="须在规划期内（2022—2027 年）"):
        progress.set_config(ADMIN, plan, first_start=dt.date(1900, 1, 1))
