"""The budget overview and Statistik cache a year's figures under the versions of that
year's figures (``finsam_ansokan/figures.py``): after every kind of event that changes
them, the next page already shows the new figure.

Each test loads the page (so its figures are cached), does the event through its service,
and loads the page again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from finsam_ansokan import figures
from finsam_ansokan import overview as budget_overview
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.budget.models import FigureVersion
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup
from finsam_ansokan.followup.models import Report, ReportCost
from finsam_ansokan.meetings import delegation
from finsam_ansokan.meetings import services as meetings

from .meetings_helpers import meeting_with_board, prepared_case

YEAR = today().year
STATISTICS = f"/statistik?ar={YEAR}"
BUDGET = f"/budget/{YEAR}"
BUDGET_COLUMNS = ("frames", "proposed", "granted", "paid", "used", "returned", "remaining")


@pytest.fixture
def setting(factory, login):
    factory.forbund()
    area = factory.huvudomrade("Kompetensutveckling")
    other = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={area: "1000000", other: "500000"})
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    figures.bump_everything()  # the year has versions whatever the test adds: it is cached
    return {
        "area": area,
        "other": other,
        "kansli": kansli,
        "client": login(factory.user(Role.KANSLI)),
    }


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _keys(client) -> dict[str, str]:
    """Statistik's key figures: {"ärenden": "3", "sökt": "450 000 kr", …}."""
    html = _html(client, STATISTICS)
    return {
        name: value
        for value, name in re.findall(r'<span class="stats-keys__value">([^<]*)</span> (\w+)', html)
    }


def _money_totals(client) -> list[str]:
    """Statistik's money table, the Totalt row: ram, sökt, beviljat, utbetalt, förbrukat,
    återfört."""
    html = _html(client, STATISTICS)
    table = html[html.index("Pengar per huvudområde") :]
    foot = table[table.index("<tfoot>") : table.index("</tfoot>")]
    return re.findall(r'<td class="num">([^<]*)</td>', foot)


def _budget(client) -> dict[str, str]:
    """The budget overview's Totalt row."""
    html = _html(client, BUDGET)
    foot = html[html.index("<tfoot>") : html.index("</tfoot>")]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)', foot)
    return dict(zip(BUDGET_COLUMNS, cells, strict=True))


def kr(amount: str) -> str:
    return format_money(D(amount))


def test_a_board_decision_and_its_undo_show_at_once(factory, setting):
    client = setting["client"]
    case = prepared_case(factory, setting["area"], amounts={YEAR: "300000"})
    meeting, _ = meeting_with_board(factory, setting["kansli"])
    item = meetings.add_case(meeting, case, actor=setting["kansli"])
    assert _budget(client)["proposed"] == kr("300000")
    assert _keys(client)["beviljat"] == kr("0")

    meetings.record_decision(
        item,
        kind="delvis_bevilja",
        amounts={YEAR: D("250000")},
        motivation="Ramen räcker till en mindre insats.",
        actor=setting["kansli"],
    )
    assert _budget(client)["granted"] == kr("250000")
    assert _budget(client)["proposed"] == kr("0")  # no longer ready for decision
    assert _keys(client)["beviljat"] == kr("250000")

    meetings.undo_decision(item, actor=setting["kansli"])
    assert _budget(client)["granted"] == kr("0")
    assert _keys(client)["beviljat"] == kr("0")


def test_a_delegation_decision_shows_at_once(factory, setting):
    client = setting["client"]
    delegation.adopt_order(
        adopted_by="Styrelsen, § 4",
        adopted_on=date(YEAR, 1, 1),
        valid_from=date(YEAR, 1, 1),
        delegate=setting["kansli"],
        limits=[delegation.LimitData(setting["area"].id, D("50000"), D("80000"))],
        actor=setting["kansli"],
    )
    case = prepared_case(factory, setting["area"], amounts={YEAR: "25000"})
    assert _keys(client)["beviljat"] == kr("0")
    delegation.decide(case, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["kansli"])
    assert _keys(client)["beviljat"] == kr("25000")
    assert _budget(client)["granted"] == kr("25000")


def test_a_status_change_shows_at_once(factory, setting):
    client = setting["client"]
    owner = factory.user(Role.SOKANDE)
    case = factory.application(
        owner,
        status=Status.INSKICKAD,
        huvudomrade=setting["area"],
        amounts={YEAR: "70000"},
        first_year=YEAR,
        last_year=YEAR,
    )
    assert _keys(client)["sökt"] == kr("70000")
    application_services.withdraw(case, actor=owner)
    assert _keys(client)["sökt"] == kr("0")  # a withdrawn case asks for nothing


def test_a_change_of_a_registered_applications_budget_or_huvudomrade_shows_at_once(
    factory, setting
):
    client = setting["client"]
    case = factory.application(
        factory.user(Role.SOKANDE),
        status=Status.KOMPLETTERING_BEGARD,
        huvudomrade=setting["area"],
        amounts={YEAR: "70000"},
        first_year=YEAR,
        last_year=YEAR,
    )
    assert _keys(client)["sökt"] == kr("70000")
    for line in case.budget_lines:
        line.amount = line.amount * 2  # as the komplettering's budget section saves it
    db.session.flush()
    assert _keys(client)["sökt"] == kr("140000")
    stats_html = _html(client, f"{STATISTICS}&omrade={setting['other'].id}")
    assert "Inga diarieförda ärenden" in stats_html
    case.huvudomrade_id = setting["other"].id
    db.session.flush()
    stats_html = _html(client, f"{STATISTICS}&omrade={setting['other'].id}")
    assert "Inga diarieförda ärenden" not in stats_html
    case.budget_lines.clear()  # removed lines are deleted as orphans
    db.session.flush()
    assert _keys(client)["sökt"] == kr("0")


def test_a_payment_shows_at_once(factory, setting):
    client = setting["client"]
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(owner, grants={YEAR: "300000"}, huvudomrade=setting["area"])
    assert _budget(client)["paid"] == kr("0")
    payment = followup.request_payment(
        project,
        followup.PaymentData(
            year=YEAR,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 3, 31),
            amount=D("100000"),
            costs_incurred="Lön projektledare",
        ),
        actor=owner,
    )
    followup.approve_payment(payment, actor=setting["kansli"])
    assert _budget(client)["paid"] == kr("0")  # approved, not yet paid
    # loaded again, as a request would (the page's commit expired them)
    assert payment.application is not None and setting["kansli"].id is not None
    followup.record_payment(payment, date(YEAR, 1, 20), actor=setting["kansli"])
    assert _budget(client)["paid"] == kr("100000")
    assert _money_totals(client)[3] == kr("100000")


def _submitted_report(project, kind, used: str, women: int, men: int) -> Report:
    report = Report(
        application=project,
        kind=kind,
        status="inskickad",
        due_date=date(YEAR, 1, 31),
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 1, 31),
        participants_women=women,
        participants_men=men,
        goal_fulfilment="Åtta deltagare har fått arbete.",
        submitted_at=datetime(YEAR, 2, 1, tzinfo=UTC),
        costs=[ReportCost(year=YEAR, amount=D(used))],
    )
    db.session.add(report)
    db.session.flush()
    return report


def test_a_report_approval_shows_used_and_participants_at_once(factory, setting):
    client = setting["client"]
    project = factory.granted_project(
        factory.user(Role.SOKANDE), grants={YEAR: "300000"}, huvudomrade=setting["area"]
    )
    report = _submitted_report(project, "lagesrapport", "120000", 6, 4)
    assert (_keys(client)["förbrukat"], _keys(client)["deltagare"]) == (kr("0"), "0")
    followup.approve_report(report, actor=setting["kansli"])
    assert (_keys(client)["förbrukat"], _keys(client)["deltagare"]) == (kr("120000"), "10")
    assert _budget(client)["used"] == kr("120000")


def test_closing_a_project_shows_what_went_back_at_once(factory, setting):
    client = setting["client"]
    project = factory.granted_project(
        factory.user(Role.SOKANDE), grants={YEAR: "300000"}, huvudomrade=setting["area"]
    )
    report = _submitted_report(project, "slutrapport", "200000", 1, 1)
    assert _budget(client)["returned"] == kr("0")
    followup.approve_report(report, actor=setting["kansli"])
    assert _budget(client)["returned"] == kr("100000")
    assert _budget(client)["remaining"] == kr("1300000")
    assert _money_totals(client)[5] == kr("100000")


def test_budget_changes_show_at_once(factory, setting):
    client = setting["client"]
    assert _budget(client)["frames"] == kr("1500000")
    assert _keys(client)  # the statistics are cached too
    ram = ledger.frame_for(YEAR, setting["area"].id)
    ledger.set_frame(ram, D("1200000"))
    assert _budget(client)["frames"] == kr("1700000")
    assert _money_totals(client)[0] == kr("1700000")
    ledger.reallocate(
        ram,
        ledger.frame_for(YEAR, setting["other"].id),
        D("200000"),
        "Fler pilotprojekt",
        actor=setting["kansli"],
    )
    html = _html(client, BUDGET)
    assert html.count(kr("700000")) >= 1 and kr("1000000") in html


def test_a_contribution_or_the_years_costs_show_at_once(factory, setting):
    client = setting["client"]
    organisation = factory.organisation("Alvesta kommun")
    budget_year = budget_services.budget_year_for(YEAR)
    assert kr("345678") not in _html(client, BUDGET)
    budget_services.update_budget_year(
        budget_year,
        budget_services.BudgetYearData(contributions={organisation.id: D("345678")}),
        actor=setting["kansli"],
    )
    assert kr("345678") in _html(client, BUDGET)
    budget_services.update_budget_year(
        budget_year,
        budget_services.BudgetYearData(
            contributions={organisation.id: D("345678")}, administration_costs=D("23456")
        ),
        actor=setting["kansli"],
    )
    assert kr("23456") in _html(client, BUDGET)


def test_a_renamed_huvudomrade_shows_at_once(setting):
    client = setting["client"]
    assert "Kompetensutveckling" in _html(client, BUDGET)
    area = setting["area"]
    budget_services.update_huvudomrade(
        area, name="Kompetens och lärande", active=True, actor=setting["kansli"]
    )
    html = _html(client, BUDGET)
    assert "Kompetens och lärande" in html and "Kompetensutveckling" not in html


def test_what_a_rolled_back_change_computed_is_never_served(app_ctx, setting):
    budget_year = budget_services.budget_year_for(YEAR)
    assert budget_overview.overview(budget_year).frames == D("1500000")
    savepoint = db.session.begin_nested()
    ledger.set_frame(ledger.frame_for(YEAR, setting["area"].id), D("2000000"))
    # its own change, computed under the version it wrote
    assert budget_overview.overview(budget_year).frames == D("2500000")
    savepoint.rollback()
    assert budget_overview.overview(budget_year).frames == D("1500000")
    ledger.set_frame(ledger.frame_for(YEAR, setting["area"].id), D("2000000"))
    assert budget_overview.overview(budget_year).frames == D("2500000")


def test_every_change_writes_a_fresh_version_of_the_years_it_touches(factory, setting):
    def versions():
        return dict(
            db.session.execute(
                select(FigureVersion.huvudomrade_id, FigureVersion.version).where(
                    FigureVersion.year == YEAR
                )
            ).all()
        )

    before = versions()
    assert setting["area"].id in before  # the frame made it
    factory.granted_project(
        factory.user(Role.SOKANDE), grants={YEAR: "300000"}, huvudomrade=setting["other"]
    )
    after = versions()
    assert after[setting["other"].id] != before[setting["other"].id]
    assert after[setting["area"].id] == before[setting["area"].id]  # untouched
    figures.bump_everything()
    assert all(v != after[k] for k, v in versions().items())


def test_a_year_without_versions_is_computed_every_time(app, setting):
    db.session.execute(FigureVersion.__table__.delete())
    client = setting["client"]
    assert _budget(client)["frames"] == kr("1500000")
    db.session.execute(  # a change that no flush saw (as with Core inserts)
        FigureVersion.__table__.delete()
    )
    ram = ledger.frame_for(YEAR, setting["area"].id)
    db.session.execute(
        ram.__table__.update().where(ram.__table__.c.id == ram.id).values(amount=D("1100000"))
    )
    assert _budget(client)["frames"] == kr("1600000")


def test_a_deleted_row_shows_at_once_even_when_it_was_not_loaded(factory, setting):
    client = setting["client"]
    case = factory.application(
        factory.user(Role.SOKANDE),
        status=Status.INSKICKAD,
        huvudomrade=setting["area"],
        amounts={YEAR: "70000"},
        first_year=YEAR,
        last_year=YEAR,
    )
    line = case.budget_lines[0]
    assert _keys(client)["sökt"] == kr("70000")  # the page's commit expired the line
    db.session.delete(line)
    db.session.flush()
    assert _keys(client)["sökt"] == kr("0")
