"""公众征求意见 core: windows and their deadline in 北京时间 (to the second), refusal after
closing by every route, rate limit and duplicates, masking, moderation and answers, and that
nothing private reaches the public views — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select

from panhuo.access import ANONYMOUS, Grant, PermissionDenied, Role, User
from panhuo.catalog import open_catalog
from panhuo.consultation import (
    ConsultationClosed,
    ConsultationError,
    Consultations,
    RateLimited,
    Target,
)
from panhuo.consultation.service import RATE_MAX, parse_moment
from panhuo.store import Store
from panhuo.store.schema import AuditRow
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

URUMQI, HUZHOU = "urumqi-2025", "huzhou-2023"
ADMIN = User("gly", "管理员", (Grant(Role.ADMIN),))
MOD = User("shy", "审核员", (Grant(Role.MODERATOR, URUMQI), Grant(Role.MODERATOR, HUZHOU)))
ANALYST = User("fx", "分析员", (Grant(Role.ANALYST, URUMQI),))
# 乌鲁木齐: comments until 2025-12-17, i.e. before 2025-12-18 00:00 北京时间 = 2025-12-17 16:00 UTC
CLOSE_UTC = dt.datetime(2025, 12, 17, 16, 0, 0)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    for name in (URUMQI, HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(request.param, tmp_path, monkeypatch)
    store = Store.open()
    catalog = open_catalog(store=store)
    clock = Clock(dt.datetime(2025, 12, 10, 2, 0))
    return Consultations(store, clock=clock), catalog.get(URUMQI), catalog.get(HUZHOU), clock, store


def test_deadline_in_beijing_time_to_the_second(env):
    service, urumqi, _h, clock, _s = env
    window = service.current(urumqi)
    assert window.source == "data" and window.closes_text == "2025-12-17 24:00"
    assert window.opens_text == "2025-12-05 00:00"
    clock.at = CLOSE_UTC - dt.timedelta(seconds=1)  # 2025-12-17 23:59:59 in 北京
    comment = service.submit(
        urumqi, "建议第3条明确容积率奖励的上限。", Target("measure", "3"), client="1.1.1.1"
    )
    assert comment.number == 1 and comment.target_text == "措施 第3条 优化容积率核定"
    clock.at = CLOSE_UTC  # 2025-12-18 00:00:00
    with pytest.raises(ConsultationClosed, match=r"已于 2025-12-17 24:00（北京时间）截止"):
        service.submit(urumqi, "建议第3条明确容积率奖励的上限。", client="2.2.2.2")
    # before it opened
    clock.at = parse_moment("2025-12-04 23:59:59", end_of_day=False)
    with pytest.raises(ConsultationClosed, match="将于 2025-12-05 00:00"):
        service.submit(urumqi, "一条太早的意见内容", client="3.3.3.3")


def test_letters_count_by_the_day_received_not_the_day_typed_in(env):
    service, urumqi, _h, clock, _s = env
    clock.at = dt.datetime(2025, 12, 20, 2, 0)  # after closing: a fax of the 17th is still accepted
    kept = service.enter(
        MOD, urumqi, "传真意见：建议增加公示环节。", channel="传真", received="2025-12-17 23:59:59"
    )
    assert kept.channel == "传真" and kept.received_text == "2025-12-17 23:59:59" and kept.entered_by == "shy"
    with pytest.raises(ConsultationClosed, match="截止"):
        service.enter(MOD, urumqi, "传真意见：建议增加公示环节。", channel="传真", received="2025-12-18")
    with pytest.raises(ConsultationError, match="晚于现在"):
        service.enter(MOD, urumqi, "来自未来的信函内容", channel="信函", received="2025-12-21")
    with pytest.raises(ConsultationError, match="渠道"):
        service.enter(MOD, urumqi, "渠道不对的意见内容", channel="网页", received="2025-12-10")
    with pytest.raises(PermissionDenied):
        service.enter(ANALYST, urumqi, "分析人员不能录入意见", channel="信函", received="2025-12-10")


def test_urumqi_today_refuses_and_says_when_it_closed(env):
    service, urumqi, *_ = env
    today = Consultations(env[4])  # the real clock: 2025-12-17 is past
    with pytest.raises(ConsultationClosed) as caught:
        today.submit(urumqi, "现在提交的意见内容", client="9.9.9.9")
    assert str(caught.value) == "征求意见已于 2025-12-17 24:00（北京时间）截止，不再接受意见。"
    assert (
        service.current(urumqi).status_text(dt.datetime(2026, 12, 2))
        == "征求意见已于 2025-12-17 24:00（北京时间）截止"
    )


def test_admin_opens_extends_and_closes_early_with_audit_rows(env):
    service, _u, huzhou, clock, store = env
    assert service.current(huzhou) is None
    with pytest.raises(ConsultationClosed, match="没有征求意见安排"):
        service.submit(huzhou, "没有窗口时的意见", client="1.1.1.1")
    with pytest.raises(PermissionDenied):
        service.open(MOD, huzhou, until="2025-12-31")
    window = service.open(ADMIN, huzhou, until="2025-12-31")
    assert window.opens_at == clock.at and window.closes_text == "2025-12-31 24:00"
    with pytest.raises(ConsultationError, match="重叠"):
        service.open(ADMIN, huzhou, start="2025-12-20", until="2026-01-10")
    window = service.extend(ADMIN, huzhou, "2026-01-15 17:30")
    assert window.closes_text == "2026-01-15 17:30" and not window.closed_early
    clock.at += dt.timedelta(hours=1)
    window = service.close(ADMIN, huzhou)
    assert window.closed_early and window.closes_at == clock.at
    with pytest.raises(ConsultationClosed, match="提前结束"):
        service.submit(huzhou, "提前结束以后的意见", client="1.1.1.1")
    with store.session() as session:
        kinds = session.scalars(
            select(AuditRow.kind).where(AuditRow.plan_id == HUZHOU, AuditRow.kind.like("consultation%"))
        ).all()
    assert kinds == ["consultation_opened", "consultation_changed", "consultation_closed"]


def test_rate_limit_honeypot_duplicates_and_sizes(env):
    service, urumqi, *_ = env
    for i in range(RATE_MAX):
        service.submit(urumqi, f"第{i}条不同内容的意见", client="5.5.5.5")
    with pytest.raises(RateLimited, match="过于频繁"):
        service.submit(urumqi, "第六条意见的内容", client="5.5.5.5")
    service.submit(urumqi, "第六条意见的内容", client="6.6.6.6")  # another client is not held back
    with pytest.raises(ConsultationError, match="您已提交过相同内容的意见（第 6 条）"):
        service.submit(urumqi, "第六条 意见的内容！", client="6.6.6.6")  # same words, other spacing
    other = service.submit(urumqi, "第六条意见的内容", client="7.7.7.7")  # a campaign: flagged, kept
    mod_view = {c.number: c for c in service.comments(MOD, urumqi)}
    assert mod_view[other.number].possible_duplicates == (6,)
    with pytest.raises(ConsultationError, match="刷新页面"):
        service.submit(urumqi, "机器人填写的意见", honeypot="http://spam", client="8.8.8.8")
    with pytest.raises(ConsultationError, match="太短"):
        service.submit(urumqi, "  好 ", client="8.8.8.8")
    with pytest.raises(ConsultationError, match="超过 2000 字"):
        service.submit(urumqi, "长" * 2001, client="8.8.8.8")
    with pytest.raises(ConsultationError, match="联系方式"):
        service.submit(urumqi, "联系方式写错的意见", contact="随便写写", client="8.8.8.8")
    with pytest.raises(ConsultationError, match="没有编号为“99”的措施"):
        service.submit(urumqi, "不存在的措施的意见", Target("measure", "99"), client="8.8.8.8")
    with pytest.raises(ConsultationError, match="不在我国范围内"):
        service.submit(urumqi, "地图位置错误的意见", Target("point", lon=2.35, lat=48.85), client="8.8.8.8")
    assert len(service.comments(MOD, urumqi)) == 7


HOSTILE = (
    "<script>alert(1)</script> [点我](http://x.example) ![图](http://x.example/a.png) "
    '=HYPERLINK("http://x") 我的电话13812345678，身份证110101199003074518，邮箱 zhang.san@163.com'
)


def test_masking_moderation_answers_and_the_public_view(env):
    service, urumqi, _h, _clock, store = env
    comment = service.submit(
        urumqi, HOSTILE, Target("point", lon=87.6168, lat=43.8256), topic="城中村", name="张三",
        contact="13900001111", client="1.2.3.4",
    )  # fmt: skip
    assert comment.ref.startswith("YJ-") and len(comment.ref) == 12
    assert "13812345678" not in comment.text_masked and "110101199003074518" not in comment.text_masked
    assert "zhang.san@163.com" not in comment.text_masked and comment.text_original == HOSTILE
    assert service.published(urumqi) == []  # nothing public before moderation
    assert service.lookup(comment.ref.lower()).state_label == "待审核"
    with pytest.raises(PermissionDenied):
        service.publish(ANALYST, urumqi, comment.ref)
    with pytest.raises(ConsultationError, match="只能用"):
        service.mask(MOD, urumqi, comment.ref, comment.text_masked.replace("城中村", "棚户区") + "改写")
    masked = service.mask(MOD, urumqi, comment.ref, comment.text_masked.replace("alert", "＊＊＊"))
    assert "alert" not in masked.text_masked and masked.text_original == HOSTILE
    service.publish(MOD, urumqi, comment.ref)
    service.answer(MOD, urumqi, comment.ref, "部分采纳", "已在第10条补充城中村改造要求。")
    [shown] = service.published(urumqi)
    assert shown.text == masked.text_masked and shown.target == "地图位置 87.61680, 43.82560"
    assert shown.answer_status == ""  # not released yet
    service.release_answers(MOD, urumqi)
    [shown] = service.published(urumqi)
    assert (shown.answer_status, shown.answer_reason) == ("部分采纳", "已在第10条补充城中村改造要求。")
    found = service.lookup(comment.ref)
    assert found.state_label == "已公开" and found.answer_status == "部分采纳"
    public_text = repr(service.published(urumqi)) + repr(found)
    for secret in (
        "张三",
        "13900001111",
        "13812345678",
        "110101199003074518",
        "zhang.san@163.com",
        "1.2.3.4",
    ):
        assert secret not in public_text
    with store.session() as session:
        logged = repr(session.scalars(select(AuditRow)).all()) + repr(
            [(r.summary, r.before, r.after, r.records, r.client) for r in session.scalars(select(AuditRow))]
        )
    for secret in ("张三", "13900001111", "13812345678", "1.2.3.4"):
        assert secret not in logged
    assert service.lookup("YJ-XXXX-XXXX") is None and service.lookup("<script>") is None


def test_reject_and_merge_are_marked_never_dropped(env):
    service, urumqi, *_ = env
    first = service.submit(urumqi, "建议把第十条拆开写。", client="1.1.1.1")
    second = service.submit(urumqi, "建议把第十条拆开写", client="2.2.2.2")
    spam = service.submit(urumqi, "广告：出售发票，联系微信", client="3.3.3.3")
    with pytest.raises(ConsultationError, match="写明理由"):
        service.reject(MOD, urumqi, spam.ref, " ")
    service.reject(MOD, urumqi, spam.ref, "与本方案无关的广告")
    service.merge(MOD, urumqi, second.ref, first.ref)
    service.publish(MOD, urumqi, first.ref)
    service.answer(MOD, urumqi, first.ref, "采纳", "第10条将分为两条。")
    service.release_answers(MOD, urumqi)
    assert service.lookup(spam.ref).reason == "与本方案无关的广告"
    merged = service.lookup(second.ref)
    assert merged.state_label == "已合并" and "第 1 条" in merged.reason and merged.answer_status == "采纳"
    with pytest.raises(ConsultationError, match="不能单独公开"):
        service.publish(MOD, urumqi, second.ref)
    states = [(c.number, c.state) for c in service.comments(MOD, urumqi)]
    assert states == [(1, "published"), (2, "merged"), (3, "rejected")]
    assert [c.number for c in service.published(urumqi)] == [1]
    with pytest.raises(ConsultationError, match="答复须为"):
        service.answer(MOD, urumqi, first.ref, "同意", "理由")


def test_anonymous_cannot_moderate(env):
    service, urumqi, *_ = env
    comment = service.submit(urumqi, "一条普通的意见内容", client="1.1.1.1")
    for call in (
        lambda: service.comments(ANONYMOUS, urumqi),
        lambda: service.publish(ANONYMOUS, urumqi, comment.ref),
        lambda: service.release_answers(ANONYMOUS, urumqi),
    ):
        with pytest.raises(PermissionDenied):
            call()
