import os
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.config import ConfigurationError, check_production_config
from finsam_ansokan.core.events import record_event
from finsam_ansokan.extensions import db

from .meetings_helpers import meeting_with_board


def test_every_page_has_a_strict_content_security_policy(client):
    response = client.get("/logga-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, factory, login):
    login(factory.user(Role.KANSLI, Role.SOKANDE))
    for url in ("/", "/admin/anvandare", "/admin/anvandare/ny", "/tillganglighet"):
        html = client.get(url).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_forms_are_refused_without_a_csrf_token(app, client, factory):
    user = factory.user()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/logga-in", data={"email": user.email, "password": "x"})
        assert response.status_code == 400
        assert "säkerhetstoken" in response.text
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_unknown_pages_get_a_swedish_404(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text


def test_a_role_without_access_gets_a_swedish_403(client, factory, login):
    login(factory.user(Role.SOKANDE))
    response = client.get("/admin/anvandare")
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.text


def test_production_refuses_to_start_without_a_real_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        check_production_config(
            {"ENV_NAME": "production", "SECRET_KEY": "dev-only-secret-key-not-for-production"}
        )
    check_production_config({"ENV_NAME": "production", "SECRET_KEY": "x" * 48})


def test_the_event_log_refuses_updates_and_deletes(app_ctx):
    event = record_event("meeting_created", message="original")
    db.session.flush()
    for statement in (
        text("UPDATE events SET message = 'changed' WHERE id = :id"),
        text("DELETE FROM events WHERE id = :id"),
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement, {"id": event.id})
        savepoint.rollback()


def _refused(statement: str, match: str) -> None:
    savepoint = db.session.begin_nested()
    with pytest.raises(DatabaseError, match=match):
        db.session.execute(text(statement))
    savepoint.rollback()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="TRUNCATE is PostgreSQL's (SQLite has none)",
)
def test_truncate_cannot_empty_the_event_log_the_ledger_or_justerade_minutes(app_ctx, factory):
    record_event("meeting_created", message="kvar")
    db.session.flush()
    for table in ("events", "frame_grants"):
        _refused(f"TRUNCATE {table} CASCADE", "append-only: TRUNCATE refused")
    kansli = factory.user(Role.KANSLI)
    meeting, _ = meeting_with_board(factory, kansli, meeting_date=date(2026, 3, 2))
    db.session.execute(
        text("UPDATE meetings SET signed_at = now() WHERE id = :id"), {"id": meeting.id}
    )
    for table in ("meetings", "attendance", "meeting_signatories", "decisions", "paragraphs"):
        _refused(f"TRUNCATE {table} CASCADE", "signed off, TRUNCATE refused")
    assert db.session.scalar(text("SELECT count(*) FROM events")) > 0


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json["status"] == "ok"


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    """The app as production configures it: from the environment, nothing overridden."""
    monkeypatch.setenv("FINSAM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    from finsam_ansokan import create_app

    return create_app()


def test_production_cookies_are_secure_httponly_and_samesite(production_app):
    client = production_app.test_client()
    response = client.get("/logga-in", base_url="https://finsam.example")
    cookie = response.headers["Set-Cookie"]  # the session, holding the CSRF token
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly"} <= attributes
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert production_app.config["WTF_CSRF_ENABLED"] is not False
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(monkeypatch, tmp_path):
    from flask import request

    from finsam_ansokan import create_app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/proxy.sqlite3")
    seen = {}
    for proxies in (0, 1):
        app = create_app({"TRUSTED_PROXIES": proxies, "UPLOAD_FOLDER": str(tmp_path)})

        @app.before_request
        def _remember(proxies=proxies):
            seen[proxies] = request.remote_addr

        app.test_client().get(
            "/healthz",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    assert seen == {0: "127.0.0.1", 1: "203.0.113.7"}


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_forms_never_redirect_to_another_site(client, factory, login, target):
    from .application_helpers import draft

    user = factory.user(Role.SOKANDE)
    application = draft(factory, user)
    login(user)
    response = client.post(
        f"/ansokningar/{application.id}/delning", data={"shared": "1", "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ansokningar/{application.id}/kommentarer"
    response = client.post(f"/logga-in?next={target}", data={})
    assert "evil" not in response.headers.get("Location", "")
