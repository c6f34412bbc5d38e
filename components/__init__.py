"""Reusable UI pieces: the shared sidebar and header, KPI cards, chart and map builders.

Chart builders take data and return figures; they are testable without Streamlit.
"""
