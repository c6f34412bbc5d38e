from decimal import Decimal
from fractions import Fraction

import pytest

from panhuo.units import (
    UNITS,
    cell_unit,
    convert,
    decimals_of,
    find_unit,
    format_area,
    from_ha,
    parse_number,
    to_ha,
    unit_code,
    unit_in_text,
    unit_label,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.35", Decimal("1.35")),
        ("1.35 ", Decimal("1.35")),
        ("1,234.5", Decimal("1234.5")),
        ("4.54%", Decimal("4.54")),
        ("约300", Decimal("300")),
        ("300亩", Decimal("300")),
        ("１２３．４", Decimal("123.4")),
        ("-21.22", Decimal("-21.22")),
        ("", None),
        ("—", None),
        ("300-400", None),
        ("abc", None),
        ("三百", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        ("1", "公顷", "亩", Decimal("15")),
        ("15", "亩", "ha", Decimal("1")),
        ("10000", "平方米", "公顷", Decimal("1")),
        ("23743", "亩", "亩", Decimal("23743")),
        ("666.67", "平方米", "亩", Decimal("1.0000")),
    ],
)
def test_convert(value, unit, target, expected):
    assert convert(value, unit, target) == expected


def test_round_trip_has_no_float_noise():
    # 湖州's list totals 23743 亩; through hectares and back it must stay exactly that
    assert from_ha(to_ha("23743", "亩"), "mu") == Decimal("23743")
    assert format_area(to_ha("23743", "亩"), "mu") == "23,743"


@pytest.mark.parametrize(
    ("value_ha", "unit", "shown"),
    [
        (Decimal("146.59"), "ha", "146.59"),
        (Decimal("146.59"), "mu", "2,198.9"),  # 2198.85 亩 shown at one decimal
        (Decimal(20000) / 15, "ha", "1,333.33"),
        (Decimal(20000) / 15, "mu", "20,000"),
        (Decimal("0"), "ha", "0.00"),
    ],
)
def test_format_area(value_ha, unit, shown):
    assert format_area(value_ha, unit) == shown


def test_unit_words():
    assert unit_code("公顷") == unit_code("ha") == "ha"
    assert unit_code("亩") == "mu"
    with pytest.raises(ValueError, match="未知的面积单位"):
        unit_code("英亩")


@pytest.mark.parametrize(("text", "decimals"), [("24.80", 2), ("89", 0), ("4.54%", 2), ("0.5", 1)])
def test_decimals_of(text, decimals):
    assert decimals_of(text) == decimals


# --- the one unit table: every spelling, through every parser built from it -----------------------


SPELLINGS = [
    # (how a file or a user writes it, the unit's Chinese name)
    ("公顷", "公顷"),
    ("ha", "公顷"),
    ("HA", "公顷"),
    ("hm2", "公顷"),
    ("hm²", "公顷"),
    ("亩", "亩"),
    ("mu", "亩"),
    ("平方米", "平方米"),
    ("平米", "平方米"),
    ("平方", "平方米"),
    ("㎡", "平方米"),
    ("m2", "平方米"),
    ("m²", "平方米"),
    ("M2", "平方米"),
    ("万亩", "万亩"),
    ("平方公里", "平方公里"),
    ("平方千米", "平方公里"),
    ("km2", "平方公里"),
    ("km²", "平方公里"),
    ("㎢", "平方公里"),
    ("万平方米", "万平方米"),
    ("万平米", "万平方米"),
    ("万㎡", "万平方米"),
    ("万m2", "万平方米"),
    ("万M2", "万平方米"),
    ("万m²", "万平方米"),
    ("万公顷", "万公顷"),
]


def test_every_spelling_of_the_table_is_tested():
    listed = {word for unit in UNITS for word in unit.spellings}
    assert listed <= {word for word, _ in SPELLINGS}


@pytest.mark.parametrize(("word", "label"), SPELLINGS)
def test_unit_word(word, label):
    assert find_unit(word).label == label
    assert find_unit(f" {word} ").label == label


@pytest.mark.parametrize(("word", "label"), SPELLINGS)
@pytest.mark.parametrize("space", ["", " "])
def test_unit_in_a_cell(word, label, space):
    cell = f"2.5{space}{word}"
    assert cell_unit(cell) == label
    assert parse_number(cell) == Decimal("2.5")


@pytest.mark.parametrize(("word", "label"), SPELLINGS)
@pytest.mark.parametrize(
    "header", ["面积（{}）", "面积({})", "面积【{}】", "面积（单位：{}）", "面积/{}", "面积_{}"]
)
def test_unit_in_a_header(word, label, header):
    from panhuo.importing.mapping import match_header, normalise_header

    assert normalise_header(header.format(word)) == ("面积", label)
    assert match_header(header.format(word), "parcels")[0] == "area"


@pytest.mark.parametrize(("word", "label"), SPELLINGS)
def test_unit_in_a_mapping_file(word, label):
    from panhuo.importing.mapping import apply_saved, propose_mapping

    mapping = propose_mapping(["编号", "地块面积"], [["1", "3"]])
    apply_saved(mapping, {"地块面积": {"field": "area", "unit": word}}, "user")
    assert mapping.choice("area").unit == label


@pytest.mark.parametrize(("word", "label"), [s for s in SPELLINGS if s[1] in ("公顷", "亩")])
def test_unit_on_the_command_line(word, label):
    from panhuo.cli import build_parser

    args = build_parser().parse_args(["summary", "x", "--unit", word])
    assert unit_label(args.unit) == label


def test_unknown_unit_words():
    from panhuo.importing.mapping import apply_saved, propose_mapping

    for word in ("元", "米", "立方米", "hm", "万元/亩", ""):
        assert find_unit(word) is None
    assert cell_unit("12.5") == cell_unit("Alpha") == cell_unit("12万元") == ""
    mapping = propose_mapping(["编号", "地块面积"], [["1", "3"]])
    with pytest.raises(
        ValueError, match="映射中的单位“立方米”无法识别；可用：公顷、亩、平方米、万亩、平方公里"
    ):
        apply_saved(mapping, {"地块面积": {"field": "area", "unit": "立方米"}}, "user")


def test_the_disagreements_of_the_old_parsers_are_gone():
    # "2.5 hm2" was 平方米 to the cell parser; "300平米" a unit only to one parser
    assert cell_unit("2.5 hm2") == "公顷"
    assert parse_number("300平米") == Decimal("300") and cell_unit("300平米") == "平方米"
    assert parse_number("300m2") == Decimal("300")  # the 2 of m2 is no second number


@pytest.mark.parametrize(
    ("code", "hectares"),
    [
        ("ha", 1),
        ("mu", Fraction(1, 15)),
        ("m2", Fraction(1, 10_000)),
        ("wanmu", Fraction(2000, 3)),
        ("km2", 100),
        ("wanm2", 1),  # 1 万平方米 = 10,000 m² = 1 公顷
        ("wanha", 10_000),
    ],
)
def test_unit_sizes_are_exact(code, hectares):
    assert next(u for u in UNITS if u.code == code).hectares == hectares


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        ("1", "万亩", "亩", Decimal("10000")),
        ("1", "平方公里", "公顷", Decimal("100")),
        ("1", "km²", "平方米", Decimal("1000000")),
        ("2.5", "hm2", "亩", Decimal("37.5")),
        ("1.5", "万亩", "公顷", Decimal("1000")),
        ("3", "万平方米", "公顷", Decimal("3")),
        ("3", "万平方米", "平方米", Decimal("30000")),
        ("1.2", "万公顷", "公顷", Decimal("12000")),
        ("1", "万公顷", "万亩", Decimal("15")),
    ],
)
def test_convert_new_units(value, unit, target, expected):
    assert convert(value, unit, target) == expected


def test_wan_units_are_read_before_the_units_they_contain():
    # 万平方米 holds 平方米 and 万公顷 holds 公顷: the longer word wins in every parser
    from panhuo.importing.mapping import normalise_header

    assert cell_unit("3万平方米") == "万平方米" and parse_number("3万平方米") == Decimal("3")
    assert to_ha(parse_number("3万平方米"), cell_unit("3万平方米")) == Decimal("3")
    assert cell_unit("0.8万公顷") == "万公顷"
    assert unit_in_text("单位：万平方米") == "万平方米" and unit_in_text("单位：万公顷、个") == "万公顷"
    assert normalise_header("面积（万平方米）") == ("面积", "万平方米")
    assert normalise_header("面积(万公顷)") == ("面积", "万公顷")
    assert normalise_header("用地面积/万㎡") == ("用地面积", "万平方米")


@pytest.mark.parametrize("text", ["10万元/亩", "5元/平方米", "10元/万亩", "3万平方公里", "12万元"])
def test_a_rate_or_an_unknown_wan_unit_is_no_area_unit_in_any_parser(text):
    # the cell parser and the unit-line parser share one rule (the cell parser once read 亩 here)
    assert cell_unit(text) == unit_in_text(text) == ""


def test_unit_named_in_a_table_unit_line():
    assert unit_in_text("单位：万亩") == "万亩"
    assert unit_in_text("个、公顷") == "公顷"
    assert unit_in_text("万元/亩") == ""  # money per 亩 is no area
    assert unit_in_text("%") == ""
