"""The budget pages through the test client: overview, budget years, huvudområden, Omfördela."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.budget import ledger, services
from finsam_ansokan.budget.models import BudgetYear, Huvudomrade, Omfordelning, Ram
from finsam_ansokan.extensions import db

D = Decimal


def plain(html: str) -> str:
    return html.replace("\u00a0", " ").replace("&nbsp;", " ")


@pytest.fixture
def kansli(factory):
    return factory.user(Role.KANSLI)


@pytest.fixture
def areas(factory):
    return factory.huvudomrade("Pilotprojekt"), factory.huvudomrade("Verktyg")


@pytest.fixture
def year_2026(factory, areas):
    pilot, verktyg = areas
    return factory.budget_year(2026, frames={pilot: "1405560", verktyg: "504708"})


def ram_of(budget_year, area) -> Ram:
    return db.session.scalar(
        select(Ram).where(Ram.budget_year_id == budget_year.id, Ram.huvudomrade_id == area.id)
    )


def test_the_overview_shows_the_frames_the_swedish_way(client, login, kansli, year_2026):
    login(kansli)
    page = plain(client.get("/budget/2026").text)
    assert "Pilotprojekt" in page
    assert "1 405 560 kr" in page
    assert "1 910 268 kr" in page  # the total of the frames


@pytest.mark.parametrize("role", [Role.STYRELSE, Role.REVISOR, Role.BEREDNING])
def test_readers_see_the_overview_but_not_the_buttons_to_change_it(
    client, login, factory, year_2026, role
):
    login(factory.user(role))
    page = client.get("/budget/2026").text
    assert "Ramar per huvudområde" in page
    assert "Omfördela mellan ramar" not in page
    assert client.get("/budget/2026/omfordela").status_code == 403


def test_the_budget_start_page_opens_this_years_overview(client, login, kansli, factory):
    from finsam_ansokan.core.timeutil import today

    factory.budget_year(today().year)
    login(kansli)
    response = client.get("/budget/")
    assert response.headers["Location"].endswith(f"/budget/{today().year}")


def test_an_unknown_year_is_not_found(client, login, kansli, year_2026):
    login(kansli)
    assert client.get("/budget/2044").status_code == 404


def test_kansli_reallocates_money_with_a_reason_and_sees_it_in_the_log(
    client, login, kansli, year_2026, areas
):
    pilot, verktyg = areas
    login(kansli)
    response = client.post(
        "/budget/2026/omfordela",
        data={
            "from_ram_id": ram_of(year_2026, pilot).id,
            "to_ram_id": ram_of(year_2026, verktyg).id,
            "amount": "100 000",
            "reason": "Styrelsens beslut 2026-03-12 § 14",
        },
    )
    assert response.status_code == 302
    assert ram_of(year_2026, pilot).amount == D("1305560")
    log = plain(client.get(response.headers["Location"]).text)
    assert "Styrelsens beslut 2026-03-12 § 14" in log
    assert "100 000 kr" in log


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("mycket", "Skäl", "Skriv beloppet med siffror"),
        ("", "Skäl", "Ange belopp."),
        ("-100", "Skäl", "Beloppet kan inte vara negativt."),
        ("100 000", "", "Ange skälet till omfördelningen."),
        ("2 000 000", "Skäl", "Ramen för Pilotprojekt 2026 räcker inte"),
    ],
)
def test_a_bad_reallocation_is_refused_in_swedish_and_nothing_is_stored(
    client, login, kansli, year_2026, areas, amount, reason, message
):
    pilot, verktyg = areas
    login(kansli)
    response = client.post(
        "/budget/2026/omfordela",
        data={
            "from_ram_id": ram_of(year_2026, pilot).id,
            "to_ram_id": ram_of(year_2026, verktyg).id,
            "amount": amount,
            "reason": reason,
        },
    )
    assert response.status_code == 200
    assert message in plain(response.text)
    assert db.session.scalar(select(func.count()).select_from(Omfordelning)) == 0
    assert ram_of(year_2026, pilot).amount == D("1405560")


def test_a_frame_from_another_year_cannot_be_chosen(
    client, login, kansli, factory, year_2026, areas
):
    pilot, verktyg = areas
    other = factory.budget_year(2027, frames={pilot: "10"})
    login(kansli)
    response = client.post(
        "/budget/2026/omfordela",
        data={
            "from_ram_id": ram_of(other, pilot).id,
            "to_ram_id": ram_of(year_2026, verktyg).id,
            "amount": "1",
            "reason": "Skäl",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Omfordelning)) == 0


def test_kansli_creates_a_budget_year_with_amounts_typed_the_swedish_way(
    client, login, kansli, factory, areas
):
    pilot, _ = areas
    kommun = factory.organisation("Lessebo kommun")
    login(kansli)
    response = client.post(
        "/budget/ar/ny",
        data={
            "year": "2031",
            "preliminary": "y",
            "equity_carried_over": "2 030 000",
            "administration_costs": "1 438 939 kr",
            f"contribution_{kommun.id}": "265 000",
            f"frame_{pilot.id}": "1 405 560",
            "action": "spara",
        },
    )
    assert response.status_code == 302
    budget_year = services.budget_year_for(2031)
    assert budget_year.preliminary
    assert budget_year.equity_carried_over == D("2030000")
    assert budget_year.administration_costs == D("1438939")
    assert ram_of(budget_year, pilot).amount == D("1405560")
    assert [c.amount for c in budget_year.contributions if c.organisation_id == kommun.id] == [
        D("265000")
    ]


@pytest.mark.parametrize(
    ("year", "equity", "message"),
    [
        ("1999", "0", "Ange ett år mellan 2000 och 2100."),
        ("", "0", "Ange år."),
        ("2026", "0", "Det finns redan en budget för 2026."),
        ("2032", "två miljoner", "Skriv beloppet med siffror"),
    ],
)
def test_a_bad_budget_year_is_refused_in_swedish_and_nothing_is_stored(
    client, login, kansli, year_2026, year, equity, message
):
    login(kansli)
    before = db.session.scalar(select(func.count()).select_from(BudgetYear))
    response = client.post(
        "/budget/ar/ny", data={"year": year, "equity_carried_over": equity, "action": "spara"}
    )
    assert response.status_code == 200
    assert message in plain(response.text)
    assert db.session.scalar(select(func.count()).select_from(BudgetYear)) == before


def test_the_form_refuses_a_frame_below_what_is_granted(client, login, kansli, year_2026, areas):
    pilot, verktyg = areas
    ledger.grant(ram_of(year_2026, pilot), D("600000"), actor=kansli)
    login(kansli)
    response = client.post(
        "/budget/2026/andra",
        data={f"frame_{pilot.id}": "500 000", f"frame_{verktyg.id}": "1", "action": "spara"},
    )
    assert response.status_code == 200
    assert "kan inte bli mindre än det som redan är beviljat (600 000 kr)" in plain(response.text)
    assert ram_of(year_2026, pilot).amount == D("1405560")
    assert ram_of(year_2026, verktyg).amount == D("504708")


def test_fordela_fills_the_contributions_by_the_finsam_shares_without_saving(
    client, login, kansli, factory
):
    fk = factory.organisation("Försäkringskassan", kind="stat", population=None)
    region = factory.organisation("Region Testland", kind="region", population=None)
    big = factory.organisation("Stora kommun", population=30_000)
    small = factory.organisation("Lilla kommun", population=10_000)
    login(kansli)
    response = client.post(
        "/budget/ar/ny",
        data={"year": "2033", "contributions_total": "4 000 000", "action": "fordela"},
    )
    assert response.status_code == 200
    page = plain(response.text)
    for organisation, amount in [
        (fk, "2 000 000"),
        (region, "1 000 000"),
        (big, "750 000"),
        (small, "250 000"),
    ]:
        assert f'name="contribution_{organisation.id}" type="text" value="{amount}"' in page
    assert services.budget_year_for(2033) is None


def test_fordela_without_a_total_asks_for_one(client, login, kansli):
    login(kansli)
    response = client.post("/budget/ar/ny", data={"year": "2033", "action": "fordela"})
    assert "Ange medlemsinsatserna totalt för att fördela dem." in response.text


def test_kansli_adds_and_deactivates_a_huvudomrade(client, login, kansli):
    login(kansli)
    response = client.post(
        "/budget/huvudomraden/ny",
        data={"name": "Individinsatser", "description": "Insatser för individer", "active": "y"},
    )
    assert response.status_code == 302
    area = db.session.scalar(select(Huvudomrade).where(Huvudomrade.name == "Individinsatser"))
    assert area.active
    response = client.post(f"/budget/huvudomraden/{area.id}", data={"name": "Individinsatser"})
    assert response.status_code == 302
    db.session.refresh(area)
    assert not area.active


def test_a_huvudomrade_needs_a_unique_name(client, login, kansli, areas):
    login(kansli)
    response = client.post("/budget/huvudomraden/ny", data={"name": "Pilotprojekt"})
    assert "Det finns redan ett huvudområde som heter Pilotprojekt." in response.text
    response = client.post("/budget/huvudomraden/ny", data={"name": ""})
    assert "Ange huvudområdets namn." in response.text
    assert db.session.scalar(select(func.count()).select_from(Huvudomrade)) == 2
