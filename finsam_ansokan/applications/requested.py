"""Sökt belopp, the amount an application asks for: the one rule, in SQL and in Python.

Per budget year, **sökt belopp = the costs (personal, lokaler, övrigt) − the co-funding
(medfinansiering)**; the total is the sum of the years. It is not clamped at zero: a draft
whose co-funding is larger than its costs shows a negative amount for that year, which is
what the completeness check refuses ("Medfinansieringen … är större än kostnaderna"), so no
submitted application ever asks for less than nothing. Hiding it behind a zero would show
a draft as consistent when it is not, and let one year's surplus co-funding vanish from the
total in one place but not another.

:data:`SIGNED_AMOUNT` is a budget line's part of it for SQL sums (lists, exports, statistics,
the decision pages); :func:`requested_by_year` applies the same rule to the plain budget lines
of a snapshot (a stored version, its PDF and the version comparison).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import case

from finsam_ansokan.core.money import ZERO, to_decimal

from .models import BudgetLine
from .sections import CO_FUNDING

#: A budget line's effect on sökt belopp: co-funding is deducted.
SIGNED_AMOUNT = case(
    (BudgetLine.category == CO_FUNDING, -BudgetLine.amount), else_=BudgetLine.amount
)


def signed(category: str, amount: Decimal) -> Decimal:
    """A line's effect on sökt belopp, as :data:`SIGNED_AMOUNT` computes it in SQL."""
    return -amount if category == CO_FUNDING else amount


def requested_by_year(lines: Iterable[Mapping[str, Any]]) -> dict[int, Decimal]:
    """Sökt belopp per year of snapshot budget lines (``{"year", "category", "amount"}``)."""
    result: dict[int, Decimal] = {}
    for line in lines:
        year = int(line["year"])
        amount = to_decimal(line.get("amount") or ZERO)
        result[year] = result.get(year, ZERO) + signed(line["category"], amount)
    return dict(sorted(result.items()))
