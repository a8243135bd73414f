"""Every application can be downloaded as a PDF/A for the diarium and the archive."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import ApplicationParty, BudgetLine
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def applicant(factory):
    factory.forbund()
    return factory.user(Role.SOKANDE, organisation=factory.organisation("Växjö kommun"))


@pytest.fixture
def submitted(factory, applicant):
    application = factory.application(
        organisation=applicant.organisation,
        created_by=applicant,
        title="Steget vidare – arbetsträning",
        need="Första raden om behovet.\nAndra raden.",
        expected_women=12,
        expected_men=8,
    )
    application.parties.append(ApplicationParty(organisation=factory.organisation("Region X")))
    application.budget_lines += [
        BudgetLine(year=2026, category="personal", amount=Decimal("1065500")),
        BudgetLine(year=2026, category="lokaler", amount=Decimal("60000")),
        BudgetLine(year=2026, category="medfinansiering", amount=Decimal("100000")),
        BudgetLine(year=2027, category="personal", amount=Decimal("500000")),
    ]
    factory.submit(application)
    db.session.commit()
    return application


def test_pdf_of_a_submitted_application_has_dnr_title_sections_and_budget(
    client, login, submitted, applicant
):
    login(applicant)
    response = client.get(f"/ansokningar/{submitted.id}/pdf")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = _text(response)
    assert "Samordningsförbundet Testbygden" in text
    assert "Ansökan om medel" in text
    assert f"Dnr {submitted.diarienummer}" in text
    assert "Steget vidare – arbetsträning" in text
    assert "Inskickad" in text
    for heading in (
        "Behov och bakgrund",
        "Syfte och mål",
        "Genomförande",
        "Budget 2026",
        "Budget 2027",
        "Plan för uppföljning och utvärdering",
        "Jämställdhet",
        "Fortsatt finansiering och implementering",
        "Bilagor",
    ):
        assert heading in text
    assert "Första raden om behovet. Andra raden." in text
    assert "Summa kostnader 1 125 500 kr" in text
    assert "Sökt belopp 2026 1 025 500 kr" in text
    assert "Totalt 1 525 500 kr" in text
    assert "Region X" in text
    assert "Sida 1 av" in text
    assert "UTKAST" not in text


def test_the_pdf_is_pdf_a(client, login, submitted, applicant):
    login(applicant)
    reader = PdfReader(io.BytesIO(client.get(f"/ansokningar/{submitted.id}/pdf").data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp  # PDF/A-3b identification
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Ansökan om medel")


def test_a_draft_pdf_is_marked_utkast(client, login, factory, applicant):
    draft = factory.application(organisation=applicant.organisation, created_by=applicant)
    login(applicant)
    text = _text(client.get(f"/ansokningar/{draft.id}/pdf"))
    assert "UTKAST" in text
    assert "Ej diariefört" in text


def test_a_version_pdf_does_not_change_when_the_application_changes(
    client, login, submitted, applicant
):
    login(applicant)
    url = f"/ansokningar/{submitted.id}/versioner/1/pdf"
    before = _text(client.get(url))
    assert "Version 1, inskickad" in before

    submitted.status = Status.KOMPLETTERING_BEGARD.value
    submitted.title = "Ett helt nytt namn"
    submitted.budget_lines[0].amount = Decimal("1")
    db.session.commit()

    after = _text(client.get(url))
    assert after == before
    assert "Ett helt nytt namn" in _text(client.get(f"/ansokningar/{submitted.id}/pdf"))


def test_a_version_that_does_not_exist_is_404(client, login, submitted, applicant):
    login(applicant)
    assert client.get(f"/ansokningar/{submitted.id}/versioner/2/pdf").status_code == 404


def test_the_pdf_is_404_for_another_organisations_applicant(client, login, factory, submitted):
    login(factory.user(Role.SOKANDE))
    assert client.get(f"/ansokningar/{submitted.id}/pdf").status_code == 404
    assert client.get(f"/ansokningar/{submitted.id}/versioner/1/pdf").status_code == 404


def test_beredning_may_print_a_submitted_application_but_not_an_unshared_draft(
    client, login, factory, submitted, applicant
):
    draft = factory.application(organisation=applicant.organisation, created_by=applicant)
    login(factory.user(Role.BEREDNING))
    assert client.get(f"/ansokningar/{submitted.id}/pdf").status_code == 200
    assert client.get(f"/ansokningar/{draft.id}/pdf").status_code == 404
