"""Object-level rules for meetings and decisions.

Route access is the POLICY table (``view_meetings``, ``manage_meetings``,
``record_decisions``); these answer for one meeting or one application.
"""

from __future__ import annotations

from typing import Any

from finsam_ansokan.applications.policy import can_view
from finsam_ansokan.core.permissions import can


def can_manage(user: Any, meeting: Any) -> bool:
    """Build the agenda, record attendance, sign off: the kansli, until signed."""
    return can("manage_meetings", user) and not meeting.is_signed


def can_record(user: Any, meeting: Any) -> bool:
    """Record decisions and jäv: kansli and styrelse, until the minutes are signed."""
    return can("record_decisions", user) and not meeting.is_signed


def can_see_unsigned_decisions(user: Any) -> bool:
    """Decisions of unsigned minutes are not final; only those at the meeting read them."""
    return can("view_meetings", user)


def can_read_decision(user: Any, application: Any) -> bool:
    return can_view(user, application)
