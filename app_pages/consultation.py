"""征求意见 (``/consultation?plan=…``): the notice and its deadline, the measures as text (a phone
and a screen reader read them, not a grid), the comment form while the window is open, finding
the answer by reference, and the published comments and answers.

The deadline is checked by the service when the form is sent (:meth:`Consultations.submit`), not
by hiding the form; a refusal is shown as the service words it. Everything a person typed is
shown through :func:`components.text.plain` (or st.text), never as Markdown or HTML.
"""

import streamlit as st

from components import cached as data
from components.auth import client_address
from components.consultation_summary import summary_buttons
from components.header import missing, page_header
from components.point_picker import point_picker
from components.sidebar import current
from components.text import plain
from panhuo import policy as pol
from panhuo.consultation import ConsultationError, Consultations, Target
from panhuo.consultation.service import (
    CONTACT_MAX,
    NAME_MAX,
    TARGET_CHOICES,
    TEXT_MAX,
    TOPIC_MAX,
    target_options,
)
from panhuo.store import StoreUnavailable

_HONEYPOT_CSS = "<style>.st-key-cmt_hp{position:absolute;left:-10000px;height:0;overflow:hidden}</style>"
TOPICS = ["", "工作范围", "任务措施", "时序安排", "片区与地块", "保障措施", "其他"]


def render() -> None:
    ctx = current()
    page_header("征求意见", ctx, filters=False)
    plan = ctx.plan
    try:
        service = Consultations(data.store())
        window = service.current(plan)
    except StoreUnavailable:
        st.error("数据库暂时无法连接，征求意见暂不可用，请稍后再试。")
        return
    if window is None:
        missing("本规划没有征求意见安排。")
        return
    at = service.clock()
    state = window.state(at)
    with st.container(border=True):
        st.subheader("公开征求意见")
        if state == "open":
            st.info(plain(window.status_text(at)), icon=":material/edit_note:")
        else:
            st.markdown(f"**{plain(window.status_text(at))}**")
        if window.notice:
            st.text(window.notice)
        if window.channels:
            st.markdown(f"**其他反馈方式**：{plain(window.channels)}")
        if window.contacts:
            st.markdown("  \n".join(f"{plain(label)}：{plain(value)}" for label, value in window.contacts))
    _measures(plan)
    # a form already on screen when the window closes stays, so that its text is not lost and the
    # server's refusal says why
    if state == "open" or st.session_state.get("cmt_text"):
        _form(service, plan)
    _lookup(service)
    _published(service, plan, window)


def _measures(plan) -> None:
    frame = pol.measures(plan)
    if frame.empty:
        return
    st.header("征求意见的内容：任务措施")
    for group, part in frame.groupby("group", sort=False):
        with st.expander(f"{plain(group)}（{len(part)} 项）"):
            for _, row in part.iterrows():
                st.markdown(f"**第{plain(row['id'])}条　{plain(row['title'])}**")
                if row["gist"]:
                    st.markdown(plain(row["gist"]))
                people = [("牵头单位", row["lead"]), ("责任单位", row["responsible"])]
                shown = "　".join(f"{label}：{plain(value)}" for label, value in people if str(value).strip())
                if shown:
                    st.caption(shown)


def _form(service: Consultations, plan) -> None:
    st.header("提交意见")
    st.caption("意见经审核后公开；姓名和联系方式只用于联系您，不会公开。请勿在意见中填写身份证号等个人信息。")
    targets = target_options(plan)
    kinds = [k for k in TARGET_CHOICES if k in targets]
    kind = st.radio("意见针对", kinds, format_func=TARGET_CHOICES.get, key="cmt_kind", horizontal=True)
    if kind == "point":  # outside the form: a click on the map fills the form's 经度/纬度
        point_picker(plan)
    with st.form("comment_form", clear_on_submit=False, enter_to_submit=False):
        choice = ""
        lon = lat = None
        if kind in ("measure", "zone", "parcel"):
            options = targets[kind]
            labels = dict(options)
            choice = st.selectbox(
                "选择" + TARGET_CHOICES[kind].removeprefix("某项").removeprefix("某个"), [o[0] for o in options], format_func=labels.get,
                key="cmt_target",
            )  # fmt: skip
        elif kind == "point":
            left, right = st.columns(2)
            lon = left.number_input(
                "经度", min_value=73.0, max_value=136.0, value=None, format="%.5f", key="cmt_lon"
            )
            lat = right.number_input(
                "纬度", min_value=3.0, max_value=54.0, value=None, format="%.5f", key="cmt_lat"
            )
        topic = st.selectbox(
            "主题（可选）",
            TOPICS,
            key="cmt_topic",
            format_func=lambda t: t or "不选",
            accept_new_options=True,
        )
        text = st.text_area(
            f"意见内容（必填，不超过 {TEXT_MAX} 字）", max_chars=TEXT_MAX, key="cmt_text", height=180
        )
        left, right = st.columns(2)
        name = left.text_input("姓名（可选，不公开）", max_chars=NAME_MAX, key="cmt_name")
        contact = right.text_input(
            "联系电话或电子邮件（可选，不公开）", max_chars=CONTACT_MAX, key="cmt_contact"
        )
        st.html(_HONEYPOT_CSS)
        with st.container(key="cmt_hp"):
            honeypot = st.text_input("请不要填写此项", key="cmt_hp_field", label_visibility="collapsed")
        sent = st.form_submit_button("提交意见", type="primary")
    if not sent:
        return
    target = Target(kind, choice or "", lon, lat)
    try:
        comment = service.submit(
            plan, text, target, topic=str(topic or "")[:TOPIC_MAX], name=name, contact=contact,
            honeypot=honeypot, client=client_address(),
        )  # fmt: skip
    except ConsultationError as exc:
        st.error(plain(exc))
        return
    except StoreUnavailable:
        st.error("数据库暂时无法连接，意见没有保存，请稍后再提交。")
        return
    st.success(
        f"已收到您的意见（第 {comment.number} 条）。查询编号：**{plain(comment.ref)}**。"
        "请记下这个编号，审核和答复情况可凭编号在本页查询。"
    )


def _lookup(service: Consultations) -> None:
    st.header("凭编号查询")
    with st.form("lookup_form", enter_to_submit=True):
        ref = st.text_input("查询编号", placeholder="YJ-XXXX-XXXX", key="cmt_ref", max_chars=20)
        asked = st.form_submit_button("查询")
    if not asked:
        return
    found = service.lookup(ref)
    if found is None:
        st.warning("没有找到这个编号的意见，请核对后再查。")
        return
    with st.container(border=True):
        st.markdown(f"第 {found.number} 条　{plain(found.target)}　收到于 {plain(found.received)}")
        st.markdown(
            f"**状态：{plain(found.state_label)}**" + (f"（{plain(found.reason)}）" if found.reason else "")
        )
        st.text(found.text)
        if found.answer_status:
            st.markdown(f"**答复：{plain(found.answer_status)}**　{plain(found.answer_reason)}")
        else:
            st.caption("答复尚未公布。")


def _published(service: Consultations, plan, window) -> None:
    shown = service.published(plan, window.id)
    st.header(f"已公开的意见（{len(shown)} 条）")
    if not shown:
        st.caption("目前还没有公开的意见。")
        return
    if not window.answers_released:
        st.caption("答复尚未公布。")
    summary_buttons(service, None, plan, window, key="public_summary")
    for item in shown:
        with st.container(border=True):
            topic = f"　主题：{plain(item.topic)}" if item.topic else ""
            st.markdown(f"**第 {item.number} 条**　{plain(item.target)}　{plain(item.received_day)}{topic}")
            st.text(item.text)
            if item.answer_status:
                st.markdown(f"**答复：{plain(item.answer_status)}**　{plain(item.answer_reason)}")


if __name__ == "__main__":
    render()
