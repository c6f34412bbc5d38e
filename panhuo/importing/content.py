"""What a column's values say it holds: the evidence :func:`~panhuo.importing.mapping.propose_mapping`
weighs beside the header.

A header can mislead (``行政区名称`` holding 街道, a GIS server's ``id`` holding ``图层.17``); the
values rarely do. :func:`profile` reads a sample of a column once and measures the share of its
distinct values that look like each kind of value; :func:`claims` turns a profile into the
fields the values support, each with a score and the Chinese sentence shown as evidence.

>>> p = profile("县名称", ["吴兴区", "德清县", "吴兴区", "长兴县"], counties={"吴兴区", "德清县", "长兴县"})
>>> [(c.field, c.evidence) for c in claims(p, "parcels") if c.field == "county"]
[('county', '值为本市的区县名：吴兴区、德清县、长兴县（3/3 个不同值）')]
>>> phase_like("2026年以后"), phase_like("2025-2027"), phase_like("2015-03"), phase_like("近期")
(True, True, False, True)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# scores: a header or field code match is HEADER; content may beat it (a column of the plan's
# 区县 names) or only fill a field no header named
HEADER = 0.8
PREFIX = 0.7
NEAR = 0.4
KNOWN_COUNTY = 0.95  # the plan's (or China's) 区县 names: beats every header
SHARE = 0.6  # the share of distinct values a kind needs before it counts as evidence

_FEATURE_ID_HEADERS = {"ID", "FID", "OBJECTID", "OBJECTID_1", "OGC_FID", "GID", "OID", "FID_1", "FEATUREID"}
_FEATURE_ID = re.compile(r"^(?P<layer>[^.\s]*[^\d.\s][^.\s]*)\.(?P<n>\d+)$")  # 现状图层.17, dk_xz.3
_COUNTY_END = ("区", "县", "市", "旗", "新区", "开发区", "林区", "特区")
_TOWN_END = ("街道", "镇", "乡", "苏木", "办事处", "街道办", "民族乡")
_TYPE_WORDS = (
    "低效",
    "旧城",
    "旧厂",
    "旧村",
    "工矿",
    "工业",
    "城镇",
    "村庄",
    "矿",
    "闲置",
    "老旧",
    "产业",
    "住宅",
)
_PERIOD_WORDS = ("近期", "中期", "远期", "近中期", "中远期", "规划期")


def _norm(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def phase_like(text: object) -> bool:
    """A year (2024, 2024年, 2026年以后), a range of years (2025-2027, 2021—25年) or a period (近期)."""
    t = _norm(text)
    if not t:
        return False
    m = re.fullmatch(r"((?:19|20)\d{2})年?度?(以前|以后|之前|之后|前|后|及以后|及以前|底|末)?", t)
    if m:
        return 1949 <= int(m.group(1)) <= 2100
    m = re.fullmatch(r"((?:19|20)\d{2})年?[-—–~～至到]((?:19|20)?\d{2})年?", t)
    if m:
        start, end = int(m.group(1)), m.group(2)
        stop = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        return start <= stop <= 2100
    return t.startswith(_PERIOD_WORDS)


def county_like(text: object) -> bool:
    """A name ending as 区县 do (区, 县, 县级市, 旗), not as towns (街道, 镇, 乡)."""
    t = _norm(text)
    return 2 <= len(t) <= 12 and t.endswith(_COUNTY_END) and not town_like(t) and not re.search(r"\d", t)


def town_like(text: object) -> bool:
    t = _norm(text)
    return 2 <= len(t) <= 16 and t.endswith(_TOWN_END)


def type_like(text: object, words: frozenset[str]) -> bool:
    t = _norm(text)
    return bool(t) and (t in words or (len(t) <= 14 and any(w in t for w in _TYPE_WORDS)))


def feature_id_like(values: list[str]) -> str:
    """The layer name when most values are a GIS server's feature ids (``<layer>.<n>``), else ''."""
    layers = [m.group("layer") for v in values if (m := _FEATURE_ID.match(_norm(v)))]
    if values and len(layers) >= 0.9 * len(values) and len(set(layers)) == 1:
        return layers[0]
    return ""


@lru_cache(maxsize=1)
def china_counties() -> frozenset[str]:
    """Every 区县 name of the offline boundary index (for a plan whose city is not known)."""
    try:
        from panhuo.geo.boundaries import admin_units

        return frozenset(u.name for u in admin_units() if u.level == "county")
    except Exception:
        return frozenset()


@dataclass
class Profile:
    """A column's sample: its distinct values and the share of them that look like each kind."""

    header: str
    values: list[str]  # the sample's non-empty values
    distinct: list[str]  # in first-seen order
    rows: int  # rows in the sample, empty ones included
    shares: dict[str, float] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    feature_layer: str = ""
    counties_named: str = ""  # whose 区县 the known names are: 本市 | 全国
    printed: dict[str, str] = field(default_factory=dict)  # normalised value -> as printed

    @property
    def unique(self) -> bool:
        return bool(self.values) and len(self.distinct) == len(self.values) == self.rows

    @property
    def filled(self) -> float:
        return len(self.values) / self.rows if self.rows else 0.0


def profile(
    header: str,
    values: list[str],
    *,
    counties: set[str] | frozenset[str] | None = None,
    types: frozenset[str] = frozenset(),
    stages: frozenset[str] = frozenset(),
    potentials: frozenset[str] = frozenset(),
) -> Profile:
    """Measure a column's sample. ``counties`` are the plan city's 区县 (None: China's)."""
    filled = [_norm(v) for v in values if _norm(v)]
    distinct = list(dict.fromkeys(filled))
    printed: dict[str, str] = {}  # each normalised value's first text as printed (＞0, not >0)
    for v in values:
        printed.setdefault(_norm(v), str(v).strip())
    p = Profile(header=str(header), values=filled, distinct=distinct, rows=len(values), printed=printed)
    p.counties_named = "本市" if counties else "全国"
    known = set(counties) if counties else set(china_counties())
    tests = {
        "known_county": lambda v: v in known,
        "county": county_like,
        "town": town_like,
        "phase": phase_like,
        "type": lambda v: type_like(v, types),
        "stage": lambda v: v in stages,
        "potential": lambda v: v in potentials,
    }
    for kind, test in tests.items():
        hits = [v for v in distinct if test(v)]
        p.shares[kind] = len(hits) / len(distinct) if distinct else 0.0
        p.examples[kind] = [printed.get(v, v) for v in hits[:3]]
    p.feature_layer = feature_id_like(filled[:200]) if filled else ""
    return p


def is_feature_id(p: Profile) -> bool:
    """A file's own feature number: GeoJSON ``id`` of a GIS server, FID, OBJECTID."""
    return bool(p.feature_layer) or _norm(p.header).upper() in _FEATURE_ID_HEADERS


@dataclass
class Claim:
    """A field a column's values support, how strongly, and the sentence that says why."""

    field: str
    score: float
    evidence: str


def _shown(values: list[str]) -> str:
    return "、".join(values[:3])


def claims(p: Profile, kind: str) -> list[Claim]:
    """The fields the values of ``p`` support on their own (no header needed)."""
    out: list[Claim] = []
    n = len(p.distinct)
    if not n:
        return out
    share = p.shares
    where = "本市" if p.counties_named == "本市" else ""
    if share["known_county"] >= SHARE:
        hits = round(share["known_county"] * n)
        out.append(
            Claim(
                "county",
                KNOWN_COUNTY + 0.04 * share["known_county"],
                f"值为{where}的区县名：{_shown(p.examples['known_county'])}（{hits}/{n} 个不同值）"
                if where
                else f"值为区县名：{_shown(p.examples['known_county'])}（{hits}/{n} 个不同值）",
            )
        )
    elif share["county"] >= 0.8 and share["town"] < 0.2 and n <= 80:
        out.append(Claim("county", 0.6, f"值以区、县、市结尾：{_shown(p.examples['county'])}"))
    if kind == "parcels" and share["town"] >= SHARE:
        out.append(Claim("town", 0.75, f"值为乡镇街道：{_shown(p.examples['town'])}"))
    if kind == "parcels" and share["phase"] >= 0.8:
        out.append(Claim("phase", 0.7, f"值为年份或时段：{_shown(p.examples['phase'])}"))
    repeats = len(p.values) > n
    if kind == "parcels" and share["type"] >= SHARE and n <= 30 and repeats:
        out.append(Claim("type", 0.65, f"值为低效用地类型：{_shown(p.examples['type'])}"))
    if share["stage"] >= 0.8 and n <= 8:
        out.append(Claim("stage", 0.65, f"值为实施阶段：{_shown(p.examples['stage'])}"))
    if kind == "parcels" and share["potential"] >= 0.9 and n <= 5:
        out.append(Claim("potential", 0.65, f"值为潜力等级：{_shown(p.examples['potential'])}"))
    return out


def contradiction(p: Profile, field_name: str) -> str:
    """Why the values rule out a field a header proposed ('' when they do not)."""
    share = p.shares
    if field_name == "county" and share.get("town", 0) >= 0.5 and share.get("known_county", 0) < 0.5:
        return f"值为乡镇街道（{_shown(p.examples['town'])}），不是区县"
    if field_name == "town" and share.get("known_county", 0) >= SHARE and share.get("town", 0) < 0.2:
        return f"值为区县名（{_shown(p.examples['known_county'])}），不是乡镇街道"
    if field_name == "id" and p.feature_layer:
        return f"值为 GIS 软件生成的要素编号（{_shown([p.printed.get(v, v) for v in p.distinct])}），不是地块自身的编号"
    if field_name == "id" and is_feature_id(p):
        return f"“{p.header}”是文件自带的要素序号，不是地块自身的编号"
    return ""


def confirmation(p: Profile, field_name: str) -> str:
    """The values that bear out a header's proposal ('' when the values say nothing of it)."""
    if not p.distinct:
        return "样本中没有值"
    share = p.shares
    if field_name == "county" and share["known_county"] >= SHARE:
        return f"值为{'本市' if p.counties_named == '本市' else ''}的区县名：{_shown(p.examples['known_county'])}"
    if field_name == "town" and share["town"] >= SHARE:
        return f"值为乡镇街道：{_shown(p.examples['town'])}"
    if field_name == "phase" and share["phase"] >= 0.8:
        return f"值为年份或时段：{_shown(p.examples['phase'])}"
    if field_name == "type" and share["type"] >= SHARE:
        return f"值为低效用地类型：{_shown(p.examples['type'])}"
    if field_name == "stage" and share["stage"] >= SHARE:
        return f"值为实施阶段：{_shown(p.examples['stage'])}"
    if field_name == "potential" and share["potential"] >= SHARE:
        return f"值为潜力等级：{_shown(p.examples['potential'])}"
    if field_name in ("far_before", "far_after", "density_before", "density_after"):
        from panhuo.ranges import is_range

        spans = [p.printed.get(v, v) for v in p.distinct if is_range(v)]
        if spans:
            return f"含区间值（保留原文并拆出上下限）：{_shown(spans)}"
    if field_name == "id":
        if p.unique:
            return f"值唯一且不为空（样本 {len(p.values)} 行）"
        dupes = len(p.values) - len(p.distinct)
        empty = p.rows - len(p.values)
        parts = [f"{dupes} 个重复值" if dupes else "", f"{empty} 行为空" if empty else ""]
        return "样本中" + "、".join(x for x in parts if x)
    return ""
