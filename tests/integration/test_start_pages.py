from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.extensions import db


def _application(owner, title, status="utkast", number=None):
    application = Application(
        organisation=owner.organisation,
        created_by=owner,
        title=title,
        status=status,
        diarie_year=2026 if number else None,
        diarie_number=number,
    )
    db.session.add(application)
    db.session.flush()
    return application


def test_an_applicant_sees_only_their_own_organisations_applications(client, factory, login):
    mine = factory.user(Role.SOKANDE)
    theirs = factory.user(Role.SOKANDE)
    _application(mine, "Vår insats")
    _application(theirs, "Deras insats")
    login(mine)
    page = client.get("/").text
    assert "Vår insats" in page
    assert "Deras insats" not in page


def test_the_beredningsgrupp_sees_what_awaits_preparation(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    _application(applicant, "Inskickad insats", "inskickad", 901)
    _application(applicant, "Hemligt utkast")
    login(factory.user(Role.BEREDNING))
    page = client.get("/").text
    assert "Att göra" in page
    assert "Inskickade, att ta upp till beredning (1)" in page
    assert "Inskickad insats" in page
    assert "Hemligt utkast" not in page


def test_the_board_sees_what_awaits_decision(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    _application(applicant, "Redo för beslut", "klar_for_beslut", 902)
    _application(applicant, "Under beredning", "under_beredning", 903)
    login(factory.user(Role.STYRELSE))
    page = client.get("/").text
    assert "Klara för beslut i styrelsen (1)" in page
    assert "Redo för beslut" in page
    assert "Under beredning</a>" not in page


def test_navigation_shows_administration_only_to_those_who_may_use_it(client, factory, login):
    login(factory.user(Role.KANSLI))
    assert "Användare</a>" in client.get("/").text
    login(factory.user(Role.STYRELSE))
    assert "Användare</a>" not in client.get("/").text


# --- Att göra --------------------------------------------------------------------------------


def test_a_draft_shared_with_the_beredningsgrupp_is_in_their_work_list(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    shared = factory.application(applicant, title="Delat utkast om unga", shared=True)
    factory.application(applicant, title="Ej delat utkast")
    login(factory.user(Role.BEREDNING))
    page = client.get("/").text
    assert "Utkast delade med beredningsgruppen (1)" in page
    assert f'href="/ansokningar/{shared.id}"' in page
    assert "Ej delat utkast" not in page
    # the count links to the filtered list, which shows the same
    listing = client.get("/ansokningar?status=utkast&delade=1").text
    assert "Delat utkast om unga" in listing
    assert "Ej delat utkast" not in listing


def test_the_applicant_finds_the_komplettering_asked_of_them(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    application = factory.application(
        applicant, title="Insats att komplettera", status="komplettering_begard"
    )
    login(applicant)
    page = client.get("/").text
    assert "Kompletteringar som begärts av er (1)" in page
    assert f'href="/ansokningar/{application.id}"' in page


def test_the_beredningsgrupp_finds_the_applicants_answer_in_their_work_list(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    beredning = factory.user(Role.BEREDNING)
    application = factory.application(applicant, title="Svar väntar", status="under_beredning")
    login(beredning)
    client.post(
        f"/ansokningar/{application.id}/kommentarer",
        data={"body": "Hur deltar regionen?", "section": "sokande"},
    )
    login(applicant)
    client.post(
        f"/ansokningar/{application.id}/kommentarer",
        data={"body": "Regionen deltar i styrgruppen.", "section": "sokande"},
    )
    login(beredning)
    page = client.get("/").text
    assert "Ansökningar med kommentarer du inte har läst (1)" in page
    assert f'href="/ansokningar/{application.id}/kommentarer"' in page
    client.get(f"/ansokningar/{application.id}/kommentarer")
    assert "kommentarer du inte har läst" not in client.get("/").text


def test_the_kansli_sees_cases_ready_for_the_agenda_with_a_link_to_the_list(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    factory.application(applicant, title="Klar för dagordningen", status="klar_for_beslut")
    login(factory.user(Role.KANSLI))
    page = client.get("/").text
    assert "Klara för beslut, att föra upp på dagordningen (1)" in page
    assert 'href="/ansokningar?status=klar_for_beslut"' in page


def test_status_counts_link_to_the_filtered_list(client, factory, login):
    login(factory.user(Role.REVISOR))
    page = client.get("/").text
    assert 'href="/ansokningar?status=under_beredning"' in page


def test_nothing_waiting_says_so(client, factory, login):
    login(factory.user(Role.STYRELSE))
    assert "Inget väntar på dig just nu." in client.get("/").text


def test_reports_and_rekvisitioner_waiting_for_the_kansli_are_counted(client, factory, login):
    from finsam_ansokan.core.timeutil import utcnow
    from finsam_ansokan.followup.models import Report

    project = factory.granted_project(schedule=True)
    report = db.session.query(Report).filter_by(application_id=project.id).first()
    report.status, report.submitted_at = "inskickad", utcnow()
    db.session.flush()
    login(factory.user(Role.KANSLI))
    page = client.get("/").text
    assert "Rapporter att granska (1)" in page
    assert 'href="/uppfoljning"' in page
