"""Area units and number parsing.

:data:`UNITS` is the one table of area units (name, spellings, exact size in hectares); every
parser of a unit word is built from it. The canonical area unit is the hectare (公顷). Original values and units are kept beside it.
Sums are done in :class:`decimal.Decimal` on the printed values so that display never shows
float noise (湖州's list totals exactly 23743 亩).

>>> from_ha(to_ha("23743", "亩"), "mu")
Decimal('23743.0000')
>>> format_area(to_ha("23743", "亩"), "mu")
'23,743'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AreaUnit:
    """One area unit: its code, the Chinese name shown, how people write it, its size in hectares."""

    code: str
    label: str
    spellings: tuple[str, ...]  # every way a header, a cell, a mapping or ``--unit`` may write it
    hectares: Fraction  # exact: 1 亩 is 1/15 公顷
    decimals: int  # decimals shown (亩 drops its one decimal when whole, see format_area)


# THE unit table: every parser of a unit word (header brackets, a cell's trailing unit, the
# mapping JSON, the command line, validation) is built from it, so they cannot disagree.
UNITS: tuple[AreaUnit, ...] = (
    AreaUnit("ha", "公顷", ("公顷", "ha", "hm2", "hm²"), Fraction(1), 2),
    AreaUnit("mu", "亩", ("亩", "mu"), Fraction(1, 15), 1),
    AreaUnit("m2", "平方米", ("平方米", "平米", "平方", "㎡", "m2", "m²"), Fraction(1, 10_000), 0),
    AreaUnit("wanmu", "万亩", ("万亩",), Fraction(10_000, 15), 2),
    AreaUnit("km2", "平方公里", ("平方公里", "平方千米", "km2", "km²", "㎢"), Fraction(100), 2),
    # 1 万平方米 is 10,000 m², exactly 1 公顷; 1 万公顷 is 10,000 公顷 (at the end: the order of
    # this table is the order a user picks from and the messages list)
    AreaUnit("wanm2", "万平方米", ("万平方米", "万平米", "万㎡", "万m2", "万m²"), Fraction(1), 2),
    AreaUnit("wanha", "万公顷", ("万公顷",), Fraction(10_000), 4),
)


def _key(word: object) -> str:
    """How a spelling is compared: NFKC (㎡ → m2, ² → 2, full-width → ASCII), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(word))).lower()


_BY_CODE = {u.code: u for u in UNITS}
_BY_SPELLING = {_key(w): u for u in UNITS for w in (u.code, u.label, *u.spellings)}
# the longest spelling first, so that "hm2" is not read as "m2" nor "万亩" as "亩"
_SPELLINGS = sorted(
    {w for u in UNITS for w in (*u.spellings, *(_key(s) for s in u.spellings))}, key=len, reverse=True
)
UNIT_PATTERN = "|".join(re.escape(w) for w in _SPELLINGS)
# The one rule of where a unit word stands, shared by every search in text: not inside a Latin
# word ("alpha" holds "ha"), not after "/" ("万元/亩" is money per 亩, no area), not after a 万
# the table does not pair with it ("元/万亩", "万平方公里": no unit rather than one 10,000× off)
_UNIT_WORD = rf"(?<![A-Za-z/万])({UNIT_PATTERN})(?![A-Za-z])"
_ANY_UNIT = re.compile(_UNIT_WORD, re.I)
_TRAILING_UNIT = re.compile(rf"{_UNIT_WORD}\s*$", re.I)

# unit code -> (Chinese label, hectares per unit as a Decimal), for arithmetic in Decimal
AREA_UNITS: dict[str, tuple[str, Decimal]] = {
    u.code: (u.label, Decimal(u.hectares.numerator) / Decimal(u.hectares.denominator)) for u in UNITS
}
# every accepted spelling (normalised as :func:`find_unit` compares them) -> unit code
UNIT_ALIASES: dict[str, str] = {key: u.code for key, u in _BY_SPELLING.items()}
DISPLAY_DECIMALS = {u.code: u.decimals for u in UNITS}
UNIT_LABELS: tuple[str, ...] = tuple(u.label for u in UNITS)  # what a user picks a unit from
# internal rounding of computed areas: removes binary noise, keeps far more than printed precision
_QUANT = Decimal("0.0001")


def find_unit(word: object) -> AreaUnit | None:
    """The unit a word names (``"hm²"``, ``"平米"``, ``"KM2"`` …), None when it names none.

    >>> find_unit("hm2").label, find_unit(" 平米 ").label, find_unit("万亩").code, find_unit("元")
    ('公顷', '平方米', 'wanmu', None)
    """
    if word is None:
        return None
    return _BY_SPELLING.get(_key(word))


def is_area_unit(word: object) -> bool:
    """True when ``word`` is a spelling of an area unit."""
    return find_unit(word) is not None


def cell_unit(value: object) -> str:
    """The Chinese label of a unit written at the end of a cell (``"300平米"`` → 平方米), '' if none.

    >>> cell_unit("2.5 hm2"), cell_unit("300平米"), cell_unit("1.2万亩"), cell_unit("3万平方米")
    ('公顷', '平方米', '万亩', '万平方米')
    >>> cell_unit("12.5"), cell_unit("10万元/亩")
    ('', '')
    """
    match = _TRAILING_UNIT.search(str(value))
    unit = find_unit(match.group(1)) if match else None
    return unit.label if unit else ""


def unit_in_text(text: str) -> str:
    """The label of the first unit word in a text such as a table's unit line, '' when none.

    >>> unit_in_text("单位：万亩、个"), unit_in_text("公顷/%"), unit_in_text("个")
    ('万亩', '公顷', '')
    """
    match = _ANY_UNIT.search(str(text))
    return label_or_empty(match.group(1)) if match else ""


def strip_unit(text: str) -> tuple[str, str]:
    """(text without a trailing unit word, the unit's label or '')."""
    match = _TRAILING_UNIT.search(text)
    unit = find_unit(match.group(1)) if match else None
    if unit is None:
        return text, ""
    return text[: match.start()].rstrip(), unit.label


def unit_code(unit: str) -> str:
    """Normalise a unit word (公顷, 亩, ha, mu, 平方米, 万亩, km² …) to its code (``ha``, ``mu`` …)."""
    found = find_unit(unit)
    if found is None:
        raise ValueError(f"未知的面积单位：{unit}")
    return found.code


def unit_label(unit: str) -> str:
    """Chinese label of a unit code or word: ``mu`` → 亩."""
    return _BY_CODE[unit_code(unit)].label


def label_or_empty(unit: object) -> str:
    """The Chinese label of a unit word, '' for an empty or unknown one."""
    found = find_unit(unit) if unit else None
    return found.label if found else ""


def units_text(last: str = "或") -> str:
    """The unit names for a hint: ``公顷、亩、平方米、万亩、平方公里、万平方米或万公顷``."""
    *rest, final = UNIT_LABELS
    return f"{'、'.join(rest)}{last}{final}"


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
    return f"{text} {_BY_CODE[code].label}" if with_unit else text


def format_in(value: object, unit: str, with_unit: bool = False) -> str:
    """Format an area already expressed in ``unit`` (e.g. a total in 亩) for display in that unit.

    Goes to hectares without rounding, so 12.35 亩 shows as 12.4, not 12.3.
    """
    return format_area(to_ha(value, unit), unit, with_unit)


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_SIMPLE_NUMBER = re.compile(r"[-+]?\d{1,30}(?:\.\d{1,30})?")
# words beside a number that are not area units: percent, counts, money
_OTHER_UNITS = re.compile(r"(%|％|个|宗|块|处|万元|亿元)", re.I)
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
    if _SIMPLE_NUMBER.fullmatch(cleaned):  # most cells: a plain number, nothing to clean
        return Decimal(cleaned)
    if not cleaned or cleaned.lower() in {"nan", "none", "-", "—", "/"}:
        return None
    cleaned = cleaned.translate(_FULLWIDTH)
    cleaned = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", cleaned)
    cleaned = cleaned.replace(" ", "")
    cleaned = strip_unit(cleaned)[0]  # before the digits are counted: "300m2" is one number
    found = _NUMBER.findall(cleaned)
    if len(found) != 1:
        return None
    # anything but the number must be a unit, %, or an approximation word
    rest = cleaned.replace(found[0], "", 1)
    for word in _APPROX:
        rest = rest.replace(word, "")
    rest = _OTHER_UNITS.sub("", strip_unit(rest)[0])
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


# --- exact areas as integers ----------------------------------------------------------------
# One quantum is 1/(15·10^8) 公顷: 1 亩 is 10^8 quanta, 1 公顷 1.5·10^9, 1 平方米 150,000. A printed
# value with up to 8 decimals (亩, 公顷) or 4 (平方米) is a whole number of quanta, so an import
# parses each area once into an integer and every total after that is an integer sum — exact,
# vectorised, and pushed down to whatever engine runs it (23743 亩 stays 23743). A value past
# :data:`MAX_QUANTA` or with more decimals than a quantum holds is not "exact" and takes the
# Decimal path (:func:`to_ha`) wherever it is summed.
QUANTA_PER_HA = 15 * 10**8
MAX_QUANTA = 10**17  # one value (about 6.7·10^7 公顷); a sum of such still fits in int64 ×90


def quanta_per(unit: str) -> int:
    """Quanta in one ``unit`` (a code or word): ``quanta_per("亩") == 10**8``."""
    size = _BY_CODE[unit_code(unit)].hectares * QUANTA_PER_HA
    assert size.denominator == 1, unit  # every unit of UNITS is a whole number of quanta
    return int(size)


def _mantissa(per: int) -> tuple[int, int]:
    """``per`` as m·10^e with m not divisible by 10."""
    e = 0
    while per % 10 == 0:
        per //= 10
        e += 1
    return per, e


_PLAIN_NUMBER = r"^(-?)(\d{1,18})(?:\.(\d{1,18}))?$"


def area_quanta(values: pd.Series, units: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each printed area in its unit word as an exact integer of quanta, vectorised (plain
    numbers such as ``505.15``; others — ``1,234.5``, full-width digits, ``300亩`` — are parsed
    one by one as :func:`to_ha` does). Returns (quanta int64, exact bool): an empty,
    unparseable, too precise or too large value is 0 and not exact.

    >>> q, ok = area_quanta(pd.Series(["23743", "0.15", "1,200", "", "1.123456789", "1,200"]),
    ...                     pd.Series(["亩", "公顷", "平方米", "亩", "亩", "亩"]))
    >>> q.tolist(), ok.tolist()
    ([2374300000000, 225000000, 180000000, 0, 0, 120000000000], [True, True, True, False, False, True])
    """
    text = pd.Series(values, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    unit_words = pd.Series(units, dtype=object).astype(str).to_numpy(dtype=object)
    n = len(text)
    quanta = np.zeros(n, dtype=np.int64)
    exact = np.zeros(n, dtype=bool)
    if n == 0:
        return quanta, exact
    per_word: dict[str, int] = {}
    for word in pd.unique(unit_words):
        try:
            per_word[word] = quanta_per(word)
        except (ValueError, KeyError):
            per_word[word] = 0
    per = pd.Series(unit_words).map(per_word).to_numpy(dtype=np.int64)
    parts = pd.Series(text).str.extract(_PLAIN_NUMBER)
    plain = parts[1].notna().to_numpy() & (per > 0)
    frac = parts[2].fillna("")
    digits = (parts[1].fillna("") + frac).where(plain, "0")
    short = digits.str.len().to_numpy() <= 18
    plain &= short
    number = pd.to_numeric(digits.where(plain, "0"), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    decimals = frac.str.len().to_numpy()
    mant = np.zeros(n, dtype=np.int64)
    expo = np.zeros(n, dtype=np.int64)
    for value in np.unique(per[per > 0]):
        m, e = _mantissa(int(value))
        mant[per == value] = m
        expo[per == value] = e
    approx = np.abs(number.astype(np.float64) * mant * np.power(10.0, (expo - decimals).astype(np.float64)))
    ok = plain & (expo >= decimals) & (approx < MAX_QUANTA)
    scale = np.power(10, np.where(ok, expo - decimals, 0)).astype(np.int64)
    sign = np.where(parts[0].fillna("").to_numpy() == "-", -1, 1)
    quanta[ok] = sign[ok] * number[ok] * mant[ok] * scale[ok]
    exact[ok] = True
    # the rest one by one: thousands separators, full-width digits, a unit in the cell …
    for i in np.flatnonzero(~ok):
        if not text[i] or per[i] == 0:
            continue
        number = to_decimal(text[i])  # as to_ha reads it: the unit is the row's unit
        if number is None:
            continue
        q = number * per[i]
        if q == q.to_integral_value() and abs(q) < MAX_QUANTA:
            quanta[i] = int(q)
            exact[i] = True
    return quanta, exact


def quanta_in(quanta: int, unit: str) -> Decimal:
    """An integer of quanta in ``unit``, rounded to 4 decimals as :func:`from_ha` rounds."""
    return (Decimal(int(quanta)) / Decimal(quanta_per(unit))).quantize(_QUANT, rounding=ROUND_HALF_UP)


def quanta_ha(quanta: int) -> Decimal:
    """An integer of quanta in hectares, exactly to Decimal's precision."""
    return Decimal(int(quanta)) / Decimal(QUANTA_PER_HA)
