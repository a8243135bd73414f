"""Budget rules: splitting contributions by the Finsam shares, frames, remaining money."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.accounts.roles import OrganisationKind
from finsam_ansokan.core.errors import DomainError

#: Lag (2003:1210) 7 §: the state half, the region a quarter, the kommuner a quarter.
FINSAM_SHARES = {
    OrganisationKind.STAT: Decimal("0.50"),
    OrganisationKind.REGION: Decimal("0.25"),
    OrganisationKind.KOMMUN: Decimal("0.25"),
}


def split_contributions(total: Decimal, members: Sequence[Organisation]) -> dict[int, Decimal]:
    """Split a year's total contribution between the members, in whole kronor.

    The state's half goes to Försäkringskassan (which also pays Arbetsförmedlingen's part:
    the first stat member, by name, pays; the others are listed with 0), the region's
    quarter to the region, and the kommuner share their quarter by population. Rounding
    remainders go to the largest payer of each part, so the parts add up exactly.
    """
    if total < 0:
        raise DomainError("Totalbeloppet kan inte vara negativt.")
    result: dict[int, Decimal] = {}
    for kind, share in FINSAM_SHARES.items():
        group = [m for m in members if m.kind == kind.value]
        if not group:
            continue
        part = (total * share).quantize(Decimal("1"), rounding=ROUND_DOWN)
        if kind is OrganisationKind.STAT:
            payer = next(
                (m for m in group if "försäkringskassan" in m.name.lower()),
                sorted(group, key=lambda m: m.name)[0],
            )
            weights = {m.id: Decimal(1 if m is payer else 0) for m in group}
        elif kind is OrganisationKind.KOMMUN:
            if any(not m.population for m in group):
                raise DomainError(
                    "Ange invånarantal för alla kommuner för att fördela kommunernas del."
                )
            weights = {m.id: Decimal(m.population or 0) for m in group}
        else:
            weights = {m.id: Decimal(1) for m in group}
        weight_sum = sum(weights.values())
        shares = {
            mid: (part * w / weight_sum).quantize(Decimal("1"), rounding=ROUND_DOWN)
            for mid, w in weights.items()
        }
        largest = max(shares, key=lambda mid: (weights[mid], shares[mid]))
        shares[largest] += part - sum(shares.values())
        result.update(shares)
    # what rounding down the three parts left over goes to the state's payer
    leftover = total.quantize(Decimal("1"), rounding=ROUND_DOWN) - sum(result.values())
    if result and leftover:
        first_key = max(result, key=lambda mid: result[mid])
        result[first_key] += leftover
    return result
