from decimal import Decimal

import pytest

from panhuo.units import convert, decimals_of, format_area, from_ha, parse_number, to_ha, unit_code


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
