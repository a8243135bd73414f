"""End-to-end fixtures: the app served on a real port, driven by headless Chromium.

Chromium is Debian's package (``apt-get install chromium``), driven by Playwright with
``executable_path=shutil.which("chromium")``. Every page a test visits can be checked
with axe-core against WCAG 2.1 AA.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from finsam_ansokan.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_code
from finsam_ansokan.extensions import db
from tests.conftest import database_url_for_tests, make_test_app

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: The app behind each served base URL, so that a sign-in can reach that app's database.
SERVED_APPS: dict[str, object] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app the browser talks to, on its own database with the demo förbund loaded."""
    url = database_url_for_tests(tmp_path_factory, suffix="_e2e")
    app = make_test_app(url, tmp_path_factory.mktemp("e2e-files"), WTF_CSRF_ENABLED=True)
    with app.app_context():
        from finsam_ansokan.demo import load_demo

        load_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    SERVED_APPS[base_url] = app
    yield base_url
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        message = "Chromium saknas: installera Debian-paketet chromium (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def field(page, label: str):
    """The form field labelled ``label``, whether or not it is marked "(obligatorisk)"."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatorisk\))?$"))


def totp_code(email: str, secret: str = DEMO_TOTP_SECRET) -> str:
    """A code the server has not seen yet for ``email`` (it refuses a code used twice)."""
    return demo_code(email, secret)


def login_as(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form; the demo kansli and admin give their code as well."""
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    if page.url.endswith("/logga-in/kod"):
        page.get_by_label("Engångskod").fill(_fresh_demo_code(page, email))
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()


def _fresh_demo_code(page, email: str) -> str:
    """The current code, after the served app forgets the last one ``email`` used.

    The server accepts each code once (``totp_last_step``; its own tests prove it), so a
    suite signing the kansli in some twenty times would otherwise wait up to 30 s for a
    new code each time. Servers not registered in ``SERVED_APPS`` get a fresh code instead.
    """
    import pyotp

    from finsam_ansokan.accounts.models import User

    parts = urlsplit(page.url)
    app = SERVED_APPS.get(f"{parts.scheme}://{parts.netloc}")
    if app is None:
        return totp_code(email)
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()


def logout(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()


def assert_accessible(page, name: str | None = None) -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; fail with a readable report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    if name:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
