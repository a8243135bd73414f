"""Every page shape of every role, at 320 CSS px (WCAG 2.1 1.4.10 Reflow) and as HTML.

The walk is the permission matrix's: every GET rule of ``app.url_map``, built from sample
objects through ``tests/integration/route_walk.py`` (a rule whose parameter has no sample
value fails there, so a new page is walked as soon as it exists). Each role has one browser
context and logs in once; every URL is asked for first through the context's request API
(known downloads are not fetched; refusals are noted), and each HTML page (and the first
error page of each status) is then opened in Chromium 320 px wide, where

- the page must not scroll sideways (``scrollWidth`` of the document within its width),
- no date (``2026-12-01``) or amount (``1 065 500 kr``) may break over two lines,
- axe-core (WCAG 2.1 A and AA) must find nothing; axe runs once per page shape (endpoint,
  role, status), the cheaper checks on every URL.

The HTML the server sent is saved, and one run of the Nu Html Checker (``vnu.jar`` from the
npm package ``vnu-jar``, installed by ``make test`` through ``package.json``, run with the
machine's Java) checks all of it: any error fails. Key pages are also photographed at 320 and
1280 px into ``test-artifacts/pages/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.demo import DEMO_PASSWORD, USERS
from finsam_ansokan.extensions import db
from tests.conftest import database_url_for_tests, make_test_app
from tests.factories import PASSWORD
from tests.integration.route_walk import rules, urls

from .conftest import ARTIFACTS, SERVED_APPS, WCAG_21_AA, login_as

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}
ANONYMOUS = "anonym"

#: Pages photographed at 320 and 1280 px (for the roles that work in them).
KEY_PAGES = {
    "main.start",
    "applications.index",
    "applications.show",
    "applications.view_section",
    "review.review",
    "review.comments",
    "decisions.show_decision",
    "meetings.index",
    "meetings.show",
    "budget.overview",
    "followup.show",
    "followup_lists.index",
    "statistics.index",
    "admin.users",
    "notifications.outbox",
    "auth.login",
}
PHOTOGRAPHED_ROLES = {ANONYMOUS, Role.SOKANDE.value, Role.KANSLI.value, Role.STYRELSE.value}

#: Endpoints that only ever answer with a file: not fetched (the yearly archive alone takes
#: seconds). A new download fails ``test_the_walk_opens_every_page_shape`` until listed here.
DOWNLOADS = {
    "application_pdf.application",
    "application_pdf.version",
    "attachments.download",
    "decisions.decision_letter",
    "delegation_case.letter",
    "exports.applications_csv",
    "exports.applications_xlsx",
    "exports.archive_zip",
    "exports.budget_csv",
    "exports.budget_xlsx",
    "exports.statistics_xlsx",
    "followup.agreement_pdf",
    "meetings.handlingar_pdf",
    "meetings.minutes_pdf",
}

#: GET endpoints that are never an HTML page for anyone: the health check, and the budget's
#: front door, which redirects to a year's overview.
NOT_PAGES = {
    "main.healthz",
    "budget.index",
    *DOWNLOADS,
    # redirects to and from the identity provider (tests/integration/test_oidc.py)
    "auth.oidc_start",
    "auth.oidc_callback",
    # reached only half-way through a sign-in: every kansli and admin sign-in of the
    # browser tests passes it (login_as), test_login_journey checks it with axe
    "auth.second_factor",
}

#: Query strings a page needs to be a page (the comparison of two versions).
QUERIES = {"applications.compare_versions": "?fran=1&till=1"}

#: Where a date or an amount is broken over two lines: text nodes matching, measured.
WRAPPED_TOKENS_JS = r"""
() => {
  const pattern = /\d{4}-\d{2}-\d{2}|−?\d{1,3}(?:\u00a0\d{3})*(?:,\d{2})?\u00a0kr/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, option, title, svg")) continue;
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()]
        .filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""

#: What scrolls sideways, for the failure message.
WIDEST_JS = """
() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > limit + 1)
    .filter(e => !e.parentElement.closest("[data-scroll-region], .table-scroll"))
    .slice(0, 4)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : "")
      + " " + Math.round(e.getBoundingClientRect().right) + "px");
}
"""


@dataclass
class Visit:
    role: str
    url: str
    endpoint: str
    status: int
    html: Path | None = None
    overflow: str | None = None
    wrapped: list[str] = field(default_factory=list)
    violations: str | None = None


def _walk_data(factory) -> tuple[list[dict], dict[str, tuple[str, str]]]:
    """Sample objects in every state a page can show, and each role's login."""
    from finsam_ansokan.accounts.tokens import Purpose, make_token
    from finsam_ansokan.demo import load_demo
    from finsam_ansokan.meetings.models import DelegationDecision, Meeting
    from tests.integration.test_object_access import organisation_objects, url_values

    load_demo()
    kansli = db.session.scalar(select(User).where(User.email == "kansli@varend.example"))
    # the demo's meetings: justerade ones (early in the year and ten days ago: decision pages,
    # signed minutes, the anslag) and one ahead with the prepared case on its agenda
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.date)).all()
    justerad = next(m for m in meetings if m.signed_at is not None)
    decided = next(i for i in justerad.items if i.is_case).application
    objects = organisation_objects(factory, "Granskningsbygdens kommun", kansli)

    # an editable draft (every section's form), a submitted case in beredning, a granted
    # project in follow-up and a case decided at signed minutes (a section each: read-only)
    draft = url_values(objects, "utkast")
    submitted = url_values(objects, "inskickad")
    value_sets = [draft, {**submitted, "section": submitted["section"][:1]}]
    # and the demo's case granted by delegation (its decision and letter)
    delegated = db.session.scalar(select(DelegationDecision.application_id))
    for application_id in (objects["project"].id, decided.id, delegated):
        value_sets.append({**value_sets[-1], "application_id": [application_id]})
    value_sets[-1]["meeting_id"] = [m.id for m in meetings]
    # the pages behind an invitation and a reset link, each with a link that works
    owner = objects["owner"]
    links = [make_token(owner, Purpose.INVITATION), make_token(owner, Purpose.RESET)]
    for values in value_sets:
        values["token"] = links
    logins = {role.value: (email, DEMO_PASSWORD) for email, _name, (role,), _org in USERS}
    logins[Role.SOKANDE.value] = (objects["owner"].email, PASSWORD)
    return value_sets, logins


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory) -> Iterator[tuple[str, object, list[dict], dict]]:
    """The app on a database of its own (the other journeys keep the plain demo)."""
    from tests.factories import Factory

    url = database_url_for_tests(tmp_path_factory, suffix="_walk")
    app = make_test_app(url, tmp_path_factory.mktemp("walk-files"), WTF_CSRF_ENABLED=True)
    with app.app_context():
        value_sets, logins = _walk_data(Factory())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    SERVED_APPS[base_url] = app
    yield base_url, app, value_sets, logins
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _page_urls(app, value_sets: list[dict]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rule in rules(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        for values in value_sets:
            for url in urls(rule, values):
                seen.setdefault(url + QUERIES.get(rule.endpoint, ""), rule.endpoint)
    return sorted(seen.items())


def _slug(role: str, url: str) -> str:
    return role + "-" + (re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "start")


def _check_page(page, visit: Visit, axe) -> None:
    """Sideways scrolling and broken dates on every page; axe when given (once a shape)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    client = page.evaluate("document.documentElement.clientWidth")
    if width > client:
        visit.overflow = f"{width}px > {client}px: {', '.join(page.evaluate(WIDEST_JS))}"
    visit.wrapped = page.evaluate(WRAPPED_TOKENS_JS)
    if axe is None:
        return
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    if results.violations_count:
        visit.violations = results.generate_report()


def _photograph(page, visit: Visit) -> None:
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{visit.endpoint.replace('.', '-')}-{visit.role}"
    page.screenshot(path=str(folder / f"{name}-320.png"), full_page=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(folder / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(NARROW)


@pytest.fixture(scope="module")
def walk(browser, walk_server, tmp_path_factory) -> list[Visit]:
    from axe_playwright_python.sync_playwright import Axe

    base_url, app, value_sets, logins = walk_server
    html_dir = tmp_path_factory.mktemp("walk-html")
    page_urls = _page_urls(app, value_sets)
    axe = Axe()
    visits: list[Visit] = []
    checked: set[str] = set()  # axe and photographs once per page shape: endpoint, role, status
    for role in [ANONYMOUS, *logins]:
        context = browser.new_context(base_url=base_url, locale="sv-SE", viewport=NARROW)
        context.set_default_timeout(120_000)  # a busy machine; a real hang still fails
        page = context.new_page()
        if role != ANONYMOUS:
            login_as(page, *logins[role])
        error_shapes: set[int] = set()
        for url, endpoint in page_urls:
            response = context.request.get(url, max_redirects=0, timeout=120_000)
            visit = Visit(role, url, endpoint, response.status)
            visits.append(visit)
            is_html = response.headers.get("content-type", "").startswith("text/html")
            is_error_shape = response.status >= 400 and response.status not in error_shapes
            if not is_html or not (response.status == 200 or is_error_shape):
                continue
            error_shapes.add(response.status)
            visit.html = html_dir / f"{_slug(role, url)}.html"
            visit.html.write_bytes(response.body())
            page.goto(url)
            shape = f"{endpoint}-{role}-{response.status}"
            _check_page(page, visit, axe if shape not in checked else None)
            photograph = endpoint in KEY_PAGES and role in PHOTOGRAPHED_ROLES
            if photograph and response.status == 200 and shape not in checked:
                _photograph(page, visit)
            checked.add(shape)
        context.close()
    _report(visits)
    return visits


def _report(visits: list[Visit]) -> None:
    """What the walk saw, for a reader of the CI artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        f"{v.role}\t{v.status}\t{v.url}\t{'axe' if v.violations else ''}"
        f"\t{v.overflow or ''}\t{' '.join(v.wrapped)}"
        for v in visits
        if v.html
    ]
    (ARTIFACTS / "every-page.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_walk_opens_every_page_shape(walk):
    """The control: each GET page that is HTML was opened by some role, and nothing failed."""
    opened = {v.endpoint for v in walk if v.status == 200 and v.html}
    roles = {v.role for v in walk if v.status == 200 and v.html}
    crashed = [f"{v.role} {v.url}: {v.status}" for v in walk if v.status >= 500]
    assert crashed == []
    assert roles == {ANONYMOUS, *(r.value for r in Role)}
    expected = {v.endpoint for v in walk}
    assert expected - opened == set(), "pages no role could open: walk them with better data"
    assert len([v for v in walk if v.html]) > 100


def test_no_page_scrolls_sideways_at_320_px(walk):
    overflowing = [f"{v.role} {v.url}: {v.overflow}" for v in walk if v.overflow]
    assert overflowing == [], "\n".join(overflowing)


def test_no_date_or_amount_breaks_over_two_lines(walk):
    wrapped = [f"{v.role} {v.url}: {', '.join(v.wrapped)}" for v in walk if v.wrapped]
    assert wrapped == [], "\n".join(wrapped)


def test_axe_finds_nothing_on_any_page(walk):
    failing = [f"{v.role} {v.url}\n{v.violations}" for v in walk if v.violations]
    assert failing == [], "\n\n".join(failing)


def _java() -> str:
    java = shutil.which("java")
    ok = java is not None and VNU_JAR.exists()
    if not ok:
        message = (
            "The Nu Html Checker needs Java and node_modules/vnu-jar: run `make test` "
            "(it runs `npm ci`), or apt-get install default-jre-headless."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return java


def test_the_nu_html_checker_finds_no_error_on_any_page(walk):
    java = _java()
    pages = {v.html: v for v in walk if v.html}
    folder = next(iter(pages)).parent
    result = subprocess.run(  # noqa: S603 - our own files, the jar from package-lock.json
        [
            java,
            "-Xss8m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert len(pages) > 100  # the checker had the whole walk to read
    errors = []
    for message in messages:
        path = Path(message.get("url", "").removeprefix("file:"))
        visit = pages.get(path)
        where = f"{visit.role} {visit.url}" if visit else message.get("url")
        errors.append(f"{where}:{message.get('lastLine')}: {message['message']}")
    assert errors == [], "\n".join(sorted(errors))
