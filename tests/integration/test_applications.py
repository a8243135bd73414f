"""The application form through the test client: drafts, rules, submission, permissions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import policy, queries, services
from finsam_ansokan.applications.models import Application, ApplicationVersion
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db

from .application_helpers import YEAR, applicant, complete, draft, ensure_budget_year


def _url(application, tail=""):
    return f"/ansokningar/{application.id}{tail}"


def _save(client, application, section, **data):
    db.session.refresh(application)
    data.setdefault("lock_version", str(application.lock_version))
    return client.post(_url(application, f"/avsnitt/{section}"), data=data)


# --- starting ----------------------------------------------------------------------------


def test_an_applicant_starts_an_application_for_their_own_organisation(client, factory, login):
    owner = applicant(factory)
    other = factory.organisation("Annan kommun")
    ensure_budget_year(factory)
    area = factory.huvudomrade("Pilotprojekt")
    login(owner)
    response = client.post(
        "/ansokningar/ny",
        data={
            "title": "Vår insats",
            "huvudomrade_id": str(area.id),
            "first_year": str(YEAR),
            "last_year": "",
            "organisation_id": str(other.id),  # tampered: ignored
        },
    )
    assert response.status_code == 302
    application = db.session.scalars(select(Application).filter_by(title="Vår insats")).one()
    assert application.organisation_id == owner.organisation_id
    assert application.years == [YEAR]
    assert application.status == Status.UTKAST
    assert [p.organisation_id for p in application.parties] == [owner.organisation_id]


def test_a_year_without_budget_cannot_be_chosen(client, factory, login):
    ensure_budget_year(factory)
    login(applicant(factory))
    response = client.post("/ansokningar/ny", data={"first_year": "1999"})
    assert response.status_code == 200
    assert "Välj ett av alternativen." in response.text
    assert db.session.scalar(select(func.count(Application.id))) == 0


# --- saving a draft ----------------------------------------------------------------------


def test_a_draft_saves_with_any_subset_of_fields(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    response = _save(client, application, "behov", need="Bara behovet så här långt.")
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.need == "Bara behovet så här långt."
    assert application.not_ordinary_work is None
    page = client.get(_url(application)).text
    assert "Påbörjad" in page


def test_a_bad_date_is_shown_again_and_the_rest_is_saved(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    response = _save(
        client,
        application,
        "insatsen",
        title="Ny titel",
        start_date="31 februari",
        end_date="",
        first_year=str(YEAR),
        last_year=str(YEAR),
    )
    assert response.status_code == 200
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in response.text
    assert 'value="31 februari"' in response.text
    db.session.refresh(application)
    assert application.title == "Ny titel"
    assert application.start_date is None


def test_amounts_must_be_whole_non_negative_kronor(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    response = _save(
        client,
        application,
        "budget",
        **{
            f"budget-{YEAR}-personal": "-100",
            f"budget-{YEAR}-lokaler": "tjugo",
            f"budget-{YEAR}-ovrigt": "12,50",
            f"budget-{YEAR}-medfinansiering": "1 000",
        },
    )
    assert response.status_code == 200
    assert "Beloppet kan inte vara negativt." in response.text
    assert "Skriv beloppet med siffror" in response.text
    assert "Ange beloppet i hela kronor." in response.text
    assert 'value="tjugo"' in response.text
    db.session.refresh(application)
    assert [(line.category, line.amount) for line in application.budget_lines] == [
        ("medfinansiering", Decimal("1000"))
    ]


def test_sums_are_computed_per_year_and_in_total(client, factory, login):
    ensure_budget_year(factory, YEAR + 1)
    application = draft(factory, last_year=YEAR + 1)
    login(application.created_by)
    _save(
        client,
        application,
        "budget",
        **{
            f"budget-{YEAR}-personal": "100 000",
            f"budget-{YEAR}-medfinansiering": "10 000",
            f"budget-{YEAR + 1}-ovrigt": "5000",
        },
    )
    sums = queries.budget_sums(application.id)
    assert sums.requested == {YEAR: Decimal("90000"), YEAR + 1: Decimal("5000")}
    assert sums.total_requested == Decimal("95000")
    assert "95\u00a0000\u00a0kr" in client.get(_url(application)).text


def test_oversized_text_is_refused_with_a_message(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    response = _save(client, application, "behov", need="x" * 5001, not_ordinary_work="Kort.")
    assert "Texten är för lång: högst 5000 tecken." in response.text
    db.session.refresh(application)
    assert application.need is None
    assert application.not_ordinary_work == "Kort."


def test_html_in_a_field_is_stored_as_text_and_shown_escaped(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    _save(client, application, "behov", need="<script>alert(1)</script>")
    db.session.refresh(application)
    assert application.need == "<script>alert(1)</script>"
    page = client.get(_url(application, "/avsnitt/behov")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_tampered_party_is_refused_with_a_message_and_not_stored(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    response = _save(client, application, "sokande", contact_name="Kim", parties=["999999"])
    assert response.status_code == 200
    assert "Välj bland förbundets medlemmar." in response.text
    db.session.refresh(application)
    assert [p.organisation_id for p in application.parties] == [application.organisation_id]
    assert application.contact_name == "Kim"  # the valid fields of the section are saved


def test_the_service_refuses_a_party_that_is_not_a_member(factory):
    application = draft(factory)
    section = services.section_by_slug("sokande")
    with pytest.raises(services.DomainError, match="Välj bland förbundets medlemmar"):
        services.save_section(
            application,
            section,
            {"parties": [999999]},
            started_from=application.lock_version,
            actor=application.created_by,
        )


def test_two_people_saving_the_same_draft_do_not_overwrite_each_other(client, factory, login):
    application = draft(factory)
    login(application.created_by)
    loaded = str(application.lock_version)
    first = _save(client, application, "behov", need="Kollegans text.", lock_version=loaded)
    assert first.status_code == 302
    second = _save(client, application, "behov", need="Min egen text.", lock_version=loaded)
    assert second.status_code == 200
    assert "Någon annan har sparat ansökan" in second.text
    assert "Min egen text." in second.text  # what I typed is still there
    assert "Kollegans text." in second.text  # and what the other saved is shown
    db.session.refresh(application)
    assert application.need == "Kollegans text."
    # saving again from the conflict page (with its fresh lock_version) goes through
    fresh = re.search(r'name="lock_version" type="hidden" value="(\d+)"', second.text)
    third = _save(client, application, "behov", need="Sammanslaget.", lock_version=fresh[1])
    assert third.status_code == 302
    db.session.refresh(application)
    assert application.need == "Sammanslaget."


def test_shrinking_the_years_drops_the_budget_of_the_year_removed(client, factory, login):
    ensure_budget_year(factory, YEAR + 1)
    application = draft(factory, last_year=YEAR + 1)
    login(application.created_by)
    _save(client, application, "budget", **{f"budget-{YEAR + 1}-personal": "1000"})
    _save(client, application, "insatsen", first_year=str(YEAR), last_year=str(YEAR))
    db.session.refresh(application)
    assert application.years == [YEAR]
    assert application.budget_lines == []


def test_last_year_before_first_year_is_refused(client, factory, login):
    ensure_budget_year(factory, YEAR + 1)
    application = draft(factory)
    login(application.created_by)
    response = _save(client, application, "insatsen", first_year=str(YEAR + 1), last_year=str(YEAR))
    assert "Sista budgetåret kan inte vara före det första." in response.text
    db.session.refresh(application)
    assert application.first_year == YEAR


# --- completeness ------------------------------------------------------------------------


def test_submitting_an_incomplete_draft_lists_each_problem_as_a_link(client, factory, login):
    application = draft(factory, title="Halvfärdig")
    login(application.created_by)
    response = client.post(_url(application, "/skicka-in"))
    assert response.status_code == 200
    assert "Beskriv hur insatsen arbetar med jämställdhet." in response.text
    assert f'href="/ansokningar/{application.id}/avsnitt/jamstalldhet?kontroll=1#gender_work"' in (
        response.text
    )
    db.session.refresh(application)
    assert application.status == Status.UTKAST
    assert application.diarie_number is None
    # the section page then shows the message at the field itself
    section = client.get(_url(application, "/avsnitt/jamstalldhet?kontroll=1")).text
    assert 'id="gender_work-error"' in section


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_date": None}, "Ange slutdatum."),
        ({"gender_split_reporting": False}, "Resultaten ska redovisas uppdelat på kön."),
        ({"expected_women": 0, "expected_men": 0}, "Ange hur många deltagare"),
    ],
)
def test_each_rule_stops_submission(factory, change, message):
    application = complete(factory, **change)
    messages = [p.message for p in services.completeness_problems(application)]
    assert any(m.startswith(message) for m in messages), messages


def test_end_date_must_be_after_start_date(factory):
    application = complete(factory)
    application.end_date = application.start_date
    assert [p.field for p in services.completeness_problems(application)] == ["end_date"]


def test_one_party_is_not_enough_and_kommuner_count_as_one(factory):
    application = complete(factory)
    state = next(p for p in application.parties if p.organisation.kind == "stat")
    application.parties.remove(state)
    application.parties.append(
        type(state)(organisation_id=factory.organisation("Grannkommunen").id)
    )
    db.session.flush()
    db.session.expire(application, ["parties"])
    problems = services.completeness_problems(application)
    assert [p.field for p in problems] == ["parties"]


def test_the_years_asked_for_must_exist_as_budget_years(factory):
    application = complete(factory)
    application.last_year = YEAR + 5
    problems = services.completeness_problems(application)
    missing = ", ".join(str(YEAR + n) for n in range(1, 6))
    assert problems[0].message.startswith(f"Förbundet har ingen budget för {missing}.")


def test_co_funding_larger_than_the_costs_stops_submission(factory):
    application = complete(factory)
    from finsam_ansokan.applications.models import BudgetLine

    application.budget_lines.append(
        BudgetLine(year=YEAR, category="medfinansiering", amount=Decimal("400000"))
    )
    db.session.flush()
    assert [p.field for p in services.completeness_problems(application)] == [
        f"budget-{YEAR}-medfinansiering"
    ]


def test_a_complete_application_has_no_problems_and_every_section_is_done(factory):
    application = complete(factory)
    problems = services.completeness_problems(application)
    assert problems == []
    assert set(services.section_states(application, problems).values()) == {
        services.SectionState.COMPLETE
    }


# --- submission --------------------------------------------------------------------------


def test_submission_gives_a_diarienummer_and_makes_the_application_read_only(
    client, factory, login
):
    application = complete(factory)
    login(application.created_by)
    response = client.post(_url(application, "/skicka-in"))
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == Status.INSKICKAD
    assert application.diarienummer == f"{YEAR}/{application.diarie_number}"
    assert len(application.versions) == 1
    assert application.versions[0].content["title"] == "Samverkan för unga"
    # read-only for the applicant now
    edit = _save(client, application, "behov", need="Ändrat i efterhand")
    assert edit.status_code == 302
    db.session.refresh(application)
    assert application.need == "Insatserna hänger inte ihop."
    assert "Spara utkast" not in client.get(_url(application, "/avsnitt/behov")).text


def test_a_double_clicked_submit_gives_one_diarienummer(client, factory, login):
    application = complete(factory)
    login(application.created_by)
    client.post(_url(application, "/skicka-in"))
    second = client.post(_url(application, "/skicka-in"), follow_redirects=True)
    assert second.status_code == 200
    assert "redan inskickad" in second.text
    db.session.refresh(application)
    assert len(application.versions) == 1
    events = db.session.scalars(
        select(Event).where(Event.application_id == application.id, Event.kind == "status_changed")
    ).all()
    assert len(events) == 1


def test_diarienummer_count_per_year_and_are_never_reused(factory):
    first = complete(factory)
    second = complete(factory)
    services.submit(first, actor=first.created_by)
    services.withdraw(first, actor=first.created_by)
    services.submit(second, actor=second.created_by)
    assert second.diarie_number == first.diarie_number + 1
    assert services.allocate_diarienummer(2090) == (2090, 1)
    assert services.allocate_diarienummer(2090) == (2090, 2)


def test_a_resubmission_is_a_new_version_and_the_changes_can_be_seen(client, factory, login):
    application = complete(factory)
    owner = application.created_by
    services.submit(application, actor=owner)
    number = application.diarienummer
    services.transition(application, Action.REQUEST_INFO, actor=factory.user(Role.KANSLI))
    db.session.flush()
    login(owner)
    _save(client, application, "behov", need="Insatserna hänger inte alls ihop.")
    assert client.post(_url(application, "/skicka-in")).status_code == 302
    db.session.refresh(application)
    assert application.diarienummer == number
    assert application.status == Status.UNDER_BEREDNING
    assert [v.number for v in application.versions] == [1, 2]
    login(factory.user(Role.REVISOR))
    page = client.get(_url(application, "/versioner/jamfor?fran=1&till=2")).text
    assert "<ins>alls </ins>" in page
    assert "Behov och bakgrund" in page


def test_an_undecided_application_can_be_withdrawn(client, factory, login):
    application = complete(factory)
    services.submit(application, actor=application.created_by)
    db.session.flush()
    login(application.created_by)
    assert client.get(_url(application, "/aterkalla")).status_code == 200
    assert client.post(_url(application, "/aterkalla")).status_code == 302
    db.session.refresh(application)
    assert application.status == Status.ATERKALLAD
    # and cannot be withdrawn twice
    again = client.post(_url(application, "/aterkalla"), follow_redirects=True)
    assert "Det går inte att återkalla" in again.text


def test_versions_are_immutable_records(factory):
    application = complete(factory)
    version = services.submit(application, actor=application.created_by)
    assert db.session.get(ApplicationVersion, version.id).content["need"] == (
        "Insatserna hänger inte ihop."
    )


# --- who may do what ---------------------------------------------------------------------


def test_an_applicant_cannot_see_another_organisations_application(client, factory, login):
    application = draft(factory)
    login(applicant(factory))
    assert client.get(_url(application)).status_code == 404
    assert client.get(_url(application, "/avsnitt/behov")).status_code == 404
    assert _save(client, application, "behov", need="Intrång").status_code == 404
    assert client.post(_url(application, "/skicka-in")).status_code == 404


@pytest.mark.parametrize(
    ("role", "draft_status", "submitted_status"),
    [
        (Role.KANSLI, 404, 200),  # the kansli reads a draft once it is shared
        (Role.BEREDNING, 404, 200),
        (Role.STYRELSE, 404, 200),
        (Role.REVISOR, 404, 200),
        (Role.ADMIN, 404, 200),
    ],
)
def test_who_sees_drafts_and_submitted_applications(
    client, factory, login, role, draft_status, submitted_status
):
    a_draft = draft(factory)
    submitted = complete(factory)
    services.submit(submitted, actor=submitted.created_by)
    db.session.flush()
    login(factory.user(role))
    assert client.get(_url(a_draft)).status_code == draft_status
    assert client.get(_url(submitted)).status_code == submitted_status
    listing = client.get("/ansokningar").text
    assert (submitted.title in listing) is True
    assert (a_draft.display_title in listing) is (draft_status == 200)


@pytest.mark.parametrize("role", [Role.KANSLI, Role.BEREDNING, Role.STYRELSE, Role.REVISOR])
def test_only_the_applicant_may_edit_submit_or_withdraw(client, factory, login, role):
    application = complete(factory)
    db.session.flush()
    login(factory.user(role))
    assert _save(client, application, "behov", need="Ändrat").status_code == 403
    assert client.post(_url(application, "/skicka-in")).status_code == 403
    assert client.post(_url(application, "/aterkalla")).status_code == 403
    db.session.refresh(application)
    assert application.need == "Insatserna hänger inte ihop."


def test_the_list_query_agrees_with_the_policy(factory):
    owner = applicant(factory)
    own_draft = draft(factory, owner)
    other_draft = draft(factory)
    shared = draft(factory, shared_for_comments=True)
    submitted = complete(factory)
    services.submit(submitted, actor=submitted.created_by)
    db.session.flush()
    users = [owner, *(factory.user(r) for r in Role)]
    for user in users:
        listed = {a.id for a in queries.search(user, queries.Filters(), per_page=100).items}
        for application in (own_draft, other_draft, shared, submitted):
            assert (application.id in listed) == policy.can_view(user, application), (
                user.roles,
                application.title,
            )


def test_the_list_filters_sorts_and_pages(client, factory, login, app):
    kansli = factory.user(Role.KANSLI)
    area = factory.huvudomrade("Verktyg")
    for n in range(3):
        case = complete(factory, title=f"Insats {n}", huvudomrade_id=area.id)
        services.submit(case, actor=case.created_by)  # the kansli reads submitted cases
    draft(factory, title="Annat område")
    db.session.flush()
    login(kansli)
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get(f"/ansokningar?omrade={area.id}&sortera=titel").text
        assert "Insats 0" in first and "Insats 1" in first and "Insats 2" not in first
        assert "Annat område" not in first
        second = client.get(f"/ansokningar?omrade={area.id}&sortera=titel&sida=2").text
        assert "Insats 2" in second
        assert "Ansökningar, 3 st (sida 2 av 2)" in second
        # a page past the end (a bookmark from when there were more) shows the last page
        past = client.get(f"/ansokningar?omrade={area.id}&sortera=titel&sida=9").text
        assert "Insats 2" in past and "Ansökningar, 3 st (sida 2 av 2)" in past
        nothing = client.get("/ansokningar?q=finnsinte&sida=3").text
        assert "Ansökningar, 0 st" in nothing and "Inga ansökningar." in nothing
        # nonsense parameters are ignored, never an error
        odd = client.get("/ansokningar?status=hackad&ar=x&sida=-4&sortera=%3Cscript%3E")
        assert odd.status_code == 200
    finally:
        app.config["PAGE_SIZE"] = 25


def test_the_page_script_can_save_a_section_in_the_background(client, factory, login):
    """Autosave posts the same form with X-Autosave and gets JSON back, never a page."""
    application = draft(factory)
    login(application.created_by)
    response = client.post(
        _url(application, "/avsnitt/behov"),
        data={"need": "Skrivet utan att trycka på knappen.", "lock_version": "1"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200
    assert response.json["status"] == "saved"
    db.session.refresh(application)
    assert application.need == "Skrivet utan att trycka på knappen."
    assert response.json["lock_version"] == application.lock_version

    stale = client.post(
        _url(application, "/avsnitt/behov"),
        data={"need": "Från en gammal flik.", "lock_version": "1"},
        headers={"X-Autosave": "1"},
    )
    assert stale.json["status"] == "conflict"
    db.session.refresh(application)
    assert application.need == "Skrivet utan att trycka på knappen."
