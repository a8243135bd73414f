from sqlalchemy import select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db
from tests.conftest import sign_in


def _user_form(**overrides):
    data = {
        "name": "Nils Nyman",
        "email": "nils.nyman@alvesta.example",
        "title": "Handläggare",
        "organisation_id": "0",
        "roles": ["sokande"],
        "active": "y",
    }
    data.update(overrides)
    return data


def test_kansli_creates_a_user_with_roles_and_organisation(client, factory, login):
    login(factory.user(Role.KANSLI))
    alvesta = factory.organisation("Alvesta kommun")
    response = client.post(
        "/admin/anvandare/ny",
        data=_user_form(organisation_id=str(alvesta.id), roles=["sokande", "beredning"]),
    )
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "nils.nyman@alvesta.example")).one()
    assert user.roles == {Role.SOKANDE, Role.BEREDNING}
    assert user.organisation.name == "Alvesta kommun"
    # nobody typed a password for them: an invitation waits, and no password works
    assert user.invitation_pending
    assert not user.check_password("")


def test_an_applicant_must_belong_to_an_organisation(client, factory, login):
    login(factory.user(Role.ADMIN))
    response = client.post("/admin/anvandare/ny", data=_user_form())
    assert response.status_code == 422
    assert "måste höra till en medlemsorganisation" in response.text
    assert "Nils Nyman" in response.text  # what was typed is shown again
    assert db.session.scalars(select(User).where(User.name == "Nils Nyman")).first() is None


def test_two_users_cannot_share_an_email_address(client, factory, login):
    login(factory.user(Role.ADMIN))
    existing = factory.user(Role.REVISOR)
    response = client.post(
        "/admin/anvandare/ny", data=_user_form(email=existing.email.upper(), roles=["revisor"])
    )
    assert "Det finns redan en användare med den e-postadressen." in response.text


def test_deactivating_a_user_logs_them_out_and_keeps_the_record(app, client, factory, login):
    kansli = factory.user(Role.KANSLI)
    target = factory.user(Role.REVISOR)
    other = sign_in(app.test_client(), target)
    assert other.get("/").status_code == 200
    login(kansli)
    response = client.post(
        f"/admin/anvandare/{target.id}",
        data=_user_form(name=target.name, email=target.email, roles=["revisor"], active=""),
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.active is False
    assert other.get("/").status_code == 302
    assert f">{target.name}</a>" not in client.get("/admin/anvandare").text
    assert f">{target.name}</a>" in client.get("/admin/anvandare?visa=alla").text


def test_a_user_who_has_acted_can_be_deactivated_but_not_deleted(client, factory, login):
    admin = factory.user(Role.ADMIN)
    acted = factory.user(Role.REVISOR)
    db.session.add(Event(kind="something", actor_id=acted.id))
    db.session.flush()
    login(admin)
    page = client.get(f"/admin/anvandare/{acted.id}")
    assert "kan inte tas bort" in page.text
    response = client.post(f"/admin/anvandare/{acted.id}/ta-bort", follow_redirects=True)
    assert "Inaktivera kontot i stället" in response.text
    assert db.session.get(User, acted.id) is not None


def test_a_user_who_never_acted_can_be_deleted(client, factory, login):
    login(factory.user(Role.ADMIN))
    fresh = factory.user(Role.REVISOR)
    response = client.post(f"/admin/anvandare/{fresh.id}/ta-bort")
    assert response.status_code == 302
    assert db.session.get(User, fresh.id) is None


def test_an_administrator_cannot_lock_themselves_out(client, factory, login):
    admin = factory.user(Role.ADMIN)
    login(admin)
    response = client.post(
        f"/admin/anvandare/{admin.id}",
        data=_user_form(name=admin.name, email=admin.email, roles=["revisor"]),
    )
    assert "Du kan inte ta bort din egen behörighet" in response.text


def test_kansli_adds_and_edits_a_member_organisation(client, factory, login):
    login(factory.user(Role.KANSLI))
    response = client.post(
        "/admin/organisationer/ny",
        data={"name": "Uppvidinge kommun", "kind": "kommun", "population": "9578", "active": "y"},
    )
    assert response.status_code == 302
    organisation = db.session.scalars(
        select(Organisation).where(Organisation.name == "Uppvidinge kommun")
    ).one()
    assert organisation.population == 9578
    response = client.post(
        f"/admin/organisationer/{organisation.id}",
        data={"name": "Uppvidinge kommun", "kind": "landsting"},
    )
    assert response.status_code == 422  # an unknown kind is refused, not stored
    db.session.refresh(organisation)
    assert organisation.kind == "kommun"


def test_user_administration_is_logged_in_the_event_log(client, factory, login):
    kansli = factory.user(Role.KANSLI)
    login(kansli)
    client.post("/admin/anvandare/ny", data=_user_form(roles=["revisor"]))
    event = db.session.scalars(select(Event).where(Event.kind == "user_created")).one()
    assert event.actor_id == kansli.id
