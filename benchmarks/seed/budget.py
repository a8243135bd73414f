"""Budget years and contributions the demo has not got; frames large enough for the grants
(existing ones through ``budget.ledger.set_frame``), and the grants by the ledger's rules:
``Ram.granted`` moves only by a conditional UPDATE together with the ``frame_grants`` rows
that add up to it, checked afterwards by ``budget.ledger.verify_frames``."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select, update

from finsam_ansokan.applications.status import GRANTED
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget import services as budget
from finsam_ansokan.budget.models import BudgetYear, Contribution, FrameGrant, Ram
from finsam_ansokan.demo import ADMINISTRATION, CONTRIBUTIONS_TOTAL, EQUITY, HUVUDOMRADEN
from finsam_ansokan.extensions import db

from .common import Seed, granted


def add_years(seed: Seed) -> None:
    """Budget years (with the members' contributions) that the database has not got."""
    rows = seed.rows
    seed.budget_year_ids = {
        year: year_id
        for year_id, year in db.session.execute(select(BudgetYear.id, BudgetYear.year))
    }
    for year in seed.years:
        if year in seed.budget_year_ids:
            continue
        year_id = seed.budget_year_ids[year] = rows.next_id(BudgetYear)
        rows.add(
            BudgetYear,
            id=year_id,
            year=year,
            preliminary=False,
            equity_carried_over=EQUITY,
            administration_costs=ADMINISTRATION,
            notes=None,
        )
        shares = budget.split_contributions(CONTRIBUTIONS_TOTAL, seed.members)
        for organisation_id, amount in shares.items():
            rows.add(
                Contribution,
                id=rows.next_id(Contribution),
                budget_year_id=year_id,
                organisation_id=organisation_id,
                amount=amount,
            )
    rows.flush(BudgetYear, Contribution)


def grant_decided(seed: Seed) -> int:
    """Size every frame for what its decisions grant, then grant it through the ledger.
    Returns the number of ledger rows."""
    decided = [a for a in seed.applications if a.status in GRANTED]
    needed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for app in decided:
        for year, amount in granted(app).items():
            needed[(year, app.huvudomrade_id)] += amount

    frames = {
        (year, ram.huvudomrade_id): ram
        for ram, year in db.session.execute(select(Ram, BudgetYear.year).join(BudgetYear))
    }
    base = {
        a.id: Decimal(amount) for a, (_, _, amount) in zip(seed.areas, HUVUDOMRADEN, strict=False)
    }
    for year in seed.years:
        for area in seed.areas:
            need = needed.get((year, area.id), Decimal(0))
            ram = frames.get((year, area.id))
            if ram is None:
                # a new frame holds nothing yet: the grants below fill it
                seed.rows.add(
                    Ram,
                    id=seed.rows.next_id(Ram),
                    budget_year_id=seed.budget_year_ids[year],
                    huvudomrade_id=area.id,
                    amount=max(base.get(area.id, Decimal(0)), _round_up(need)),
                    granted=Decimal(0),
                )
            elif ram.granted + need > ram.amount:
                ledger.set_frame(ram, _round_up(ram.granted + need))
    seed.rows.flush(Ram)
    return _grant_through_ledger(seed, decided)


def _grant_through_ledger(seed: Seed, decided: list) -> int:
    """The ledger's rules in bulk: each frame's ``granted`` moves by one conditional UPDATE
    (refused, as ``budget.ledger.grant`` refuses, if the frame would be exceeded) in the
    same transaction as the ``frame_grants`` rows that add up to it, one per application and
    year. ``budget.ledger.verify_frames`` must then find nothing amiss.

    (Calling ``grant`` per application is the same rule at two round trips each: 80 000 of
    them at 50 000 applications, minutes on a busy machine.)"""
    frame_of = {
        (year, area): ram_id
        for ram_id, year, area in db.session.execute(
            select(Ram.id, BudgetYear.year, Ram.huvudomrade_id).join(BudgetYear)
        )
    }
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for app in decided:
        for year, amount in granted(app).items():
            ram_id = frame_of[(year, app.huvudomrade_id)]
            totals[ram_id] += amount
            seed.rows.add(
                FrameGrant,
                id=seed.rows.next_id(FrameGrant),
                ram_id=ram_id,
                application_id=app.id,
                kind="grant",
                amount=amount,
                actor_id=seed.kansli,
                created_at=app.decided_at,
            )
    for ram_id, total in sorted(totals.items()):
        result = db.session.execute(
            update(Ram)
            .where(Ram.id == ram_id, Ram.granted + total <= Ram.amount)
            .values(granted=Ram.granted + total)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise RuntimeError(f"frame {ram_id} cannot hold {total}")
    count = len(seed.rows.rows.get(FrameGrant.__table__, []))
    seed.rows.flush(FrameGrant)
    db.session.expire_all()
    wrong = ledger.verify_frames()
    if wrong:
        raise RuntimeError(f"frames out of step with the ledger: {wrong[:5]}")
    return count


def _round_up(amount: Decimal) -> Decimal:
    """A frame comfortably above what is granted from it, in whole 100 000 kr."""
    return ((amount * Decimal("1.15")) / 100_000).to_integral_value(rounding="ROUND_CEILING") * (
        100_000
    )
