"""Invitations and forgotten passwords: a link by e-mail (through the outbox), single use,
time-limited, bound to the password hash; the same answer whether or not an address
exists; rate limited; every reset is an event and tells the user."""

from __future__ import annotations

import re
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from finsam_ansokan.accounts import services
from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.accounts.tokens import Purpose, make_token, user_for_token
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db, limiter
from finsam_ansokan.notifications.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import PASSWORD

NEW_PASSWORD = "en alldeles ny lösenfras"
LINK = re.compile(r"https?://\S+/(?:inbjudan|aterstall-losenord)/\S+")


def _messages_to(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id)
        )
    )


def _link_in(message: OutboxMessage) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def _choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


@contextmanager
def signed_ago(seconds: int):
    """Links made inside are signed ``seconds`` in the past."""
    real = TimestampSigner.get_timestamp
    with patch.object(TimestampSigner, "get_timestamp", lambda self: real(self) - seconds):
        yield


def _events(kind: str, user: User) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(Event.kind == kind, Event.subject == f"user:{user.id}")
        )
    )


# --- the tokens themselves -----------------------------------------------------------------------
def test_a_link_works_for_its_own_purpose_only(app_ctx, factory):
    user = factory.user()
    token = make_token(user, Purpose.RESET)
    assert user_for_token(token, Purpose.RESET) is user
    with pytest.raises(DomainError, match="ogiltig"):
        user_for_token(token, Purpose.INVITATION)
    with pytest.raises(DomainError, match="ogiltig"):
        user_for_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], Purpose.RESET)


def test_a_link_dies_when_the_password_changes(app_ctx, factory):
    user = factory.user()
    token = make_token(user, Purpose.RESET)
    user.set_password(NEW_PASSWORD)
    db.session.flush()
    with pytest.raises(DomainError, match="redan använd"):
        user_for_token(token, Purpose.RESET)


def test_a_reset_link_expires(app_ctx, factory):
    user = factory.user()
    minutes = app_ctx.config["RESET_LINK_MINUTES"]
    with signed_ago((minutes - 1) * 60):
        recent = make_token(user, Purpose.RESET)
    with signed_ago((minutes + 1) * 60):
        old = make_token(user, Purpose.RESET)
    assert user_for_token(recent, Purpose.RESET) is user
    with pytest.raises(DomainError, match="för gammal"):
        user_for_token(old, Purpose.RESET)


def test_a_link_does_not_carry_the_password_hash(app_ctx, factory):
    import base64

    user = factory.user()
    token = make_token(user, Purpose.RESET)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert user.password_hash.encode() not in decoded
    assert b"scrypt" not in decoded


# --- invitations -------------------------------------------------------------------------------
def _invite(client, **fields) -> User:
    data = {
        "name": "Ingrid Inbjuden",
        "email": "ingrid@alvesta.example",
        "organisation_id": "0",
        "roles": ["revisor"],
        "active": "y",
    }
    data.update(fields)
    response = client.post("/admin/anvandare/ny", data=data)
    assert response.status_code == 302, response.text
    return db.session.scalars(select(User).where(User.email == data["email"])).one()


def test_an_invited_user_chooses_their_own_password_once(client, factory, login):
    login(factory.user(Role.KANSLI))
    user = _invite(client)
    assert "Inbjuden, inte accepterad" in client.get("/admin/anvandare").text
    [message] = _messages_to(user.email)
    assert "Inbjudan" in message.subject
    link = _link_in(message)
    client.post("/logga-ut")
    page = client.get(link)
    assert page.status_code == 200 and "Välkommen, Ingrid Inbjuden" in page.text
    assert _choose(client, link).status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.invitation_pending
    assert _events("invitation_accepted", user)
    used = client.get(link)
    assert used.status_code == 422 and "redan använd" in used.text
    assert _choose(client, link, "ett tredje lösenord här").status_code == 422
    response = client.post("/logga-in", data={"email": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_resent_invitation_kills_the_old_link_and_a_revoked_one_kills_both(
    client, factory, login
):
    login(factory.user(Role.ADMIN))
    user = _invite(client)
    first = _link_in(_messages_to(user.email)[0])
    assert client.post(f"/admin/anvandare/{user.id}/inbjudan").status_code == 302
    second = _link_in(_messages_to(user.email)[1])
    assert client.get(first).status_code == 422
    assert client.get(second).status_code == 200
    assert client.post(f"/admin/anvandare/{user.id}/inbjudan/aterkalla").status_code == 302
    assert client.get(second).status_code == 422
    db.session.refresh(user)
    assert not user.active and not user.invitation_pending


def test_an_invitation_link_expires(client, factory, login, app):
    login(factory.user(Role.ADMIN))
    user = _invite(client)
    with signed_ago((app.config["INVITATION_DAYS"] * 24 + 1) * 3600):
        old = make_token(user, Purpose.INVITATION)
    response = client.get(f"/inbjudan/{old}")
    assert response.status_code == 422 and "för gammal" in response.text
    assert client.get(_link_in(_messages_to(user.email)[0])).status_code == 200


# --- forgotten password ------------------------------------------------------------------------
def test_forgotten_password_answers_the_same_whether_or_not_the_address_exists(client, factory):
    user = factory.user()
    known = client.post("/glomt-losenord", data={"email": user.email}, follow_redirects=True)
    unknown = client.post(
        "/glomt-losenord", data={"email": "finns-inte@test.example"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert "Om adressen hör till ett konto" in known.text
    assert known.text.replace(user.email, "") == unknown.text.replace("finns-inte@test.example", "")
    assert len(_messages_to(user.email)) == 1
    assert _messages_to("finns-inte@test.example") == []


def test_a_forgotten_password_is_reset_without_the_kansli(client, factory):
    user = factory.user()
    other = factory.user()
    client.post("/glomt-losenord", data={"email": user.email.upper()})
    link = _link_in(_messages_to(user.email)[0])
    assert "Glömt lösenordet?" in client.get("/logga-in").text
    response = _choose(client, link, "kort")
    assert response.status_code == 422 and "minst 12 tecken" in response.text
    assert _choose(client, link).status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert _events("password_reset_by_link", user)
    told = _messages_to(user.email)[-1]
    assert "är bytt" in told.subject
    assert client.get(link).status_code == 422  # single use
    assert _messages_to(other.email) == []


def test_a_newer_reset_link_does_not_kill_the_older_but_a_used_one_kills_all(client, factory):
    user = factory.user()
    client.post("/glomt-losenord", data={"email": user.email})
    client.post("/glomt-losenord", data={"email": user.email})
    first, second = (_link_in(m) for m in _messages_to(user.email))
    assert _choose(client, second).status_code == 302
    assert client.get(first).status_code == 422


def test_resetting_by_link_ends_every_session(app, client, factory):
    user = factory.user()
    elsewhere = sign_in(app.test_client(), user, "password")
    assert elsewhere.get("/").status_code == 200
    client.post("/glomt-losenord", data={"email": user.email})
    _choose(client, _link_in(_messages_to(user.email)[0]))
    assert elsewhere.get("/").status_code == 302


def test_a_deactivated_user_gets_no_reset_link(client, factory):
    user = factory.user(active=False)
    client.post("/glomt-losenord", data={"email": user.email})
    assert _messages_to(user.email) == []


def test_forgotten_password_requests_are_rate_limited_per_account(app, client, factory):
    user = factory.user()
    saved = app.config["RESET_RATE_LIMIT"]
    app.config["RESET_RATE_LIMIT"] = "2 per hour"
    limiter.reset()
    try:
        statuses = [
            client.post("/glomt-losenord", data={"email": user.email}).status_code for _ in range(3)
        ]
        unknown = [
            client.post("/glomt-losenord", data={"email": "ingen@test.example"}).status_code
            for _ in range(3)
        ]
    finally:
        limiter.reset()
        app.config["RESET_RATE_LIMIT"] = saved
    assert statuses == [302, 302, 429]
    assert unknown == [302, 302, 429]  # the limit tells nothing about existence either
    assert len(_messages_to(user.email)) == 2


def test_kansli_forces_a_password_reset(app, client, factory, login):
    user = factory.user(Role.REVISOR)
    elsewhere = sign_in(app.test_client(), user)
    login(factory.user(Role.KANSLI))
    response = client.post(f"/admin/anvandare/{user.id}/tvinga-losenordsbyte")
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.check_password(PASSWORD)
    assert elsewhere.get("/").status_code == 302
    assert "Återställ" in _messages_to(user.email)[-1].subject
    assert _events("password_reset_forced", user)


def test_the_admin_sees_the_last_sign_in(client, factory, login):
    user = factory.user(Role.REVISOR)
    client.post("/logga-in", data={"email": user.email, "password": PASSWORD})
    client.post("/logga-ut")
    login(factory.user(Role.ADMIN))
    db.session.refresh(user)
    assert user.last_login_at is not None
    page = client.get(f"/admin/anvandare/{user.id}").text
    assert "Senaste inloggning" in page and "Aldrig" not in page.split("Senaste inloggning")[1][:80]


def test_an_anonymised_user_keeps_the_records_but_not_the_name(app, client, factory, login):
    from datetime import timedelta

    from finsam_ansokan.core.timeutil import utcnow

    admin = factory.user(Role.ADMIN)
    acted = factory.user(Role.REVISOR, name="Greta Gammal")
    db.session.add(Event(kind="something", actor_id=acted.id))
    db.session.flush()
    login(admin)
    too_early = client.post(f"/admin/anvandare/{acted.id}/anonymisera", follow_redirects=True)
    assert "Inaktivera kontot först" in too_early.text
    acted.active = False
    acted.deactivated_at = utcnow() - timedelta(days=10)
    db.session.flush()
    response = client.post(f"/admin/anvandare/{acted.id}/anonymisera", follow_redirects=True)
    assert "gallringstid" in response.text
    acted.deactivated_at = utcnow() - timedelta(days=400)
    db.session.flush()
    assert client.post(f"/admin/anvandare/{acted.id}/anonymisera").status_code == 302
    db.session.refresh(acted)
    assert acted.name == services.ANONYMOUS_NAME
    assert "Greta" not in acted.email and acted.anonymised_at is not None
    assert db.session.scalars(select(Event).where(Event.actor_id == acted.id)).first()
