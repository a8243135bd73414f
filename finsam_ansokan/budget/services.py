"""Budget rules: budget years, huvudområden, frames, reallocation and the grant invariant.

The invariant: for every budget year and huvudområde, what is granted never exceeds the
frame (``0 <= Ram.granted <= Ram.amount``). It is held three times over:

* :func:`grant` moves money out of a frame with ONE conditional UPDATE
  (``… SET granted = granted + :x WHERE id = :id AND granted + :x <= amount``). On
  PostgreSQL the row lock taken by the UPDATE makes concurrent decisions queue, and each
  re-checks the condition against the committed row; on SQLite every transaction starts
  with ``BEGIN IMMEDIATE``, so writers are serialised.
* Changes of a frame's size (:func:`set_frame`, :func:`reallocate`) lock the rows first
  (``SELECT … FOR UPDATE``, in id order) and refuse to go below what is granted.
* The database refuses ``granted > amount`` with the CHECK constraint
  ``ck_ramar_granted_within_frame``, whatever code (or raw SQL) tries.

Every movement of ``granted`` is also written to the ``frame_grants`` ledger, so
:func:`verify_frames` can prove ``granted == SUM(ledger)`` for every frame.

Services flush but never commit: the route commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import case, func, select, update

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.accounts.roles import OrganisationKind
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import ZERO, format_money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .models import BudgetYear, Contribution, FrameGrant, Huvudomrade, Omfordelning, Ram

#: The national council's recommendation: equity at year end at most 20 % of the year's
#: contributions (for förbund with contributions up to 7 Mkr).
EQUITY_RECOMMENDATION_SHARE = Decimal("0.20")
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


def set_frame(ram: Ram, amount: Decimal, *, field: str | None = None) -> Ram:
    """Set a frame's size; never below what is already granted from it."""
    if amount is None or amount < 0:
        raise DomainError("Ramen kan inte vara negativ.", field=field)
    ram = _lock([ram.id])[0]
    if amount < ram.granted:
        raise DomainError(
            f"Ramen för {_label(ram)} kan inte bli mindre än det som redan är beviljat "
            f"({format_money(ram.granted)}).",
            field=field,
        )
    ram.amount = amount
    db.session.flush()
    return ram


def _lock(ram_ids: Sequence[int]) -> list[Ram]:
    """Lock frames in id order (a fixed order: no deadlocks) and reload them from the
    database. ``FOR UPDATE`` on PostgreSQL; on SQLite the writer lock already holds."""
    db.session.flush()
    rams = db.session.scalars(
        select(Ram)
        .where(Ram.id.in_(ram_ids))
        .order_by(Ram.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    by_id = {r.id: r for r in rams}
    return [by_id[i] for i in ram_ids]


def _label(ram: Ram) -> str:
    return f"{ram.huvudomrade.name} {ram.budget_year.year}"


def budget_year_for(year: int) -> BudgetYear | None:
    return db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))


def budget_years() -> list[BudgetYear]:
    return list(db.session.scalars(select(BudgetYear).order_by(BudgetYear.year)))


# --- Reallocation -------------------------------------------------------------------------


def reallocate(
    from_ram: Ram, to_ram: Ram, amount: Decimal | None, reason: str | None, *, actor: User
) -> Omfordelning:
    """Move ``amount`` from one frame to another of the same year (Omfördela), logged.

    Never leaves ``from_ram`` smaller than what is granted from it; the year's total of
    frames is unchanged.
    """
    reason = (reason or "").strip()
    if from_ram.id == to_ram.id:
        raise DomainError("Välj två olika ramar.", field="to_ram_id")
    if from_ram.budget_year_id != to_ram.budget_year_id:
        raise DomainError("Pengar kan bara flyttas mellan ramar samma år.", field="to_ram_id")
    if amount is None or amount <= 0:
        raise DomainError("Ange ett belopp större än 0 kr.", field="amount")
    if not reason:
        raise DomainError("Ange skälet till omfördelningen.", field="reason")
    locked = {r.id: r for r in _lock(sorted([from_ram.id, to_ram.id]))}
    source, target = locked[from_ram.id], locked[to_ram.id]
    if source.amount - amount < source.granted:
        raise DomainError(
            f"Ramen för {_label(source)} räcker inte: {format_money(source.remaining)} "
            f"är inte beviljat, {format_money(amount)} ska flyttas.",
            field="amount",
        )
    source.amount -= amount
    target.amount += amount
    move = Omfordelning(
        budget_year_id=source.budget_year_id,
        from_ram=source,
        to_ram=target,
        amount=amount,
        reason=reason,
        actor_id=actor.id,
    )
    db.session.add(move)
    db.session.flush()
    record_event(
        "budget_reallocated",
        actor=actor,
        subject=f"budget_year:{source.budget_year_id}",
        message=(
            f"{format_money(amount)} flyttades från {source.huvudomrade.name} till "
            f"{target.huvudomrade.name} ({source.budget_year.year}): {reason}"
        ),
        data={"from_ram": source.id, "to_ram": target.id, "amount": str(amount)},
    )
    return move


def reallocations(budget_year: BudgetYear) -> list[Omfordelning]:
    return list(
        db.session.scalars(
            select(Omfordelning)
            .where(Omfordelning.budget_year_id == budget_year.id)
            .order_by(Omfordelning.created_at.desc(), Omfordelning.id.desc())
        )
    )


# --- Granting and releasing: the only way money leaves or returns to a frame ---------------


FrameKey = tuple[int, int]  # (year, huvudomrade_id)


def frame_for(year: int, huvudomrade_id: int) -> Ram:
    ram = db.session.scalar(
        select(Ram)
        .join(BudgetYear)
        .where(BudgetYear.year == year, Ram.huvudomrade_id == huvudomrade_id)
    )
    if ram is None:
        area = db.session.get(Huvudomrade, huvudomrade_id)
        name = area.name if area else "huvudområdet"
        raise DomainError(f"Det finns ingen ram för {name} {year}.")
    return ram


def _resolve(target: Ram | FrameKey) -> Ram:
    return target if isinstance(target, Ram) else frame_for(*target)


def grant(
    target: Ram | FrameKey,
    amount: Decimal,
    *,
    actor: User | None,
    application: Application | None = None,
    at: datetime | None = None,
) -> FrameGrant:
    """Take ``amount`` from a frame, or refuse with a message naming what remains.

    One conditional UPDATE does the check and the change atomically, so two board members
    recording decisions at the same moment can never both spend the same money. ``at`` is
    when the money was granted (default: now), e.g. the day of the meeting.
    """
    ram = _resolve(target)
    if amount is None or amount <= 0:
        raise DomainError("Beviljat belopp måste vara större än 0 kr.", field="amount")
    db.session.flush()
    result = db.session.execute(
        update(Ram)
        .where(Ram.id == ram.id, Ram.granted + amount <= Ram.amount)
        .values(granted=Ram.granted + amount)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        frame_amount, granted = db.session.execute(
            select(Ram.amount, Ram.granted).where(Ram.id == ram.id)
        ).one()
        raise DomainError(
            f"Ramen för {_label(ram)} räcker inte: {format_money(frame_amount - granted)} "
            f"återstår, {format_money(amount)} begärs.",
            field="amount",
        )
    return _record(ram, amount, actor=actor, application=application, at=at)


def release(
    target: Ram | FrameKey,
    amount: Decimal,
    *,
    actor: User | None,
    application: Application | None = None,
    at: datetime | None = None,
) -> FrameGrant:
    """Return ``amount`` to a frame (money not used, a decision undone)."""
    ram = _resolve(target)
    if amount is None or amount <= 0:
        raise DomainError("Beloppet som återförs måste vara större än 0 kr.", field="amount")
    db.session.flush()
    result = db.session.execute(
        update(Ram)
        .where(Ram.id == ram.id, Ram.granted - amount >= 0)
        .values(granted=Ram.granted - amount)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        granted = db.session.scalar(select(Ram.granted).where(Ram.id == ram.id))
        raise DomainError(
            f"Det går inte att återföra {format_money(amount)} till ramen för {_label(ram)}: "
            f"bara {format_money(granted)} är beviljat.",
            field="amount",
        )
    return _record(ram, -amount, actor=actor, application=application, at=at)


def _record(
    ram: Ram,
    amount: Decimal,
    *,
    actor: User | None,
    application: Application | None,
    at: datetime | None,
) -> FrameGrant:
    entry = FrameGrant(
        ram_id=ram.id,
        application_id=getattr(application, "id", None),
        amount=amount,
        actor_id=getattr(actor, "id", None),
        created_at=at or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    db.session.expire(ram, ["granted"])  # the UPDATE bypassed the identity map
    return entry


def grant_many(
    amounts: Mapping[FrameKey, Decimal],
    *,
    actor: User | None,
    application: Application | None = None,
    at: datetime | None = None,
) -> list[FrameGrant]:
    """Grant from several years' frames at once: all or nothing.

    The frames are locked in id order first (so two multi-year decisions cannot deadlock),
    then granted one by one inside a savepoint that is rolled back if any is refused.
    """
    rams = {key: frame_for(*key) for key in amounts}
    ordered = sorted(rams.items(), key=lambda item: item[1].id)
    savepoint = db.session.begin_nested()
    try:
        _lock([ram.id for _, ram in ordered])
        entries = [
            grant(ram, amounts[key], actor=actor, application=application, at=at)
            for key, ram in ordered
        ]
    except DomainError:
        savepoint.rollback()
        raise
    savepoint.commit()
    return entries


def verify_frames() -> list[tuple[int, Decimal, Decimal]]:
    """Frames whose ``granted`` differs from the sum of their ledger rows, as
    ``(ram_id, granted, ledger_sum)``. Empty when everything adds up."""
    ledger = (
        select(FrameGrant.ram_id, func.sum(FrameGrant.amount).label("total"))
        .group_by(FrameGrant.ram_id)
        .subquery()
    )
    total = func.coalesce(ledger.c.total, 0)
    rows = db.session.execute(
        select(Ram.id, Ram.granted, total)
        .outerjoin(ledger, ledger.c.ram_id == Ram.id)
        .where(Ram.granted != total)
        .order_by(Ram.id)
    ).all()
    return [(r[0], r[1], Decimal(r[2])) for r in rows]


# --- Overview -----------------------------------------------------------------------------


@dataclass
class FrameRow:
    ram_id: int
    huvudomrade: str
    active: bool
    frame: Decimal
    proposed: Decimal
    granted: Decimal
    used: Decimal
    paid: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.frame - self.granted


@dataclass
class Overview:
    budget_year: BudgetYear
    rows: list[FrameRow]
    frames: Decimal
    proposed: Decimal
    granted: Decimal
    used: Decimal
    contributions: Decimal
    equity_carried_over: Decimal
    administration: Decimal
    paid: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.frames - self.granted

    @property
    def income(self) -> Decimal:
        return self.contributions + self.equity_carried_over

    @property
    def unallocated(self) -> Decimal:
        """Ej utlagt: income − administration − the frames."""
        return self.income - self.administration - self.frames

    @property
    def projected_equity(self) -> Decimal:
        """Eget kapital vid årets slut if the frames are used in full:
        income − administration − granted − what remains in the frames (= Ej utlagt)."""
        return self.income - self.administration - self.granted - self.remaining

    @property
    def equity_if_nothing_more_granted(self) -> Decimal:
        return self.income - self.administration - self.granted

    @property
    def equity_limit(self) -> Decimal:
        return (self.contributions * EQUITY_RECOMMENDATION_SHARE).quantize(Decimal("1"))

    @property
    def equity_above_limit(self) -> bool:
        return self.projected_equity > self.equity_limit

    @property
    def equity_share(self) -> Decimal | None:
        if not self.contributions:
            return None
        return (self.projected_equity * 100 / self.contributions).quantize(Decimal("1"))


def sought_amount():
    """Sökt belopp of one budget line: costs count up, medfinansiering down."""
    return case(
        (BudgetLine.category == "medfinansiering", -BudgetLine.amount), else_=BudgetLine.amount
    )


def proposed_by_area(year: int):
    """What is proposed per huvudområde in ``year``: a subquery (huvudomrade_id, amount).

    The amounts of the latest förslag till beslut (review ``Assessment``, stage
    ``forslag``) of each case ready for decision (status ``klar_for_beslut``).
    """
    from finsam_ansokan.review.models import Assessment, AssessmentAmount

    # assessments are only ever added, so the latest proposal has the highest id; only
    # the cases ready for decision are looked at, not every proposal ever written
    ready = select(Application.id).where(Application.status == Status.KLAR_FOR_BESLUT.value)
    latest = (
        select(func.max(Assessment.id).label("id"))
        .where(Assessment.stage == "forslag", Assessment.application_id.in_(ready))
        .group_by(Assessment.application_id)
        .subquery()
    )
    return (
        select(Application.huvudomrade_id, func.sum(AssessmentAmount.amount).label("amount"))
        .select_from(Application)
        .join(Assessment, Assessment.application_id == Application.id)
        .join(latest, latest.c.id == Assessment.id)
        .join(AssessmentAmount, AssessmentAmount.assessment_id == Assessment.id)
        .where(Application.status == Status.KLAR_FOR_BESLUT.value, AssessmentAmount.year == year)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )


def used_and_paid_by_area(year: int):
    """Förbrukat (each project's latest approved report) and Utbetalt (paid payment
    requests) in ``year``, per huvudområde: two subqueries (huvudomrade_id, amount)."""
    from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost
    from finsam_ansokan.followup.services import latest_approved_reports
    from finsam_ansokan.followup.status import PaymentStatus

    # only projects that have reported costs for the year can have used anything in it
    reporting = (
        select(Report.application_id)
        .join(ReportCost, ReportCost.report_id == Report.id)
        .where(ReportCost.year == year)
    )
    latest = latest_approved_reports(among=reporting)
    used = (
        select(Application.huvudomrade_id, func.sum(ReportCost.amount).label("amount"))
        .join(latest, latest.c.report_id == ReportCost.report_id)
        .join(Application, Application.id == latest.c.application_id)
        .where(ReportCost.year == year)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )
    paid = (
        select(Application.huvudomrade_id, func.sum(PaymentRequest.amount).label("amount"))
        .join(Application, Application.id == PaymentRequest.application_id)
        .where(PaymentRequest.year == year, PaymentRequest.status == PaymentStatus.UTBETALD.value)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )
    return used, paid


def overview(budget_year: BudgetYear) -> Overview:
    """The budget overview of a year, in two queries (the frames with what is proposed,
    granted, used and paid from each; the year's contributions)."""
    proposed = proposed_by_area(budget_year.year)
    proposed_amount = func.coalesce(proposed.c.amount, 0)
    used, paid = used_and_paid_by_area(budget_year.year)
    used_amount = func.coalesce(used.c.amount, 0)
    paid_amount = func.coalesce(paid.c.amount, 0)
    frame_rows = db.session.execute(
        select(
            Ram.id,
            Huvudomrade.name,
            Huvudomrade.active,
            Ram.amount,
            proposed_amount,
            Ram.granted,
            used_amount,
            paid_amount,
        )
        .join(Huvudomrade, Ram.huvudomrade_id == Huvudomrade.id)
        .outerjoin(proposed, proposed.c.huvudomrade_id == Ram.huvudomrade_id)
        .outerjoin(used, used.c.huvudomrade_id == Ram.huvudomrade_id)
        .outerjoin(paid, paid.c.huvudomrade_id == Ram.huvudomrade_id)
        .where(Ram.budget_year_id == budget_year.id)
        .order_by(Huvudomrade.sort_order, Huvudomrade.name)
    ).all()
    rows = [
        FrameRow(
            ram_id=r[0],
            huvudomrade=r[1],
            active=r[2],
            frame=r[3],
            proposed=Decimal(r[4]),
            granted=r[5],
            used=Decimal(r[6]),
            paid=Decimal(r[7]),
        )
        for r in frame_rows
    ]
    # The totals add up the few rows SQL already aggregated (one per huvudområde), rather
    # than running the aggregate subqueries a second time.
    contributions = db.session.scalar(
        select(func.coalesce(func.sum(Contribution.amount), 0)).where(
            Contribution.budget_year_id == budget_year.id
        )
    )
    return Overview(
        budget_year=budget_year,
        rows=rows,
        frames=sum((r.frame for r in rows), ZERO),
        proposed=sum((r.proposed for r in rows), ZERO),
        granted=sum((r.granted for r in rows), ZERO),
        used=sum((r.used for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
        contributions=Decimal(contributions),
        equity_carried_over=budget_year.equity_carried_over,
        administration=budget_year.administration_costs,
    )
