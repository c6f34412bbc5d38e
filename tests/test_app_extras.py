"""明细 shows and filters the extra columns an import kept, those the viewer may see."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import streamlit as st

from tests.accounts import sign_in
from tests.conftest import ROOT
from tests.pages import open_page


@pytest.fixture
def with_extras(tmp_path, monkeypatch):
    """The 上党区 sample with two extra columns, as an import keeps them: 大类代码 (a survey field
    about the land) and 联系人电话 (a column nobody checked; 模拟 numbers)."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "shangdang-2021", target / "shangdang-2021")
    path = target / "shangdang-2021" / "parcels.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["大类代码"] = ["01" if i % 3 == 0 else "02" for i in range(len(frame))]
    frame["联系人电话"] = [f"1390000{i:04d}（模拟）" for i in range(len(frame))]
    frame.to_csv(path, index=False)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(target))
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield len(frame)
    st.cache_data.clear()
    st.cache_resource.clear()


def _caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("共 "))


def test_a_visitor_filters_by_a_known_extra_column_and_never_sees_an_unchecked_one(with_extras):
    at = open_page("records", plan="shangdang-2021", timeout=120)
    assert at.multiselect(key="records_extras").options == ["大类代码"]
    assert at.selectbox(key="records_extra_column").options == ["（不筛选）", "大类代码"]
    at.selectbox(key="records_extra_column").select("大类代码").run()
    at.multiselect(key="records_extra_values").select("01").run()
    expected = len(range(0, with_extras, 3))
    assert _caption(at).startswith(f"共 {expected} 条地块记录")
    table = at.dataframe(key="records_table").value
    assert set(table["大类代码"]) == {"01"} and "联系人电话" not in table


def test_an_analyst_sees_every_extra_column(with_extras):
    at = open_page("records", session=sign_in("analyst"), plan="shangdang-2021", timeout=120)
    assert at.multiselect(key="records_extras").options == ["大类代码", "联系人电话"]
    at.multiselect(key="records_extras").select("联系人电话").run()
    table = at.dataframe(key="records_table").value
    assert table["联系人电话"].iloc[0] == "13900000000（模拟）"
