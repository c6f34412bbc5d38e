"""The page 征求意见 in AppTest: 乌鲁木齐's closed consultation says when it closed and offers no
form; an open window takes a comment on a measure, answers with a reference, refuses after the
deadline on the server (a form sent after closing), finds the comment by reference, and shows
published comments and answers as plain text with nothing private."""

from __future__ import annotations

import datetime as dt

import pytest

from panhuo.access import Grant, Role, User
from panhuo.catalog import open_catalog
from panhuo.consultation import Consultations, Target
from panhuo.store import Store
from tests.pages import open_page, rendered_text

ADMIN = User("gly", "管理员", (Grant(Role.ADMIN),))
HOSTILE = "<b>粗体</b> [链接](http://x.example) ![图](http://x.example/a.png) 电话13812345678"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "db.sqlite"))
    store = Store.open()
    return store, Consultations(store), open_catalog(store=store)


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.text] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success] + [i.value for i in at.info]
    return rendered_text("\n".join(str(p) for p in parts))


def test_urumqi_is_closed_shows_why_and_no_form(fresh):
    at = open_page("consultation", plan="urumqi-2025")
    text = page_text(at)
    assert "征求意见已于 2025-12-17 24:00（北京时间）截止" in text
    assert "第18条" in text and "牵头单位：市自然资源局" in text  # the measures read as text
    assert not [b for b in at.button if b.label == "提交意见"]
    assert "已公开的意见（0 条）" in [h.value for h in at.header][-1]


def test_a_comment_on_a_measure_then_lookup_and_the_published_answer(fresh):
    store, service, catalog = fresh
    huzhou = catalog.get("huzhou-2023")
    service.open(ADMIN, huzhou, until="2099-12-31", start="2020-01-01")
    at = open_page("consultation", plan="huzhou-2023")
    at.radio(key="cmt_kind").set_value("measure").run()
    at.selectbox(key="cmt_target").set_value("2-2")
    at.text_area(key="cmt_text").input(HOSTILE)
    at.text_input(key="cmt_name").input("张三")
    at.text_input(key="cmt_contact").input("13900001111")
    at.button(key="FormSubmitter:comment_form-提交意见").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [done] = at.success
    ref = rendered_text(done.value).split("查询编号：")[1].split("。")[0].strip("*")
    [comment] = service.comments(ADMIN, huzhou)
    assert comment.ref == ref and comment.target_text.startswith("措施 第2-2条") and comment.author_contact == "13900001111"
    mod = ADMIN
    service.publish(mod, huzhou, ref)
    service.answer(mod, huzhou, ref, "已有考虑", "第2-2条已有相关安排。")
    service.release_answers(mod, huzhou)
    at = open_page("consultation", plan="huzhou-2023")
    at.text_input(key="cmt_ref").input(ref.lower())
    at.button(key="FormSubmitter:lookup_form-查询").click().run()
    text = page_text(at)
    assert "状态：已公开" in text and "答复：已有考虑" in text and "已公开的意见（1 条）" in [h.value for h in at.header][-1]
    # the comment shows as typed (masked), never rendered: no link, image or bold reaches Markdown unescaped
    shown = [t.value for t in at.text if "粗体" in t.value]
    assert shown and all("<b>粗体</b>" in s and "138＊＊＊＊1111" not in s for s in shown)
    everything = "\n".join(str(e.value) for e in (*at.markdown, *at.text, *at.caption) if hasattr(e, "value"))
    for secret in ("张三", "13900001111", "13812345678"):
        assert secret not in everything
    for m in at.markdown:
        assert "](http" not in m.value and "<b>" not in m.value


def test_a_form_sent_after_closing_is_refused_by_the_server(fresh):
    store, service, catalog = fresh
    huzhou = catalog.get("huzhou-2023")
    window = service.open(ADMIN, huzhou, until="2099-12-31", start="2020-01-01")
    at = open_page("consultation", plan="huzhou-2023")
    assert [b for b in at.button if b.label == "提交意见"]
    service.close(ADMIN, huzhou, window.id)  # closes while the form is on screen
    at.text_area(key="cmt_text").input("表单打开后才截止的意见内容")
    at.button(key="FormSubmitter:comment_form-提交意见").click().run()
    [error] = at.error
    assert "截止（提前结束），不再接受意见" in rendered_text(error.value)
    assert service.comments(ADMIN, huzhou) == []
