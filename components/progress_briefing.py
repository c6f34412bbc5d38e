"""The 工作简报 downloads of 进展监测: PPTX and PDF for the period the page shows, built only when a
button is clicked (as 总览's 会议简报), and a checkbox for the half-year report.

The page decides which version a viewer gets (``internal``: the page passes whether the viewer
may have the internal version and wants it); the role is checked again here, so a wrong call
still gives the public version only.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from components.text import plain
from panhuo.access import Action
from panhuo.progress import Progress
from panhuo.progress.briefing import MIMES, collect, file_name, render
from panhuo.progress.briefing_pdf import FontsMissing, font_paths

HALF_YEAR_LABEL = "半年工作报告（汇总本期所在半年的各期）"
PUBLIC_HELP = "公开版：不含权利人信息，不含区县标注为“仅内部使用”的内容。"
INTERNAL_HELP = "内部版：含权利人信息及标注为“仅内部使用”的内容，每页标注“内部资料”，请勿外传。"


def _build(store, plan, monitor, fmt: str, internal: bool, half_year: bool) -> bytes:
    """The file, made when its button is clicked (reads the approved narratives then)."""
    progress = Progress(store)
    return render(collect(progress, plan, monitor, internal=internal, half_year=half_year), fmt)


def briefing_buttons(ctx, monitor, internal: bool, key: str) -> None:
    """PPTX and PDF download buttons of the 工作简报 of ``monitor``'s period (public, or internal
    when ``internal`` and the viewer may review the plan), and the half-year checkbox."""
    if monitor is None:
        return
    plan = ctx.plan
    internal = bool(internal) and ctx.user.can(Action.REVIEW, plan.id)
    half_year = st.checkbox(HALF_YEAR_LABEL, key=f"{key}_half_year")
    try:
        font_paths()
        fonts_problem = ""
    except FontsMissing as exc:
        fonts_problem = str(exc)
    what = "半年工作报告" if half_year else "工作简报"
    version = "·内部版" if internal else ""
    from components.progress_monitor import open_progress  # public mode: the database only read

    progress = open_progress()
    if progress is None:
        return
    store = progress.store
    left, right = st.columns(2)
    for column, fmt in ((left, "pptx"), (right, "pdf")):
        name = file_name(
            plan, monitor.period.id, fmt, half_year=half_year, internal=internal, periods=monitor.periods
        )
        with column:
            st.download_button(
                f"下载{what}{version}（{fmt.upper()}）",
                data=partial(_build, store, plan, monitor, fmt, internal, half_year),
                file_name=name,
                mime=MIMES[fmt],
                on_click="ignore",
                key=f"{key}_{fmt}",
                icon=":material/download:",
                disabled=fmt == "pdf" and bool(fonts_problem),
                help=INTERNAL_HELP if internal else PUBLIC_HELP,
                width="stretch",
            )
    if fonts_problem:
        st.warning(plain(fonts_problem), icon=":material/warning:")
