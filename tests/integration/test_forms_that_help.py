"""Forms that help: cross-field errors at save, beside the field, with the rest saved; the
right words for a resubmission."""

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db


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
