"""Nothing before it is final: the one rule for who sees a board decision.

A decision recorded at a meeting is not final until the minutes are justerade. Until then
only those entitled to the meeting's papers (the board, the kansli, the beredningsgrupp and
the auditors: the ``view_meetings`` capability) read its outcome, amount, § and jäv; the
applicant and everyone else see only that the case was decided at a meeting and that the
minutes are not yet justerade. After justering everyone who may see the application reads
all of it.

Every place that shows a decision asks here: the application and decision pages
(``meetings``), the history (``review.services.timeline``), the exports
(``exports.datasets``), the e-mail (``notifications``, sent only at justering) and the yearly
archive. This module sits in the lowest area so that each of them may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from finsam_ansokan.core.permissions import can

from .status import Status

PENDING_TEXT = "Beslutat vid sammanträde, protokollet ej justerat"
#: Events that tell a decision's outcome, §, amount or jäv before the minutes are final.
DECISION_EVENT_KINDS = frozenset({"decision_recorded", "decision_changed", "jav_declared"})
#: The event the meetings service records for each case when its minutes are justerade.
FINAL_EVENT_KIND = "decision_final"


def reads_meeting_papers(user: Any) -> bool:
    """Entitled to the meeting's papers (and so to decisions not yet justerade)."""
    return user is not None and can("view_meetings", user)


def decision_visible(user: Any, *, justerad: bool) -> bool:
    """THE rule: may ``user`` (None: the public, the archive) read a decision whose minutes
    are (``justerad``) or are not yet justerade?"""
    return justerad or reads_meeting_papers(user)


def is_pending(application: Any) -> bool:
    """The application has a decision in minutes that are not yet justerade."""
    return application.status == Status.BESLUTAD.value


def outcome_visible(user: Any, application: Any) -> bool:
    """May ``user`` read the application's decided outcome (status, granted amount) now?"""
    return decision_visible(user, justerad=not is_pending(application))


def _meeting_of(event: Any) -> str | None:
    subject = event.subject or ""
    return subject if subject.startswith("meeting:") else None


def visible_events(user: Any, events: Iterable[Any]) -> list[Any]:
    """The events of one application ``user`` may read: a decision's events (outcome, §,
    jäv) only once that meeting's minutes are justerade, unless the user reads the papers."""
    events = list(events)
    if reads_meeting_papers(user):
        return events
    justerade = {_meeting_of(e) for e in events if e.kind == FINAL_EVENT_KIND}
    return [
        e
        for e in events
        if e.kind not in DECISION_EVENT_KINDS
        or decision_visible(user, justerad=_meeting_of(e) in justerade)
    ]
