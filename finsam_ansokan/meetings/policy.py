"""Object-level rules for meetings and decisions.

Route access is the POLICY table (``view_meetings``, ``manage_meetings``,
``record_decisions``); these answer for one meeting or one application.
"""

from __future__ import annotations

from typing import Any

from finsam_ansokan.applications.policy import can_view
from finsam_ansokan.core.permissions import can


def _open(meeting: Any) -> bool:
    """Nothing changes once justering has begun (someone has justerat) or is done."""
    return not meeting.is_signed and not meeting.justering_started


def can_manage(user: Any, meeting: Any) -> bool:
    """Build the agenda, record attendance, name the signatories: the kansli, until
    justering begins."""
    return can("manage_meetings", user) and _open(meeting)


def can_record(user: Any, meeting: Any) -> bool:
    """Record decisions and jäv: kansli and styrelse, until justering begins."""
    return can("record_decisions", user) and _open(meeting)


def can_justera(user: Any, signatory: Any) -> bool:
    """Only the named person justerar, in their own name, once."""
    return (
        can("justera_minutes", user)
        and signatory.user_id is not None
        and signatory.user_id == getattr(user, "id", None)
        and signatory.signed_at is None
        and not signatory.meeting.is_signed
    )


def can_record_paper_justering(user: Any, signatory: Any) -> bool:
    """The kansli records the justering of a person without an account."""
    return (
        can("manage_meetings", user)
        and signatory.user_id is None
        and signatory.signed_at is None
        and not signatory.meeting.is_signed
    )


def can_read_decision(user: Any, application: Any) -> bool:
    return can_view(user, application)
