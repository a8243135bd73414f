"""Hostile input to every form: no 5xx, nothing stored that breaks a rule, nothing unescaped.

Every POST route in ``app.url_map`` is posted random and malicious values (hypothesis):
huge strings, control characters, HTML/JS, SQL fragments, negative, huge and non-numeric
amounts, wrong ids. The field names come from the forms on the application's own pages
(parsed with ``html.parser``), so a new form is covered when its page is. The user holds
the roles POLICY gives the route's capability and belongs to the organisation that owns
the objects. Afterwards the database must hold its invariants and no page may show a
posted script unescaped. The test's transaction is rolled back by the usual fixture.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.permissions import POLICY

from .route_walk import forms_on, methods, response_text, rules, urls
from .test_object_access import organisation_objects, url_values

SCRIPT = "<script>alert(1)</script>"
MALICIOUS = [
    SCRIPT,
    f'"><img src=x onerror=alert(1)>{SCRIPT}',
    "javascript:alert(1)",
    "'; DROP TABLE applications; --",
    "1 OR 1=1",
    "' UNION SELECT password_hash FROM users --",
    "-1",
    "-1000000",
    "0",
    "1e308",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "2147483648",
    "12,5",
    "1 000 000",
    "١٢٣",
    "0x10",
    "\x00",
    "\u202e\u0000\u0007",
    "../../etc/passwd",
    "",
    " ",
    "ja",
    "nej",
    "1",
    "intern",
]

nasty = st.one_of(
    st.sampled_from(MALICIOUS),
    st.text(max_size=40),  # any unicode, control characters included
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=5_000, max_value=120_000).map(lambda n: ("Å<b>" * n)[:n]),
)

#: Database rules that must hold whatever was posted.
INVARIANTS = {
    "negative budget line": "SELECT count(*) FROM application_budget_lines WHERE amount < 0",
    "frame over its amount": (
        "SELECT count(*) FROM ramar WHERE amount < 0 OR granted < 0 OR granted > amount"
    ),
    "negative assessment": "SELECT count(*) FROM assessment_amounts WHERE amount < 0",
    "negative contribution": "SELECT count(*) FROM contributions WHERE amount < 0",
    "non-positive reallocation": "SELECT count(*) FROM omfordelningar WHERE amount <= 0",
    "unknown status": "SELECT count(*) FROM applications WHERE status NOT IN ({statuses})",
    "empty comment": "SELECT count(*) FROM comments WHERE length(body) = 0",
}


def violations(session) -> list[str]:
    statuses = ", ".join(f"'{s.value}'" for s in Status)
    found = []
    for rule, sql in INVARIANTS.items():
        if session.scalar(text(sql.format(statuses=statuses))):
            found.append(rule)
    return found


def _unescaped(response) -> bool:
    """A posted tag arrived as a tag in a page, not as text (``&lt;script&gt;`` is fine).

    Only HTML can run a tag: an export (CSV, Excel) holds the text as it was typed.
    """
    if response.mimetype != "text/html":
        return False
    shown = response_text(response)
    return "<script>alert" in shown or "<img src=x onerror" in shown


def _endpoint(adapter, url: str) -> str | None:
    try:
        return adapter.match(url, method="POST")[0]
    except Exception:  # a form posting elsewhere, or a 405/404 for POST
        return None


def hostile_posts(client, login, user, url, field_values, extra):
    """A hypothesis test posting hostile values to ``url`` as ``user``."""
    from finsam_ansokan.extensions import db

    @settings(
        max_examples=4,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(data=st.fixed_dictionaries(field_values), more=extra)
    def post(data, more):
        login(user)
        response = client.post(url, data={**more, **data})
        assert response.status_code < 500, (url, response.status_code)
        assert not _unescaped(response), url
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            assert location.startswith("/"), (url, location)
            login(user)
            followed = client.get(location)
            assert followed.status_code < 500, (url, location)
            assert not _unescaped(followed), (url, location)
            followed.close()
        assert violations(db.session) == [], url

    return post


def test_every_form_survives_hostile_input(app, client, factory, login):

    factory.forbund()
    kansli = factory.user(Role.KANSLI)
    objects = organisation_objects(factory, "Fientliga kommunen", kansli)
    organisation = objects["organisation"]
    everyone = factory.user(*Role, organisation=organisation)
    state_values = [url_values(objects, state) for state in objects["applications"]]
    values = {
        name: sorted({v for vs in state_values for v in vs[name]}, key=str)
        for name in state_values[0]
    }
    values["user_id"] = [factory.user(Role.SOKANDE, organisation=organisation).id]

    # the forms on every page the user can see: action URL → field names and offered values
    forms: dict[str, dict[str, list[str]]] = {}
    pages = []
    for rule in rules(app):
        if "GET" in rule.methods and not rule.rule.endswith("/pdf"):
            pages.extend(urls(rule, values))
    for url in ["/logga-in", *pages]:  # the login form as an anonymous visitor sees it
        if url == "/logga-in":
            with client.session_transaction() as session:
                session.clear()
        else:
            login(everyone)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.mimetype == "text/html":
            for action, fields in forms_on(response.text, url).items():
                forms.setdefault(action, {}).update(fields)
        response.close()

    users = {}
    posted = 0
    for rule in rules(app):
        if "POST" not in methods(rule):
            continue
        capability = app.view_functions[rule.endpoint].capability
        roles = POLICY[capability] if capability else {Role.KANSLI}
        if capability not in users:
            users[capability] = factory.user(*roles, organisation=organisation)
        user = users[capability]
        adapter = app.url_map.bind("localhost")
        found = {a for a in forms if _endpoint(adapter, a) == rule.endpoint}
        for url in sorted(set(urls(rule, values)) | found):
            fields = {k: v for k, v in forms.get(url, {}).items() if k != "csrf_token"}
            field_values = {
                name: st.one_of(st.sampled_from(offered), nasty) if offered else nasty
                for name, offered in fields.items()
            }
            extra = st.dictionaries(st.sampled_from(["id", "amount", "next", "x"]), nasty)

            hostile_posts(client, login, user, url, field_values, extra)()
            posted += 1
    assert posted > 15

    # what was stored is shown escaped on every page
    for url in pages:
        login(everyone)
        response = client.get(url)
        assert response.status_code < 500, url
        assert not _unescaped(response), url
        response.close()
