from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.extensions import db, limiter
from tests.conftest import sign_in
from tests.factories import PASSWORD


def _login(client, email, password=PASSWORD, **kwargs):
    return client.post("/logga-in", data={"email": email, "password": password}, **kwargs)


def test_a_user_logs_in_with_email_and_password_and_sees_the_start_page(client, factory):
    user = factory.user(Role.SOKANDE, name="Eva Exempel")
    response = _login(client, user.email.upper(), follow_redirects=True)
    assert response.status_code == 200
    assert "Välkommen, Eva Exempel" in response.text


def test_unknown_email_and_wrong_password_give_the_same_message(client, factory):
    user = factory.user()
    wrong_password = _login(client, user.email, "fel-losenord-helt")
    unknown = _login(client, "ingen@test.example")
    assert wrong_password.status_code == unknown.status_code == 422
    assert "Fel e-postadress eller lösenord." in wrong_password.text
    assert "Fel e-postadress eller lösenord." in unknown.text
    assert user.email in wrong_password.text  # the typed address is kept in the form


def test_a_deactivated_user_cannot_log_in(client, factory):
    user = factory.user(active=False)
    response = _login(client, user.email)
    assert "Fel e-postadress eller lösenord." in response.text


def test_logging_in_starts_a_fresh_session(client, factory):
    user = factory.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_login_only_redirects_to_pages_on_this_site(client, factory):
    user = factory.user()
    response = _login(client, user.email, query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
    client.post("/logga-ut")
    response = _login(client, user.email, query_string={"next": "/admin/anvandare"})
    assert response.headers["Location"] == "/admin/anvandare"


def test_failed_logins_are_rate_limited(app, client, factory):
    user = factory.user()
    default = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        statuses = [_login(client, user.email, "fel-losenord-helt").status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        assert "För många försök" in _login(client, user.email).text
    finally:
        limiter.reset()
        app.config["LOGIN_RATE_LIMIT"] = default


def test_logout_ends_the_session(client, factory, login):
    login(factory.user())
    assert client.get("/").status_code == 200
    client.post("/logga-ut")
    assert client.get("/").status_code == 302


def test_changing_password_requires_the_current_one_and_a_long_enough_new_one(
    client, factory, login
):
    user = factory.user()
    login(user)
    response = client.post(
        "/konto/losenord",
        data={"current_password": "fel", "password": "kort", "confirm": "kort"},
    )
    assert "Nuvarande lösenord stämmer inte." in response.text or "minst 12 tecken" in response.text
    response = client.post(
        "/konto/losenord",
        data={"current_password": PASSWORD, "password": "kort", "confirm": "kort"},
    )
    assert "minst 12 tecken" in response.text


def test_changing_password_logs_out_other_sessions_but_not_this_one(app, client, factory, login):
    user = factory.user()
    login(user)
    other = sign_in(app.test_client(), user)
    assert other.get("/").status_code == 200
    response = client.post(
        "/konto/losenord",
        data={
            "current_password": PASSWORD,
            "password": "en lång och bra lösenfras",
            "confirm": "en lång och bra lösenfras",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    db.session.refresh(user)
    assert user.check_password("en lång och bra lösenfras")
