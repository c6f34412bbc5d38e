"""Which columns join a 规划 layer to its 现状 layer: the pair whose values match the most rows.

Two layers exported from one GIS server carry feature ids of their own (``现状.17``,
``规划.17``, different per layer) and the parcel's own number (``地块编号``) in both. The mapping's
编号 is a guess from the headers and a sample; the join is decided on every row: each column
that could be a key (filled, nearly unique, not a feature id) is compared with each such column
of the other layer, and the pair that matches the most rows wins. The rate is shown before
anything is written, and :data:`MIN_RATE` refuses a join that would leave most rows of either
layer unmatched.

>>> rate_text(2689, 2700)
'2,689/2,700（99.6%）'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panhuo.importing import content
from panhuo.importing.analyse import Layer

MIN_RATE = 0.5  # below this share of either layer's rows matched, the join is refused
MAX_CANDIDATES = 12  # key columns compared per layer (the mapped 编号 always among them)
SAMPLE = 2000  # rows a column must look unique in before all its rows are compared
_MEASURES = {"area", "far_before", "far_after", "density_before", "density_after", "parcel_count"}
_KEYISH = ("编号", "编码", "代码", "标识", "序号", "BH", "DM", "BSM", "ID", "CODE")


def rate_text(matched: int, rows: int) -> str:
    share = matched / rows if rows else 0.0
    return f"{matched:,}/{rows:,}（{share:.1%}）"


@dataclass
class JoinKey:
    """The columns two layers are joined on and how many rows of each their values match."""

    main_column: int
    second_column: int
    main_header: str
    second_header: str
    matched_main: int  # rows of the 现状 layer whose key is found in the 规划 layer
    main_rows: int
    matched_second: int
    second_rows: int
    chosen: str = (
        "values"  # values (the best of all pairs) | proposed (both proposed 编号) | mapping (the user's)
    )

    @property
    def main_rate(self) -> float:
        return self.matched_main / self.main_rows if self.main_rows else 0.0

    @property
    def second_rate(self) -> float:
        return self.matched_second / self.second_rows if self.second_rows else 0.0

    @property
    def refused(self) -> bool:
        return self.main_rate < MIN_RATE or self.second_rate < MIN_RATE

    @property
    def sentence(self) -> str:
        how = {"mapping": "按映射指定的编号列", "proposed": "按编号列"}.get(
            self.chosen, "按匹配行数最多的一对列"
        )
        return (
            f"两个图层{how}对应：第一个文件“{self.main_header}” ↔ 第二个文件“{self.second_header}”，"
            f"第一个文件 {rate_text(self.matched_main, self.main_rows)} 行、"
            f"第二个文件 {rate_text(self.matched_second, self.second_rows)} 行能对应"
        )


def _keys(layer: Layer, column: int) -> list[str]:
    rows = layer.table.data_rows
    return [(r.cells[column] if column < len(r.cells) else "").strip() for r in rows]


_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_HOUSEKEEPING = {"SHAPE_AREA", "SHAPE_LENG", "SHAPE_LENGTH", "SHAPE.AREA", "SHAPE.LEN", "AREA", "PERIMETER"}


def _measured(header: str, values: list[str]) -> bool:
    """A measure, not a key: GIS housekeeping (Shape_Area) or decimals (equal areas of two
    layers match, but say nothing of which parcel is which)."""
    if header.strip().upper() in _HOUSEKEEPING:
        return True
    return bool(values) and sum(bool(_DECIMAL.match(v)) for v in values) >= 0.9 * len(values)


def _candidates(layer: Layer) -> list[int]:
    """Columns that could hold a key: mostly filled and unique, not a file's own feature ids."""
    table, mapping = layer.table, layer.mapping
    mapped = mapping.column_of("id") if mapping else None
    found: list[tuple[int, int]] = []
    rows = table.data_rows
    picked = rows[:: max(1, len(rows) // SAMPLE)][:SAMPLE]  # a first look, before every row is read
    for c, header in enumerate(table.headers):
        if mapping is not None and mapping.columns[c].field in _MEASURES:
            continue  # areas and ratios repeat across unrelated rows
        glance = [(r.cells[c] if c < len(r.cells) else "").strip() for r in picked]
        seen = [v for v in glance if v]
        if c != mapped and (len(seen) < 0.9 * len(glance) or len(set(seen)) < 0.9 * len(seen)):
            continue
        values = _keys(layer, c)
        filled = [v for v in values if v]
        if c != mapped and (
            not values or len(filled) < 0.9 * len(values) or len(set(filled)) < 0.9 * len(filled)
        ):
            continue
        if c != mapped and _measured(header, filled[:200]):
            continue
        sample = content.profile(header, filled[:200])
        if content.is_feature_id(sample) and c != mapped:
            continue
        keyish = any(word in header.upper() for word in _KEYISH)
        found.append((0 if c == mapped else (1 if keyish else 2), c))
    return [c for _, c in sorted(found)[:MAX_CANDIDATES]]


def _measure(
    main: Layer,
    second: Layer,
    a: int,
    b: int,
    chosen: str,
    keys_a: list[str] | None = None,
    keys_b: list[str] | None = None,
) -> JoinKey:
    """How many rows of each layer the key pair (column ``a``, column ``b``) matches."""
    keys_a = _keys(main, a) if keys_a is None else keys_a
    keys_b = _keys(second, b) if keys_b is None else keys_b
    common = (set(keys_a) - {""}) & (set(keys_b) - {""})
    return JoinKey(
        a,
        b,
        main.table.headers[a],
        second.table.headers[b],
        sum(k in common for k in keys_a),
        len(keys_a),
        sum(k in common for k in keys_b),
        len(keys_b),
        chosen,
    )


def _sequence(keys: list[str]) -> bool:
    """A row count (1, 2, 3 …): every layer has one, so it matches without saying which is which."""
    return bool(keys) and set(keys) == {str(n) for n in range(1, len(keys) + 1)}


def choose_join_key(main: Layer, second: Layer) -> JoinKey | None:
    """The key pair of two analysed layers, or None when neither has a column that could be one.

    When both mappings were set by the user (or remembered) with an 编号 column, those columns
    are the key and only their rate is measured. Otherwise every candidate pair is measured and
    the one matching the most rows wins; the proposed 编号 pair wins a tie, and a row count
    (序号 1…n) loses one.
    """
    if main.table is None or second.table is None or main.mapping is None or second.mapping is None:
        return None
    ids = main.mapping.choice("id"), second.mapping.choice("id")
    mapped = (main.mapping.column_of("id"), second.mapping.column_of("id"))
    if all(c is not None and c.how in ("user", "saved") for c in ids):
        return _measure(main, second, *mapped, "mapping")
    values_a: dict[int, list[str]] = {}
    values_b: dict[int, list[str]] = {}
    pairs = [(a, b) for a in _candidates(main) for b in _candidates(second)]
    if None not in mapped and mapped not in pairs:
        pairs.insert(0, mapped)
    best, best_score = None, float("-inf")
    for a, b in pairs:
        keys_a = values_a.setdefault(a, _keys(main, a))
        keys_b = values_b.setdefault(b, _keys(second, b))
        found = _measure(main, second, a, b, "proposed" if (a, b) == mapped else "values", keys_a, keys_b)
        score = found.matched_main + found.matched_second
        score += 0.25 if (a, b) == mapped else 0
        score -= 0.5 if _sequence(keys_a) or _sequence(keys_b) else 0
        if score > best_score:
            best, best_score = found, score
    return best
