"""数据核查: every published figure recomputed; the disagreements one per cause, with evidence."""

import streamlit as st

from components import cached as data
from components import data_check
from components.header import missing, page_header
from components.sidebar import current
from panhuo.causes import causes


def render() -> None:
    ctx = current()
    page_header("数据核查", ctx)
    findings = data.findings(ctx.plan.id)
    if not findings:
        missing("本规划没有可重算的合计、占比或文字数据。")
        return
    found = causes(findings)
    data_check.headline(findings, found)
    if found:
        st.subheader("问题清单")
        for cause in found:
            data_check.cause_card(cause)
        data_check.cause_download(ctx.plan, found)
    else:
        st.success("文件中的合计、小计、占比与文字数据均与重算一致（在舍入范围内）。")
    data_check.conventions(findings)
    data_check.all_checks(ctx.plan, findings, found)


if __name__ == "__main__":
    render()
