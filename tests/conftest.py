"""Fixtures: one migrated test database per run, each test in a rolled-back transaction.

The database is SQLite in a temporary directory, or PostgreSQL when TEST_DATABASE_URL is
set (CI runs the suite on both). The schema comes from the Alembic migrations, not from
``create_all``, so the tests prove the migrations too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from finsam_ansokan import create_app
from finsam_ansokan.extensions import db

from .factories import Factory


def _postgres_reset(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_url_for_tests(tmp_path_factory: pytest.TempPathFactory, suffix: str = "") -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db' + suffix)}/test.sqlite3"
    from finsam_ansokan.config import _normalise_database_url

    url = _normalise_database_url(url)
    if suffix:
        parsed = make_url(url)
        name = f"{parsed.database}{suffix}"
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = parsed.set(database=name).render_as_string(hide_password=False)
    _postgres_reset(url)
    return url


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts like a real one.

    The test holds an application context open (for its transaction and factories), and
    Flask reuses it for the requests, so ``g`` and the session's identity map would carry
    over from one request to the next. Start each request as a new one would.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(g):
                g.pop(key)
            # What the test set up so far is "committed" (a savepoint released), so a
            # rollback inside the request undoes only the request's own work.
            db.session.commit()
        return super().open(*args, **kwargs)


def make_test_app(database_url: str, tmp_path, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "10000 per minute",  # the rate-limit tests lower them
        "LOGIN_ADDRESS_RATE_LIMIT": "10000 per minute",
        "RESET_RATE_LIMIT": "10000 per minute",
        "RESET_ADDRESS_RATE_LIMIT": "10000 per minute",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = database_url_for_tests(tmp_path_factory)
    app = make_test_app(url, tmp_path_factory.mktemp("files"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def isolated_app(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Flask]:
    """An app on a database of its own, for tests that commit for real across threads.

    Created for the test module and dropped afterwards, so what such a test commits never
    meets the other tests (the event log cannot be cleaned up: it is append-only).
    """
    suffix = "_" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:30]
    url = database_url_for_tests(tmp_path_factory, suffix=suffix)
    app = make_test_app(url, tmp_path_factory.mktemp("isolated"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _db_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back afterwards.

    Routes and services may commit: with ``join_transaction_mode="create_savepoint"``
    their commits only release a savepoint inside the outer transaction.
    """
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("real_commits"):
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own picks the engine, not our
        # connection, and would step outside the test's transaction.
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        original = db.session
        db.session = session
        try:
            yield
        finally:
            session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def factory(app: Flask) -> Iterator[Factory]:
    with app.app_context():
        yield Factory()


def sign_in(client: FlaskClient, user, method: str = "totp") -> FlaskClient:
    """Sign ``client`` in as ``user`` without the form: a server-side session row as the
    login would make, by default one where the second factor was given (so a kansli or
    admin is not sent to enrolment; production still asks them for the code)."""
    from finsam_ansokan.accounts import sessions

    _, token = sessions.create(user, method)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[sessions.SESSION_KEY] = token
    return client


@pytest.fixture
def login(client: FlaskClient):
    """``login(user)`` logs the test client in as ``user`` (without the form)."""

    def _login(user, method: str = "totp") -> FlaskClient:
        return sign_in(client, user, method)

    return _login
