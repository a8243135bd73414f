"""Who may see and act on a project's follow-up.

Route-level access is ``core/permissions.POLICY`` (``view_followup``, ``write_reports``,
``request_payment``, ``manage_followup``); these functions answer for one project.
Projektägare act only on their own organisation's projects; the kansli decides; the
revisor and other readers read and change nothing.
"""

from __future__ import annotations

from typing import Any

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import policy as application_policy
from finsam_ansokan.applications.status import GRANTED, TRANSITIONS, Action, Status

from .status import PAYMENT_TRANSITIONS, REPORT_EDITABLE, PaymentAction, ReportStatus

is_own = application_policy.is_own


def _roles(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return user.roles


def can_view(user: Any, application: Any) -> bool:
    """The follow-up exists for granted projects, for those who may see the application."""
    return Status(application.status) in GRANTED and application_policy.can_view(user, application)


def _ongoing(application: Any) -> bool:
    return application.status == Status.PAGAENDE


def can_write(user: Any, report: Any) -> bool:
    return (
        is_own(user, report.application)
        and _ongoing(report.application)
        and ReportStatus(report.status) in REPORT_EDITABLE
    )


def can_request_payment(user: Any, application: Any) -> bool:
    return is_own(user, application) and _ongoing(application)


def can_manage(user: Any) -> bool:
    return Role.KANSLI in _roles(user)


def can_schedule(user: Any, application: Any) -> bool:
    return can_manage(user) and _ongoing(application)


def awaits_start(user: Any, application: Any) -> bool:
    """Granted but not started: the kansli may start the follow-up (the project becomes
    pågående and gets its report schedule)."""
    return can_manage(user) and Status(application.status) in TRANSITIONS[Action.START].source


def can_decide_report(user: Any, report: Any) -> bool:
    return (
        can_manage(user)
        and _ongoing(report.application)
        and report.status == ReportStatus.INSKICKAD
    )


def _payment_allows(payment: Any, action: PaymentAction) -> bool:
    return payment.status in PAYMENT_TRANSITIONS[action][0]


def can_decide_payment(user: Any, payment: Any) -> bool:
    """Approve or return it (while inskickad), or record that it is paid (once godkänd)."""
    return can_manage(user) and any(_payment_allows(payment, a) for a in PaymentAction)


def can_approve_payment(user: Any, payment: Any) -> bool:
    """Approve or return it: the request is inskickad and waits for the kansli."""
    return (
        can_manage(user)
        and _payment_allows(payment, PaymentAction.APPROVE)
        and _payment_allows(payment, PaymentAction.RETURN)
    )
