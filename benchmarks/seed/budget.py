"""Budget years and contributions the demo has not got; frames large enough for the grants,
and the grants themselves through the budget ledger (``budget.services.grant``: the one
conditional UPDATE of ``Ram.granted`` and its ``frame_grants`` row), never written directly."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import load_only

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import GRANTED
from finsam_ansokan.budget import services as budget
from finsam_ansokan.budget.models import BudgetYear, Contribution, Ram
from finsam_ansokan.demo import ADMINISTRATION, CONTRIBUTIONS_TOTAL, EQUITY, HUVUDOMRADEN
from finsam_ansokan.extensions import db

from .common import BATCH, Seed, granted, reset_sequences


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
                budget.set_frame(ram, _round_up(ram.granted + need))
    seed.rows.flush(Ram)
    reset_sequences()  # the ledger rows below take their ids from the sequence

    frames = {
        (year, ram.huvudomrade_id): ram
        for ram, year in db.session.execute(select(Ram, BudgetYear.year).join(BudgetYear))
    }
    kansli = db.session.get(User, seed.kansli)
    count = 0
    for start in range(0, len(decided), BATCH):
        chunk = decided[start : start + BATCH]
        applications = {
            a.id: a
            for a in db.session.scalars(
                select(Application)
                .options(load_only(Application.id))
                .where(Application.id.in_([a.id for a in chunk]))
            )
        }
        for app in chunk:
            for year, amount in granted(app).items():
                budget.grant(
                    frames[(year, app.huvudomrade_id)],
                    amount,
                    actor=kansli,
                    application=applications[app.id],
                    at=app.decided_at,
                )
                count += 1
    return count


def _round_up(amount: Decimal) -> Decimal:
    """A frame comfortably above what is granted from it, in whole 100 000 kr."""
    return ((amount * Decimal("1.15")) / 100_000).to_integral_value(rounding="ROUND_CEILING") * (
        100_000
    )
