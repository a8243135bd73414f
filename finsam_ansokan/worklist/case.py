"""*Till dig* on one case: what someone has asked of the viewer, with the text and who asked.

A few statements whatever the case holds: one for the unread comments per section and one for
the open request for komplettering (only while one is open). Returned reports come from the
project's reports, read once for this and for the follow-up summary on the same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications import policy as application_policy
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.sections import SECTIONS_BY_SLUG
from finsam_ansokan.applications.status import GRANTED, Status
from finsam_ansokan.core import page_extras
from finsam_ansokan.followup import services as followup_services
from finsam_ansokan.followup.models import Report
from finsam_ansokan.followup.status import ReportStatus
from finsam_ansokan.review import policy as review_policy
from finsam_ansokan.review import services as review_services
from finsam_ansokan.review.forms import SECTION_TITLES


@dataclass(frozen=True)
class Ask:
    """One thing asked of the viewer: a heading, the text, who asked, when, where to answer."""

    heading: str
    text: str
    asked_by: str | None
    asked_at: datetime | None
    href: str
    link_text: str


def section_title(slug: str) -> str:
    section = SECTIONS_BY_SLUG.get(slug)
    return section.title if section else "Hela ansökan"


def asks_for(
    application: Application,
    viewer: User,
    unread: dict[str, int],
    reports: list[Report] | None = None,
) -> list[Ask]:
    """What is asked of ``viewer`` on ``application``. ``unread``: from
    ``review_services.unread_counts``; ``reports``: the project's reports, if it has any."""
    asks: list[Ask] = []
    own = application_policy.is_own(viewer, application)
    if own:
        request = review_services.open_information_request(application)
        if request is not None:
            asks.append(
                Ask(
                    heading="Komplettering begärd",
                    text=request.text,
                    asked_by=request.asked_by,
                    asked_at=request.asked_at,
                    href=url_for("applications.show", application_id=application.id) + "#avsnitt",
                    link_text="Komplettera ansökan och skicka in den igen",
                )
            )
        for report in reports or []:
            if report.status != ReportStatus.KOMPLETTERING_BEGARD.value:
                continue
            asks.append(
                Ask(
                    heading=f"{report.kind_label} behöver kompletteras",
                    text=report.kansli_message or "",
                    asked_by=report.decided_by.name if report.decided_by else "Kansliet",
                    asked_at=report.decided_at,
                    href=url_for(
                        "followup.edit_report",
                        application_id=application.id,
                        report_id=report.id,
                    ),
                    link_text=f"Komplettera {report.kind_label.lower()}en",
                )
            )
    total = sum(unread.values())
    if total:
        where = ", ".join(
            f"{section_title(slug)} ({n})"
            for slug, n in sorted(unread.items(), key=lambda item: _order(item[0]))
        )
        asks.append(
            Ask(
                heading=f"{total} oläst{'a' if total > 1 else ''} "
                f"kommentar{'er' if total > 1 else ''}",
                text=f"I {where}.",
                asked_by=None,
                asked_at=None,
                href=url_for("review.comments", application_id=application.id),
                link_text="Läs kommentarerna",
            )
        )
    return asks


def _order(slug: str) -> int:
    slugs = list(SECTIONS_BY_SLUG)
    return slugs.index(slug) if slug in slugs else -1


def overview_extras(*, application: Application, viewer: User) -> dict:
    """For the application's overview: *Till dig*, unread comments per section and in all."""
    unread = review_services.unread_counts(application, viewer)
    extras: dict = {"unread": unread, "unread_total": sum(unread.values())}
    reports = None
    if Status(application.status) in GRANTED:
        # read once, here and for the follow-up summary further down the page
        reports = followup_services.reports_for(application)
        extras["followup_reports"] = lambda _application: reports
    extras["asks"] = asks_for(application, viewer, unread, reports)
    return extras


def section_extras(*, application: Application, section, viewer: User) -> dict:
    """For a section page (editable or read-only): its comments; opening it marks them read."""
    unread = review_services.unread_counts(application, viewer)
    review_services.mark_read(application, viewer, [section.slug])
    unread.pop(section.slug, None)
    return {
        "section_comments": review_services.section_comments(application, viewer, section.slug),
        "can_comment": review_policy.can_comment(viewer, application),
        "section_titles": SECTION_TITLES,
        "unread_total": sum(unread.values()),
    }


def register() -> None:
    page_extras.contribute("application_overview", overview_extras)
    page_extras.contribute("application_section", section_extras)
