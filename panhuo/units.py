"""Area units and number parsing.

The canonical area unit is the hectare (公顷). Original values and units are kept beside it.
Sums are done in :class:`decimal.Decimal` on the printed values so that display never shows
float noise (湖州's list totals exactly 23743 亩).

>>> from_ha(to_ha("23743", "亩"), "mu")
Decimal('23743.0000')
>>> format_area(to_ha("23743", "亩"), "mu")
'23,743'
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# unit code -> (Chinese label, hectares per unit)
AREA_UNITS: dict[str, tuple[str, Decimal]] = {
    "ha": ("公顷", Decimal(1)),
    "mu": ("亩", Decimal(1) / Decimal(15)),
    "m2": ("平方米", Decimal("0.0001")),
}
UNIT_ALIASES = {
    "公顷": "ha",
    "ha": "ha",
    "hm2": "ha",
    "hm²": "ha",
    "亩": "mu",
    "mu": "mu",
    "平方米": "m2",
    "m2": "m2",
    "m²": "m2",
    "㎡": "m2",
    "平米": "m2",
}
# display decimals per unit: 亩 0-1 (1 only when needed), 公顷 2
DISPLAY_DECIMALS = {"ha": 2, "mu": 1, "m2": 0}
# internal rounding of computed areas: removes binary noise, keeps far more than printed precision
_QUANT = Decimal("0.0001")


def unit_code(unit: str) -> str:
    """Normalise a unit word (公顷, 亩, ha, mu, 平方米 …) to ``ha``, ``mu`` or ``m2``."""
    key = str(unit).strip().lower()
    if key not in UNIT_ALIASES:
        raise ValueError(f"未知的面积单位：{unit}")
    return UNIT_ALIASES[key]


def unit_label(unit: str) -> str:
    """Chinese label of a unit code or word: ``mu`` → 亩."""
    return AREA_UNITS[unit_code(unit)][0]


def to_decimal(value: object) -> Decimal | None:
    """A Decimal from a number or printed text, or None when empty/unparseable."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return parse_number(str(value))


def to_ha(value: object, unit: str) -> Decimal | None:
    """Convert an area in ``unit`` to hectares (Decimal), None when the value is empty."""
    number = to_decimal(value)
    if number is None:
        return None
    return number * AREA_UNITS[unit_code(unit)][1]


def from_ha(value_ha: object, unit: str) -> Decimal | None:
    """Convert hectares to ``unit``, rounded to 4 decimals (far below printed precision)."""
    number = to_decimal(value_ha)
    if number is None:
        return None
    result = number / AREA_UNITS[unit_code(unit)][1]
    return result.quantize(_QUANT, rounding=ROUND_HALF_UP)


def convert(value: object, from_unit: str, to_unit: str) -> Decimal | None:
    """Convert an area between units, e.g. ``convert("1", "公顷", "亩") == Decimal("15.0000")``."""
    return from_ha(to_ha(value, from_unit), to_unit)


def format_number(value: object, decimals: int) -> str:
    """Thousands separators and fixed decimals: ``format_number(1234.5, 2) == '1,234.50'``."""
    number = to_decimal(value)
    if number is None:
        return "—"
    quant = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quant, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}"


def format_area(value_ha: object, unit: str, with_unit: bool = False) -> str:
    """Format an area given in hectares for display in ``unit``.

    亩 shows no decimals when the value is whole at one decimal, else one; 公顷 always two.
    """
    code = unit_code(unit)
    value = from_ha(value_ha, code)
    if value is None:
        return "—"
    decimals = DISPLAY_DECIMALS[code]
    if code == "mu" and value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) % 1 == 0:
        decimals = 0
    text = format_number(value, decimals)
    return f"{text} {AREA_UNITS[code][0]}" if with_unit else text


def format_in(value: object, unit: str, with_unit: bool = False) -> str:
    """Format an area already expressed in ``unit`` (e.g. a total in 亩) for display in that unit.

    Goes to hectares without rounding, so 12.35 亩 shows as 12.4, not 12.3.
    """
    return format_area(to_ha(value, unit), unit, with_unit)


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_APPROX = ("约", "近", "超过", "大于", "不少于", "≥", ">=", "逾", "左右", "余")


def parse_number(text: str) -> Decimal | None:
    """Parse a number as people write it in tables.

    Handles thousands separators (``1,234.5``), full-width digits, percent signs (``4.54%`` →
    4.54), a trailing unit (``300亩``) and approximate words (``约300``). Returns None for
    empty text or text with no number, or with more than one number (``300-400``).

    >>> parse_number("1,234.5"), parse_number("4.54%"), parse_number("约300"), parse_number("")
    (Decimal('1234.5'), Decimal('4.54'), Decimal('300'), None)
    """
    if text is None:
        return None
    cleaned = str(text).strip()
    if not cleaned or cleaned.lower() in {"nan", "none", "-", "—", "/"}:
        return None
    cleaned = cleaned.translate(_FULLWIDTH)
    cleaned = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", cleaned)
    cleaned = cleaned.replace(" ", "")
    found = _NUMBER.findall(cleaned)
    if len(found) != 1:
        return None
    # anything but the number must be a unit, %, or an approximation word
    rest = cleaned.replace(found[0], "", 1)
    for word in _APPROX:
        rest = rest.replace(word, "")
    rest = re.sub(r"(公顷|亩|平方米|平米|㎡|m2|m²|ha|%|％|个|宗|块|处|万元|亿元)", "", rest, flags=re.I)
    if rest.strip():
        return None
    try:
        return Decimal(found[0])
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        return None


def decimals_of(text: object) -> int:
    """Number of decimals printed: ``decimals_of("24.80") == 2``, ``decimals_of("89") == 0``."""
    raw = str(text).strip().rstrip("%％")
    match = re.search(r"\.(\d+)", raw)
    return len(match.group(1)) if match else 0


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")
