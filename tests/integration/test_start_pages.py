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
    assert "Att bereda" in page
    assert "Inskickad insats" in page
    assert "Hemligt utkast" not in page


def test_the_board_sees_what_awaits_decision(client, factory, login):
    applicant = factory.user(Role.SOKANDE)
    _application(applicant, "Redo för beslut", "klar_for_beslut", 902)
    _application(applicant, "Under beredning", "under_beredning", 903)
    login(factory.user(Role.STYRELSE))
    page = client.get("/").text
    assert "Att besluta" in page
    assert "Redo för beslut" in page
    assert "Under beredning</td>" not in page


def test_navigation_shows_administration_only_to_those_who_may_use_it(client, factory, login):
    login(factory.user(Role.KANSLI))
    assert "Användare</a>" in client.get("/").text
    login(factory.user(Role.STYRELSE))
    assert "Användare</a>" not in client.get("/").text
