"""Read-only figures of the beredning: what is proposed (*föreslaget*)."""

from __future__ import annotations

from sqlalchemy import func, select

from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Status

from .models import Assessment, AssessmentAmount, AssessmentStage


def proposed_by_area(year: int):
    """What is proposed per huvudområde in ``year``: a subquery (huvudomrade_id, amount).

    The amounts of the latest förslag till beslut (``Assessment``, stage ``forslag``) of
    each case ready for decision (status ``klar_for_beslut``).
    """
    # assessments are only ever added, so the latest proposal has the highest id; only
    # the cases ready for decision are looked at, not every proposal ever written
    ready = select(Application.id).where(Application.status == Status.KLAR_FOR_BESLUT.value)
    latest = (
        select(func.max(Assessment.id).label("id"))
        .where(
            Assessment.stage == AssessmentStage.PROPOSAL.value,
            Assessment.application_id.in_(ready),
        )
        .group_by(Assessment.application_id)
        .subquery()
    )
    return (
        select(Application.huvudomrade_id, func.sum(AssessmentAmount.amount).label("amount"))
        .select_from(Application)
        .join(Assessment, Assessment.application_id == Application.id)
        .join(latest, latest.c.id == Assessment.id)
        .join(AssessmentAmount, AssessmentAmount.assessment_id == Assessment.id)
        .where(Application.status == Status.KLAR_FOR_BESLUT.value, AssessmentAmount.year == year)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )
