"""The append-only event log: who did what, when, and which status change it made.

Rows are only ever inserted. The migrations install triggers that refuse UPDATE and
DELETE on the table, on SQLite and PostgreSQL alike, so the log is append-only even for
code that tries otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_application_created", "application_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The application the event concerns, if any.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    #: Other things an event can concern, e.g. ``"meeting:4"`` or ``"user:12"``.
    subject: Mapped[str | None] = mapped_column(String(60), index=True)
    #: A machine name for what happened, e.g. ``"status_changed"``, ``"comment_added"``.
    kind: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User", lazy="joined")


def record_event(
    kind: str,
    *,
    actor: Any = None,
    application: Any = None,
    subject: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the session (flushed with the rest; the request commits)."""
    if kind not in EVENT_TEXTS:
        raise ValueError(f"Event kind {kind!r} has no Swedish text in EVENT_TEXTS")
    event = Event(
        kind=kind,
        actor_id=getattr(actor, "id", None),
        application_id=getattr(application, "id", None),
        subject=subject,
        from_status=str(from_status) if from_status else None,
        to_status=str(to_status) if to_status else None,
        message=message,
        data=data,
    )
    if application is not None and getattr(application, "id", None) is None:
        event.application = application  # type: ignore[attr-defined]
    db.session.add(event)
    return event


#: A Swedish sentence for every kind of event. A kind missing here is refused by
#: :func:`record_event` (and ``tests/unit/test_event_texts.py`` finds every kind in the code),
#: so no page ever shows a machine name such as ``application_saved``.
EVENT_TEXTS: dict[str, str] = {
    "application_created": "Ansökan skapades.",
    "application_saved": "Ansökan sparades.",
    "status_changed": "Status ändrades.",
    "version_recorded": "En version av ansökan registrerades.",
    "attachment_added": "En bilaga lades till.",
    "attachment_removed": "En bilaga togs bort.",
    "draft_shared": "Utkastet delades med beredningsgruppen.",
    "draft_unshared": "Utkastet delas inte längre med beredningsgruppen.",
    "comment_added": "Ny kommentar.",
    "internal_note_added": "Ny intern anteckning.",
    "comment_resolved": "En kommentar markerades som löst.",
    "comment_reopened": "En kommentar öppnades igen.",
    "rekommendation_recorded": "Beredningsgruppen lämnade en rekommendation.",
    "forslag_recorded": "Kansliet skrev ett förslag till beslut.",
    "meeting_created": "Ett sammanträde skapades.",
    "meeting_updated": "Sammanträdet ändrades.",
    "meeting_deadline_set": "Sista dag för ansökningar till sammanträdet ändrades.",
    "agenda_item_added": "Ärendet fördes upp på dagordningen.",
    "delegation_order_adopted": "En delegationsordning antogs.",
    "delegation_decision_made": "Ärendet beslutades på delegation.",
    "delegation_decision_reported": "Delegationsbeslutet anmäldes till styrelsen.",
    "agenda_item_removed": "Ärendet togs bort från dagordningen.",
    "jav_declared": "Jäv anmäldes.",
    "decision_recorded": "Beslut fattades.",
    "decision_changed": "Beslutet ändrades.",
    "minutes_signed": "Protokollet justerades.",
    "meeting_settings_updated": "Förbundets regler för sammanträden ändrades.",
    "meeting_deleted": "Ett sammanträde som inte blev av togs bort.",
    "kallelse_sent": "Kallelsen till sammanträdet skickades till styrelsen.",
    "kallelse_reminder_sent": "En påminnelse om kallelsen skickades till styrelsen.",
    "signatory_named": "En person utsågs att justera protokollet.",
    "signatory_removed": "En person ska inte längre justera protokollet.",
    "minutes_justerade_by": "En av justerarna justerade protokollet.",
    "anslag_posted": "Anslaget om justeringen sattes upp på anslagstavlan.",
    "decision_final": "Beslutet blev slutligt när protokollet justerades.",
    "oidc_provider_created": "En inloggningstjänst (OpenID Connect) lades till.",
    "oidc_provider_updated": "En inloggningstjänst (OpenID Connect) ändrades.",
    "oidc_identity_bound": "Kontot kopplades till en inloggning via organisationen.",
    "signed_out_everywhere": "Användaren loggades ut överallt.",
    "invitation_sent": "En inbjudan skickades.",
    "invitation_revoked": "En inbjudan drogs tillbaka.",
    "invitation_accepted": "En inbjudan togs emot och ett lösenord valdes.",
    "password_reset_requested": "En länk för nytt lösenord begärdes.",
    "password_reset_by_link": "Lösenordet byttes via en länk.",
    "password_reset_forced": "Användaren måste välja ett nytt lösenord.",
    "user_anonymised": "En användares personuppgifter avidentifierades.",
    "totp_enrolled": "Tvåstegsverifiering slogs på.",
    "totp_disabled": "Tvåstegsverifiering stängdes av.",
    "recovery_code_used": "En reservkod användes för att logga in.",
    "huvudomrade_created": "Ett huvudområde skapades.",
    "huvudomrade_updated": "Ett huvudområde ändrades.",
    "budget_year_created": "Ett budgetår skapades.",
    "budget_year_updated": "Ett budgetår ändrades.",
    "budget_reallocated": "Pengar omfördelades mellan ramar.",
    "report_schedule_created": "Rapportschemat lades upp.",
    "report_added": "En lägesrapport lades till i schemat.",
    "report_rescheduled": "En rapport flyttades i schemat.",
    "report_removed": "En rapport togs bort ur schemat.",
    "report_status_changed": "En rapport ändrade status.",
    "payment_requested": "En rekvisition lämnades.",
    "payment_status_changed": "En rekvisition ändrade status.",
    "organisation_created": "En medlemsorganisation lades till.",
    "organisation_updated": "En medlemsorganisation ändrades.",
    "organisation_signatory_set": "En medlemsorganisations firmatecknare ändrades.",
    "forbundschef_set": "Förbundschefen ändrades.",
    "agreement_drawn_up": "En överenskommelse upprättades efter beslutet.",
    "agreement_accepted": "Överenskommelsen godkändes av en part.",
    "agreement_in_force": "Överenskommelsen är godkänd av båda parter; medel kan rekvireras.",
    "user_created": "En användare lades till.",
    "user_updated": "En användare ändrades.",
    "user_deleted": "En användare togs bort.",
    "password_changed": "Lösenordet byttes.",
    "password_reset": "Lösenordet återställdes.",
    "demo_loaded": "Demodata lästes in.",
}

#: Kinds whose free-text ``message`` is written for the reader (a reason, a Swedish summary)
#: and is shown under the sentence. Other messages are for the log only.
SHOWN_MESSAGES = frozenset(
    {
        "status_changed",
        "draft_shared",
        "draft_unshared",
        "application_created",
        "report_schedule_created",
        "report_added",
        "report_rescheduled",
        "report_removed",
        "report_status_changed",
        "payment_requested",
        "payment_status_changed",
        "agreement_drawn_up",
        "agreement_accepted",
        "agenda_item_added",
        "agenda_item_removed",
        "delegation_decision_made",
        "delegation_decision_reported",
    }
)
