"""A database that cannot be reached: the pages show the samples and say so, and only an analyst
sees the driver's text (it names hosts and file paths)."""

from __future__ import annotations

import pytest

from components import cached
from tests.pages import open_page

UNREACHABLE = "postgresql+psycopg://panhuo:secret@127.0.0.1:9/panhuo_nowhere"


@pytest.fixture
def unreachable(monkeypatch):
    monkeypatch.setenv("PANHUO_DATABASE_URL", UNREACHABLE)
    cached.invalidate()
    yield
    cached.invalidate()  # later tests try their own database at once


@pytest.mark.parametrize("public", [False, True], ids=["analyst", "public"])
def test_unreachable_database_leaves_the_samples_and_a_notice(unreachable, public, monkeypatch):
    if public:
        monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_page("overview", plan="huzhou-2023")
    # the notice comes once per session, and open_page's first run (to register the pages) saw
    # it: forget that, as a new session would
    at.session_state["_panhuo_store_warned"] = None
    at.run()
    assert at.selectbox(key="f_plan").value == "huzhou-2023"  # the samples are still there
    toasts = [t.value for t in at.toast]
    assert len(toasts) == 1 and toasts[0].startswith("数据库暂时无法使用，只显示样例规划")
    assert "secret" not in toasts[0]  # never the password
    if public:
        assert toasts[0] == "数据库暂时无法使用，只显示样例规划"
        assert "127.0.0.1" not in toasts[0]
    else:  # the driver's text (host, port) is in the log, not on the screen
        assert toasts[0] == "数据库暂时无法使用，只显示样例规划（原因已写入服务器日志）"
        assert "127.0.0.1" not in toasts[0] and "OperationalError" not in toasts[0]


def test_a_signed_in_tab_gets_the_public_view_when_the_database_goes_away(monkeypatch):
    from tests.accounts import sign_in

    session = sign_in("analyst")
    monkeypatch.setenv("PANHUO_DATABASE_URL", UNREACHABLE)
    cached.invalidate()
    try:
        at = open_page("overview", session=session, check=True)
        shown = "\n".join(str(i.value) for i in at.sidebar.info)
        assert "数据库暂时无法连接，登录暂不可用" in shown
        assert "当前为公开视图" in "\n".join(str(c.value) for c in at.sidebar.caption)
        with pytest.raises(ValueError, match="data_import"):  # not offered
            at.switch_page("app_pages/data_import.py")
    finally:
        cached.invalidate()
