"""盘活 Panhuo — router only: page config, the shared sidebar, st.navigation."""

import streamlit as st

from components import navigation
from components.cached import settings
from components.sidebar import render_sidebar

st.set_page_config(page_title="盘活 · 城镇低效用地再开发", page_icon="🏙️", layout="wide")
page = st.navigation(navigation.build(public=settings().public_mode))
render_sidebar()
page.run()
