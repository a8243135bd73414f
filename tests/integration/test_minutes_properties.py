"""Property: whatever the order of meetings, decisions, undos, justeringar and withdrawals,
§ numbers stay unique per year and follow the meetings' dates, nothing unjusterat reaches an
applicant, granted stays at least what was paid, and the ledger equals the frames."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import finality
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger as budget
from finsam_ansokan.budget.models import FrameGrant
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings.models import AgendaItem, Decision, Meeting, Paragraph
from finsam_ansokan.review.services import timeline

from .meetings_helpers import YEAR, board_of_three, justera_all, prepared_case

#: Meetings are held last year, so every one of them has taken place whatever today is.
MEETING_YEAR = today().year - 1
KINDS = ("bevilja", "avsla", "aterremittera", "bordlagg")

operation = st.one_of(
    st.tuples(st.just("meeting"), st.integers(0, 360)),
    st.tuples(st.just("case"), st.integers(0, 5)),
    st.tuples(st.just("decide"), st.integers(0, 20), st.sampled_from(KINDS)),
    st.tuples(st.just("undo"), st.integers(0, 20)),
    st.tuples(st.just("justera"), st.integers(0, 5)),
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
)


def _pick(rows, index):
    return rows[index % len(rows)] if rows else None


def _attempt(action) -> None:
    """Run one step; a refusal (DomainError) undoes exactly that step."""
    savepoint = db.session.begin_nested()
    try:
        action()
    except DomainError:
        savepoint.rollback()
    else:
        savepoint.commit()


def _check_paragraphs() -> None:
    numbers = db.session.execute(
        select(Paragraph.year, Paragraph.number, func.count()).group_by(
            Paragraph.year, Paragraph.number
        )
    ).all()
    assert all(count == 1 for _y, _n, count in numbers)
    justerade = db.session.scalars(
        select(Meeting).where(Meeting.signed_at.is_not(None)).order_by(Meeting.date, Meeting.id)
    ).all()
    last_by_year: dict[int, int] = {}
    for meeting in justerade:
        year = meeting.date.year
        assert meeting.first_paragraph == last_by_year.get(year, 0) + 1, "§ follow the dates"
        expected = meeting.first_paragraph + len(services.OPENING_PARAGRAPHS)
        for offset, item in enumerate(meeting.items):
            assert item.paragraph == expected + offset
        last_by_year[year] = expected + len(meeting.items) - 1
    unjusterade = db.session.scalars(select(Meeting).where(Meeting.signed_at.is_(None))).all()
    for meeting in unjusterade:
        assert all(item.paragraph is None for item in meeting.items)
        # a later meeting is never justerad before an earlier one of the same year
        assert all(
            (m.date, m.id) < (meeting.date, meeting.id)
            for m in justerade
            if m.date.year == meeting.date.year
        )


def _check_nothing_unjusterat_reaches_the_applicant(applications) -> None:
    for application in applications:
        db.session.refresh(application)
        applicant = application.created_by
        pending = db.session.scalars(
            select(Decision)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Decision.application_id == application.id, Meeting.signed_at.is_(None))
        ).all()
        assert bool(pending) == (application.status == Status.BESLUTAD.value)
        assert bool(pending) != finality.outcome_visible(applicant, application)
        shown = services.decisions_for(application, applicant)
        assert all(d.agenda_item.meeting.is_signed for d in shown)
        pending_meetings = {f"meeting:{d.agenda_item.meeting_id}" for d in pending}
        for event in (entry.event for entry in timeline(application, applicant)):
            if event.kind in finality.DECISION_EVENT_KINDS:
                assert event.subject not in pending_meetings


def _check_money(applications) -> None:
    assert budget.verify_frames() == []
    for application in applications:
        granted = db.session.scalar(
            select(func.coalesce(func.sum(FrameGrant.amount), 0)).where(
                FrameGrant.application_id == application.id
            )
        )
        paid = sum((row.paid for row in followup.money_summary(application).rows), D(0))
        assert D(granted) >= paid >= 0


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_any_sequence_keeps_paragraphs_in_date_order_and_applicants_blind_until_justering(
    factory, operations
):
    savepoint = db.session.begin_nested()
    try:
        factory.forbund()
        area = factory.huvudomrade("Pilotprojekt")
        factory.budget_year(YEAR, frames={area: "2000000"})
        kansli = factory.user(Role.KANSLI)
        board_of_three(kansli)
        chair = factory.user(Role.STYRELSE, name="Stefan Berglund")
        justerare = factory.user(Role.STYRELSE, name="Maja Lindholm")
        # every row a step might need exists before the steps: a refused step then undoes
        # only what the service did
        cases = [prepared_case(factory, area, amounts={YEAR: "300000"}) for _ in range(6)]
        meetings: list[Meeting] = []
        items: list[AgendaItem] = []
        applications = []

        def create(day):
            meeting = services.create_meeting(
                services.MeetingData(
                    date=date(MEETING_YEAR, 1, 1) + timedelta(days=day), place="Växjö"
                ),
                actor=kansli,
            )
            present = [
                services.add_attendance(
                    meeting,
                    user=user,
                    name=None,
                    organisation=None,
                    role=role,
                    note=None,
                    actor=kansli,
                )
                for user, role in ((chair, "ledamot"), (justerare, "ledamot"), (kansli, "ovrig"))
            ]
            for role, attendance in zip(
                ("ordforande", "justerare", "sekreterare"), present, strict=True
            ):
                services.add_signatory(
                    meeting, role=role, attendance=attendance, name=None, actor=kansli
                )
            meetings.append(meeting)

        def add_case(index):
            meeting = _pick(meetings, index)
            waiting = [c for c in cases if c not in applications]
            if meeting is None or not waiting:
                return
            application = waiting[0]
            items.append(services.add_case(meeting, application, actor=kansli))
            applications.append(application)

        def decide(index, kind):
            item = _pick(items, index)
            if item is None:
                return
            services.record_decision(
                item,
                kind=kind,
                amounts={YEAR: D("300000")} if kind == "bevilja" else None,
                motivation=None if kind == "bevilja" else "Skäl.",
                actor=kansli,
            )

        for op in operations:
            kind = op[0]
            if kind == "meeting":
                _attempt(lambda op=op: create(op[1]))
            elif kind == "case":
                _attempt(lambda op=op: add_case(op[1]))
            elif kind == "decide":
                _attempt(lambda op=op: decide(op[1], op[2]))
            elif kind == "undo" and items:
                _attempt(lambda op=op: services.undo_decision(_pick(items, op[1]), actor=kansli))
            elif kind == "justera" and meetings:
                _attempt(lambda op=op: justera_all(_pick(meetings, op[1]), kansli))
            elif kind == "withdraw" and applications:
                application = _pick(applications, op[1])
                _attempt(
                    lambda application=application: application_services.withdraw(
                        application, actor=application.created_by
                    )
                )
            for meeting in meetings:
                db.session.refresh(meeting)
            _check_paragraphs()
            _check_nothing_unjusterat_reaches_the_applicant(applications)
            _check_money(applications)
    finally:
        savepoint.rollback()
        # rows read inside the savepoint stay in the identity map; the next example reuses ids
        db.session.expunge_all()
