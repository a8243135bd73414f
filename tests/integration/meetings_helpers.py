"""Shared set-up for the meeting tests: a frame, prepared cases, a meeting with a board."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings import settings as meeting_settings
from finsam_ansokan.review.models import Assessment, AssessmentAmount
from tests.factories import PASSWORD

YEAR = 2026


def prepared_case(
    factory, area, *, organisation=None, amounts=None, proposal="bevilja", title=None
):
    """A case Klar för beslut with the kansli's proposal (the proposed amounts = sökt)."""
    amounts = amounts or {YEAR: "450000"}
    owner = factory.user(Role.SOKANDE, organisation=organisation)
    application = factory.application(
        owner,
        status="klar_for_beslut",
        amounts=amounts,
        huvudomrade=area,
        title=title or "Förstärkt KAA",
    )
    kansli = factory.user(Role.KANSLI)
    db.session.add(
        Assessment(
            application_id=application.id,
            author=kansli,
            stage="forslag",
            kind=proposal,
            motivation="Insatsen svarar mot förbundets prioriteringar.",
            amounts=[
                AssessmentAmount(year=y, amount=Decimal(a) if proposal != "avsla" else Decimal(0))
                for y, a in amounts.items()
            ],
        )
    )
    db.session.flush()
    return application


def board_of_three(kansli) -> None:
    """The förbund's board has three ledamöter: beslutför with two taking part."""
    rules = meeting_settings.current()
    meeting_settings.save(
        meeting_settings.Rules(**{**rules.__dict__, "board_size": 3}), actor=kansli
    )


def meeting_with_board(factory, kansli, *, chair_org=None, meeting_date=None):
    """A held meeting: the chair and a justerare (ledamöter, users), a third ledamot, the
    kansli as sekreterare; a board of three, so beslutför."""
    board_of_three(kansli)
    meeting = services.create_meeting(
        services.MeetingData(
            date=meeting_date or date(YEAR, 11, 23),
            place="Förbundets kansli, Växjö",
            start_time=time(9, 0),
            end_time=time(11, 30),
        ),
        actor=kansli,
    )
    chair = factory.user(Role.STYRELSE, organisation=chair_org, name="Stefan Berglund")
    justerare = factory.user(Role.STYRELSE, name="Maja Lindholm")
    attendances = {}
    for key, user, role, note in (
        ("chair", chair, "ledamot", "ordförande"),
        ("justerare", justerare, "ledamot", None),
        ("kansli", kansli, "ovrig", "sekreterare"),
    ):
        attendances[key] = services.add_attendance(
            meeting, user=user, name=None, organisation=None, role=role, note=note, actor=kansli
        )
    services.add_attendance(
        meeting,
        user=None,
        name="Per Holm",
        organisation=None,
        role="ledamot",
        note=None,
        actor=kansli,
    )
    for role, key in (
        ("ordforande", "chair"),
        ("sekreterare", "kansli"),
        ("justerare", "justerare"),
    ):
        services.add_signatory(
            meeting, role=role, attendance=attendances[key], name=None, actor=kansli
        )
    return meeting, chair


def justera_all(meeting, kansli):
    """Every signatory justerar: users in their own name, others recorded by the kansli."""
    for signatory in list(meeting.signatories):
        if signatory.signed_at is not None:
            continue
        user = signatory.attendance.user if signatory.attendance else None
        if user is not None:
            services.justera(signatory, actor=user, password=PASSWORD)
        else:
            services.record_paper_justering(signatory, actor=kansli)
    db.session.refresh(meeting)
    return meeting
