"""What an outside attacker types, one finding at a time (issue 13), on SQLite and on
PostgreSQL: a NUL byte or a line break in a text field, a number beyond the id column in a
URL or a list filter, a text that a spreadsheet would run as a formula."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.applications.sections import CO_FUNDING
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.exports import archive
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings.models import AgendaItem, Meeting
from finsam_ansokan.review.models import Comment

from .application_helpers import YEAR, applicant, draft, ensure_budget_year
from .export_checks import csv_formula_cells, xlsx_formula_cells

TOO_BIG = 2**31  # one past the largest INTEGER id
FORMULAS = [
    '=HYPERLINK("http://angripare.example","Klicka")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


# --- a NUL byte and other control characters in a text field ---------------------------------


def test_a_nul_byte_in_an_application_text_field_is_dropped_not_a_server_error(
    client, factory, login
):
    owner = applicant(factory)
    application = draft(factory, owner)
    login(owner)
    response = client.post(
        f"/ansokningar/{application.id}/avsnitt/behov",
        data={
            "lock_version": str(application.lock_version),
            "need": "Behov\x00 med\x07 kontroll\x1b-tecken\r\noch en ny rad\tmed tabb",
            "not_ordinary_work": "\x00",
        },
    )
    assert response.status_code in (200, 302, 303), response.status_code
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.need == "Behov med kontroll-tecken\r\noch en ny rad\tmed tabb"
    assert not stored.not_ordinary_work


def test_a_title_is_one_line_whatever_was_posted(client, factory, login):
    owner = applicant(factory)
    application = draft(factory, owner)
    login(owner)
    client.post(
        f"/ansokningar/{application.id}/avsnitt/insatsen",
        data={
            "lock_version": str(application.lock_version),
            "title": "Steg vidare\r\nBcc: angripare@example.org\x00",
        },
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == (
        "Steg vidare Bcc: angripare@example.org"
    )


def test_a_nul_byte_in_a_meeting_text_field_is_dropped_not_a_server_error(client, factory, login):
    factory.forbund()
    login(factory.user(Role.KANSLI))
    response = client.post(
        "/sammantraden/nytt",
        data={"kind": "styrelsemote", "date": f"{YEAR}-11-23", "place": "Kansliet\x00, Växjö\r\n"},
    )
    assert response.status_code in (302, 303), response.status_code
    meeting = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert meeting.place.strip() == "Kansliet, Växjö"
    response = client.post(
        f"/sammantraden/{meeting.id}/dagordning/ovrigt",
        data={"title": "Övrigt\x00\r\n", "notes": "Rad ett\x00\r\nRad två"},
    )
    assert response.status_code < 400, response.status_code
    [item] = db.session.scalars(db.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    assert item.title.strip() == "Övrigt" and item.notes == "Rad ett\r\nRad två"


# --- an id beyond the column's range ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/ansokningar/{TOO_BIG}",
        f"/ansokningar/{10**30}",
        "/ansokningar/0",
        f"/ansokningar/{TOO_BIG}/avsnitt/behov",
        f"/sammantraden/{TOO_BIG}",
        f"/budget/{TOO_BIG}",
        f"/budget/{TOO_BIG}/export.xlsx",
        f"/admin/anvandare/{TOO_BIG}",
    ],
)
def test_an_id_beyond_the_column_is_not_found(path, client, factory, login):
    login(factory.user(*Role))
    assert client.get(path).status_code == 404
    assert client.post(path).status_code in (404, 405)


@pytest.mark.parametrize(
    "query",
    [
        f"organisation={TOO_BIG}",
        f"omrade={TOO_BIG}",
        f"ar={TOO_BIG}",
        f"sida={TOO_BIG}",
        "organisation=-1&omrade=0&ar=-2147483649",
        f"organisation={10**30}&q=a%00b",
    ],
)
@pytest.mark.parametrize(
    "path", ["/ansokningar", "/ansokningar/export.xlsx", "/ansokningar/export.csv"]
)
def test_a_list_filter_beyond_the_column_is_ignored(path, query, client, factory, login):
    owner = applicant(factory)
    draft(factory, owner)
    login(factory.user(Role.KANSLI))
    assert client.get(f"{path}?{query}").status_code == 200


def test_version_numbers_beyond_the_column_are_not_found(client, factory, login):
    owner = applicant(factory)
    application = draft(factory, owner)
    login(owner)
    response = client.get(f"/ansokningar/{application.id}/versioner/jamfor?fran={TOO_BIG}&till=-1")
    assert response.status_code == 404


# --- text that a spreadsheet would run as a formula -------------------------------------------


def _submitted_with_titles(factory) -> list[Application]:
    owner = applicant(factory)
    ensure_budget_year(factory)
    applications = [
        factory.application(owner, title=title, status="inskickad", amounts={YEAR: "100"})
        for title in FORMULAS
    ]
    # more co-funding than costs: sökt belopp is a negative number (applications/requested)
    applications[0].budget_lines.append(
        BudgetLine(year=YEAR, category=CO_FUNDING, amount=Decimal(600))
    )
    db.session.flush()
    return applications


def test_the_excel_export_holds_no_formula_and_keeps_numbers_as_numbers(client, factory, login):
    _submitted_with_titles(factory)
    login(factory.user(Role.KANSLI))
    response = client.get("/ansokningar/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    titles = {c.value for c in cells if isinstance(c.value, str)}
    for title in FORMULAS:  # (XML reads a carriage return back as a line feed)
        assert "'" + title.replace("\r", "\n") in titles, title
    headings = [c.value for c in sheet[1]]
    requested = headings.index("Sökt belopp")
    amounts = [row[requested].value for row in sheet.iter_rows(min_row=2)]
    assert amounts and all(isinstance(a, int | float) for a in amounts if a is not None)
    assert -500 in amounts  # a negative number stays a number, not a quoted text


def test_the_csv_export_quotes_text_that_begins_like_a_formula(client, factory, login):
    _submitted_with_titles(factory)
    login(factory.user(Role.KANSLI))
    text = client.get("/ansokningar/export.csv").data.decode("utf-8-sig")
    assert csv_formula_cells(text) == []
    assert "'=1+1" in text and "'@SUM(A1)" in text
    assert ";-500;" in text  # the number is not quoted


def test_the_budget_export_holds_no_formula(client, factory, login):
    factory.forbund()
    area = factory.huvudomrade('=HYPERLINK("http://x","y")')
    factory.budget_year(YEAR, frames={area: "1000"})
    login(factory.user(Role.KANSLI))
    response = client.get(f"/budget/{YEAR}/export.xlsx")
    assert response.status_code == 200
    assert xlsx_formula_cells(response.data) == []
    text = client.get(f"/budget/{YEAR}/export.csv").data.decode("utf-8-sig")
    assert csv_formula_cells(text) == []
    assert "'=HYPERLINK" in text


def test_every_csv_file_of_the_archive_quotes_text_that_begins_like_a_formula(factory):
    first, *_ = _submitted_with_titles(factory)
    kansli = factory.user(Role.KANSLI)
    db.session.add(Comment(application_id=first.id, author=kansli, body="=1+1", internal=False))
    db.session.flush()
    out = io.BytesIO()
    archive.build(today().year, out)
    with zipfile.ZipFile(out) as zf:
        names = [n for n in zf.namelist() if n.endswith(".csv")]
        assert "index.csv" in names and len(names) > 1
        for name in names:
            text = zf.read(name).decode("utf-8-sig")
            assert csv_formula_cells(text) == [], name
        assert "'=1+1" in zf.read("index.csv").decode("utf-8-sig")
