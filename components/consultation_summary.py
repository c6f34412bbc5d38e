"""Download buttons of the 意见汇总表: the public version (anyone; no text of an unpublished
comment, answers only once released) and, for 审核员 and 管理员, the internal one (every text and
answer, never a name or a contact). The same writers as ``python -m panhuo comments export``."""

from functools import partial

import streamlit as st

from components.text import plain
from panhuo.access import Action, system_user
from panhuo.consultation.summary import summary_pdf, summary_xlsx
from panhuo.progress.briefing_pdf import FontsMissing, font_paths

MIMES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
WRITERS = {"xlsx": summary_xlsx, "pdf": summary_pdf}


def file_name(plan_id: str, window_id: int, fmt: str, *, internal: bool) -> str:
    version = "内部版" if internal else "公开版"
    return f"{plan_id}-征求意见{window_id}-意见汇总表-{version}.{fmt}"


def _build(service, user, plan, window, fmt: str, internal: bool) -> bytes:
    # built when the button is pressed, from what the database holds then
    comments = service.comments(user if internal else system_user(), plan, window.id)
    return WRITERS[fmt](window, plan.title, comments, internal=internal)


def summary_buttons(service, user, plan, window, *, key: str) -> None:
    """Public XLSX/PDF buttons, and the internal ones when ``user`` may moderate ``plan``."""
    try:
        font_paths()
        fonts_problem = ""
    except FontsMissing as exc:
        fonts_problem = str(exc)
    versions = [False] + ([True] if user is not None and user.can(Action.MODERATE, plan.id) else [])
    for internal in versions:
        columns = st.columns(2)
        for column, fmt in zip(columns, ("xlsx", "pdf"), strict=True):
            which = "内部版" if internal else "公开版"
            column.download_button(
                f"意见汇总表·{which}（{fmt.upper()}）",
                data=partial(_build, service, user, plan, window, fmt, internal),
                file_name=file_name(plan.id, window.id, fmt, internal=internal),
                mime=MIMES[fmt],
                on_click="ignore",
                key=f"{key}_{'internal' if internal else 'public'}_{fmt}",
                icon=":material/download:",
                disabled=fmt == "pdf" and bool(fonts_problem),
                help=(
                    "含全部意见原文（已隐去个人信息部分）和答复，不含意见人姓名和联系方式；仅供内部使用。"
                    if internal
                    else "只含已公开意见的内容；答复公布后含答复。"
                ),
                width="stretch",
            )
    if fonts_problem:
        st.warning(plain(fonts_problem), icon=":material/warning:")
