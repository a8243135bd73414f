"""The e-mail outbox: the decision sent to the applicant of every decided case, the notice
of every other submitted one sent to the kansli (a few of those failed), so the outbox page
has a history that grows with the data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications.models import NotificationKind, OutboxMessage, OutboxStatus

from .common import Seed


def write(seed: Seed) -> None:
    emails = dict(db.session.execute(select(User.id, User.email)).all())
    for app in seed.applications:
        if len(app.timeline) < 2:
            continue
        decided = app.decided_at is not None
        failed = not decided and seed.rng.random() < 0.02
        when = app.decided_at or app.timeline[1][0]
        recipient = app.owner_id if decided else seed.kansli
        seed.rows.add(
            OutboxMessage,
            id=seed.rows.next_id(OutboxMessage),
            created_at=when,
            kind=(NotificationKind.DECISION if decided else NotificationKind.SUBMITTED).value,
            recipient_id=recipient,
            to_email=emails[recipient],
            subject=f"{'Beslut om' if decided else 'Mottagen'} ansökan: {app.title}",
            body="Logga in i Finsam Ansökan för att läsa mer.",
            application_id=app.id,
            status=(OutboxStatus.FAILED if failed else OutboxStatus.SENT).value,
            attempts=6 if failed else 1,
            next_attempt_at=when,
            sent_at=None if failed else when + timedelta(minutes=1),
            last_error="Anslutningen till e-postservern nekades." if failed else None,
        )
    seed.rows.flush(OutboxMessage)
