"""Walk every route in ``app.url_map`` with URL values taken from a set of objects.

Shared by the object-level access matrix and the hostile-input test. ``values`` maps a URL
parameter name to the candidate values for it; a rule is built once per value of each of
its parameters (the others take their first value), so every comment, section or stage is
reached without building the whole product. A parameter without values fails loudly: a
new route must say which object its parameter names.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from html.parser import HTMLParser

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from finsam_ansokan.extensions import db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def rules(app: Flask) -> Iterator:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static":
            yield rule


def methods(rule) -> list[str]:
    return [m for m in METHODS if m in rule.methods]


def urls(rule, values: Mapping[str, Sequence]) -> list[str]:
    """Every URL for ``rule`` built from ``values`` (see the module docstring)."""
    missing = sorted(a for a in rule.arguments if not values.get(a))
    assert not missing, (
        f"{rule.rule}: no value for <{'>, <'.join(missing)}>; add one built from the test's "
        "objects so the new route is covered"
    )
    first = {a: values[a][0] for a in rule.arguments}
    built = {rule.build(first, append_unknown=False)[1]}
    for argument in rule.arguments:
        for value in values[argument][1:]:
            built.add(rule.build({**first, argument: value}, append_unknown=False)[1])
    return sorted(built)


#: Rows every sign-in writes (the walk signs in before each request): not the object's data.
SIGN_IN_TABLES = frozenset({"user_sessions"})


def row_counts() -> dict[str, int]:
    """Rows in every table: a request that changed nothing leaves these alone."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in SIGN_IN_TABLES
    }


def response_text(response) -> str:
    """What a reader of the response sees: the HTML/text, or the text of a PDF."""
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return response.get_data().decode("utf-8", errors="replace")  # a download: its bytes
    if response.mimetype == "application/pdf":
        reader = PdfReader(io.BytesIO(response.data))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""


class FormFields(HTMLParser):
    """The forms of a page: ``{action: {field name: [candidate values]}}``.

    Candidate values are those the page offers (a select's options, a checkbox's value, a
    hidden input's value), so a generated post can start from something plausible.
    ``kinds`` says what each field is (``textarea``, ``select``, or an input's type), and
    ``query_keys`` the query-string names the page's links and GET forms use, per path.
    """

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, dict[str, list[str]]] = {}
        self.kinds: dict[str, dict[str, str]] = {}
        self.query_keys: dict[str, set[str]] = {}
        self._action: str | None = None
        self._get_action: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "?" in (a.get("href") or "") and a["href"].startswith("/"):
            path, _, query = a["href"].split("#")[0].partition("?")
            keys = {pair.split("=")[0] for pair in query.split("&") if pair}
            self.query_keys.setdefault(path, set()).update(keys)
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self._get_action = (a.get("action") or self.page_url).split("?")[0]
            self.query_keys.setdefault(self._get_action, set())
        elif tag == "form":
            self._action = (a.get("action") or self.page_url).split("#")[0]
            self.forms.setdefault(self._action, {})
            self.kinds.setdefault(self._action, {})
        elif tag in ("input", "textarea", "select") and a.get("name") and self._get_action:
            self.query_keys[self._get_action].add(a["name"])
        elif self._action is None:
            return
        elif tag in ("input", "textarea", "select", "button") and a.get("name"):
            values = self.forms[self._action].setdefault(a["name"], [])
            kind = tag if tag != "input" else (a.get("type") or "text").lower()
            self.kinds[self._action].setdefault(a["name"], kind)
            if a.get("value") is not None:
                values.append(a["value"])
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._select and a.get("value") is not None:
            self.forms[self._action][self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = self._get_action = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page_url: str) -> dict[str, dict[str, list[str]]]:
    return parse_page(html, page_url).forms


def parse_page(html: str, page_url: str) -> FormFields:
    """The page's POST forms, their fields' kinds, and the query keys its links use."""
    parser = FormFields(page_url)
    parser.feed(html)
    return parser
