"""Column mapping: which source column holds which field of data/FORMAT.md, and in which unit.

:func:`propose_mapping` recognises Chinese headers and their variants, two-row headers joined
with ``_`` (``现状_容积率``) and the pinyin field codes of survey databases (``DCDYBH``, ``MJ``);
it reads an area unit from the header (``面积（亩）``). The user may change any choice; the
confirmed mapping is remembered per source layout (:func:`layout_hash` of the header row).

>>> m = propose_mapping(["序号", "地块名称", "面积（亩）", "GZJZ"], [["1", "甲", "30", "储备"]])
>>> [(c.column, c.field, c.unit) for c in m.columns]
[('序号', 'id', ''), ('地块名称', 'name', ''), ('面积（亩）', 'area', '亩'), ('GZJZ', 'stage', '')]
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from panhuo.importing import content
from panhuo.nouns import DATASET_NOUNS
from panhuo.units import UNIT_LABELS, UNIT_PATTERN, cell_unit, is_area_unit, label_or_empty

ALIASES_FILE = Path(__file__).with_name("aliases.toml")
KINDS = ("parcels", "zones")
KIND_LABELS = {kind: noun.name for kind, noun in DATASET_NOUNS.items()}
EXTRA = ""  # field value of a column kept as an extra column under its own name

# how a choice was made, shown to the user; the rank orders competing claims on one field
HOW_LABELS = {
    "saved": "已保存的映射",
    "user": "用户指定",
    "header": "表头",
    "code": "字段代码",
    "prefix": "两行表头",
    "near": "近似（请确认）",
    "content": "按列中的值",
    "": "未识别（保留为附加列）",
}
_BEFORE = ("现状", "改造前", "现有", "原", "现")
_AFTER = ("规划", "改造后", "规划后", "拟", "规划调整后")
_PAIRED = {
    "用途": ("current_use", "planned_use"),
    "地类": ("current_use", "planned_use"),
    "用地性质": ("current_use", "planned_use"),
    "用地": ("current_use", "planned_use"),
    "容积率": ("far_before", "far_after"),
    "建筑密度": ("density_before", "density_after"),
}
_UNIT_IN_BRACKETS = re.compile(r"\(([^()]*)\)")
# a unit in brackets that is not an area unit, removed from the header all the same
_OTHER_UNITS = ("%", "万元/亩", "万元/公顷", "万元")
# a unit after the name: 面积/亩, 面积_公顷 (any spelling of the unit table)
_UNIT_SUFFIX = re.compile(rf"[/_]({UNIT_PATTERN})$", re.I)


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(ALIASES_FILE.read_text(encoding="utf-8"))


def fields_for(kind: str) -> dict[str, str]:
    """Target fields of a dataset kind with their Chinese labels, in FORMAT.md order."""
    return {name: spec["label"] for name, spec in _data()["fields"].items() if kind in spec["kinds"]}


def vocabulary(name: str) -> list[str]:
    return list(_data()["vocab"].get(name, []))


def synonym(word: str) -> str:
    """The vocabulary word a common variant stands for (``实施中`` → 正在实施), '' if none."""
    return str(_data()["vocab"].get("synonyms", {}).get(str(word).strip(), ""))


def extra_label(code: str) -> str:
    """Chinese name of a known survey field without a FORMAT.md column (``DJRKSJ`` → 地均入库税金)."""
    return _data()["extras"].get(code.strip().upper(), "")


def normalise_header(header: str) -> tuple[str, str]:
    """(normalised header, unit read from it). ``"面积（亩）"`` → ``("面积", "亩")``."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    text = re.sub(r"\s+", "", text).replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    text = text.replace("²", "2").upper() if re.fullmatch(r"[A-Za-z0-9_²]+", text) else text.replace("²", "2")
    unit = ""
    for inner in _UNIT_IN_BRACKETS.findall(text):
        word = inner.replace("单位:", "").replace("单位", "").strip()
        if is_area_unit(word) or word.upper() in _OTHER_UNITS:
            unit = label_or_empty(word)
            text = text.replace(f"({inner})", "")
    suffix = _UNIT_SUFFIX.search(text)
    if suffix:
        unit, text = label_or_empty(suffix.group(1)), text[: suffix.start()]
    return text.strip("_*：:"), unit


@lru_cache(maxsize=4)
def _lookup(kind: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(alias → field, code → field, code → unit) for a kind."""
    aliases, codes, units = {}, {}, {}
    for name, spec in _data()["fields"].items():
        if kind not in spec["kinds"]:
            continue
        for alias in [*spec.get(f"aliases_{kind}", []), *spec.get("aliases", [])]:
            aliases.setdefault(normalise_header(alias)[0], name)
        for code in [*spec.get(f"codes_{kind}", []), *spec.get("codes", [])]:
            codes.setdefault(code.upper(), name)
        for code, unit in spec.get("code_units", {}).items():
            units[code.upper()] = unit
    return aliases, codes, units


def match_header(header: str, kind: str) -> tuple[str, str, str]:
    """(field, how, unit) for one header; field is '' when nothing matches."""
    norm, unit = normalise_header(header)
    if not norm:
        return "", "", unit
    aliases, codes, code_units = _lookup(kind)
    if norm in aliases:
        return aliases[norm], "header", unit
    if norm.upper() in codes:
        return codes[norm.upper()], "code", unit or code_units.get(norm.upper(), "")
    parts = [p for p in norm.split("_") if p]
    if len(parts) >= 2:
        prefix, base = parts[0], parts[-1]
        for key, (before, after) in _PAIRED.items():
            if base == key or (base.endswith(key) and prefix in _BEFORE + _AFTER):
                if prefix in _BEFORE:
                    return before, "prefix", unit
                if prefix in _AFTER:
                    return after, "prefix", unit
        if base in aliases:
            return aliases[base], "prefix", unit
        if base.upper() in codes:
            return codes[base.upper()], "prefix", unit or code_units.get(base.upper(), "")
    if len(norm) >= 3 and not re.fullmatch(r"[A-Z0-9_]+", norm):
        near = difflib.get_close_matches(norm, list(aliases), n=1, cutoff=0.75)
        if near:
            return aliases[near[0]], "near", unit
    return "", "", unit


@dataclass
class ColumnChoice:
    """One source column: the field it maps to ('' = kept as an extra column) and its unit."""

    column: str
    field: str = EXTRA
    unit: str = ""
    how: str = ""
    samples: list[str] = dataclasses.field(default_factory=list)
    evidence: str = ""  # the values (or the header) that decided, shown beside the proposal

    @property
    def extra_name(self) -> str:
        """The column name an extra column gets: a known survey code's Chinese name, else as is."""
        return extra_label(self.column) or self.column


@dataclass
class Mapping:
    kind: str
    columns: list[ColumnChoice]
    layout: str = ""

    def column_of(self, field_name: str) -> int | None:
        for i, choice in enumerate(self.columns):
            if choice.field == field_name:
                return i
        return None

    def choice(self, field_name: str) -> ColumnChoice | None:
        i = self.column_of(field_name)
        return None if i is None else self.columns[i]

    def mapped_fields(self) -> list[str]:
        return [c.field for c in self.columns if c.field]

    def to_json(self) -> dict:
        """The form saved in the store and accepted by ``--mapping``."""
        return {c.column: {"field": c.field, "unit": c.unit} for c in self.columns}


EXTRA_LABEL = "（附加列）"
NO_UNIT = "—"  # no unit (or not stated), shown instead of an empty cell
UNIT_CHOICES = [NO_UNIT, *UNIT_LABELS]


def field_choices(kind: str) -> list[str]:
    """Chinese labels a user picks from when changing a mapping (first: keep as extra column)."""
    return [EXTRA_LABEL, *fields_for(kind).values()]


def editor_rows(mapping: Mapping) -> list[dict]:
    """The mapping as rows for an editable table: 列, 字段, 单位, 识别方式, 依据, 示例."""
    labels = fields_for(mapping.kind)
    return [
        {
            "列": c.column,
            "字段": labels.get(c.field, EXTRA_LABEL),
            "单位": c.unit or NO_UNIT,
            "识别方式": (
                f"字段代码（{extra_label(c.column)}，保留为附加列）"
                if not c.field and extra_label(c.column)
                else HOW_LABELS.get(c.how, c.how)
            ),
            "依据": c.evidence,
            "示例": "、".join(c.samples[:3]),
        }
        for c in mapping.columns
    ]


def column_labels(kind: str) -> dict[str, str]:
    """Chinese names of stored record columns (a version's rows shown to a user)."""
    return {
        **fields_for(kind),
        "area_ha": "面积（公顷）",
        "source": "来源",
        "derived": "推算说明",
        "geometry": "图形（WKT）",
        "geometry_source": "图形来源",
    }


def mapping_from_editor(rows: list[dict], kind: str) -> dict:
    """Back from edited rows to ``{column: {"field", "unit"}}`` (the ``--mapping`` form)."""
    by_label = {label: name for name, label in fields_for(kind).items()}
    return {
        str(r["列"]): {
            "field": by_label.get(str(r.get("字段") or ""), EXTRA),
            "unit": "" if r.get("单位") in (None, "", NO_UNIT) else str(r["单位"]),
        }
        for r in rows
    }


def layout_hash(headers: list[str]) -> str:
    """A stable key of a source layout: the sha256 of its header row (spaces ignored)."""
    key = json.dumps(
        [re.sub(r"\s+", "", unicodedata.normalize("NFKC", h)) for h in headers], ensure_ascii=False
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _unit_from_samples(samples: list[str]) -> str:
    return next((unit for unit in map(cell_unit, samples) if unit), "")


def _order(header: str, field_name: str, kind: str) -> int:
    """Where a header stands among its field's names (DCDYBH before BSM): breaks a tie."""
    norm = normalise_header(header)[0]
    spec = _data()["fields"].get(field_name, {})
    names = [
        *spec.get(f"aliases_{kind}", []),
        *spec.get("aliases", []),
        *spec.get(f"codes_{kind}", []),
        *spec.get("codes", []),
    ]
    keys = [normalise_header(n)[0].upper() for n in names]
    return keys.index(norm.upper()) if norm.upper() in keys else len(keys)


def _words(name: str) -> frozenset[str]:
    """A vocabulary with the variants its synonyms name (储备中, 高潜力)."""
    words = set(vocabulary(name))
    synonyms = _data()["vocab"].get("synonyms", {})
    return frozenset(words | {k for k, v in synonyms.items() if v in words})


_SCORE = {"header": content.HEADER, "code": content.HEADER, "prefix": content.PREFIX, "near": content.NEAR}


def propose_mapping(
    headers: list[str],
    sample_rows: list[list[str]],
    kind: str = "parcels",
    *,
    column_values: list[list[str]] | None = None,
    counties: list[str] | None = None,
) -> Mapping:
    """Propose a mapping from the headers and the values of each column.

    ``column_values`` is a sample of each column (default: the columns of ``sample_rows``);
    ``counties`` the 区县 of the plan's city (default: every 区县 of the boundary index). Each
    column's claim from its header and the claims of its values (:mod:`.content`) compete for
    each field; the strongest wins, and the values that decided are kept as the evidence.
    """
    if kind not in KINDS:
        raise ValueError(f"未知的数据类型：{kind}")
    known = set(counties) if counties else None
    vocab = {"types": _words("type"), "stages": _words("stage"), "potentials": _words("potential")}
    columns, profiles, offers = [], [], []
    for i, header in enumerate(headers):
        field_name, how, unit = match_header(header, kind)
        values = (
            column_values[i]
            if column_values is not None and i < len(column_values)
            else [row[i] if i < len(row) else "" for row in sample_rows]
        )
        values = ["" if v is None else str(v) for v in values]
        found = content.profile(header, values, counties=known, **vocab)
        profiles.append(found)
        choice = ColumnChoice(column=header, unit=unit, samples=[v for v in values if v][:5])
        columns.append(choice)
        header_claim = bool(field_name)
        if field_name:
            against = content.contradiction(found, field_name)
            if against:
                label = fields_for(kind).get(field_name, field_name)
                choice.evidence = f"表头像“{label}”，但{against}"
                header_claim = False
            else:
                score = _SCORE[how] - 0.001 * _order(header, field_name, kind)
                if field_name == "id":
                    score += 0.05 if found.unique else (-0.2 if found.values else 0)
                offers.append((score, i, field_name, how, content.confirmation(found, field_name)))
        own_name = bool(extra_label(header)) and not header_claim
        for claim in content.claims(found, kind):
            if claim.field not in fields_for(kind):
                continue
            if claim.field == "county" or (not (header_claim and how != "near") and not own_name):
                offers.append((claim.score, i, claim.field, "content", claim.evidence))
    taken_fields: set[str] = set()
    for _score, i, field_name, how, evidence in sorted(offers, key=lambda o: (-o[0], o[1])):
        choice = columns[i]
        if choice.field or field_name in taken_fields:
            continue
        choice.field, choice.how = field_name, how
        if choice.evidence and how == "content":  # the header was ruled out: say what it is instead
            choice.evidence = f"{choice.evidence}；按值识别为“{fields_for(kind).get(field_name, field_name)}”"
        else:
            choice.evidence = "；".join(x for x in (choice.evidence, evidence) if x)
        taken_fields.add(field_name)
    labels = fields_for(kind)
    for _score, i, field_name, how, _evidence in offers:  # a header claim that lost: say to which column
        choice = columns[i]
        winner = next((c.column for c in columns if c.field == field_name), "")
        if how != "content" and not choice.field and not choice.evidence and winner:
            choice.evidence = f"“{labels.get(field_name, field_name)}”已取自列“{winner}”"
    area = next((c for c in columns if c.field == "area"), None)
    if area is not None and not area.unit:
        area.unit = _unit_from_samples(area.samples)
    for c in columns:  # a unit only means something on the area column
        if c.field != "area":
            c.unit = ""
    return Mapping(kind=kind, columns=columns, layout=layout_hash(headers))


def apply_saved(mapping: Mapping, saved: dict, how: str = "saved") -> Mapping:
    """Override a proposal with a saved or user-given mapping ``{column: field | {field, unit}}``.

    Unknown columns in ``saved`` are ignored; unknown field names raise ValueError.
    """
    valid = set(fields_for(mapping.kind))
    by_column = {c.column: c for c in mapping.columns}
    by_norm = {normalise_header(c.column)[0]: c for c in mapping.columns}
    for column, spec in saved.items():
        target = by_column.get(column) or by_norm.get(normalise_header(column)[0])
        if target is None:
            continue
        field_name, unit = (
            (spec, None) if isinstance(spec, str) else (spec.get("field", ""), spec.get("unit"))
        )
        field_name = field_name or EXTRA
        if field_name not in valid and field_name != EXTRA:
            raise ValueError(f"映射中的字段“{field_name}”不存在；可用字段：{'、'.join(valid)}")
        if (
            how == "user"
            and target.field == field_name
            and (unit is None or unit_label_or_none(unit) == target.unit)  # None: a word naming no unit
        ):
            continue  # the editor hands back every row: an unchanged one keeps how it was found
        for other in mapping.columns:  # the field moves to this column
            if other is not target and other.field == field_name and field_name:
                other.field, other.how = EXTRA, ""
        target.field, target.how = field_name, how
        if unit is not None:
            if unit and unit_label_or_none(unit) is None:
                raise ValueError(f"映射中的单位“{unit}”无法识别；可用：{'、'.join(UNIT_LABELS)}")
            target.unit = unit_label_or_none(unit) or ""
    return mapping


def unit_label_or_none(unit: str) -> str | None:
    """The label of a unit word, '' for no unit, None for a word that names no unit."""
    if not unit:
        return ""
    return label_or_empty(unit) or None
