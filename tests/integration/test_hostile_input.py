"""Hostile input to every form, id and filter: no 5xx, nothing stored that breaks a rule,
nothing unescaped, no formula in an export, no e-mail that cannot be sent.

Every POST route in ``app.url_map`` is posted random and malicious values (hypothesis):
huge strings, control characters (NUL, CR/LF, tab), text beginning like a spreadsheet
formula, HTML/JS, SQL fragments, negative, huge and non-numeric amounts, wrong ids. Two
examples are always tried: every text field holding all of those at once, and every field
holding a number one past the id column. The field names come from the forms on the
application's own pages (parsed with ``html.parser``), so a new form is covered when its
page is. The user holds the roles POLICY gives the route's capability and belongs to the
organisation that owns the objects. Then every route is requested with each of its ids
replaced by a negative or out-of-range number, and every query string the pages use
(links, GET forms: the list's filters) with hostile values. Afterwards the database must
hold its invariants, no page may show a posted script unescaped, no download may hold a
formula, and every queued e-mail must build with one-line headers. Run on PostgreSQL
too (TEST_DATABASE_URL), where a NUL byte or an id ≥ 2³¹ used to be a 500. The test's
transaction is rolled back by the usual fixture.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from werkzeug.routing.converters import IntegerConverter

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.permissions import POLICY
from finsam_ansokan.core.text import FORMULA_PREFIXES
from finsam_ansokan.notifications import services as notifications
from finsam_ansokan.notifications.models import OutboxMessage

from .export_checks import formula_cells
from .route_walk import methods, parse_page, response_text, rules, urls
from .test_object_access import organisation_objects, url_values

SCRIPT = "<script>alert(1)</script>"
TOO_BIG = 2**31  # one past the largest INTEGER id
#: Every hostile thing at once, for every text field: a formula, a header split by CR/LF,
#: a NUL byte (PostgreSQL refuses it), a tab.
WORST = f'=HYPERLINK("http://x","y")\r\nBcc: angripare@example.org\x00\t-1{SCRIPT}'
MALICIOUS = [
    WORST,
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "Rubrik\r\nBcc: angripare@example.org",
    "a\x00b",
    str(TOO_BIG),
    str(-TOO_BIG - 1),
    str(2**63),
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

#: C0 controls, DEL, the Unicode line breaks, and what a formula begins with.
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", *FORMULA_PREFIXES]
#: Numbers no id column holds: negative, zero, and from 2³¹ − 1 (absent) upwards.
out_of_range = st.one_of(
    st.integers(min_value=-(2**70), max_value=0),
    st.integers(min_value=2**31 - 1, max_value=2**70),
)

nasty = st.one_of(
    st.sampled_from(MALICIOUS),
    st.text(max_size=40),  # any unicode, control characters included
    st.text(alphabet=st.sampled_from([*CONTROLS, "a", "Å", " "]), min_size=1, max_size=20),
    st.tuples(st.sampled_from(FORMULA_PREFIXES), st.text(max_size=20)).map("".join),
    out_of_range.map(str),
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


#: A plausible value per input type, so the worst text reaches the database with the rest
#: of the form valid (a date field holding ``WORST`` would refuse the whole form).
PLAUSIBLE = {"date": "2026-11-23", "time": "09:00", "number": "1", "checkbox": "y"}
TEXT_KINDS = {"text", "textarea", "search", "email", "tel", "url"}

HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]


def worst_values(fields: dict[str, list[str]], kinds: dict[str, str]) -> dict[str, str]:
    """``WORST`` in every text field, the other fields as the page offers them."""
    values = {}
    for name, offered in fields.items():
        kind = kinds.get(name, "text")
        if kind in TEXT_KINDS:
            values[name] = WORST
        elif offered:
            values[name] = offered[-1] if kind == "select" else offered[0]
        elif kind in PLAUSIBLE:
            values[name] = PLAUSIBLE[kind]
    return values


def hostile_posts(client, login, user, url, field_values, extra, worst):
    """A hypothesis test posting hostile values to ``url`` as ``user``."""
    from finsam_ansokan.extensions import db

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        suppress_health_check=HEALTH,
    )
    @example(data=worst, more={})
    @example(data=dict.fromkeys(field_values, str(TOO_BIG)), more={"id": str(TOO_BIG)})
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


def _endpoint_get(adapter, path: str) -> str | None:
    try:
        return adapter.match(path, method="GET")[0]
    except Exception:  # a link to a static file or elsewhere
        return None


def hostile_ids(client, login, user, rule, values):
    """A hypothesis test requesting ``rule`` with each of its ids out of the column's range
    (negative, zero, absent, ≥ 2³¹), with every method the rule has."""
    first = {a: values[a][0] for a in rule.arguments}
    numbers = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]

    @settings(max_examples=2, deadline=None, database=None, suppress_health_check=HEALTH)
    @example(number=TOO_BIG)
    @given(number=out_of_range)
    def request(number):
        login(user)
        for argument in numbers:
            url = rule.build({**first, argument: number}, append_unknown=False)[1]
            for method in methods(rule):
                response = client.open(url, method=method)
                assert response.status_code < 500, (method, url, response.status_code)
                response.close()

    return request


def hostile_queries(client, login, user, path, keys):
    """A hypothesis test requesting ``path`` with hostile values in its query string."""

    @settings(max_examples=3, deadline=None, database=None, suppress_health_check=HEALTH)
    @example(query=dict.fromkeys(keys, str(TOO_BIG)))
    @example(query=dict.fromkeys(keys, WORST))
    @given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(keys, nasty)))
    def request(query):
        login(user)
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, query, response.status_code)
        assert not _unescaped(response), (path, query)
        assert formula_cells(response) == [], (path, query)
        response.close()

    return request


def test_every_form_survives_hostile_input(app, client, factory, login):
    from finsam_ansokan.extensions import db

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
    kinds: dict[str, dict[str, str]] = {}
    query_keys: dict[str, set[str]] = {}
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
            page = parse_page(response.text, url)
            for action, fields in page.forms.items():
                forms.setdefault(action, {}).update(fields)
                kinds.setdefault(action, {}).update(page.kinds[action])
            for path, keys in page.query_keys.items():
                query_keys.setdefault(path, set()).update(keys)
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

            worst = worst_values(fields, kinds.get(url, {}))
            hostile_posts(client, login, user, url, field_values, extra, worst)()
            posted += 1
    assert posted > 15

    asked = 0
    for rule in rules(app):
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            hostile_ids(client, login, everyone, rule, values)()
            asked += 1
    assert asked > 30
    assert {"organisation", "ar", "omrade"} <= set().union(*query_keys.values())
    for path, keys in sorted(query_keys.items()):
        if keys and _endpoint_get(adapter, path):
            hostile_queries(client, login, everyone, path, sorted(keys))()

    # every queued e-mail builds, its headers one line each (the titles were posted to)
    for application in db.session.scalars(select(Application)):
        notifications.application_submitted(application, resubmitted=True)
    result = notifications.send_pending(limit=100_000, send=notifications.email_for)
    assert result.given_up == 0, [m.last_error for m in db.session.scalars(select(OutboxMessage))]
    for subject in db.session.scalars(select(OutboxMessage.subject)):
        assert "\r" not in subject and "\n" not in subject and "\x00" not in subject

    # what was stored is shown escaped on every page, and no download holds a formula
    for url in pages:
        login(everyone)
        response = client.get(url)
        assert response.status_code < 500, url
        assert not _unescaped(response), url
        assert formula_cells(response) == [], url
        response.close()
