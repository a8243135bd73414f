"""Forms that help: cross-field errors at save, beside the field, with the rest saved; the
right words for a resubmission; every problem of a form at once; totals on the report
form that the server draws and the script keeps current."""

from datetime import date
from decimal import Decimal

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup

from .application_helpers import complete


def test_an_end_date_before_the_start_date_is_refused_at_save_and_the_rest_is_saved(
    client, factory, login
):
    applicant = factory.user(Role.SOKANDE)
    draft = factory.application(applicant, title="Gammal titel")
    login(applicant)
    response = client.post(
        f"/ansokningar/{draft.id}/avsnitt/insatsen",
        data={
            "title": "Ny titel",
            "start_date": "2026-06-01",
            "end_date": "2026-01-31",
            "lock_version": str(draft.lock_version),
        },
    )
    assert response.status_code in (200, 422)
    assert "Slutdatum kan inte vara före startdatum." in response.text
    assert "Det som var rätt ifyllt är sparat" in response.text
    db.session.refresh(draft)
    assert draft.title == "Ny titel"
    assert draft.end_date is None


def test_a_first_visit_to_a_section_shows_no_error_box(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    draft = factory.application(applicant)
    login(applicant)
    page = client.get(f"/ansokningar/{draft.id}/avsnitt/sokande").text
    assert "error-summary" not in page


def test_a_resubmission_is_not_promised_a_new_diarienummer(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    application = factory.application(applicant, status=Status.KOMPLETTERING_BEGARD)
    login(applicant)
    page = client.get(f"/ansokningar/{application.id}/skicka-in").text
    assert "får den ett diarienummer" not in page


def test_a_long_paste_is_refused_with_a_message_not_cut(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    draft = factory.application(applicant)
    login(applicant)
    page = client.get(f"/ansokningar/{draft.id}/avsnitt/behov").text
    assert " maxlength=" not in page  # the browser would cut a paste silently
    assert 'data-maxlength="5000"' in page and "Högst 5000 tecken." in page
    response = client.post(
        f"/ansokningar/{draft.id}/avsnitt/behov",
        data={"need": "x" * 10_000, "lock_version": str(draft.lock_version)},
    )
    assert "Texten är för lång: högst 5000 tecken." in response.text


def test_a_resubmission_says_so_on_the_button_and_the_heading(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    application = complete(factory, applicant)
    application_services.submit(application, actor=applicant)
    application.status = Status.KOMPLETTERING_BEGARD.value
    db.session.flush()
    login(applicant)
    overview = client.get(f"/ansokningar/{application.id}").text
    assert ">Skicka in kompletteringen</a>" in overview
    page = client.get(f"/ansokningar/{application.id}/skicka-in").text
    assert "<h1>Skicka in kompletteringen</h1>" in page
    assert ">Skicka in kompletteringen</button>" in page
    assert "Skicka in ansökan" not in page

    draft = complete(factory, applicant)
    assert ">Skicka in ansökan</button>" in client.get(f"/ansokningar/{draft.id}/skicka-in").text


def test_every_problem_on_a_recommendation_shows_at_once(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    application = factory.application(
        applicant, status=Status.UNDER_BEREDNING, amounts={2026: "300000", 2027: "100000"}
    )
    login(factory.user(Role.BEREDNING))
    response = client.post(
        f"/ansokningar/{application.id}/beredning/rekommendation",
        data={"motivation": "", "amount_2026": "400 000", "amount_2027": "hundra"},
    )
    assert response.status_code == 400
    summary = response.text.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    for message in (
        "Välj ett alternativ.",
        "Skriv en motivering.",
        "Beloppet för 2026 är större än det sökta beloppet",
        "hundra",
    ):
        assert message in summary or message in response.text, message
    assert summary.count("<li>") >= 4


def test_several_wrong_amounts_on_a_proposal_are_named_together(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    application = factory.application(
        applicant, status=Status.UNDER_BEREDNING, amounts={2026: "300000", 2027: "100000"}
    )
    login(factory.user(Role.KANSLI))
    response = client.post(
        f"/ansokningar/{application.id}/beredning/forslag",
        data={
            "kind": "delvis_bevilja",
            "motivation": "Rimligt.",
            "amount_2026": "400000",
            "amount_2027": "200000",
        },
    )
    assert response.status_code == 400
    assert "Beloppet för 2026 är större" in response.text
    assert "Beloppet för 2027 är större" in response.text


def test_the_report_form_shows_its_totals_without_javascript(client, factory, login):
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(
        owner,
        grants={2026: "300000", 2027: "200000"},
        start_date=date(2026, 1, 1),
        end_date=date(2027, 6, 30),
        schedule=True,
    )
    final = next(r for r in followup.reports_for(project) if r.kind == "slutrapport")
    login(owner)
    url = f"/ansokningar/{project.id}/uppfoljning/rapporter/{final.id}/skriv"
    page = client.get(url).text
    assert 'data-live-total="count"' in page and 'data-live-total="money"' in page
    response = client.post(
        url,
        data={
            "action": "spara",
            "lock_version": str(final.lock_version),
            "participants_women": "14",
            "participants_men": "x",  # refused: the page comes back with what can be summed
            "cost_2026": "100 000",
            "cost_2027": "50000",
        },
    )
    assert response.status_code == 400
    assert "<output data-total-output" in response.text
    assert ">14</output>" in response.text
    assert "150\u00a0000\u00a0kr</output>" in response.text


def test_report_totals_add_what_is_typed():
    assert followup.report_totals(None, None, [None]) == followup.ReportTotals(None, None)
    assert followup.report_totals(3, None, [Decimal("10"), None]) == followup.ReportTotals(
        3, Decimal("10")
    )
