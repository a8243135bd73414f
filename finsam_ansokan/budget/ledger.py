"""The ledger: frames and the only ways money leaves or returns to them.

The ground floor of the money. It imports nothing above ``budget.models`` (no application,
review or follow-up module), so every area can call it and none can make a circle with it.

The invariant: for every budget year and huvudområde, what is tied up in a frame never
exceeds the frame (``0 <= Ram.granted <= Ram.amount``). It is held three times over:

* :func:`grant` moves money out of a frame with ONE conditional UPDATE
  (``… SET granted = granted + :x WHERE id = :id AND granted + :x <= amount``). On
  PostgreSQL the row lock taken by the UPDATE makes concurrent decisions queue, and each
  re-checks the condition against the committed row; on SQLite every transaction starts
  with ``BEGIN IMMEDIATE``, so writers are serialised.
* Changes of a frame's size (:func:`set_frame`, :func:`reallocate`) lock the rows first
  (``SELECT … FOR UPDATE``, in id order) and refuse to go below what is tied up.
* The database refuses ``granted > amount`` with the CHECK constraint
  ``ck_ramar_granted_within_frame``, whatever code (or raw SQL) tries.

Every movement is also a row in the append-only ``frame_grants`` ledger, of one of three
kinds (:class:`Movement`): a *grant* (the board's decision), a *revoke* (the decision
changed before justering) and a *return* (unused money back when the project closes). So:

* **beviljat** (granted) = grants + revokes: what the board granted; closing never changes it;
* **återfört** (returned) = − returns: unused money given back to the frame;
* ``Ram.granted`` = the sum of every row = granted − returned: the money the frame still has
  tied up, so its remaining money is ``Ram.amount − Ram.granted``.

:func:`verify_frames` proves ``Ram.granted == SUM(ledger)`` for every frame. The expressions
:data:`GRANTED_PART` and :data:`RETURNED_PART` are the only SQL that says what is granted and
what was returned; every page, export, PDF and statistic sums them through this module.

Services flush but never commit: the request commits once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import ColumnElement, case, func, select, update

from finsam_ansokan.accounts.models import User
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import ZERO, format_money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .models import BudgetYear, FrameGrant, Huvudomrade, Movement, Omfordelning, Ram


class HasId(Protocol):
    """Anything with an ``id``: the ledger links a row to an application by id only."""

    id: int


FrameKey = tuple[int, int]  # (year, huvudomrade_id)


# --- the figures: the only SQL that computes "granted" and "returned" ---------------------

#: A ledger row's part of *beviljat*: grants and revokes count, returns do not.
GRANTED_PART = case((FrameGrant.kind == Movement.RETURN.value, 0), else_=FrameGrant.amount)
#: A ledger row's part of *återfört* (positive): only returns count.
RETURNED_PART = case((FrameGrant.kind == Movement.RETURN.value, -FrameGrant.amount), else_=0)


def granted_sum() -> ColumnElement[Decimal]:
    """``SUM`` of what is granted over the ledger rows of the enclosing query (0 if none)."""
    return func.coalesce(func.sum(GRANTED_PART), 0)


def returned_sum() -> ColumnElement[Decimal]:
    return func.coalesce(func.sum(RETURNED_PART), 0)


def granted_sql(application_id: ColumnElement[int]) -> ColumnElement[Decimal]:
    """Beviljat of the application whose id is ``application_id`` in the enclosing query
    (all years), as a correlated SQL sum."""
    return (
        select(granted_sum()).where(FrameGrant.application_id == application_id).scalar_subquery()
    )


@dataclass(frozen=True)
class YearMoney:
    granted: Decimal
    returned: Decimal


def money_by_year(application: HasId) -> dict[int, YearMoney]:
    """Granted and returned per budget year of one application, from its ledger rows."""
    rows = db.session.execute(
        select(BudgetYear.year, granted_sum(), returned_sum())
        .join(Ram, FrameGrant.ram_id == Ram.id)
        .join(BudgetYear, Ram.budget_year_id == BudgetYear.id)
        .where(FrameGrant.application_id == application.id)
        .group_by(BudgetYear.year)
        .order_by(BudgetYear.year)
    ).all()
    return {
        year: YearMoney(Decimal(granted), Decimal(returned))
        for year, granted, returned in rows
        if Decimal(granted) != 0 or Decimal(returned) != 0
    }


def granted_by_year(application: HasId) -> dict[int, Decimal]:
    """What the board granted per budget year (returns at closing do not change it)."""
    return {
        year: money.granted
        for year, money in money_by_year(application).items()
        if money.granted != 0
    }


def granted_by_year_many(application_ids: Sequence[int]) -> dict[int, dict[int, Decimal]]:
    """What the board granted per budget year of many applications, in one query
    (application id → year → amount; years with nothing granted left out)."""
    rows = db.session.execute(
        select(FrameGrant.application_id, BudgetYear.year, granted_sum())
        .join(Ram, FrameGrant.ram_id == Ram.id)
        .join(BudgetYear, Ram.budget_year_id == BudgetYear.id)
        .where(FrameGrant.application_id.in_(list(application_ids)))
        .group_by(FrameGrant.application_id, BudgetYear.year)
    ).all()
    result: dict[int, dict[int, Decimal]] = {}
    for application_id, year, granted in rows:
        if Decimal(granted) != 0:
            result.setdefault(application_id, {})[year] = Decimal(granted)
    return result


def by_frame(year: int):
    """Subquery (ram_id, granted, returned) over the frames of one budget year."""
    frames = select(Ram.id).join(BudgetYear).where(BudgetYear.year == year)
    return (
        select(
            FrameGrant.ram_id,
            granted_sum().label("granted"),
            returned_sum().label("returned"),
        )
        .where(FrameGrant.ram_id.in_(frames))
        .group_by(FrameGrant.ram_id)
        .subquery()
    )


# --- frames ------------------------------------------------------------------------------


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


def set_frame(ram: Ram, amount: Decimal, *, field: str | None = None) -> Ram:
    """Set a frame's size; never below what is tied up in it."""
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


def reallocate(
    from_ram: Ram, to_ram: Ram, amount: Decimal | None, reason: str | None, *, actor: User
) -> Omfordelning:
    """Move ``amount`` from one frame to another of the same year (Omfördela), logged.

    Never leaves ``from_ram`` smaller than what is tied up in it; the year's total of
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


# --- granting, revoking, returning --------------------------------------------------------


def _resolve(target: Ram | FrameKey) -> Ram:
    return target if isinstance(target, Ram) else frame_for(*target)


def grant(
    target: Ram | FrameKey,
    amount: Decimal,
    *,
    actor: User | None,
    application: HasId | None = None,
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
    return _record(ram, amount, Movement.GRANT, actor=actor, application=application, at=at)


def release(
    target: Ram | FrameKey,
    amount: Decimal,
    *,
    actor: User | None,
    application: HasId | None = None,
    at: datetime | None = None,
) -> FrameGrant:
    """Give ``amount`` of a decision back to its frame: the decision is changed or undone
    before justering (a *revoke*: what is granted goes down)."""
    return _give_back(
        _resolve(target), amount, Movement.REVOKE, actor=actor, application=application, at=at
    )


def _give_back(
    ram: Ram,
    amount: Decimal,
    kind: Movement,
    *,
    actor: User | None,
    application: HasId | None,
    at: datetime | None = None,
) -> FrameGrant:
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
    return _record(ram, -amount, kind, actor=actor, application=application, at=at)


def _record(
    ram: Ram,
    amount: Decimal,
    kind: Movement,
    *,
    actor: User | None,
    application: HasId | None,
    at: datetime | None,
) -> FrameGrant:
    entry = FrameGrant(
        ram_id=ram.id,
        application_id=getattr(application, "id", None),
        amount=amount,
        kind=kind.value,
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
    application: HasId | None = None,
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


def return_unused(
    application: HasId, used: Mapping[int, Decimal], *, actor: User | None
) -> dict[int, Decimal]:
    """Close a project's money: give back to each year's frames what was granted but not
    ``used`` (per year), as *return* rows. What was granted stays as it was.

    Refuses (changing nothing) when a year's use is more than its grant. Returns what went
    back per year; a year with nothing unused is left out.
    """
    rows = db.session.execute(
        select(BudgetYear.year, FrameGrant.ram_id, func.sum(FrameGrant.amount))
        .join(Ram, FrameGrant.ram_id == Ram.id)
        .join(BudgetYear, Ram.budget_year_id == BudgetYear.id)
        .where(FrameGrant.application_id == application.id)
        .group_by(BudgetYear.year, FrameGrant.ram_id)
        .order_by(BudgetYear.year, FrameGrant.ram_id)
    ).all()
    tied_up: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for year, ram_id, amount in rows:
        tied_up[year].append((ram_id, Decimal(amount)))
    unused_by_year: dict[int, Decimal] = {}
    for year, frames in tied_up.items():
        still = sum((amount for _, amount in frames), ZERO)
        spent = used.get(year, ZERO)
        if spent > still:
            raise DomainError(
                f"Förbrukat {year} ({format_money(spent)}) är mer än det beviljade "
                f"({format_money(still)})."
            )
        if still - spent > 0:
            unused_by_year[year] = still - spent
    for year, unused in unused_by_year.items():
        remaining = unused
        # the last frame first (a project moved between huvudområden gives back the newest)
        for ram_id, amount in reversed(tied_up[year]):
            part = min(remaining, amount)
            if part > 0:
                ram = db.session.get(Ram, ram_id)
                _give_back(ram, part, Movement.RETURN, actor=actor, application=application)
                remaining -= part
    return unused_by_year


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
