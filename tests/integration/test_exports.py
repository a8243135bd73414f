"""Excel and CSV exports of the budget overview and the application list, read back and
compared with the database."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import queries
from finsam_ansokan.applications.models import BudgetLine
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.core.timeutil import as_local
from finsam_ansokan.exports import csvfile
from finsam_ansokan.exports.tables import Kind
from finsam_ansokan.extensions import db

from . import statistics_data
from .statistics_data import YEAR

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def year(factory):
    return statistics_data.build(factory)


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert response.data.startswith(BOM)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def _number(value) -> Decimal:
    assert isinstance(value, int | float), f"{value!r} is not a number"
    return Decimal(str(value))


# --- the budget overview --------------------------------------------------------------------------


def test_the_budget_overview_in_excel_has_the_overviews_numbers_as_numbers(year, factory, login):
    workbook = _xlsx(login(factory.user(Role.REVISOR)).get(f"/budget/{YEAR}/export.xlsx"))
    sheet = workbook[f"Budget {YEAR}"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Huvudområde", "Ram", "Föreslaget", "Beviljat", "Utbetalt", "Förbrukat", "Återfört",
        "Återstår",
    )  # fmt: skip
    overview = budget_overview.overview(budget_services.budget_year_for(YEAR))
    expected = [
        (r.huvudomrade, r.frame, r.proposed, r.granted, r.paid, r.used, r.returned, r.remaining)
        for r in overview.rows
    ]
    expected.append(
        ("Totalt", overview.frames, overview.proposed, overview.granted, overview.paid,
         overview.used, overview.returned, overview.remaining)
    )  # fmt: skip
    assert [(r[0], *map(_number, r[1:])) for r in rows[1:]] == expected
    assert ("Processutveckling", 1000000, 0, 300000, 100000, 150000, 0, 700000) in rows
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].number_format == '#,##0 "kr"'
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= len("Processutveckling")
    summary = workbook[f"Intäkter och kostnader {YEAR}"]
    assert ("Ramar för huvudområdena", 1500000) in list(summary.iter_rows(values_only=True))


def test_the_budget_overview_as_csv_for_swedish_excel(year, factory, login):
    rows = _csv(login(factory.user(Role.KANSLI)).get(f"/budget/{YEAR}/export.csv"))
    assert rows[0][:3] == ["Huvudområde", "Ram", "Föreslaget"]
    assert [
        "Processutveckling",
        "1000000",
        "0",
        "300000",
        "100000",
        "150000",
        "0",
        "700000",
    ] in rows
    assert rows[-1][0] == "Totalt"


def test_a_budget_year_that_does_not_exist_is_not_found(factory, login):
    assert login(factory.user(Role.KANSLI)).get("/budget/2099/export.xlsx").status_code == 404


def test_applicants_cannot_export_the_budget(year, login):
    assert login(year.owner).get(f"/budget/{YEAR}/export.csv").status_code == 403


def test_the_budget_page_offers_the_downloads(year, factory, login):
    html = login(factory.user(Role.KANSLI)).get(f"/budget/{YEAR}").get_data(as_text=True)
    assert f'href="/budget/{YEAR}/export.xlsx"' in html
    assert f'href="/budget/{YEAR}/export.csv"' in html
    assert f'href="/arkiv/{YEAR}"' in html  # the archive page: built in the background


# --- the application list ------------------------------------------------------------------------

HEADINGS = (
    "Diarienummer", "Insats", "Sökande organisation", "Huvudområde", "Status",
    "Första budgetår", "Sista budgetår", "Sökt belopp", "Beviljat belopp", "Inskickad",
    "Senast ändrad", "Beslutsdatum", "Paragraf", "Beslut", "Deltagare kvinnor", "Deltagare män",
)  # fmt: skip


def test_the_application_list_in_excel_matches_the_database(year, factory, login):
    kansli = factory.user(Role.KANSLI)
    sheet = _xlsx(login(kansli).get("/ansokningar/export.xlsx")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][: len(HEADINGS)] == HEADINGS
    # then sökt and beviljat for every year the listed cases cover
    assert rows[0][len(HEADINGS) :] == tuple(
        heading for y in range(YEAR - 1, YEAR + 1) for heading in (f"Sökt {y}", f"Beviljat {y}")
    )
    by_number = {r[0]: r for r in rows[1:]}
    project = by_number[year.project.diarienummer]
    assert project[1:5] == ("Steg mot arbete", "Alvesta kommun", "Processutveckling", "Pågående")
    assert project[5:7] == (YEAR, YEAR)
    assert (_number(project[7]), _number(project[8])) == (Decimal("300000"), Decimal("300000"))
    assert project[9].date() == as_local(year.project.submitted_at).date()
    assert sheet["H2"].number_format == '#,##0 "kr"'
    assert sheet["J2"].number_format == "yyyy-mm-dd"
    # the kansli sees every application but unshared drafts, in the list's order
    listed = queries.search(kansli, queries.Filters(), per_page=100).items
    assert [r[1] for r in rows[1:]] == [a.display_title for a in listed]


def test_the_export_honours_the_lists_filters(year, factory, login):
    client = login(factory.user(Role.STYRELSE))
    rows = _csv(client.get(f"/ansokningar/export.csv?status=avslagen&ar={YEAR}"))
    assert [r[1] for r in rows[1:]] == ["Avslagen idé"]
    rows = _csv(client.get(f"/ansokningar/export.csv?omrade={year.process.id}&sortera=titel"))
    assert [r[1] for r in rows[1:]] == ["Fjolårets fråga", "Samverkan i Alvesta", "Steg mot arbete"]


def test_the_list_as_csv_has_decimal_commas_and_iso_dates(year, factory, login):
    db.session.add(
        BudgetLine(application=year.rejected, year=YEAR, category="ovrigt", amount=Decimal("12.5"))
    )
    db.session.flush()
    rows = _csv(login(factory.user(Role.KANSLI)).get("/ansokningar/export.csv?status=avslagen"))
    row = next(r for r in rows if r[1] == "Avslagen idé")
    assert row[7] == "100012,50"
    assert row[9] == as_local(year.rejected.submitted_at).date().isoformat()


def test_an_applicant_exports_only_what_they_may_see(year, factory, login):
    stranger = factory.user(Role.SOKANDE, organisation=factory.organisation("Tingsryds kommun"))
    factory.application(stranger, title="Tingsryds utkast")
    factory.application(stranger, title="Tingsryds ansökan", status=Status.INSKICKAD)

    own = _csv(login(year.owner).get("/ansokningar/export.csv"))
    titles = {r[1] for r in own[1:]}
    assert "Ett utkast" in titles and "Steg mot arbete" in titles
    assert not titles & {"Tingsryds utkast", "Tingsryds ansökan"}

    sheet = _xlsx(login(stranger).get("/ansokningar/export.xlsx")).active
    assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Tingsryds utkast",
        "Tingsryds ansökan",
    }


def test_the_readers_export_holds_no_drafts(year, factory, login):
    rows = _csv(login(factory.user(Role.REVISOR)).get("/ansokningar/export.csv"))
    assert "Ett utkast" not in {r[1] for r in rows}
    assert all(r[0] for r in rows[1:])  # every row has a diarienummer


def test_the_list_page_offers_the_downloads_with_its_filters(year, login):
    html = login(year.owner).get("/ansokningar?status=avslagen").get_data(as_text=True)
    assert 'href="/ansokningar/export.xlsx?status=avslagen"' in html
    assert 'href="/ansokningar/export.csv?status=avslagen"' in html


# --- the CSV writer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("1065500.00"), Kind.MONEY, "1065500"),
        (Decimal("12.5"), Kind.MONEY, "12,50"),
        (Decimal("-300"), Kind.MONEY, "-300"),
        (None, Kind.MONEY, ""),
        (date(2026, 11, 23), Kind.DATE, "2026-11-23"),
        (7, Kind.INTEGER, "7"),
        ("Växjö; kommun", Kind.TEXT, "Växjö; kommun"),
    ],
)
def test_csv_values_are_written_the_swedish_way(value, kind, text):
    assert csvfile.format_value(value, kind) == text


def test_control_characters_a_user_typed_do_not_break_the_excel_export(client, factory, login):
    owner = factory.user(Role.SOKANDE)
    factory.application(owner, title="Steg\x0bvidare\x01", status="inskickad")
    login(owner)
    response = client.get("/ansokningar/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Stegvidare" in titles
