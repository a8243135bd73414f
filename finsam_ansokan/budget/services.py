"""Budget rules: budget years, their contributions and frames' sizes, huvudområden.

Money moving in and out of frames (grant, revoke, return, reallocate) and the figures
*beviljat* and *återfört* are :mod:`budget.ledger`'s; the overview of a year is the read
model :mod:`finsam_ansokan.overview`.

Services flush but never commit: the request commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.accounts.roles import OrganisationKind
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import ZERO
from finsam_ansokan.extensions import db

from .ledger import set_frame
from .models import BudgetYear, Contribution, Huvudomrade, Ram

YEAR_MIN, YEAR_MAX = 2000, 2100

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


# --- Huvudområden -----------------------------------------------------------------------


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("Ange huvudområdets namn.", field="name")
    if len(name) > 120:
        raise DomainError("Namnet får vara högst 120 tecken.", field="name")
    return name


def _check_unique_area_name(name: str, existing: Huvudomrade | None) -> None:
    query = select(Huvudomrade.id).where(func.lower(Huvudomrade.name) == name.lower())
    if existing is not None:
        query = query.where(Huvudomrade.id != existing.id)
    if db.session.scalar(query) is not None:
        raise DomainError(f"Det finns redan ett huvudområde som heter {name}.", field="name")


def create_huvudomrade(
    *,
    name: str,
    description: str | None = None,
    active: bool = True,
    sort_order: int = 0,
    actor: User | None,
) -> Huvudomrade:
    name = _clean_name(name)
    _check_unique_area_name(name, None)
    area = Huvudomrade(
        name=name,
        description=(description or "").strip() or None,
        active=active,
        sort_order=sort_order,
    )
    db.session.add(area)
    db.session.flush()
    record_event(
        "huvudomrade_created",
        actor=actor,
        subject=f"huvudomrade:{area.id}",
        message=f"Huvudområdet {name} skapades.",
    )
    return area


def update_huvudomrade(
    area: Huvudomrade,
    *,
    name: str,
    description: str | None = None,
    active: bool = True,
    sort_order: int | None = None,
    actor: User | None,
) -> Huvudomrade:
    """Change an area. An inactive area keeps its frames and history, but is no longer
    offered to new applications (:func:`active_huvudomraden`)."""
    name = _clean_name(name)
    _check_unique_area_name(name, area)
    changes = {}
    if name != area.name:
        changes["name"] = [area.name, name]
    if bool(active) != area.active:
        changes["active"] = [area.active, bool(active)]
    area.name = name
    area.description = (description or "").strip() or None
    area.active = bool(active)
    if sort_order is not None:
        area.sort_order = sort_order
    db.session.flush()
    record_event(
        "huvudomrade_updated",
        actor=actor,
        subject=f"huvudomrade:{area.id}",
        message=f"Huvudområdet {name} ändrades.",
        data=changes or None,
    )
    return area


def deactivate_huvudomrade(area: Huvudomrade, *, actor: User | None) -> Huvudomrade:
    return update_huvudomrade(
        area, name=area.name, description=area.description, active=False, actor=actor
    )


def active_huvudomraden() -> list[Huvudomrade]:
    """The areas a new application may choose between."""
    return list(
        db.session.scalars(
            select(Huvudomrade)
            .where(Huvudomrade.active.is_(True))
            .order_by(Huvudomrade.sort_order, Huvudomrade.name)
        )
    )


# --- Budget years -------------------------------------------------------------------------


@dataclass
class BudgetYearData:
    """What the kansli enters for a budget year. ``frames`` and ``contributions`` map a
    huvudområde id / organisation id to an amount; ``None`` means "no frame/contribution"."""

    preliminary: bool = False
    equity_carried_over: Decimal = ZERO
    administration_costs: Decimal = ZERO
    notes: str | None = None
    contributions: Mapping[int, Decimal | None] = field(default_factory=dict)
    frames: Mapping[int, Decimal | None] = field(default_factory=dict)


def _check_amount(value: Decimal | None, field_name: str, label: str) -> Decimal:
    if value is None:
        return ZERO
    if value < 0:
        raise DomainError(f"{label} kan inte vara negativ.", field=field_name)
    return value


def create_budget_year(year: int, data: BudgetYearData, *, actor: User | None) -> BudgetYear:
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError(f"Ange ett år mellan {YEAR_MIN} och {YEAR_MAX}.", field="year")
    if db.session.scalar(select(BudgetYear.id).where(BudgetYear.year == year)) is not None:
        raise DomainError(f"Det finns redan en budget för {year}.", field="year")
    budget_year = BudgetYear(year=year)
    db.session.add(budget_year)
    db.session.flush()
    _apply_budget_year_data(budget_year, data)
    record_event(
        "budget_year_created",
        actor=actor,
        subject=f"budget_year:{budget_year.id}",
        message=f"Budgeten för {budget_year} skapades.",
        data=_summary(budget_year),
    )
    return budget_year


def update_budget_year(
    budget_year: BudgetYear, data: BudgetYearData, *, actor: User | None
) -> BudgetYear:
    """Save a budget year. The year itself is fixed once created: grants hang on it."""
    _apply_budget_year_data(budget_year, data)
    record_event(
        "budget_year_updated",
        actor=actor,
        subject=f"budget_year:{budget_year.id}",
        message=f"Budgeten för {budget_year} ändrades.",
        data=_summary(budget_year),
    )
    return budget_year


def _summary(budget_year: BudgetYear) -> dict:
    return {
        "preliminary": budget_year.preliminary,
        "equity_carried_over": str(budget_year.equity_carried_over),
        "administration_costs": str(budget_year.administration_costs),
        "frames": {str(r.huvudomrade_id): str(r.amount) for r in budget_year.frames},
        "contributions": {str(c.organisation_id): str(c.amount) for c in budget_year.contributions},
    }


def _apply_budget_year_data(budget_year: BudgetYear, data: BudgetYearData) -> None:
    budget_year.preliminary = bool(data.preliminary)
    budget_year.equity_carried_over = _check_amount(
        data.equity_carried_over, "equity_carried_over", "Eget kapital"
    )
    budget_year.administration_costs = _check_amount(
        data.administration_costs, "administration_costs", "Kostnaden för administration"
    )
    budget_year.notes = (data.notes or "").strip() or None

    existing_contributions = {c.organisation_id: c for c in budget_year.contributions}
    for organisation_id, amount in data.contributions.items():
        amount = _check_amount(amount, f"contribution_{organisation_id}", "Medlemsinsatsen")
        contribution = existing_contributions.get(organisation_id)
        if contribution is None:
            if db.session.get(Organisation, organisation_id) is None:
                raise DomainError("Okänd medlemsorganisation.")
            budget_year.contributions.append(
                Contribution(organisation_id=organisation_id, amount=amount)
            )
        else:
            contribution.amount = amount
    db.session.flush()

    existing_frames = {r.huvudomrade_id: r for r in budget_year.frames}
    for area_id, amount in data.frames.items():
        amount = _check_amount(amount, f"frame_{area_id}", "Ramen")
        ram = existing_frames.get(area_id)
        if ram is None:
            area = db.session.get(Huvudomrade, area_id)
            if area is None:
                raise DomainError("Okänt huvudområde.")
            budget_year.frames.append(Ram(huvudomrade=area, amount=amount, granted=ZERO))
            db.session.flush()
        else:
            set_frame(ram, amount, field=f"frame_{area_id}")


def budget_year_for(year: int) -> BudgetYear | None:
    return db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))


def budget_years() -> list[BudgetYear]:
    return list(db.session.scalars(select(BudgetYear).order_by(BudgetYear.year)))
