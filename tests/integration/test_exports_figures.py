"""What the exports carry beyond the list's columns: sökt and beviljat per year, the
decision's date, § and outcome, participants by gender; and Statistik as an Excel workbook
with the page's own figures. Every file is read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import Report
from finsam_ansokan.meetings import services as meetings
from finsam_ansokan.statistics import services as statistics

from . import statistics_data
from .meetings_helpers import YEAR as MEETING_YEAR
from .meetings_helpers import justera_all, meeting_with_board, prepared_case


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.status_code
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def _by_heading(rows: list[tuple]) -> list[dict]:
    headings = rows[0]
    return [dict(zip(headings, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def decided(factory):
    """Two cases at one meeting, granted over two years and rejected; the minutes justerade
    after the first case's approved report was written."""
    area = factory.huvudomrade("Processutveckling")
    factory.budget_year(MEETING_YEAR, frames={area: "1000000"})
    factory.budget_year(MEETING_YEAR + 1, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI)
    meeting, chair = meeting_with_board(factory, kansli)
    granted = prepared_case(
        factory, area, amounts={MEETING_YEAR: "300000", MEETING_YEAR + 1: "200000"}
    )
    rejected = prepared_case(factory, area, title="Avslagen idé", proposal="avsla")
    items = [meetings.add_case(meeting, a, actor=kansli) for a in (granted, rejected)]
    meetings.record_decision(
        items[0],
        kind="delvis_bevilja",
        amounts={MEETING_YEAR: Decimal("250000"), MEETING_YEAR + 1: Decimal("200000")},
        motivation="Lokalkostnaderna ryms inte.",
        actor=chair,
    )
    meetings.record_decision(items[1], kind="avsla", motivation="Ordinarie.", actor=chair)
    return {"meeting": meeting, "kansli": kansli, "granted": granted, "rejected": rejected}


def _approved_report(application, women, men, period_end):
    db.session.add(
        Report(
            application=application,
            kind="lagesrapport",
            status="godkand",
            due_date=period_end,
            period_start=date(period_end.year, 1, 1),
            period_end=period_end,
            participants_women=women,
            participants_men=men,
            submitted_at=utcnow(),
        )  # fmt: skip
    )
    db.session.flush()


def test_the_list_export_carries_years_decision_paragraph_outcome_and_participants(
    decided, factory, login
):
    justera_all(decided["meeting"], decided["kansli"])
    granted = decided["granted"]
    _approved_report(granted, 6, 4, date(MEETING_YEAR, 6, 30))
    _approved_report(granted, 3, 2, date(MEETING_YEAR, 12, 31))
    db.session.add(
        Report(
            application=granted,
            kind="lagesrapport",
            status="inskickad",
            due_date=date(MEETING_YEAR + 1, 6, 30),
            participants_women=100,
            participants_men=100,
            submitted_at=utcnow(),
        )  # fmt: skip
    )  # not approved: does not count
    db.session.flush()

    sheets = _sheets(login(factory.user(Role.STYRELSE)).get("/ansokningar/export.xlsx"))
    rows = {r["Insats"]: r for r in _by_heading(sheets["Ansökningar"])}
    row = rows["Förstärkt KAA"]
    assert row["Sökt 2026"] == 300000 and row["Sökt 2027"] == 200000
    assert row["Beviljat 2026"] == 250000 and row["Beviljat 2027"] == 200000
    assert row["Beviljat belopp"] == 450000
    assert row["Beslutsdatum"].date() == decided["meeting"].date
    assert row["Paragraf"] == 4
    assert row["Beslut"] == "Delvis beviljad"
    assert (row["Deltagare kvinnor"], row["Deltagare män"]) == (9, 6)

    other = rows["Avslagen idé"]
    assert other["Beslut"] == "Avslagen" and other["Paragraf"] == 5
    assert other["Beviljat 2026"] is None and other["Deltagare kvinnor"] is None


def test_an_applicant_reads_no_outcome_paragraph_or_amount_before_justering(decided, login):
    owner = decided["granted"].created_by
    sheets = _sheets(login(owner).get("/ansokningar/export.xlsx"))
    [row] = _by_heading(sheets["Ansökningar"])
    assert row["Insats"] == "Förstärkt KAA"
    assert row["Sökt 2026"] == 300000
    assert row["Beviljat 2026"] is None and row["Beviljat belopp"] is None
    assert row["Beslutsdatum"] is None and row["Paragraf"] is None and row["Beslut"] is None

    justera_all(decided["meeting"], decided["kansli"])
    [row] = _by_heading(_sheets(login(owner).get("/ansokningar/export.xlsx"))["Ansökningar"])
    assert row["Beslut"] == "Delvis beviljad" and row["Paragraf"] == 4
    assert row["Beviljat 2026"] == 250000


def test_the_board_reads_a_decision_before_justering_without_a_paragraph(decided, factory, login):
    sheets = _sheets(login(factory.user(Role.STYRELSE)).get("/ansokningar/export.xlsx"))
    row = next(r for r in _by_heading(sheets["Ansökningar"]) if r["Insats"] == "Förstärkt KAA")
    assert row["Beslut"] == "Delvis beviljad" and row["Paragraf"] is None
    assert row["Beslutsdatum"].date() == decided["meeting"].date


def test_statistics_in_excel_hold_the_pages_figures(factory, login):
    year = statistics_data.build(factory)
    client = login(factory.user(Role.STYRELSE))
    page = client.get(f"/statistik?ar={statistics_data.YEAR}").text
    link = f'href="/statistik/export.xlsx?ar={statistics_data.YEAR}"'
    assert link in page
    response = client.get(f"/statistik/export.xlsx?ar={statistics_data.YEAR}")
    assert f"statistik-{statistics_data.YEAR}.xlsx" in response.headers["Content-Disposition"]
    sheets = _sheets(response)
    y = statistics_data.YEAR
    assert list(sheets) == [
        f"Ärenden {y}", f"Pengar {y}", f"Budgetutnyttjande {y}", f"Deltagare {y}",
        f"Måluppfyllelse {y}",
    ]  # fmt: skip

    stats = statistics.statistics(y, statistics.choices().huvudomraden)
    money = {r["Huvudområde"]: r for r in _by_heading(sheets[f"Pengar {y}"])}
    for area in [*stats.money_areas, stats.total]:
        row = money[area.name]
        assert [Decimal(row[h]) for h in ("Ram", "Sökt", "Beviljat", "Utbetalt", "Förbrukat")] == [
            area.frame, area.asked, area.granted, area.paid, area.used,
        ]  # fmt: skip
    assert money["Processutveckling"]["Beviljat"] == 300000

    people = {r["Huvudområde"]: r for r in _by_heading(sheets[f"Deltagare {y}"])}
    assert (people["Processutveckling"]["Kvinnor"], people["Processutveckling"]["Män"]) == (9, 6)
    assert people["Totalt"]["Andel kvinnor (%)"] == stats.total.women_share

    cases = _by_heading(sheets[f"Ärenden {y}"])
    assert cases[-1]["Huvudområde"] == "Totalt"
    assert cases[-1]["Totalt"] == stats.total.cases

    months = _by_heading(sheets[f"Budgetutnyttjande {y}"])
    assert [m["Månad"] for m in months] == [p.label for p in stats.months]
    assert months[-1]["Utbetalt (ackumulerat)"] == 100000

    goals = _by_heading(sheets[f"Måluppfyllelse {y}"])
    assert goals[0]["Insats"] == year.project.display_title
    assert goals[0]["Måluppfyllelse"] == "Åtta deltagare har fått arbete."


def test_the_statistics_export_follows_the_chosen_huvudomrade(factory, login):
    year = statistics_data.build(factory)
    y = statistics_data.YEAR
    client = login(factory.user(Role.KANSLI))
    response = client.get(f"/statistik/export.xlsx?ar={y}&omrade={year.pilot.id}")
    money = _by_heading(_sheets(response)[f"Pengar {y}"])
    assert {r["Huvudområde"] for r in money} == {"Pilotprojekt", "Totalt"}


def test_an_applicant_cannot_export_the_statistics(factory, login):
    assert login(factory.user(Role.SOKANDE)).get("/statistik/export.xlsx").status_code == 403
