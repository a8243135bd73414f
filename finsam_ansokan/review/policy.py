"""Who may comment, read internal notes and prepare a case."""

from __future__ import annotations

from typing import Any

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import policy as application_policy
from finsam_ansokan.applications.status import TRANSITIONS, Action, Status

#: Who reads internal notes: the preparing and deciding bodies, and the auditors, who read
#: everything. Never the applicant.
INTERNAL_READERS = frozenset({Role.BEREDNING, Role.KANSLI, Role.STYRELSE, Role.REVISOR})
INTERNAL_WRITERS = frozenset({Role.BEREDNING, Role.KANSLI, Role.STYRELSE})
REVIEWERS = frozenset({Role.BEREDNING, Role.KANSLI})
#: Statuses in which comments may be written (a draft only when shared, see can_comment).
OPEN_FOR_COMMENTS = frozenset(
    {
        Status.UTKAST,
        Status.INSKICKAD,
        Status.UNDER_BEREDNING,
        Status.KOMPLETTERING_BEGARD,
        Status.KLAR_FOR_BESLUT,
    }
)


def _roles(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return user.roles


def can_read_internal(user: Any) -> bool:
    return bool(_roles(user) & INTERNAL_READERS)


def can_comment(user: Any, application: Any) -> bool:
    """Reviewers comment on shared drafts and on cases in preparation; the applicant answers."""
    if not application_policy.can_view(user, application):
        return False
    if Status(application.status) not in OPEN_FOR_COMMENTS or is_private_draft(application):
        return False
    return application_policy.is_own(user, application) or bool(_roles(user) & INTERNAL_WRITERS)


def can_write_internal(user: Any, application: Any) -> bool:
    return can_comment(user, application) and bool(_roles(user) & INTERNAL_WRITERS)


def is_private_draft(application: Any) -> bool:
    """A draft the applicant has not shared: no one else may read or comment on it yet."""
    return application.status == Status.UTKAST and not application.shared_for_comments


def can_share(user: Any, application: Any) -> bool:
    return application_policy.is_own(user, application) and application.status == Status.UTKAST


def can_review(user: Any, application: Any) -> bool:
    """Take into preparation, ask for more information, recommend."""
    return bool(_roles(user) & REVIEWERS) and application_policy.is_registered(application)


def can_start_review(user: Any, application: Any) -> bool:
    """Ta upp till beredning: a reviewer, and the case is inskickad."""
    return can_review(user, application) and _allows(application, Action.START_REVIEW)


def can_request_information(user: Any, application: Any) -> bool:
    """Begär komplettering: a reviewer, while the case is inskickad or under beredning."""
    return can_review(user, application) and _allows(application, Action.REQUEST_INFO)


def _allows(application: Any, action: Action) -> bool:
    return Status(application.status) in TRANSITIONS[action].source


def can_recommend(user: Any, application: Any) -> bool:
    return Role.BEREDNING in _roles(user) and application.status == Status.UNDER_BEREDNING


def can_propose(user: Any, application: Any) -> bool:
    """Write the förslag till beslut and mark the case ready for decision."""
    return Role.KANSLI in _roles(user) and application.status == Status.UNDER_BEREDNING
