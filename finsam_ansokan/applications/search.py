"""Free-text search of the application list: diarienummer, title, organisation and contact.

One condition for the list's WHERE (so the list's visibility, filters, sort and paging stay
as they are):

- ``2026/3`` (or ``2026/``) is a diarienummer and matches exactly;
- otherwise every word must match the start of a word in the title, the contact person, the
  project leader, the contact e-mail or the organisation's name.

PostgreSQL uses full-text search with the Swedish configuration (stemming: "ungdomar" finds
"ungdomarna"), over an expression the migration indexes with GIN. SQLite (the embedded default)
uses an FTS5 table, ``applications_fts``, that triggers keep in step with ``applications`` and
``organisations`` (migration 0015b).
"""

from __future__ import annotations

import re

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    text,
)

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.extensions import db

from .models import Application

FTS_TABLE = "applications_fts"
#: At most this many words of a query are used (a pasted paragraph is not a search).
MAX_WORDS = 8
_DIARIENUMMER = re.compile(r"^\s*(\d{4})\s*/\s*(\d*)\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)


def words(query: str | None) -> list[str]:
    return _WORD.findall((query or "").lower())[:MAX_WORDS]


#: PostgreSQL's expression indexes for the search (migration 0015b); not declared on the models
#: because Alembic cannot compare expression indexes.
FULLTEXT_INDEXES = frozenset({"ix_applications_fulltext", "ix_organisations_fulltext"})


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """For Alembic's comparison: the search's FTS5 table (and its shadow tables) and the
    full-text indexes are made by migration 0015b, not by the models."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name in FULLTEXT_INDEXES)


def _pg_document() -> ColumnElement:
    """The indexed document of an application (the same expression as the GIN index)."""
    return func.to_tsvector(
        literal_column("'swedish'::regconfig"),
        func.coalesce(Application.title, "")
        + " "
        + func.coalesce(Application.contact_name, "")
        + " "
        + func.coalesce(Application.project_leader, "")
        + " "
        + func.coalesce(Application.contact_email, ""),
    )


def _pg_word(word: str) -> ColumnElement[bool]:
    query = func.to_tsquery(literal_column("'swedish'::regconfig"), f"{word}:*")
    organisations = select(Organisation.id).where(
        func.to_tsvector(literal_column("'swedish'::regconfig"), Organisation.name).op("@@")(query)
    )
    return or_(
        # a stop word ("och", "för") leaves an empty query, which must not exclude everything
        func.numnode(query) == 0,
        _pg_document().op("@@")(query),
        Application.organisation_id.in_(organisations),
    )


def _sqlite_match(found: list[str]) -> ColumnElement[bool]:
    expression = " ".join(f'"{w}"*' for w in found)
    matching = (
        # the table name is a constant; the user's words are a bound parameter
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts")  # noqa: S608
        .bindparams(fts=expression)
        .columns(column("rowid", Integer))
    )
    return Application.id.in_(matching)


def condition(query: str | None) -> ColumnElement[bool] | None:
    """The WHERE condition for a free-text ``query``, or None when there is nothing to find."""
    number = _DIARIENUMMER.match(query or "")
    if number:
        year, n = number.groups()
        if n:
            return and_(Application.diarie_year == int(year), Application.diarie_number == int(n))
        return Application.diarie_year == int(year)
    found = words(query)
    if not found:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        return and_(*[_pg_word(w) for w in found])
    return _sqlite_match(found)
