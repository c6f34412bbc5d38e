"""Placeholder until the page is written."""

import streamlit as st

from components.header import page_header
from components.sidebar import current


def render() -> None:
    page_header("timeline", current())
    st.info("本页正在建设中。")
