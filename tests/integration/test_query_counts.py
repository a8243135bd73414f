"""Query-count regression tests: each key page sends at most MAX_STATEMENTS SQL statements,
and the SAME number on a small and on a ten times larger dataset (no N+1).

The data comes from the benchmark's seeder (``benchmarks.seed``), so the pages see every
kind of row: versions, comments, internal notes, assessments, decisions, jäv, reports. No
timing here: the benchmark (``make bench``) measures time.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from benchmarks.querycount import count_statements
from benchmarks.seed import load_scale
from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings.models import AgendaItem, Meeting
from finsam_ansokan.review.models import Comment

MAX_STATEMENTS = 16  # the application page: its board decisions and its delegationsbeslut
SMALL, LARGE = 12, 120


def _richest_application(status: str) -> Application:
    """The application in ``status`` with the most comments: the heaviest page of its kind."""
    application_id = db.session.scalar(
        select(Application.id)
        .join(Comment, Comment.application_id == Application.id)
        .where(Application.status == status)
        .group_by(Application.id)
        .order_by(func.count(Comment.id).desc(), Application.id)
        .limit(1)
    )
    assert application_id is not None, f"the seeded data has no application in {status}"
    return db.session.get(Application, application_id)


def _largest_signed_meeting() -> int:
    meeting_id = db.session.scalar(
        select(Meeting.id)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.signed_at.is_not(None))
        .group_by(Meeting.id)
        .order_by(func.count(AgendaItem.id).desc(), Meeting.id)
        .limit(1)
    )
    assert meeting_id is not None
    return meeting_id


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


KANSLI = "kansli@varend.example"

#: page name → (who looks, how to find the URL in the seeded data)
PAGES: dict[str, tuple[str | Callable[[], User], Callable[[], str]]] = {
    "application list, first page": (KANSLI, lambda: "/ansokningar"),
    "application list, deep page": (KANSLI, lambda: "/ansokningar?sida=4"),
    "application list, filtered": (
        KANSLI,
        lambda: f"/ansokningar?status=avslutad&ar={today().year - 2}&sortera=belopp",
    ),
    "application page (kansli)": (
        KANSLI,
        lambda: f"/ansokningar/{_richest_application('avslutad').id}",
    ),
    "application page (applicant)": (
        lambda: _richest_application("avslutad").created_by,
        lambda: f"/ansokningar/{_richest_application('avslutad').id}",
    ),
    "application page, in preparation (beredning)": (
        "beredning@varend.example",
        lambda: f"/ansokningar/{_richest_application('under_beredning').id}",
    ),
    "budget overview": (KANSLI, lambda: f"/budget/{today().year}"),
    "meeting page": (KANSLI, lambda: f"/sammantraden/{_largest_signed_meeting()}"),
    "history page": (
        KANSLI,
        lambda: f"/ansokningar/{_richest_application('avslutad').id}/historik",
    ),
    "statistics": (KANSLI, lambda: f"/statistik?ar={today().year - 1}"),
    "statistics in Excel": (KANSLI, lambda: f"/statistik/export.xlsx?ar={today().year - 1}"),
    "application list in Excel": (KANSLI, lambda: "/ansokningar/export.xlsx"),
    "start page, sökande": ("sokande@varend.example", lambda: "/"),
    "start page, beredning": ("beredning@varend.example", lambda: "/"),
    "start page, kansli": (KANSLI, lambda: "/"),
    "start page, styrelse": ("styrelse@varend.example", lambda: "/"),
    "start page, revisor": ("revisor@varend.example", lambda: "/"),
    "start page, admin": ("admin@varend.example", lambda: "/"),
    "meetings index": ("styrelse@varend.example", lambda: "/sammantraden/"),
    "meetings index, an earlier year": (
        KANSLI,
        lambda: f"/sammantraden/?ar={today().year - 3}",
    ),
    "follow-up list": (KANSLI, lambda: "/uppfoljning"),
    "outbox": (KANSLI, lambda: "/admin/utkorg"),
    "outbox, failed messages": (KANSLI, lambda: "/admin/utkorg?status=failed"),
    "users": ("admin@varend.example", lambda: "/admin/anvandare"),
}


def _statements(client, login, page: str):
    who, url = PAGES[page]
    user = _user(who) if isinstance(who, str) else who()
    target = url()
    login(user)
    with count_statements(db.engine) as statements:
        response = client.get(target)
    assert response.status_code == 200, (page, target, response.status_code)
    return statements


@pytest.fixture
def small_pages(app, monkeypatch):
    """Pages of two applications, so that the deep page exists in the small data set too."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_key_page_sends_the_same_few_statements_at_any_size(
    page, app, client, login, small_pages
):
    with app.app_context():
        load_scale(SMALL, seed=1)
        db.session.commit()
        small = _statements(client, login, page)
        load_scale(LARGE - SMALL, seed=2)
        db.session.commit()
        large = _statements(client, login, page)
    assert small.count <= MAX_STATEMENTS, small.report()
    assert large.count == small.count, (
        f"{page}: {small.count} statements at {SMALL} applications, "
        f"{large.count} at {LARGE}:\n{large.report()}"
    )
