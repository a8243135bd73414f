"""The pages the benchmark measures: who looks at each, and how to find its URL in the data.

Shared by ``run.py`` (query counts in-process) and ``locustfile.py`` (load over HTTP), so both
measure the same request as the same role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.demo import DEMO_PASSWORD
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings.models import AgendaItem, Meeting
from finsam_ansokan.review.models import Comment

PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class Page:
    name: str
    email: str
    url: Callable[[], str]


def richest_application(status: str = "avslutad", organisation: str | None = None) -> int:
    """The application in ``status`` with the most comments: the heaviest page of its kind."""
    query = (
        select(Application.id)
        .join(Comment, Comment.application_id == Application.id)
        .where(Application.status == status)
        .group_by(Application.id)
        .order_by(func.count(Comment.id).desc(), Application.id)
        .limit(1)
    )
    if organisation:
        query = query.join(Organisation, Organisation.id == Application.organisation_id).where(
            Organisation.name == organisation
        )
    return db.session.scalar(query)


def largest_signed_meeting() -> int:
    """The signed meeting with the most agenda items (40 decisions in the scaled data)."""
    return db.session.scalar(
        select(Meeting.id)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.signed_at.is_not(None))
        .group_by(Meeting.id)
        .order_by(func.count(AgendaItem.id).desc(), Meeting.id)
        .limit(1)
    )


def _deep_page() -> str:
    total = db.session.scalar(select(func.count(Application.id))) or 0
    return f"/ansokningar?sida={max(1, total // 25 // 2)}"


KANSLI = "kansli@varend.example"

#: Every key page: the three list views, each role's start page, the pages of one case and
#: one meeting, the indexes (meetings, follow-up, outbox, users), budget and statistics.
PAGES = [
    Page("start page (sökande)", "sokande@varend.example", lambda: "/"),
    Page("start page (beredning)", "beredning@varend.example", lambda: "/"),
    Page("start page (kansli)", KANSLI, lambda: "/"),
    Page("start page (styrelse)", "styrelse@varend.example", lambda: "/"),
    Page("start page (revisor)", "revisor@varend.example", lambda: "/"),
    Page("start page (admin)", "admin@varend.example", lambda: "/"),
    Page("application list, first page", KANSLI, lambda: "/ansokningar"),
    Page("application list, deep page", KANSLI, _deep_page),
    Page(
        "application list, filtered",
        "revisor@varend.example",
        lambda: f"/ansokningar?status=avslutad&ar={today().year - 2}&sortera=belopp",
    ),
    Page(
        "application page",
        "beredning@varend.example",
        lambda: f"/ansokningar/{richest_application()}",
    ),
    Page("budget overview", KANSLI, lambda: f"/budget/{today().year}"),
    Page("statistics", KANSLI, lambda: f"/statistik?ar={today().year - 1}"),
    Page("meetings index", "styrelse@varend.example", lambda: "/sammantraden/"),
    Page(
        "meeting page (40 decisions)",
        "styrelse@varend.example",
        lambda: f"/sammantraden/{largest_signed_meeting()}",
    ),
    Page("follow-up list", KANSLI, lambda: "/uppfoljning"),
    Page("outbox", KANSLI, lambda: "/admin/utkorg"),
    Page("users", "admin@varend.example", lambda: "/admin/anvandare"),
]

HEALTHZ = "/healthz"
