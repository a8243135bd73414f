"""What the meetings add to the yearly archive: signed minutes and decision letters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from finsam_ansokan.applications.models import Application
from finsam_ansokan.core import archive
from finsam_ansokan.core.pdf import render_pdf
from finsam_ansokan.extensions import db

from . import minutes
from .models import AgendaItem, Decision, Meeting


def _minutes(meeting_id: int) -> bytes:
    meeting = db.session.get(Meeting, meeting_id)
    return render_pdf("meetings/protokoll_pdf.html", doc=minutes.minutes_document(meeting))


def _letter(decision_id: int) -> bytes:
    decision = db.session.get(Decision, decision_id)
    return render_pdf("meetings/beslutsbrev_pdf.html", doc=minutes.letter_document(decision))


def contributor(year: int) -> Iterator[archive.ArchiveDocument]:
    """Signed minutes of the year's meetings, and the decision letters (extracts) of the
    year's applications. Only signed minutes: until then nothing in them is final."""
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
            title=f"Protokoll {meeting.date.isoformat()}",
        )
    decisions = db.session.scalars(
        select(Decision)
        .join(Decision.agenda_item)
        .join(AgendaItem.meeting)
        .join(Decision.application)
        .where(Meeting.signed_at.is_not(None), Application.diarie_year == year)
        .options(joinedload(Decision.application), joinedload(Decision.agenda_item))
        .order_by(Application.diarie_number, Decision.id)
    )
    from finsam_ansokan.exports.archive import application_folder

    for decision in decisions:
        application = decision.application
        yield archive.ArchiveDocument(
            path=(
                f"{application_folder(application.diarie_year, application.diarie_number)}/"
                f"beslut-paragraf-{decision.agenda_item.paragraph}.pdf"
            ),
            render=lambda decision_id=decision.id: _letter(decision_id),
            application_id=application.id,
        )
