"""The demo förbund has a year of life in it, made through the services."""

from __future__ import annotations

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications.models import Application, ApplicationVersion
from finsam_ansokan.demo import load_demo
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import Agreement, PaymentRequest, Report
from finsam_ansokan.meetings.models import Decision, Meeting
from finsam_ansokan.notifications.models import OutboxMessage
from finsam_ansokan.review import services as review


def _statuses(model) -> set[str]:
    return set(db.session.scalars(select(model.status)))


def test_the_demo_has_a_year_of_life_and_loads_once(app_ctx):
    assert load_demo() is True
    signed = db.session.scalars(select(Meeting).where(Meeting.signed_at.is_not(None))).all()
    assert len(signed) == 2
    assert db.session.scalar(select(func.count(Decision.id))) == 4
    assert {"utkast", "inskickad", "komplettering_begard", "godkand"} <= _statuses(Report)
    assert {"inskickad", "godkand", "utbetald"} <= _statuses(PaymentRequest)
    assert {
        "utkast", "inskickad", "under_beredning", "komplettering_begard", "klar_for_beslut",
        "pagaende", "avslutad",
    } <= _statuses(Application)  # fmt: skip

    answered = db.session.scalar(
        select(Application).where(Application.title == "Stöd till arbetsgivare")
    )
    assert answered.status == "under_beredning"
    assert (
        db.session.scalar(
            select(func.max(ApplicationVersion.number)).where(
                ApplicationVersion.application_id == answered.id
            )
        )
        == 2
    )

    beredning = db.session.scalar(select(User).where(User.email == "beredning@varend.example"))
    unread = {
        a.title: review.unread_counts(a, beredning) for a in db.session.scalars(select(Application))
    }
    assert {t: n for t, n in unread.items() if n} == {"Arbetsträning med stöd": {"genomforande": 1}}
    assert db.session.scalar(select(func.count(OutboxMessage.id))) > 0
    # the spring's three projects (with rekvisitioner) have accepted agreements; the case
    # granted ten days ago and the one granted by delegation have theirs awaiting both
    accepted = [a.is_accepted for a in db.session.scalars(select(Agreement))]
    assert sorted(accepted) == [False, False, True, True, True]

    assert load_demo() is False
