"""Two-factor sign-in (TOTP): required for kansli and admin, enrolment with a QR code drawn
by the server, recovery codes shown once, codes used once and only near the server's time,
and re-authentication before the most sensitive actions."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from finsam_ansokan.accounts import twofactor
from finsam_ansokan.accounts.models import UserSession
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.accounts.routes import ENROL_KEY, PENDING_KEY
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db, limiter
from tests.factories import PASSWORD


def _password(client, user, **kwargs):
    return client.post("/logga-in", data={"email": user.email, "password": PASSWORD}, **kwargs)


def _code(client, code):
    return client.post("/logga-in/kod", data={"code": code})


def _enrolled(factory, *roles):
    user = factory.user(*roles)
    user.totp_secret = pyotp.random_base32()
    db.session.flush()
    return user


def _session_row(user) -> UserSession:
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()


def test_the_kansli_cannot_work_without_enrolling_the_second_factor(client, factory):
    kansli = factory.user(Role.KANSLI)
    assert _password(client, kansli).status_code == 302
    for page in ("/", "/admin/anvandare", "/ansokningar"):
        response = client.get(page)
        assert response.status_code == 302
        assert response.headers["Location"] == "/konto/tvastegsverifiering"
    page = client.get("/konto/tvastegsverifiering")
    assert "Din roll kräver tvåstegsverifiering" in page.text
    assert 'src="data:image/svg+xml' in page.text  # the QR code, drawn by the server
    with client.session_transaction() as session:
        secret = session[ENROL_KEY]
    assert secret in page.text  # and the key as text, for typing in by hand
    wrong = client.post("/konto/tvastegsverifiering", data={"code": "000000"})
    assert wrong.status_code == 422 and "Koden stämmer inte" in wrong.text
    done = client.post("/konto/tvastegsverifiering", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert "Koderna visas bara nu" in done.text
    assert done.text.count("<li><code>") == twofactor.RECOVERY_CODE_COUNT
    assert client.get("/").status_code == 200
    db.session.refresh(kansli)
    assert kansli.totp_secret == secret
    # shown once: the page now only says how many are left
    assert "10 oanvända reservkoder" in client.get("/konto/tvastegsverifiering").text


def test_an_enrolled_user_signs_in_with_password_and_code(client, factory):
    admin = _enrolled(factory, Role.ADMIN)
    response = _password(client, admin, query_string={"next": "/admin/anvandare"})
    assert response.headers["Location"] == "/logga-in/kod"
    assert client.get("/").status_code == 302  # not signed in before the code
    response = _code(client, pyotp.TOTP(admin.totp_secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/anvandare"
    assert client.get("/admin/anvandare").status_code == 200
    assert _session_row(admin).method == "totp"


def test_a_time_shifted_code_is_refused(client, factory):
    user = _enrolled(factory, Role.KANSLI)
    _password(client, user)
    totp = pyotp.TOTP(user.totp_secret)
    for shift in (-300, -90, +90, +300):
        response = _code(client, totp.at(time.time() + shift))
        assert response.status_code == 422, shift
        assert "Koden stämmer inte" in response.text
    assert client.get("/").status_code == 302
    assert _code(client, totp.now()).status_code == 302  # the control: the current code works


def test_a_code_works_only_once(app, client, factory):
    user = _enrolled(factory, Role.KANSLI)
    code = pyotp.TOTP(user.totp_secret).now()
    _password(client, user)
    assert _code(client, code).status_code == 302
    other = app.test_client()
    _password(other, user)
    response = _code(other, code)
    assert response.status_code == 422 and "redan använts" in response.text


def test_a_recovery_code_works_once_instead_of_the_app(client, factory, login):
    user = factory.user(Role.REVISOR)
    secret = twofactor.new_secret()
    codes = twofactor.enrol(user, secret, pyotp.TOTP(secret).now())
    db.session.flush()
    user.totp_last_step = None
    _password(client, user)
    response = _code(client, codes[3].lower())
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logga-ut")
    _password(client, user)
    assert _code(client, codes[3]).status_code == 422
    assert twofactor.recovery_codes_left(user) == twofactor.RECOVERY_CODE_COUNT - 1


def test_the_code_page_expires_and_needs_the_password_first(client, factory):
    user = _enrolled(factory, Role.KANSLI)
    assert client.get("/logga-in/kod").headers["Location"] == "/logga-in"
    _password(client, user)
    with client.session_transaction() as session:
        session[PENDING_KEY]["at"] -= 301
        session.modified = True
    response = _code(client, pyotp.TOTP(user.totp_secret).now())
    assert response.headers["Location"] == "/logga-in"
    assert client.get("/").status_code == 302


def test_wrong_codes_are_rate_limited(app, client, factory):
    user = _enrolled(factory, Role.KANSLI)
    saved = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        _password(client, user)
        statuses = [_code(client, "123456").status_code for _ in range(4)]
    finally:
        limiter.reset()
        app.config["LOGIN_RATE_LIMIT"] = saved
    assert statuses == [422, 422, 422, 429]


def test_the_forbund_can_require_the_second_factor_for_styrelse(app, client, factory):
    from finsam_ansokan.accounts.models import Forbund

    styrelse = factory.user(Role.STYRELSE)
    assert not twofactor.required_for(styrelse)
    db.session.add(Forbund(name="F", organisation_number="1", totp_for_styrelse=True))
    db.session.flush()
    _password(client, styrelse)
    assert client.get("/").headers["Location"] == "/konto/tvastegsverifiering"


def test_a_user_whose_role_does_not_require_it_may_turn_it_off(client, factory, login):
    user = _enrolled(factory, Role.SOKANDE)
    login(user)
    assert client.post("/konto/tvastegsverifiering/stang-av").status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None
    kansli = _enrolled(factory, Role.KANSLI)
    login(kansli)
    assert client.post("/konto/tvastegsverifiering/stang-av").status_code == 422
    db.session.refresh(kansli)
    assert kansli.totp_secret is not None


@pytest.mark.parametrize(
    "action",
    [
        ("post", "/admin/anvandare/{target}", {"name": "Ny", "email": "ny@test.example"}),
        ("post", "/admin/anvandare/{target}/tvinga-losenordsbyte", {}),
        ("get", "/admin/anvandare/ny", {}),
    ],
    ids=["change roles", "force reset", "new user"],
)
def test_sensitive_actions_ask_to_prove_it_is_you_again(client, factory, login, action):
    method, url, data = action
    kansli = _enrolled(factory, Role.KANSLI)
    target = factory.user(Role.REVISOR)
    login(kansli)
    row = _session_row(kansli)
    row.authenticated_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    url = url.format(target=target.id)
    response = client.open(
        url,
        method=method.upper(),
        data={**data, "roles": ["kansli"], "organisation_id": "0", "active": "y"},
        headers={"Referer": f"http://localhost/admin/anvandare/{target.id}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/bekrafta?next=")
    db.session.refresh(target)
    assert target.roles == {Role.REVISOR} and target.check_password(PASSWORD)  # nothing done
    page = client.get(response.headers["Location"])
    assert "Bekräfta att det är du" in page.text
    wrong = client.post(
        response.headers["Location"],
        data={"password": PASSWORD, "code": "000000"},
    )
    assert wrong.status_code == 422
    right = client.post(
        response.headers["Location"],
        data={"password": PASSWORD, "code": pyotp.TOTP(kansli.totp_secret).now()},
    )
    assert right.status_code == 302
    assert client.get(url.replace("/tvinga-losenordsbyte", "")).status_code == 200
