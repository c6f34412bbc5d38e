"""A plan folder whose every free-text field carries hostile Markdown and HTML, built by code from
sample plans; and the check that no such text is live in what a page sends to the browser."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

from tests.conftest import ROOT

EVIL = "evil.example"
HOSTILE = (
    "![](http://evil.example/t.png)[点我](http://evil.example/p)<img src=http://evil.example/x>"
    ":red[x]$x$ www.evil.example<a href=http://evil.example/a>点</a>"
)
# parcels (上党区), zones (湖州) and a draft with its consultation notice (乌鲁木齐)
PLANS = ["shangdang-2021", "huzhou-2023", "urumqi-2025"]
# columns of free text (names, places, notes, departments); ids, numbers, units, stages and the
# type vocabularies stay as they are, so the plans still load
FREE_TEXT = {
    "name", "town", "village", "zone", "location", "note", "title", "gist", "content", "lead",
    "responsible", "current_use", "planned_use", "mode", "actor", "right_holder", "position", "group",
}  # fmt: skip
TOML_TEXT = ("title", "short_title", "issuer", "doc_number", "summary", "source_file", "note")

# the hostile text in live form: a link or image target, raw HTML, a directive, math, an autolink
LIVE = [
    re.compile(r"(?<!\\)\]\(\s*<?(?:https?:|//)"),
    re.compile(r"(?<!\\)<(?:img|a)\b", re.I),
    re.compile(r"(?<!\\):red\["),
    re.compile(r"(?<!\\)\$x"),
    re.compile(r"https?://" + re.escape(EVIL)),
    re.compile(r"www\." + re.escape(EVIL)),
]
ESCAPED = r"\[点我\]\(http"  # how the hostile link reads once made inert


def hostile_county(county: str) -> str:
    return f"{county}{HOSTILE}"


def write_hostile_plans(target: Path) -> Path:
    """Copies of PLANS under ``target`` with HOSTILE in every free-text field and county name."""
    for plan_id in PLANS:
        source, folder = ROOT / "data" / plan_id, target / plan_id
        shutil.copytree(source, folder)
        plan_toml = (folder / "plan.toml").read_text(encoding="utf-8")
        counties = re.search(r"^counties = \[(.*)\]", plan_toml, re.M)
        names = re.findall(r'"([^"]+)"', counties.group(1)) if counties else []
        for path in folder.rglob("*"):
            if path.suffix not in (".toml", ".csv"):
                continue
            text = path.read_text(encoding="utf-8")
            for county in sorted(names, key=len, reverse=True):
                text = text.replace(county, hostile_county(county))
            if path.suffix == ".toml":
                for key in TOML_TEXT:
                    text = re.sub(rf'^({key} = ")', rf"\g<1>{HOSTILE}", text, flags=re.M)
                text = re.sub(r'^(\s+")(?=[^=\n]*",?$)', rf"\g<1>{HOSTILE}", text, flags=re.M)  # notes
            path.write_text(text, encoding="utf-8")
            if path.suffix == ".csv" and path.parent == folder:
                _taint_columns(path)
    return target


def _taint_columns(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    fields = list(rows[0])
    for row in rows:
        for column in FREE_TEXT & set(fields):
            if row[column]:
                row[column] = f"{row[column]}{HOSTILE}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


# elements whose strings Streamlit does not read as Markdown (chart specs, table data)
NOT_MARKDOWN = {"PlotlyChart", "DeckGlJsonChart", "Arrow", "ArrowNamedDataSet", "VegaLiteChart"}


def _items(value) -> list:
    """A repeated field's items, or the one value of a single field."""
    return (
        list(value)
        if hasattr(value, "__len__")
        and not isinstance(value, str | bytes)
        and not hasattr(value, "ListFields")
        else [value]
    )


# select boxes show their options and values as plain text (only label and help are Markdown)
PLAIN_OPTIONS = {"Selectbox", "MultiSelect"}


def _strings(message, out: list[str]) -> None:
    if type(message).__name__ in NOT_MARKDOWN:
        return
    for field, value in message.ListFields():
        if type(message).__name__ in PLAIN_OPTIONS and field.name not in ("label", "help", "placeholder"):
            continue
        if field.type == field.TYPE_STRING:
            out.extend(_items(value))
        elif field.type == field.TYPE_MESSAGE:
            for item in _items(value):
                _strings(item, out)


def shown_strings(at) -> list[str]:
    """Every string of every element and block (labels, bodies, help, options, tabs) of a run."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            _strings(proto, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return out


# keys of a plotly spec that hold the builders' own templates (tags there are the code's)
_TEMPLATE_KEYS = {"hovertemplate", "texttemplate"}
_CHART_TAG = re.compile(r"<(?!br\s*/?>)[a-z/]", re.I)


def chart_strings(at) -> list[str]:
    """Every string of every plotly chart's data and layout, templates left out."""
    out: list[str] = []

    def walk(value, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key not in _TEMPLATE_KEYS:
            out.append(value)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return out


def live_chart_markup(strings: list[str]) -> list[str]:
    """The chart strings in which plotly would read a tag (anything but a line break)."""
    return [s for s in strings if _CHART_TAG.search(s)]


def live_markup(strings: list[str]) -> list[str]:
    """The strings in which some hostile text is live."""
    return [s for s in strings if any(pattern.search(s) for pattern in LIVE)]
