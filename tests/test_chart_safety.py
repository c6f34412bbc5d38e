"""Data strings in a plotly figure are made inert before a page sends it (components.chart_safety)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components import charts
from components.chart_safety import inert, inert_figure
from components.charts_structure import sankey

LINK = "<a href=http://evil.example/a>点</a>"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (LINK, "&lt;a href=http://evil.example/a>点&lt;/a>"),
        ('<span style="color:red">x</span>', '&lt;span style="color:red">x&lt;/span>'),
        ("<img src=x>", "&lt;img src=x>"),
        ("一行<br>两行", "一行<br>两行"),  # the builders' line breaks stay
        ("A&B 片区", "A&B 片区"),
        ("", ""),
    ],
)
def test_inert_text(text, shown):
    assert inert(text) == shown


def test_bar_chart_with_a_hostile_category_sends_no_tag():
    groups = pd.DataFrame(
        {
            "key": [f"吴兴区{LINK}", "南浔区"],
            "area_value": [12.5, 3.0],
            "area_text": ["12.5", "3"],
            "count": [2, 1],
        }
    )
    fig = inert_figure(charts.bar_totals(groups, f"标题{LINK}", "亩", "区县"))
    spec = json.dumps(json.loads(fig.to_json()), ensure_ascii=False)
    assert "evil.example" in spec
    assert "<a " not in spec and "</a>" not in spec
    assert "吴兴区&lt;a href=http://evil.example/a>点&lt;/a>" in list(fig.data[0].y)
    assert fig.layout.title.text == "标题&lt;a href=http://evil.example/a>点&lt;/a>"


def test_sankey_node_labels_are_inert():
    flows = pd.DataFrame({"source": [f"现状·工业{LINK}"], "target": ["规划·居住"], "value": [1.0]})
    fig = inert_figure(sankey(flows, "桑基图", "公顷"))
    labels = list(fig.data[0].node.label)
    assert any("&lt;a href" in label for label in labels)
    assert all("<a" not in label for label in labels)
