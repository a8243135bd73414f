from decimal import Decimal

import pytest

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.budget.services import split_contributions
from finsam_ansokan.core.errors import DomainError


def _members():
    members = [
        Organisation(name="Försäkringskassan", kind="stat"),
        Organisation(name="Arbetsförmedlingen", kind="stat"),
        Organisation(name="Region Kronoberg", kind="region"),
        Organisation(name="Alvesta kommun", kind="kommun", population=20_134),
        Organisation(name="Lessebo kommun", kind="kommun", population=8_850),
        Organisation(name="Växjö kommun", kind="kommun", population=95_352),
    ]
    for i, member in enumerate(members, start=1):
        member.id = i
    return members


def test_contributions_follow_the_finsam_shares():
    shares = split_contributions(Decimal("4262000"), _members())
    assert shares[1] == Decimal("2131000")  # Försäkringskassan pays the state's half
    assert shares[2] == 0  # Arbetsförmedlingen's part is inside it
    assert shares[3] == Decimal("1065500")  # the region a quarter
    assert shares[4] + shares[5] + shares[6] == Decimal("1065500")  # kommuner a quarter


def test_kommuner_share_their_quarter_by_population_and_nothing_is_lost_to_rounding():
    shares = split_contributions(Decimal("1000001"), _members())
    assert sum(shares.values()) == Decimal("1000001")
    assert shares[6] > shares[4] > shares[5]


def test_a_kommun_without_population_cannot_be_split():
    members = _members()
    members[4].population = None
    with pytest.raises(DomainError, match="invånarantal"):
        split_contributions(Decimal("100"), members)
