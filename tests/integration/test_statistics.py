"""Statistik: the year's numbers from a few aggregate queries, shown in tables and charts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import event

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db
from finsam_ansokan.statistics import services

from . import statistics_data
from .statistics_data import YEAR


@pytest.fixture
def year(factory):
    return statistics_data.build(factory)


def _stats(area_id=None):
    return services.statistics(YEAR, services.choices().huvudomraden, area_id)


def _area(stats, name):
    return next(a for a in stats.areas if a.name == name)


def test_cases_are_counted_by_huvudomrade_and_status(year):
    stats = _stats()
    assert _area(stats, "Processutveckling").statuses == {
        Status.PAGAENDE: 1,
        Status.UNDER_BEREDNING: 1,
    }
    assert _area(stats, "Pilotprojekt").statuses == {Status.AVSLAGEN: 1, Status.ATERKALLAD: 1}
    assert stats.total.cases == 4  # not the draft, not the case for the year before


def test_money_per_huvudomrade_asked_granted_paid_and_used(year):
    process = _area(_stats(), "Processutveckling")
    assert (process.frame, process.asked, process.granted) == (
        Decimal("1000000"),
        Decimal("500000"),  # the project's 300 000 and the case in review's 200 000
        Decimal("300000"),
    )
    assert (process.paid, process.used) == (Decimal("100000"), Decimal("150000"))
    pilot = _area(_stats(), "Pilotprojekt")
    assert pilot.asked == Decimal("100000")  # the withdrawn case's 70 000 is not asked
    assert pilot.granted == Decimal("0")


def test_participants_are_summed_over_the_years_approved_reports(year):
    stats = _stats()
    process = _area(stats, "Processutveckling")
    assert (process.women, process.men, process.reports) == (9, 6, 2)
    assert process.women_share == 60
    assert (stats.total.women, stats.total.men) == (9, 6)


def test_goal_fulfilment_lists_each_projects_latest_approved_report(year):
    goals = _stats().goals
    assert [(g.title, g.goal_fulfilment) for g in goals] == [
        ("Steg mot arbete", "Åtta deltagare har fått arbete.")
    ]


def test_budget_use_is_cumulative_per_month(year):
    months = _stats().months
    assert len(months) == 12
    assert [m.granted for m in months[:3]] == [0, 300000, 300000]
    assert [m.paid for m in months[1:4]] == [0, 100000, 100000]
    assert months[-1].granted == Decimal("300000")


def test_money_granted_before_the_year_counts_from_january():
    rows = [(YEAR - 1, 11, Decimal("50")), (YEAR, 3, Decimal("25"))]
    assert services.cumulative_by_month(YEAR, rows, 4) == [50, 50, 75, 75]


def test_one_huvudomrade_can_be_chosen(year):
    stats = _stats(year.pilot.id)
    assert [a.name for a in stats.areas] == ["Pilotprojekt"]
    assert stats.total.frame == Decimal("500000")
    assert stats.months[-1].granted == 0


# --- the page ----------------------------------------------------------------------------------


def _page(client, url=f"/statistik?ar={YEAR}"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_year_in_charts_each_with_a_title_and_a_table(year, factory, login):
    html = _page(login(factory.user(Role.STYRELSE)))
    charts = re.findall(r'<svg viewBox[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
    assert len(charts) == 3
    for labelled_by in charts:
        title_id = labelled_by.split()[0]
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', html)
    for caption in (
        f"Pengar per huvudområde {YEAR}",
        f"Budgetutnyttjande per månad {YEAR}",
        f"Deltagare efter kön per huvudområde {YEAR}",
        f"Antal ärenden per huvudområde och status {YEAR}",
    ):
        assert f"<caption>{caption}" in html
    # the bars carry their amounts as text, not colour alone
    assert "Beviljat 300\u00a0000\u00a0kr" in html
    assert "Kvinnor 9 (60 %), män 6 (40 %), totalt 15" in html
    assert 'style="' not in html
    assert "Åtta deltagare har fått arbete." in html


def test_the_page_filters_on_huvudomrade(year, factory, login):
    html = _page(login(factory.user(Role.KANSLI)), f"/statistik?ar={YEAR}&omrade={year.pilot.id}")
    assert f"Statistik {YEAR}, Pilotprojekt" in html
    assert "Steg mot arbete" not in html


@pytest.mark.parametrize("role", [Role.KANSLI, Role.STYRELSE, Role.REVISOR, Role.BEREDNING])
def test_those_who_follow_the_money_see_statistics(factory, login, role):
    assert login(factory.user(role)).get("/statistik").status_code == 200


@pytest.mark.parametrize("role", [Role.SOKANDE, Role.ADMIN])
def test_applicants_and_admins_do_not(factory, login, role):
    assert login(factory.user(role)).get("/statistik").status_code == 403


def test_the_statistics_link_is_in_the_menu_for_those_who_may_see_it(factory, login):
    assert 'href="/statistik"' in login(factory.user(Role.REVISOR)).get("/").get_data(True)
    assert 'href="/statistik"' not in login(factory.user(Role.SOKANDE)).get("/").get_data(True)


def _statements(client, url) -> int:
    count = 0

    def _count(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return count


def test_the_page_runs_as_many_queries_for_many_applications_as_for_few(year, factory, login):
    client = login(factory.user(Role.KANSLI))
    url = f"/statistik?ar={YEAR}"
    few = _statements(client, url)
    for n in range(20):
        area = year.process if n % 2 else year.pilot
        factory.application(
            year.owner,
            title=f"Ärende {n}",
            status=Status.INSKICKAD,
            huvudomrade=area,
            amounts={YEAR: "1000"},
            first_year=YEAR,
            last_year=YEAR,
        )
    assert _statements(client, url) == few
    assert 5 < few <= 15
