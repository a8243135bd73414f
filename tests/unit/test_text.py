"""The cleaning of text from outside (``core/text``) and the bounds of a number from a URL
(``core/routing``): what a form, an e-mail header and a spreadsheet cell may hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from finsam_ansokan.core.routing import ID_MAX, int_arg
from finsam_ansokan.core.text import clean_multiline, single_line, spreadsheet_safe


def test_a_textarea_keeps_tabs_and_line_breaks_but_no_other_control_character():
    assert clean_multiline("a\x00b\x07c\x1b\x7fd\te\r\nf\x0bg\x0ch") == "abcd\te\r\nfgh"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Steg vidare\r\nBcc: x@example.org", "Steg vidare Bcc: x@example.org"),
        ("a\nb\rc\td", "a b c d"),
        ("a\u2028b\u2029c\x85d", "a b c d"),
        ("Ti\x00tel\x1b", "Titel"),
        ("Åtgärd för unga", "Åtgärd för unga"),
    ],
)
def test_a_single_line_holds_no_break_and_no_control_character(typed, kept):
    assert single_line(typed) == kept


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_begins_like_a_formula_gets_a_leading_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Steg vidare", "", "1+1", " =1", -500, Decimal("-12.5"), date(2026, 1, 1), None]
)
def test_other_text_and_every_number_are_left_as_they_are(value):
    assert spreadsheet_safe(value) == value


def test_every_text_field_of_a_form_is_cleaned_and_passwords_are_left_alone(app):
    from wtforms import PasswordField, StringField, TextAreaField

    from finsam_ansokan.core.forms import Form, MoneyField

    class Sample(Form):
        class Meta:
            csrf = False

        title = StringField(filters=[str.strip])
        notes = TextAreaField()
        password = PasswordField()
        amount = MoneyField()

    with app.test_request_context():
        form = Sample(
            MultiDict(
                {
                    "title": " Rubrik\r\nBcc: x\x00 ",
                    "notes": "Rad\x00 ett\r\nRad två",
                    "password": "hemligt\x00",
                    "amount": "1 000",
                }
            )
        )
    assert form.title.data == "Rubrik Bcc: x"  # the field's own filters still run
    assert form.notes.data == "Rad ett\r\nRad två"
    assert form.password.data == "hemligt\x00"
    assert form.amount.data == Decimal(1000)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("7", 7),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        (str(10**30), None),
        ("0", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1e3", None),
    ],
)
def test_a_number_from_a_query_string_is_an_id_in_the_columns_range_or_nothing(value, number):
    assert int_arg(value) == number
