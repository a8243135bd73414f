from decimal import Decimal

import pytest

from finsam_ansokan.core.money import InvalidAmount, format_money, parse_amount, to_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("450000", Decimal("450000.00")),
        ("1 065 500", Decimal("1065500.00")),
        ("1\u00a0065\u00a0500 kr", Decimal("1065500.00")),
        ("12,50", Decimal("12.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_amounts_are_read_the_way_swedes_write_them(text, expected):
    assert parse_amount(text) == expected


def test_empty_amount_is_none():
    assert parse_amount("  ") is None
    assert parse_amount(None) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "negativt"),
        ("tusen", "siffror"),
        ("NaN", "siffror"),
        ("Infinity", "siffror"),
        ("1e400", "orimligt"),
        ("99999999999999", "orimligt"),
    ],
)
def test_bad_amounts_are_refused_in_swedish(text, message):
    with pytest.raises(InvalidAmount, match=message):
        parse_amount(text)


def test_whole_kronor_are_required_where_asked():
    with pytest.raises(InvalidAmount, match="hela kronor"):
        parse_amount("10,50", whole_kronor=True)
    assert parse_amount("10", whole_kronor=True) == Decimal("10")


def test_money_is_shown_with_spaces_between_thousands():
    assert format_money(Decimal("1065500")) == "1\u00a0065\u00a0500\u00a0kr"
    assert format_money(Decimal("12.5")) == "12,50\u00a0kr"
    assert format_money(Decimal("-300")) == "−300\u00a0kr"
    assert format_money(None) == ""


def test_money_never_comes_from_a_float():
    with pytest.raises(TypeError):
        to_decimal(0.1)
