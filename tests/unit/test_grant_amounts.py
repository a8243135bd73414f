"""The amounts a recommendation, a proposal or a decision may grant, against sökt belopp."""

from decimal import Decimal as D

import pytest

from finsam_ansokan.applications.services import validate_grant_amounts
from finsam_ansokan.core.errors import DomainError

REQUESTED = {2026: D("300000"), 2027: D("200000")}


def test_bevilja_grants_exactly_what_was_asked_for():
    assert validate_grant_amounts(REQUESTED, dict(REQUESTED), in_full=True) == REQUESTED


def test_delvis_bevilja_grants_less_and_may_leave_a_year_out():
    granted = validate_grant_amounts(REQUESTED, {2026: D("250000"), 2027: None}, in_full=False)
    assert granted == {2026: D("250000")}


@pytest.mark.parametrize(
    ("amounts", "in_full", "message"),
    [
        ({2026: D("250000"), 2027: D("200000")}, True, "Välj Delvis bevilja"),
        (dict(REQUESTED), False, "välj Bevilja"),
        ({2026: D("300001")}, False, "större än det sökta"),
        ({2028: D("1")}, False, "gäller inte år 2028"),
        ({2026: D("-1")}, False, "hela kronor"),
        ({2026: D("10.50")}, False, "hela kronor"),
        ({2026: D("0"), 2027: None}, False, "Ange belopp"),
    ],
)
def test_amounts_outside_the_rules_are_refused(amounts, in_full, message):
    with pytest.raises(DomainError, match=message):
        validate_grant_amounts(REQUESTED, amounts, in_full=in_full)
