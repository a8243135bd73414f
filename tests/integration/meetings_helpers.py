"""Shared set-up for the meeting tests: a frame, prepared cases, a meeting with a board."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.review.models import Assessment, AssessmentAmount

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


def meeting_with_board(factory, kansli, *, chair_org=None):
    meeting = services.create_meeting(
        services.MeetingData(
            date=date(YEAR, 11, 23),
            place="Förbundets kansli, Växjö",
            start_time=time(9, 0),
            end_time=time(11, 30),
            chair_name="Stefan Berglund",
            secretary_name="Karin Ekdahl",
            justerare_name="Maja Lindholm",
        ),
        actor=kansli,
    )
    chair = factory.user(Role.STYRELSE, organisation=chair_org, name="Stefan Berglund")
    services.add_attendance(
        meeting,
        user=chair,
        name=None,
        organisation=None,
        role="ledamot",
        note="ordförande",
        actor=kansli,
    )
    services.add_attendance(
        meeting,
        user=kansli,
        name=None,
        organisation=None,
        role="ovrig",
        note="sekreterare",
        actor=kansli,
    )
    return meeting, chair
