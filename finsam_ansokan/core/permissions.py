"""Who may do what: one policy table, used by routes, templates and tests.

Each *capability* names something a user does (``manage_users``); :data:`POLICY` lists
the roles that have it. Routes declare their capability with :func:`require` (or mark
themselves :func:`public`), templates ask :func:`can`, and the permission-matrix test
walks every route and checks it against this table. Object-level rules ("only your own
organisation's drafts") live beside the objects, in each area's ``policy`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from finsam_ansokan.core.roles import Role

F = TypeVar("F", bound=Callable[..., Any])

ANY_ROLE = frozenset(Role)
READERS = frozenset({Role.BEREDNING, Role.KANSLI, Role.STYRELSE, Role.REVISOR})

#: capability → the roles that have it. The single source of truth for route access.
POLICY: dict[str, frozenset[Role]] = {
    # every logged-in user
    "view_start": ANY_ROLE,
    "manage_own_account": ANY_ROLE,
    # applications (object-level rules in applications/policy.py)
    "create_application": frozenset({Role.SOKANDE}),
    "edit_application": frozenset({Role.SOKANDE}),
    "submit_application": frozenset({Role.SOKANDE}),
    "withdraw_application": frozenset({Role.SOKANDE}),
    "view_application": ANY_ROLE,
    "list_all_applications": READERS,
    "manage_attachments": frozenset({Role.SOKANDE}),
    # beredning (object-level rules in review/policy.py)
    "comment": frozenset({Role.SOKANDE, Role.BEREDNING, Role.KANSLI, Role.STYRELSE}),
    "review_applications": frozenset({Role.BEREDNING, Role.KANSLI}),
    # the Beredning tab: the revisor reads it (read-only), the reviewers act on it
    "view_review": frozenset({Role.BEREDNING, Role.KANSLI, Role.REVISOR}),
    "manage_outbox": frozenset({Role.KANSLI, Role.ADMIN}),
    # budget: everyone who follows the förbund's money reads it; the kansli keeps it
    "view_budget": READERS,
    "manage_budget": frozenset({Role.KANSLI}),
    # follow-up of granted projects (object-level rules in followup/policy.py)
    "view_followup": READERS | {Role.SOKANDE},
    "write_reports": frozenset({Role.SOKANDE}),
    "request_payment": frozenset({Role.SOKANDE}),
    "manage_followup": frozenset({Role.KANSLI}),
    "list_followup": frozenset({Role.KANSLI, Role.REVISOR}),
    # the överenskommelse: the organisation's named signatory (a sökande) accepts for the
    # projektägare; the förbundschef, or while none is named any kansli user, for the förbund
    "accept_agreement": frozenset({Role.SOKANDE}),
    "accept_agreement_for_forbund": frozenset({Role.KANSLI}),
    # sammanträden: the board and those who prepare or audit read; the kansli runs them
    "view_meetings": READERS,
    "manage_meetings": frozenset({Role.KANSLI}),
    "record_decisions": frozenset({Role.KANSLI, Role.STYRELSE}),
    # a named ordförande, sekreterare or justerare justerar in their own name
    "justera_minutes": frozenset({Role.KANSLI, Role.STYRELSE}),
    "view_delegation": READERS,
    "manage_delegation": frozenset({Role.KANSLI}),
    # the role; the delegationsordning names the one kansli user who may (meetings.delegation)
    "decide_by_delegation": frozenset({Role.KANSLI}),
    # statistics and exports: an export of a page needs the page's capability; the yearly
    # archive package is for the diarium (kansli) and the auditors
    "view_statistics": READERS,
    "export_archive": frozenset({Role.KANSLI, Role.REVISOR}),
    # administration
    "manage_users": frozenset({Role.KANSLI, Role.ADMIN}),
    "manage_organisations": frozenset({Role.KANSLI, Role.ADMIN}),
}


def can(capability: str, user: Any = None) -> bool:
    """True if ``user`` (default: the current user) holds a role with ``capability``."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    allowed = POLICY[capability]
    return bool(user.roles & allowed)


def require(capability: str) -> Callable[[F], F]:
    """Route decorator: log in first, then 403 unless the user has ``capability``."""
    if capability not in POLICY:
        raise KeyError(f"unknown capability {capability!r}; add it to POLICY")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from finsam_ansokan.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a route as open to everyone, logged in or not (login page, healthz …)."""
    view.capability = None  # type: ignore[attr-defined]
    return view
