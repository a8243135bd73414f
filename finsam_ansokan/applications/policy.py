"""Object-level permissions for applications: who may see and change which one.

Route-level access is the POLICY table in ``core/permissions``; these functions answer for
one application. Routes call them (404 when the user may not even see it, 403 when they
may see but not act), templates call them to show or hide buttons, and tests use them in
the permission matrix.
"""

from __future__ import annotations

from typing import Any

from finsam_ansokan.accounts.roles import Role

from .status import EDITABLE, TRANSITIONS, Action, Status

#: Who reads a draft another organisation has shared for comments.
DRAFT_READERS = frozenset({Role.BEREDNING, Role.KANSLI})


def _roles(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return user.roles


def is_own(user: Any, application: Any) -> bool:
    """The user applies for the organisation that owns the application."""
    return (
        Role.SOKANDE in _roles(user)
        and user.organisation_id is not None
        and user.organisation_id == application.organisation_id
    )


def is_registered(application: Any) -> bool:
    """Submitted at least once: it has a diarienummer and is a public record."""
    return application.diarie_number is not None


def can_view(user: Any, application: Any) -> bool:
    roles = _roles(user)
    if not roles:
        return False
    if is_own(user, application):
        return True
    if is_registered(application):
        return bool(roles & {Role.KANSLI, Role.BEREDNING, Role.STYRELSE, Role.REVISOR, Role.ADMIN})
    # a draft belongs to its organisation until it is shared for comments, and then the
    # beredningsgrupp and the kansli read it (what the applicant's page says)
    return application.shared_for_comments and bool(roles & DRAFT_READERS)


def can_edit(user: Any, application: Any) -> bool:
    """Change the content: the applicant, while it is a draft or komplettering is asked for."""
    return is_own(user, application) and Status(application.status) in EDITABLE


def can_submit(user: Any, application: Any) -> bool:
    status = Status(application.status)
    return is_own(user, application) and status in (
        TRANSITIONS[Action.SUBMIT].source | TRANSITIONS[Action.RESUBMIT].source
    )


def can_withdraw(user: Any, application: Any) -> bool:
    return is_own(user, application) and Status(application.status) in (
        TRANSITIONS[Action.WITHDRAW].source
    )
