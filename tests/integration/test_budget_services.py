"""The budget rules: frames, grants, reallocation, budget years, huvudområden, overview."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.budget import ledger as budget_ledger
from finsam_ansokan.budget import services
from finsam_ansokan.budget.models import Contribution, FrameGrant, Omfordelning, Ram
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db

D = Decimal
_diarie = itertools.count(1)


def plain(message: str) -> str:
    """The message with ordinary spaces (amounts use no-break spaces)."""
    return message.replace("\u00a0", " ")


@pytest.fixture
def kansli(factory):
    return factory.user(Role.KANSLI)


@pytest.fixture
def pilot(factory):
    return factory.huvudomrade("Pilotprojekt")


@pytest.fixture
def verktyg(factory):
    return factory.huvudomrade("Verktyg")


@pytest.fixture
def year_2026(factory, pilot, verktyg):
    return factory.budget_year(2026, frames={pilot: "1000000", verktyg: "500000"})


def frame(budget_year, area) -> Ram:
    return next(r for r in budget_year.frames if r.huvudomrade_id == area.id)


# --- grant and release ----------------------------------------------------------------------


def test_a_grant_is_deducted_from_the_frame_and_written_to_the_ledger(year_2026, pilot, kansli):
    ram = frame(year_2026, pilot)
    budget_ledger.grant(ram, D("400000"), actor=kansli)
    assert ram.granted == D("400000")
    assert ram.remaining == D("600000")
    ledger = db.session.scalars(select(FrameGrant).where(FrameGrant.ram_id == ram.id)).all()
    assert [(g.amount, g.actor_id) for g in ledger] == [(D("400000"), kansli.id)]
    assert budget_ledger.verify_frames() == []


def test_styrelse_cannot_grant_more_than_remaining(year_2026, pilot, kansli):
    ram = frame(year_2026, pilot)
    budget_ledger.grant(ram, D("850000"), actor=kansli)
    with pytest.raises(DomainError) as refused:
        budget_ledger.grant(ram, D("200000"), actor=kansli)
    assert plain(refused.value.message) == (
        "Ramen för Pilotprojekt 2026 räcker inte: 150 000 kr återstår, 200 000 kr begärs."
    )
    assert ram.granted == D("850000")
    assert budget_ledger.verify_frames() == []


def test_a_grant_of_exactly_what_remains_is_accepted(year_2026, pilot, kansli):
    ram = frame(year_2026, pilot)
    budget_ledger.grant(ram, D("1000000"), actor=kansli)
    assert ram.remaining == 0


def test_a_grant_can_name_the_year_and_huvudomrade(year_2026, pilot, kansli):
    budget_ledger.grant((2026, pilot.id), D("1000"), actor=kansli)
    assert frame(year_2026, pilot).granted == D("1000")


def test_a_grant_from_a_year_without_a_frame_is_refused(year_2026, pilot, kansli):
    with pytest.raises(DomainError, match="Det finns ingen ram för Pilotprojekt 2031"):
        budget_ledger.grant((2031, pilot.id), D("1000"), actor=kansli)


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_grant_must_be_a_positive_amount(year_2026, pilot, kansli, amount):
    with pytest.raises(DomainError, match="större än 0 kr"):
        budget_ledger.grant(frame(year_2026, pilot), D(amount), actor=kansli)


def test_release_returns_money_but_never_more_than_is_granted(year_2026, pilot, kansli):
    ram = frame(year_2026, pilot)
    budget_ledger.grant(ram, D("300000"), actor=kansli)
    budget_ledger.release(ram, D("100000"), actor=kansli)
    assert ram.granted == D("200000")
    with pytest.raises(DomainError, match="bara 200"):
        budget_ledger.release(ram, D("200001"), actor=kansli)
    assert ram.granted == D("200000")
    assert budget_ledger.verify_frames() == []


def test_a_grant_over_several_years_is_deducted_from_each_year(factory, pilot, kansli):
    first = factory.budget_year(2026, frames={pilot: "500000"})
    second = factory.budget_year(2027, frames={pilot: "500000"}, preliminary=True)
    budget_ledger.grant_many(
        {(2026, pilot.id): D("200000"), (2027, pilot.id): D("300000")}, actor=None
    )
    assert frame(first, pilot).granted == D("200000")
    assert frame(second, pilot).granted == D("300000")


def test_a_grant_over_several_years_is_all_or_nothing(factory, pilot, kansli):
    first = factory.budget_year(2026, frames={pilot: "500000"})
    second = factory.budget_year(2027, frames={pilot: "100000"})
    with pytest.raises(DomainError, match="Pilotprojekt 2027 räcker inte"):
        budget_ledger.grant_many(
            {(2026, pilot.id): D("200000"), (2027, pilot.id): D("300000")}, actor=kansli
        )
    assert frame(first, pilot).granted == 0
    assert frame(second, pilot).granted == 0
    assert db.session.scalar(select(func.count()).select_from(FrameGrant)) == 0


def test_verify_frames_finds_a_frame_whose_granted_does_not_match_its_ledger(
    year_2026, pilot, kansli
):
    ram = frame(year_2026, pilot)
    budget_ledger.grant(ram, D("1000"), actor=kansli)
    db.session.execute(text("UPDATE ramar SET granted = 5000 WHERE id = :id"), {"id": ram.id})
    assert budget_ledger.verify_frames() == [(ram.id, D("5000"), D("1000"))]


def test_the_database_refuses_granted_above_the_frame_even_via_a_raw_update(year_2026, pilot):
    ram = frame(year_2026, pilot)
    savepoint = db.session.begin_nested()
    with pytest.raises(IntegrityError, match="granted_within_frame"):
        db.session.execute(
            text("UPDATE ramar SET granted = amount + 1 WHERE id = :id"), {"id": ram.id}
        )
    savepoint.rollback()
    assert db.session.scalar(select(Ram.granted).where(Ram.id == ram.id)) == 0


# --- reallocation ---------------------------------------------------------------------------


def test_reallocation_moves_money_between_frames_and_is_logged(year_2026, pilot, verktyg, kansli):
    move = budget_ledger.reallocate(
        frame(year_2026, pilot),
        frame(year_2026, verktyg),
        D("100000"),
        "Styrelsens beslut § 12",
        actor=kansli,
    )
    assert frame(year_2026, pilot).amount == D("900000")
    assert frame(year_2026, verktyg).amount == D("600000")
    assert db.session.get(Omfordelning, move.id).reason == "Styrelsens beslut § 12"
    event = db.session.scalar(select(Event).where(Event.kind == "budget_reallocated"))
    assert event.actor_id == kansli.id
    assert "Styrelsens beslut § 12" in event.message


def test_reallocation_never_leaves_a_frame_below_what_is_granted(year_2026, pilot, verktyg, kansli):
    source = frame(year_2026, pilot)
    budget_ledger.grant(source, D("950000"), actor=kansli)
    with pytest.raises(DomainError) as refused:
        budget_ledger.reallocate(
            source, frame(year_2026, verktyg), D("50001"), "Behov", actor=kansli
        )
    assert "Pilotprojekt 2026 räcker inte: 50 000 kr" in plain(refused.value.message)
    assert source.amount == D("1000000")
    budget_ledger.reallocate(source, frame(year_2026, verktyg), D("50000"), "Behov", actor=kansli)
    assert source.amount == source.granted == D("950000")


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("0", "Skäl", "större än 0 kr"),
        ("-1", "Skäl", "större än 0 kr"),
        ("1000", "   ", "Ange skälet"),
    ],
)
def test_reallocation_needs_a_positive_amount_and_a_reason(
    year_2026, pilot, verktyg, kansli, amount, reason, message
):
    with pytest.raises(DomainError, match=message):
        budget_ledger.reallocate(
            frame(year_2026, pilot), frame(year_2026, verktyg), D(amount), reason, actor=kansli
        )
    assert db.session.scalar(select(func.count()).select_from(Omfordelning)) == 0


def test_reallocation_is_only_between_two_frames_of_the_same_year(
    factory, year_2026, pilot, verktyg, kansli
):
    next_year = factory.budget_year(2027, frames={verktyg: "100"})
    with pytest.raises(DomainError, match="samma år"):
        budget_ledger.reallocate(
            frame(year_2026, pilot), frame(next_year, verktyg), D("1"), "Skäl", actor=kansli
        )
    with pytest.raises(DomainError, match="två olika ramar"):
        budget_ledger.reallocate(
            frame(year_2026, pilot), frame(year_2026, pilot), D("1"), "Skäl", actor=kansli
        )


# --- budget years and huvudområden ------------------------------------------------------------


def test_a_budget_year_is_created_with_contributions_and_frames(factory, pilot, kansli):
    kommun = factory.organisation("Alvesta kommun")
    data = services.BudgetYearData(
        preliminary=True,
        equity_carried_over=D("2030000"),
        administration_costs=D("1438939"),
        contributions={kommun.id: D("265000")},
        frames={pilot.id: D("1405560")},
    )
    budget_year = services.create_budget_year(2027, data, actor=kansli)
    assert budget_year.preliminary
    assert [(c.organisation_id, c.amount) for c in budget_year.contributions] == [
        (kommun.id, D("265000"))
    ]
    assert [(r.huvudomrade_id, r.amount) for r in budget_year.frames] == [(pilot.id, D("1405560"))]


@pytest.mark.parametrize(("year", "message"), [(1999, "mellan 2000 och 2100"), (2101, "mellan")])
def test_a_budget_year_lies_between_2000_and_2100(kansli, year, message):
    with pytest.raises(DomainError, match=message):
        services.create_budget_year(year, services.BudgetYearData(), actor=kansli)


def test_a_year_has_only_one_budget(year_2026, kansli):
    with pytest.raises(DomainError, match="Det finns redan en budget för 2026"):
        services.create_budget_year(2026, services.BudgetYearData(), actor=kansli)


def test_a_frame_cannot_be_set_below_what_is_granted_from_it(year_2026, pilot, kansli):
    budget_ledger.grant(frame(year_2026, pilot), D("600000"), actor=kansli)
    data = services.BudgetYearData(frames={pilot.id: D("599999")})
    with pytest.raises(DomainError, match="kan inte bli mindre än det som redan är beviljat"):
        services.update_budget_year(year_2026, data, actor=kansli)
    assert frame(year_2026, pilot).amount == D("1000000")
    services.update_budget_year(
        year_2026, services.BudgetYearData(frames={pilot.id: D("600000")}), actor=kansli
    )
    assert frame(year_2026, pilot).amount == D("600000")


def test_negative_amounts_in_a_budget_year_are_refused(kansli):
    data = services.BudgetYearData(administration_costs=D("-1"))
    with pytest.raises(DomainError, match="kan inte vara negativ") as refused:
        services.create_budget_year(2030, data, actor=kansli)
    assert refused.value.field == "administration_costs"


def test_huvudomrade_names_are_unique(pilot, kansli):
    with pytest.raises(DomainError, match="redan ett huvudområde som heter pilotprojekt"):
        services.create_huvudomrade(name=" pilotprojekt ", actor=kansli)


def test_an_inactive_huvudomrade_keeps_its_frames_but_is_not_offered(
    year_2026, pilot, verktyg, kansli
):
    budget_ledger.grant(frame(year_2026, pilot), D("1000"), actor=kansli)
    services.deactivate_huvudomrade(pilot, actor=kansli)
    assert pilot not in services.active_huvudomraden()
    assert verktyg in services.active_huvudomraden()
    assert frame(year_2026, pilot).granted == D("1000")
    rows = budget_overview.overview(year_2026).rows
    assert [r.huvudomrade for r in rows] == ["Pilotprojekt", "Verktyg"]


# --- overview -------------------------------------------------------------------------------------


def _case(factory, area, status, lines):
    owner = factory.user(Role.SOKANDE)
    application = Application(
        organisation=owner.organisation,
        created_by=owner,
        huvudomrade=area,
        title="Insats",
        status=status,
        diarie_year=2026,
        diarie_number=next(_diarie),
    )
    for year, category, amount in lines:
        application.budget_lines.append(BudgetLine(year=year, category=category, amount=D(amount)))
    db.session.add(application)
    db.session.flush()
    return application


def test_the_overview_shows_frame_proposed_granted_and_remaining_per_huvudomrade(
    factory, year_2026, pilot, verktyg, kansli
):
    organisation = factory.organisation("Region Testland", kind="region")
    year_2026.contributions.append(
        Contribution(organisation_id=organisation.id, amount=D("4000000"))
    )
    year_2026.equity_carried_over = D("2000000")
    year_2026.administration_costs = D("1500000")
    ready = _case(
        factory,
        pilot,
        "klar_for_beslut",
        [
            (2026, "personal", "300000"),
            (2026, "ovrigt", "50000"),
            (2026, "medfinansiering", "100000"),
            (2027, "personal", "999999"),
        ],
    )
    # the proposed column reads the latest förslag till beslut, not the sökt belopp
    from finsam_ansokan.review.models import Assessment, AssessmentAmount

    for created, amount in (("2026-01-01", "111111"), ("2026-02-01", "250000")):
        db.session.add(
            Assessment(
                application_id=ready.id,
                author=kansli,
                stage="forslag",
                kind="delvis_bevilja",
                motivation="Förslag",
                created_at=datetime.fromisoformat(created + "T10:00:00+00:00"),
                amounts=[
                    AssessmentAmount(year=2026, amount=D(amount)),
                    AssessmentAmount(year=2027, amount=D("500000")),
                ],
            )
        )
    db.session.flush()
    _case(factory, pilot, "under_beredning", [(2026, "personal", "777777")])
    budget_ledger.grant(frame(year_2026, pilot), D("400000"), actor=kansli)

    overview = budget_overview.overview(year_2026)

    rows = {r.huvudomrade: r for r in overview.rows}
    assert (rows["Pilotprojekt"].frame, rows["Pilotprojekt"].proposed) == (
        D("1000000"),
        D("250000"),
    )
    assert (rows["Pilotprojekt"].granted, rows["Pilotprojekt"].remaining) == (
        D("400000"),
        D("600000"),
    )
    assert (rows["Verktyg"].proposed, rows["Verktyg"].remaining) == (0, D("500000"))
    assert (overview.frames, overview.proposed, overview.granted) == (
        D("1500000"),
        D("250000"),
        D("400000"),
    )
    assert overview.income == D("6000000")
    assert overview.unallocated == D("3000000")  # 6 000 000 − 1 500 000 − 1 500 000
    assert overview.projected_equity == D("3000000")
    assert overview.equity_limit == D("800000")
    assert overview.equity_above_limit


def test_the_overview_warns_only_above_twenty_percent_of_contributions(factory, pilot):
    budget_year = factory.budget_year(2026, frames={pilot: "700000"})
    organisation = factory.organisation()
    budget_year.contributions.append(
        Contribution(organisation_id=organisation.id, amount=D("1000000"))
    )
    budget_year.administration_costs = D("100000")  # equity at year end: 200 000 = 20 %
    db.session.flush()
    assert budget_overview.overview(budget_year).projected_equity == D("200000")
    assert not budget_overview.overview(budget_year).equity_above_limit
    budget_year.administration_costs = D("99999")
    assert budget_overview.overview(budget_year).equity_above_limit


def test_the_overview_takes_the_same_few_queries_however_many_frames(factory, kansli):
    def count_queries(budget_year) -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            budget_overview.overview(budget_year)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    small = factory.budget_year(2026, frames={factory.huvudomrade(): "1"})
    large = factory.budget_year(2027, frames={factory.huvudomrade(): "1" for _ in range(8)})
    db.session.flush()
    assert count_queries(small) == count_queries(large) <= 2


def test_the_grant_ledger_is_append_only_in_the_database(app_ctx, factory):
    """A correction is a new row; the database refuses to rewrite or delete a grant."""
    from sqlalchemy.exc import DatabaseError

    area = factory.huvudomrade()
    budget_year = factory.budget_year(2097, frames={area: "1000"})
    entry = budget_ledger.grant(budget_year.frames[0], Decimal("100"), actor=None)
    db.session.flush()
    for statement in (
        text("UPDATE frame_grants SET amount = 1 WHERE id = :id"),
        text("DELETE FROM frame_grants WHERE id = :id"),
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement, {"id": entry.id})
        savepoint.rollback()
