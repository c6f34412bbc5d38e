"""意见审核 (``/consultation-review?plan=…``, 审核员 and 管理员): the queue of comments, publish,
reject with a reason, mask personal data (only with ＊), merge duplicates, answer; release the
answers; enter comments received by letter, fax or e-mail; and for 管理员 open, extend or close
the window. Every action is a service call that checks the role and writes the audit trail.
"""

import datetime as dt

import streamlit as st

from components import cached as data
from components.auth import client_address, require_page
from components.consultation_summary import summary_buttons
from components.header import page_header
from components.sidebar import current
from components.text import plain
from panhuo.access import Action
from panhuo.consultation import (
    ANSWER_STATUSES,
    STAFF_CHANNELS,
    STATE_LABELS,
    ConsultationError,
    Consultations,
    Target,
)
from panhuo.consultation.service import TEXT_MAX, findings_text


def render() -> None:
    if data.settings().public_mode:  # the navigation hides this page; a direct call is refused too
        st.title("意见审核")
        st.info("本站为公开视图，不提供此页面。")
        return
    user = require_page(Action.MODERATE)  # stops with a Chinese message without the role
    ctx = current()
    plan = ctx.plan
    page_header("意见审核", ctx, filters=False)
    if not user.can(Action.MODERATE, plan.id):
        st.info("您在所选规划没有审核意见的权限。请在左侧“规划”中选择您负责的规划。", icon=":material/info:")
        return
    service = Consultations(data.store())
    if user.can(Action.MANAGE_CONSULTATIONS, plan.id):
        _windows(service, user, plan)
    window = service.current(plan)
    if window is None:
        st.info(
            "本规划没有征求意见安排。"
            + ("可在上方开启。" if user.can(Action.MANAGE_CONSULTATIONS, plan.id) else "")
        )
        return
    st.markdown(f"**{plain(window.status_text(service.clock()))}**")
    _enter(service, user, plan)
    comments = service.comments(user, plan, window.id)
    counts = {state: sum(c.state == state for c in comments) for state in STATE_LABELS}
    cols = st.columns(len(counts))
    for col, (state, count) in zip(cols, counts.items(), strict=True):
        col.metric(STATE_LABELS[state], f"{count} 条", border=True)
    released = "已公布" if window.answers_released else "未公布"
    left, right = st.columns([3, 1])
    left.caption(f"答复{released}。公布后，已公开意见的答复对所有人可见。")
    if not window.answers_released and right.button("公布答复", key="release_answers"):
        _act(lambda: service.release_answers(user, plan, window.id, client=client_address()), "答复已公布")
    with st.expander("下载意见汇总表", icon=":material/table_view:"):
        summary_buttons(service, user, plan, window, key="review_summary")
    state = st.segmented_control(
        "显示", list(STATE_LABELS), format_func=STATE_LABELS.get, default="new", key="review_state"
    )
    shown = [c for c in comments if state is None or c.state == state]
    if not shown:
        st.caption("没有这一状态的意见。")
    others = {c.number: c.ref for c in comments if c.state != "merged"}
    for comment in shown:
        _comment(service, user, plan, comment, others)


def _act(call, done: str) -> None:
    try:
        call()
    except ConsultationError as exc:
        st.error(plain(exc))
        return
    st.toast(done)
    st.rerun()


def _comment(service, user, plan, c, others) -> None:
    dup = f"　可能重复：第 {'、'.join(map(str, c.possible_duplicates))} 条" if c.possible_duplicates else ""
    title = f"第 {c.number} 条　{c.state_label}　{c.target_text}　{c.channel} {c.received_text}{dup}"
    with st.expander(plain(title), expanded=c.state == "new"):
        st.text(c.text_masked)
        found = findings_text(c.text_original)
        if found:
            st.caption(f"自动{plain(found)}。")
        if c.topic:
            st.caption(f"主题：{plain(c.topic)}")
        if c.author_name or c.author_contact:
            st.caption(f"意见人（不公开）：{plain(c.author_name) or '未留姓名'}　{plain(c.author_contact)}")
        if c.reject_reason:
            st.caption(f"不予公开的理由：{plain(c.reject_reason)}")
        if c.answer_status:
            st.caption(f"答复：{plain(c.answer_status)}　{plain(c.answer_reason)}")
        if st.toggle("显示原文（仅审核员可见）", key=f"orig_{c.ref}"):
            st.text(c.text_original)
        key = c.ref
        tabs = st.tabs(["公开", "不予公开", "隐去个人信息", "合并", "答复"])
        with tabs[0]:
            if c.state != "published" and st.button("公开这条意见", key=f"pub_{key}", type="primary"):
                _act(lambda: service.publish(user, plan, c.ref), f"第 {c.number} 条已公开")
        with tabs[1]:
            reason = st.text_input("理由（意见人凭编号可见）", key=f"rej_{key}", max_chars=1000)
            if st.button("不予公开", key=f"rejb_{key}"):
                _act(lambda: service.reject(user, plan, c.ref, reason), f"第 {c.number} 条不予公开")
        with tabs[2]:
            masked = st.text_area(
                "用“＊”替换要隐去的字，其余不能改动",
                value=c.text_masked,
                key=f"mask_{key}",
                max_chars=TEXT_MAX,
            )
            if st.button("保存遮盖", key=f"maskb_{key}"):
                _act(lambda: service.mask(user, plan, c.ref, masked), f"第 {c.number} 条已更新")
        with tabs[3]:
            targets = [n for n in others if n != c.number]
            into = st.selectbox("合并到第几条", targets, key=f"merge_{key}", index=None, placeholder="选择")
            if st.button("合并", key=f"mergeb_{key}", disabled=into is None):
                _act(lambda: service.merge(user, plan, c.ref, others[into]), f"第 {c.number} 条已合并")
        with tabs[4]:
            current_status = c.answer_status if c.answer_status in ANSWER_STATUSES else None
            status = st.radio(
                "处理情况", ANSWER_STATUSES, key=f"ans_{key}", horizontal=True,
                index=ANSWER_STATUSES.index(current_status) if current_status else None,
            )  # fmt: skip
            why = st.text_area("理由", value=c.answer_reason, key=f"ansr_{key}", max_chars=1000)
            if st.button("保存答复", key=f"ansb_{key}", disabled=status is None):
                _act(lambda: service.answer(user, plan, c.ref, status, why), f"第 {c.number} 条已答复")


def _enter(service, user, plan) -> None:
    with st.expander("录入信函、传真、邮件或现场收到的意见"):
        with st.form("enter_form", clear_on_submit=True):
            left, right = st.columns(2)
            channel = left.selectbox("渠道", STAFF_CHANNELS, key="ent_channel")
            day = right.date_input("收到日期", value=None, key="ent_day", format="YYYY-MM-DD")
            moment = right.time_input("收到时间（北京时间）", value=dt.time(9, 0), key="ent_time")
            measures = plan.measures
            options = [""] + [str(m) for m in measures["id"]] if len(measures) else [""]
            measure = left.selectbox(
                "针对的措施（可选）", options, key="ent_measure", format_func=lambda m: m or "规划整体"
            )
            text = st.text_area("意见内容", max_chars=TEXT_MAX, key="ent_text")
            left, right = st.columns(2)
            name = left.text_input("意见人（不公开）", key="ent_name")
            contact = right.text_input("联系方式（不公开）", key="ent_contact")
            sent = st.form_submit_button("录入")
        if sent:
            if day is None:
                st.error("请填写收到日期")
                return
            target = Target("measure", measure) if measure else Target()
            _act(
                lambda: service.enter(
                    user, plan, text, target, channel=channel, received=dt.datetime.combine(day, moment),
                    name=name, contact=contact, client=client_address(),
                ),
                "已录入",
            )  # fmt: skip


def _windows(service, user, plan) -> None:
    with st.expander("征求意见安排（管理员）"):
        at = service.clock()
        for w in service.windows(plan):
            st.markdown(
                f"{w.id}：{plain(w.opens_text)} 至 {plain(w.closes_text)}　{plain(w.status_text(at))}"
            )
        current_window = service.current(plan)
        with st.form("window_form"):
            left, right = st.columns(2)
            start = left.date_input("开始日期（留空为现在）", value=None, key="win_start")
            until = right.date_input("截止日期（当日 24 时截止）", value=None, key="win_until")
            opened = st.form_submit_button("开启新的征求意见")
            extended = st.form_submit_button("改为此截止日期", disabled=current_window is None)
        if (opened or extended) and until is None:
            st.error("请填写截止日期")
        elif opened:
            _act(
                lambda: service.open(user, plan, until=until, start=start, client=client_address()), "已开启"
            )
        elif extended:
            _act(
                lambda: service.extend(user, plan, until, current_window.id, client=client_address()),
                "已修改",
            )
        closable = current_window is not None and current_window.is_open(at)
        if closable and st.button("立即结束征求意见", key="win_close"):
            _act(lambda: service.close(user, plan, current_window.id, client=client_address()), "已结束")


if __name__ == "__main__":
    render()
