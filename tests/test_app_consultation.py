"""The page 征求意见 in AppTest: 乌鲁木齐's closed consultation says when it closed and offers no
form; an open window takes a comment on a measure, answers with a reference, refuses after the
deadline on the server (a form sent after closing), finds the comment by reference, and shows
published comments and answers as plain text with nothing private."""

from __future__ import annotations

import pytest

from panhuo.access import Grant, Role, User
from panhuo.catalog import open_catalog
from panhuo.consultation import Consultations
from panhuo.store import Store
from tests.pages import goto, open_page, rendered_text

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
    _store, service, catalog = fresh
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
    assert (
        comment.ref == ref
        and comment.target_text.startswith("措施 第2-2条")
        and comment.author_contact == "13900001111"
    )
    mod = ADMIN
    service.publish(mod, huzhou, ref)
    service.answer(mod, huzhou, ref, "已有考虑", "第2-2条已有相关安排。")
    service.release_answers(mod, huzhou)
    at = open_page("consultation", plan="huzhou-2023")
    at.text_input(key="cmt_ref").input(ref.lower())
    at.button(key="FormSubmitter:lookup_form-查询").click().run()
    text = page_text(at)
    assert (
        "状态：已公开" in text
        and "答复：已有考虑" in text
        and "已公开的意见（1 条）" in [h.value for h in at.header][-1]
    )
    # the comment shows as typed (masked), never rendered: no link, image or bold reaches Markdown unescaped
    shown = [t.value for t in at.text if "粗体" in t.value]
    assert shown and all("<b>粗体</b>" in s and "138＊＊＊＊1111" not in s for s in shown)
    everything = "\n".join(str(e.value) for e in (*at.markdown, *at.text, *at.caption) if hasattr(e, "value"))
    for secret in ("张三", "13900001111", "13812345678"):
        assert secret not in everything
    for m in at.markdown:
        assert "](http" not in m.value and "<b>" not in m.value


def test_a_form_sent_after_closing_is_refused_by_the_server(fresh):
    _store, service, catalog = fresh
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


def test_moderation_page_publishes_masks_and_answers(fresh):
    from tests.accounts import sign_in

    store, service, catalog = fresh
    huzhou = catalog.get("huzhou-2023")
    service.open(ADMIN, huzhou, until="2099-12-31", start="2020-01-01")
    comment = service.submit(huzhou, "请联系张三 13812345678，南浔区片区范围偏大。", name="王五", contact="13900001111",
                             client="1.1.1.1")  # fmt: skip
    with pytest.raises(ValueError):  # a visitor is not offered the page (its address says why)
        goto(open_page(None), "consultation-review")
    alone = open_page("consultation-review", alone=True, check=False, plan="huzhou-2023")
    assert "此页面需要登录" in page_text(alone) + "".join(w.value for w in alone.warning)
    assert not [e for e in alone.expander if "第 1 条" in e.label]
    at = open_page(
        "consultation-review", session=sign_in("moderator", "huzhou-2023", store=store), plan="huzhou-2023"
    )
    assert not at.exception
    [item] = [e for e in at.expander if "第 1 条" in e.label]
    assert "待审核" in item.label
    text = page_text(at)
    assert (
        "138＊＊＊＊5678" in text and "王五" in text and "13900001111" in text
    )  # the moderator sees who wrote
    masked = comment.text_masked.replace("张三", "＊＊")
    at.text_area(key=f"mask_{comment.ref}").input(masked)
    at.button(key=f"maskb_{comment.ref}").click().run()
    at.radio(key=f"ans_{comment.ref}").set_value("采纳").run()
    at.text_area(key=f"ansr_{comment.ref}").input("片区范围将重新核定。")
    at.button(key=f"ansb_{comment.ref}").click().run()
    at.button(key=f"pub_{comment.ref}").click().run()  # leaves the queue of 待审核
    assert not at.error, [e.value for e in at.error]
    assert not [e for e in at.expander if "第 1 条" in e.label]
    at.button(key="release_answers").click().run()
    [shown] = service.published(huzhou)
    assert shown.text == masked and shown.answer_status == "采纳" and "张三" not in shown.text
    public = open_page("consultation", plan="huzhou-2023")
    everything = page_text(public)
    assert "片区范围将重新核定。" in everything
    for secret in ("张三", "王五", "13900001111", "13812345678"):
        assert secret not in everything


def test_summary_downloads_public_everywhere_internal_only_for_the_moderator(fresh):
    """The 意见汇总表 buttons: the public page offers the 公开版 only; the moderation page adds the
    内部版. What the buttons build (read back from the XLSX) holds no name or contact, and the
    public one no text of a comment not yet published."""
    import io

    import pandas as pd

    from components.consultation_summary import _build, file_name
    from tests.accounts import sign_in

    store, service, catalog = fresh
    huzhou = catalog.get("huzhou-2023")
    window = service.open(ADMIN, huzhou, until="2099-12-31", start="2020-01-01")
    first = service.submit(
        huzhou, "南浔区片区范围偏大。", name="王五", contact="13900001111", client="1.1.1.1"
    )
    service.submit(
        huzhou, "尚未公开的意见，电话13812345678。", name="赵六", contact="z@x.cn", client="1.1.1.2"
    )
    service.publish(ADMIN, huzhou, first.ref)

    def labels(at):
        return sorted(b.proto.label for b in at.get("download_button"))

    public = open_page("consultation", plan="huzhou-2023")
    assert labels(public) == ["意见汇总表·公开版（PDF）", "意见汇总表·公开版（XLSX）"]
    review = open_page(
        "consultation-review", session=sign_in("moderator", "huzhou-2023", store=store), plan="huzhou-2023"
    )
    assert not review.exception
    assert len(labels(review)) == 4 and "意见汇总表·内部版（XLSX）" in labels(review)

    def sheet(internal):
        content = _build(service, ADMIN, huzhou, window, "xlsx", internal)
        raw = pd.read_excel(io.BytesIO(content), sheet_name=0, header=None, dtype=str).fillna("")
        return "\n".join("\t".join(row) for row in raw.to_numpy())

    public_sheet, internal_sheet = sheet(False), sheet(True)
    assert "南浔区片区范围偏大。" in public_sheet and "尚未公开的意见" not in public_sheet
    assert "尚未公开的意见" in internal_sheet and "138＊＊＊＊5678" in internal_sheet
    for secret in ("王五", "赵六", "13900001111", "z@x.cn", "13812345678"):
        assert secret not in public_sheet and secret not in internal_sheet
    assert file_name("huzhou-2023", window.id, "pdf", internal=True) == (
        f"huzhou-2023-征求意见{window.id}-意见汇总表-内部版.pdf"
    )
