"""What the meetings add to the yearly archive: the case as decided, in lasting formats.

For each meeting of the year whose minutes are justerade: the justerat protokoll with its
anslag (PDF/A). For each case registered in the year: every beslutsbrev of justerade minutes
and the letter of a delegationsbeslut (PDF/A), and as CSV the förslag till beslut, the
comments the applicant could read, the reports, the rekvisitioner and the case history as
anyone may read it
(``applications.finality``: nothing of minutes not yet justerade; internal notes never).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from finsam_ansokan.applications import finality
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core import archive
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.pdf import render_pdf
from finsam_ansokan.core.text import spreadsheet_safe
from finsam_ansokan.core.timeutil import as_local, format_date, format_datetime
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup
from finsam_ansokan.review import services as review
from finsam_ansokan.review.models import Assessment, AssessmentStage

from . import minutes
from .models import AgendaItem, Decision, DelegationDecision, Meeting


def register() -> None:
    """Add the meetings' and the case's documents to the yearly archive."""
    archive.register("protokoll", contributor)
    archive.register("arende", case_documents)


def _minutes(meeting_id: int) -> bytes:
    meeting = db.session.get(Meeting, meeting_id)
    return render_pdf("meetings/protokoll_pdf.html", doc=minutes.minutes_document(meeting))


def _letter(decision_id: int) -> bytes:
    decision = db.session.get(Decision, decision_id)
    return render_pdf("meetings/beslutsbrev_pdf.html", doc=minutes.letter_document(decision))


def _delegation_letter(decision_id: int) -> bytes:
    decision = db.session.get(DelegationDecision, decision_id)
    return render_pdf(
        "meetings/delegationsbeslut_pdf.html", doc=minutes.delegation_letter_document(decision)
    )


def _day(value) -> date | None:
    return as_local(value).date() if value is not None else None


def contributor(year: int) -> Iterator[archive.ArchiveDocument]:
    """Justerade minutes of the year's meetings (with their anslag), and the beslutsbrev of
    the year's cases. Nothing of minutes not yet justerade: until then nothing is final."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.signed_at.is_not(None),
            Meeting.date >= date(year, 1, 1),
            Meeting.date <= date(year, 12, 31),
        )
        .order_by(Meeting.date, Meeting.id)
    )
    for meeting in meetings:
        yield archive.ArchiveDocument(
            path=f"protokoll/{meeting.date.isoformat()}-{meeting.id}.pdf",
            render=lambda meeting_id=meeting.id: _minutes(meeting_id),
            title=f"Justerat protokoll {meeting.date.isoformat()} med anslag",
            date=_day(meeting.signed_at),
        )
    decisions = db.session.scalars(
        select(Decision)
        .join(Decision.agenda_item)
        .join(AgendaItem.meeting)
        .join(Decision.application)
        .where(Meeting.signed_at.is_not(None), Application.diarie_year == year)
        .options(
            joinedload(Decision.application),
            joinedload(Decision.agenda_item).joinedload(AgendaItem.meeting),
        )
        .order_by(Application.diarie_number, Decision.id)
    )
    for decision in decisions:
        application = decision.application
        meeting = decision.agenda_item.meeting
        if not finality.decision_visible(None, justerad=meeting.is_signed):
            continue
        yield archive.ArchiveDocument(
            path=(
                f"{archive.application_folder(application.diarie_year, application.diarie_number)}/"
                f"beslutsbrev-paragraf-{decision.agenda_item.paragraph}.pdf"
            ),
            render=lambda decision_id=decision.id: _letter(decision_id),
            application_id=application.id,
            title=f"Beslutsbrev § {decision.agenda_item.paragraph}",
            date=_day(meeting.signed_at),
        )
    delegated = db.session.scalars(
        select(DelegationDecision)
        .join(DelegationDecision.application)
        .where(Application.diarie_year == year)
        .order_by(Application.diarie_number, DelegationDecision.id)
    )
    for decision in delegated:  # final when made
        application = decision.application
        yield archive.ArchiveDocument(
            path=(
                f"{archive.application_folder(application.diarie_year, application.diarie_number)}/"
                f"delegationsbeslut-{decision.year}-{decision.number}.pdf"
            ),
            render=lambda decision_id=decision.id: _delegation_letter(decision_id),
            application_id=application.id,
            title=f"Delegationsbeslut {decision.label}",
            date=decision.decided_on,
        )


# --- the case as CSV -------------------------------------------------------------------------


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM, semicolons, no text that runs as a formula: opens in Swedish Excel as
    the exports do."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _history(application_id: int) -> bytes:
    application = db.session.get(Application, application_id)
    entries = review.timeline(application, None)  # as the public reads it
    return _csv(
        ["Tidpunkt", "Vem", "Händelse"],
        [
            [
                format_datetime(entry.event.created_at),
                entry.event.actor.name if entry.event.actor else "",
                entry.text,
            ]
            for entry in entries
        ],
    )


def _comments(application_id: int) -> bytes:
    application = db.session.get(Application, application_id)
    rows = []
    for comment in review.comments_for(application, application.created_by):
        for each in [comment, *getattr(comment, "replies", [])]:
            if each.internal:
                continue
            rows.append(
                [format_datetime(each.created_at), each.author.name, each.section or "", each.body]
            )
    return _csv(["Tidpunkt", "Av", "Avsnitt", "Kommentar"], rows)


def _proposals(application_id: int) -> bytes:
    proposals = db.session.scalars(
        select(Assessment)
        .where(
            Assessment.application_id == application_id,
            Assessment.stage == AssessmentStage.PROPOSAL.value,
        )
        .order_by(Assessment.id)
    ).all()
    return _csv(
        ["Datum", "Förslag", "Belopp", "Motivering"],
        [
            [
                format_date(p.created_at),
                p.kind_label,
                ", ".join(f"{a.year}: {format_money(a.amount)}" for a in p.amounts),
                p.motivation or "",
            ]
            for p in proposals
        ],
    )


def _reports(application_id: int) -> bytes:
    application = db.session.get(Application, application_id)
    return _csv(
        ["Rapport", "Lämnas senast", "Status", "Kvinnor", "Män", "Måluppfyllelse"],
        [
            [
                r.kind_label,
                format_date(r.due_date),
                r.status_label,
                r.participants_women if r.participants_women is not None else "",
                r.participants_men if r.participants_men is not None else "",
                r.goal_fulfilment or "",
            ]
            for r in followup.reports_for(application)
        ],
    )


def _payments(application_id: int) -> bytes:
    application = db.session.get(Application, application_id)
    return _csv(
        ["År", "Period", "Belopp", "Status", "Begärd"],
        [
            [
                p.year,
                f"{format_date(p.period_start)}–{format_date(p.period_end)}",
                format_money(p.amount),
                p.status_label,
                format_date(p.requested_at),
            ]
            for p in followup.payments_for(application)
        ],
    )


_CASE_FILES = (
    ("forslag-till-beslut.csv", "Förslag till beslut", _proposals),
    ("kommentarer.csv", "Kommentarer som den sökande kunde läsa", _comments),
    ("rapporter.csv", "Rapporter", _reports),
    ("rekvisitioner.csv", "Rekvisitioner", _payments),
    ("historik.csv", "Ärendets historik", _history),
)


def case_documents(year: int) -> Iterator[archive.ArchiveDocument]:
    """The rest of each case registered in ``year``, as CSV."""
    rows = db.session.execute(
        select(
            Application.id,
            Application.diarie_year,
            Application.diarie_number,
            Application.updated_at,
        )
        .where(Application.diarie_year == year)
        .order_by(Application.diarie_number)
    ).all()
    for application_id, diarie_year, diarie_number, updated_at in rows:
        folder = archive.application_folder(diarie_year, diarie_number)
        for name, title, render in _CASE_FILES:
            yield archive.ArchiveDocument(
                path=f"{folder}/{name}",
                render=lambda application_id=application_id, render=render: render(application_id),
                application_id=application_id,
                title=title,
                date=_day(updated_at),
            )
