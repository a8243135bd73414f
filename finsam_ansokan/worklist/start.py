"""*Att göra*: each role's start page is its work list.

Every group is a count that links to the filtered list and the newest few items, each a link.
The number of SQL statements is fixed whatever the data: one aggregate for every
application-based group, one for their newest items, one for unread comments, one for the
follow-up (reports, rekvisitioner and överenskommelser to accept) and one for unsigned minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, union_all

from finsam_ansokan.accounts.forbund import current_forbund
from finsam_ansokan.accounts.models import Organisation, User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.queries import visible_to
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.permissions import POLICY
from finsam_ansokan.core.timeutil import today as _today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.agreements import ACCEPTABLE
from finsam_ansokan.followup.models import Agreement, PaymentRequest, Report
from finsam_ansokan.followup.status import PaymentStatus, ReportStatus
from finsam_ansokan.meetings.models import AgendaItem, Meeting
from finsam_ansokan.review import services as review_services
from finsam_ansokan.review.models import CommentUnread

#: Who writes and answers comments, so has comments to read.
COMMENTERS = POLICY["comment"]

#: How many of the newest items a group lists on the start page (the count links to all).
ITEMS_PER_GROUP = 5
#: A report shows in the projektägare's list this many days before it is due.
REPORT_HORIZON_DAYS = 30


@dataclass
class Item:
    text: str
    href: str
    note: str | None = None


@dataclass
class Group:
    """One kind of work: what it is, how many, where the whole list is, the newest few."""

    key: str
    heading: str
    count: int = 0
    href: str | None = None
    items: list[Item] = field(default_factory=list)


def _application_groups(user: User) -> dict[str, tuple[str, ColumnElement[bool], dict]]:
    """Application-based groups for ``user``: key → (heading, condition, list filter args)."""
    roles = user.roles
    groups: dict[str, tuple[str, ColumnElement[bool], dict]] = {}
    status = Application.status
    if Role.SOKANDE in roles and user.organisation_id is not None:
        own = Application.organisation_id == user.organisation_id
        groups["komplettering"] = (
            "Kompletteringar som begärts av er",
            and_(own, status == Status.KOMPLETTERING_BEGARD.value),
            {"status": Status.KOMPLETTERING_BEGARD.value, "organisation": user.organisation_id},
        )
        groups["utkast"] = (
            "Era utkast",
            and_(own, status == Status.UTKAST.value),
            {"status": Status.UTKAST.value, "organisation": user.organisation_id},
        )
    if Role.BEREDNING in roles:
        groups["delade"] = (
            "Utkast delade med beredningsgruppen",
            and_(status == Status.UTKAST.value, Application.shared_for_comments.is_(True)),
            {"status": Status.UTKAST.value, "delade": "1"},
        )
    if roles & {Role.BEREDNING, Role.KANSLI}:
        groups["inskickad"] = (
            "Inskickade, att ta upp till beredning",
            status == Status.INSKICKAD.value,
            {"status": Status.INSKICKAD.value},
        )
        groups["beredning"] = (
            "Under beredning, att rekommendera"
            if Role.BEREDNING in roles
            else "Under beredning, att skriva förslag till beslut",
            status == Status.UNDER_BEREDNING.value,
            {"status": Status.UNDER_BEREDNING.value},
        )
    if Role.KANSLI in roles:
        on_open_agenda = exists().where(
            AgendaItem.application_id == Application.id,
            AgendaItem.meeting_id == Meeting.id,
            Meeting.signed_at.is_(None),
        )
        groups["dagordning"] = (
            "Klara för beslut, att föra upp på dagordningen",
            and_(status == Status.KLAR_FOR_BESLUT.value, ~on_open_agenda),
            {"status": Status.KLAR_FOR_BESLUT.value},
        )
    if Role.STYRELSE in roles:
        groups["beslut"] = (
            "Klara för beslut i styrelsen",
            status == Status.KLAR_FOR_BESLUT.value,
            {"status": Status.KLAR_FOR_BESLUT.value},
        )
    return groups


def _unread_comments(user: User) -> tuple[int, list[tuple[Any, int]]]:
    """Applications with comments ``user`` has not read: how many, and the newest few.

    Read from ``comment_unread`` (kept where comments are written and read), so only the
    user's own rows are looked at; the case's status and whether the user may see it are
    decided here, as on the list."""
    unread, latest = review_services.unread_columns(user)
    newest = (
        select(
            CommentUnread.application_id,
            unread.label("unread"),
            latest.label("latest"),
            func.count().over().label("applications"),
        )
        .join(Application, Application.id == CommentUnread.application_id)
        .where(
            CommentUnread.user_id == user.id,
            CommentUnread.is_open,  # as the partial index says it
            unread > 0,
            Application.status.in_(review_services.OPEN_FOR_COMMENTS),
            visible_to(user),
        )
        .order_by(latest.desc(), CommentUnread.application_id.desc())
        .limit(ITEMS_PER_GROUP)
        .subquery()
    )
    # only the few listed applications' rows are read
    rows = db.session.execute(
        select(*_TITLE_COLUMNS, newest.c.unread, newest.c.applications)
        .join(newest, newest.c.application_id == Application.id)
        .order_by(newest.c.latest.desc(), Application.id.desc())
    ).all()
    total = rows[0].applications if rows else 0
    return total, [(row, row.unread) for row in rows]


def _followup_counts(user: User, today: date) -> dict[str, tuple[int, Any]]:
    """Reports and rekvisitioner waiting for ``user``: key → (count, oldest date), one query."""
    roles = user.roles
    parts = []
    if Role.KANSLI in roles:
        parts.append(
            select(literal("rapporter_granska"), func.count(), func.min(Report.submitted_at)).where(
                Report.status == ReportStatus.INSKICKAD.value
            )
        )
        parts.append(
            select(
                literal("rekvisitioner"), func.count(), func.min(PaymentRequest.requested_at)
            ).where(
                PaymentRequest.status.in_(
                    [PaymentStatus.INSKICKAD.value, PaymentStatus.GODKAND.value]
                )
            )
        )
    if Role.SOKANDE in roles and user.organisation_id is not None:
        due = or_(
            Report.status == ReportStatus.KOMPLETTERING_BEGARD.value,
            Report.due_date <= today + timedelta(days=REPORT_HORIZON_DAYS),
        )
        parts.append(
            select(literal("rapporter_skriva"), func.count(), func.min(Report.due_date))
            .join(Application, Application.id == Report.application_id)
            .where(
                Application.organisation_id == user.organisation_id,
                Application.status == Status.PAGAENDE.value,
                Report.status.in_(
                    [ReportStatus.UTKAST.value, ReportStatus.KOMPLETTERING_BEGARD.value]
                ),
                due,
            )
        )
    parts.extend(_agreement_counts(user))
    if not parts:
        return {}
    rows = db.session.execute(union_all(*parts)).all()
    return {key: (n, oldest) for key, n, oldest in rows}


def _agreement_counts(user: User) -> list:
    """Överenskommelser waiting for ``user``'s acceptance: as the organisation's named
    signatory, or for the förbund as its förbundschef (any kansli user while none is named)."""
    open_ = and_(
        Agreement.outside_system.is_(False),
        Application.status.in_([s.value for s in ACCEPTABLE]),
    )
    parts = []
    if Role.SOKANDE in user.roles and user.organisation_id is not None:
        parts.append(
            # the oldest as a date, like the reports' due dates this union starts with
            select(literal("overenskommelser_egna"), func.count(), func.min(Agreement.decided_on))
            .join(Application, Application.id == Agreement.application_id)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(
                open_,
                Organisation.id == user.organisation_id,
                Organisation.signatory_id == user.id,
                Agreement.applicant_accepted_at.is_(None),
            )
        )
    if Role.KANSLI in user.roles:
        # who accepts for the förbund, decided in the statement itself (no user is loaded):
        # the förbundschef, or any kansli user while no active kansli user is named
        forbund = current_forbund()
        chef_id = forbund.forbundschef_id if forbund is not None else None
        waiting = (
            select(
                literal("overenskommelser_forbundet"), func.count(), func.min(Agreement.drawn_up_at)
            )
            .join(Application, Application.id == Agreement.application_id)
            .where(open_, Agreement.forbund_accepted_at.is_(None))
        )
        if chef_id is not None and chef_id != user.id:
            waiting = waiting.where(
                ~exists()
                .where(User.id == chef_id, User.active.is_(True))
                .where(
                    exists().where(UserRole.user_id == User.id, UserRole.role == Role.KANSLI.value)
                )
            )
        parts.append(waiting)
    return parts


def _unsigned_minutes(user: User, today: date) -> tuple[int, list[Meeting]]:
    """Meetings held but with minutes not yet justerade (kansli and styrelse)."""
    if not user.roles & {Role.KANSLI, Role.STYRELSE}:
        return 0, []
    rows = db.session.execute(
        select(Meeting, func.count().over())
        .where(Meeting.signed_at.is_(None), Meeting.date <= today)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(ITEMS_PER_GROUP)
    ).all()
    return (rows[0][1] if rows else 0), [row[0] for row in rows]


def _newest_by_group(
    user: User, app_groups: dict[str, tuple[str, ColumnElement[bool], dict]]
) -> dict[str, list[Any]]:
    """The newest few applications of every group, in one statement (a UNION ALL of each
    group's own ``ORDER BY … LIMIT``): rows with what an item shows, no ORM objects."""
    visible = visible_to(user)
    parts = []
    for key, (_, condition, _) in app_groups.items():
        newest = (
            select(
                Application.id.label("id"),
                literal(key).label("grp"),
                Application.updated_at.label("changed"),
            )
            .where(visible, condition)
            .order_by(Application.updated_at.desc(), Application.id.desc())
            .limit(ITEMS_PER_GROUP)
            .subquery()
        )
        parts.append(select(newest.c.id, newest.c.grp, newest.c.changed))
    picked = union_all(*parts).subquery()
    rows = db.session.execute(
        select(*_TITLE_COLUMNS, Organisation.name.label("organisation"), picked.c.grp)
        .join(picked, picked.c.id == Application.id)
        .outerjoin(Organisation, Organisation.id == Application.organisation_id)
        .order_by(picked.c.changed.desc(), Application.id.desc())
    ).all()
    result: dict[str, list[Any]] = {key: [] for key in app_groups}
    for row in rows:
        result[row.grp].append(row)
    return result


def _unread_group(user: User) -> Group:
    total, unread = _unread_comments(user)
    return Group(
        key="olasta",
        heading="Ansökningar med kommentarer du inte har läst",
        count=total,
        items=[
            Item(
                text=_title(application),
                href=url_for("review.comments", application_id=application.id),
                note=f"{n} oläst{'a' if n > 1 else ''} kommentar{'er' if n > 1 else ''}",
            )
            for application, n in unread
        ],
    )


def work_list(user: User, today: date | None = None) -> list[Group]:
    """The viewer's *Att göra*, in a fixed number of statements (see the module docstring)."""
    today = today or _today()
    groups: list[Group] = []
    app_groups = _application_groups(user)
    if app_groups:
        counts = db.session.execute(
            select(
                *[
                    func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(key)
                    for key, (_, condition, _) in app_groups.items()
                ]
            ).where(
                visible_to(user),
                # each group is of one status: only those are read (from the status index)
                Application.status.in_(sorted({a["status"] for _, _, a in app_groups.values()})),
            )
        ).one()
        newest = _newest_by_group(user, app_groups)
        for key, (heading, _, args) in app_groups.items():
            groups.append(
                Group(
                    key=key,
                    heading=heading,
                    count=int(getattr(counts, key)),
                    href=url_for("applications.index", **args),
                    items=[
                        Item(
                            text=_title(row),
                            href=url_for("applications.show", application_id=row.id),
                            note=row.organisation,
                        )
                        for row in newest[key]
                    ],
                )
            )
    if user.roles & COMMENTERS:
        groups.append(_unread_group(user))
    followup = _followup_counts(user, today)
    headings = {
        "rapporter_granska": ("Rapporter att granska", "followup_lists.index"),
        "rekvisitioner": ("Rekvisitioner att besluta eller betala ut", "followup_lists.index"),
        "rapporter_skriva": ("Rapporter att skriva eller komplettera", None),
        "overenskommelser_forbundet": (
            "Överenskommelser att godkänna för förbundet",
            "followup_lists.index",
        ),
        "overenskommelser_egna": ("Överenskommelser att godkänna som firmatecknare", None),
    }
    for key, (n, _oldest) in followup.items():
        heading, endpoint = headings[key]
        href = (
            url_for(endpoint)
            if endpoint
            else url_for(
                "applications.index",
                status=Status.PAGAENDE.value,
                organisation=user.organisation_id,
            )
        )
        groups.append(Group(key=key, heading=heading, count=n, href=href))
    minutes_total, meetings = _unsigned_minutes(user, today)
    if user.roles & {Role.KANSLI, Role.STYRELSE}:
        groups.append(
            Group(
                key="justera",
                heading="Protokoll att justera",
                count=minutes_total,
                href=url_for("meetings.index"),
                items=[
                    Item(
                        text=f"Sammanträde {meeting.date.isoformat()}",
                        href=url_for("meetings.show", meeting_id=meeting.id),
                    )
                    for meeting in meetings
                ],
            )
        )
    return groups


#: What an item's text is made of (``_title``), read as plain columns.
_TITLE_COLUMNS = (
    Application.id,
    Application.diarie_year,
    Application.diarie_number,
    Application.title,
)


def _title(row: Any) -> str:
    """``diarienummer display_title``, as ``Application`` spells them, from a row."""
    title = row.title or "Namnlös ansökan"
    if row.diarie_number is not None:
        return f"{row.diarie_year}/{row.diarie_number} {title}"
    return title
