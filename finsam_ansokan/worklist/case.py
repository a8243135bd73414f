"""*Till dig* on one case: what someone has asked of the viewer, with the text and who asked.

A few statements whatever the case holds: one for the unread comments per section, one for the
open request for komplettering (only while one is open) and one for the reports (only for the
projektägare of a running project, where a report can be sent back). It adds itself to the
application's pages through ``applications.overview_parts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications import overview_parts
from finsam_ansokan.applications import policy as application_policy
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.sections import SECTIONS_BY_SLUG
from finsam_ansokan.applications.status import Status
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


@dataclass(frozen=True)
class CaseWork:
    """For the application's overview: *Till dig*, unread comments per section and per tab."""

    asks: list[Ask]
    unread: dict[str, int]
    tab_counts: dict[str, int]


def overview_part(user: User, application: Application) -> CaseWork:
    unread = review_services.unread_counts(application, user)
    reports = None
    if Status(application.status) is Status.PAGAENDE and application_policy.is_own(
        user, application
    ):
        # a report can be sent back only while the project runs
        reports = followup_services.reports_for(application)
    return CaseWork(
        asks=asks_for(application, user, unread, reports),
        unread=unread,
        tab_counts={"review.comments": sum(unread.values())},
    )


def section_part(user: User, application: Application, section) -> dict:
    """For a section page (editable or read-only): its comments; opening it marks them read."""
    unread = review_services.unread_counts(application, user)
    review_services.mark_read(application, user, [section.slug])
    unread.pop(section.slug, None)
    return {
        "section_comments": review_services.section_comments(application, user, section.slug),
        "can_comment": review_policy.can_comment(user, application),
        "section_titles": SECTION_TITLES,
        "tab_counts": {"review.comments": sum(unread.values())},
    }


def register() -> None:
    overview_parts.register("asked", overview_part)
    overview_parts.register_section(section_part)
