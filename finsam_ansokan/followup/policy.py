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
from finsam_ansokan.applications.status import GRANTED, Status

from .status import REPORT_EDITABLE, PaymentStatus, ReportStatus

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


def can_start(user: Any, application: Any) -> bool:
    return can_manage(user) and Status(application.status) in (
        Status.BEVILJAD,
        Status.DELVIS_BEVILJAD,
        Status.PAGAENDE,
    )


def can_decide_report(user: Any, report: Any) -> bool:
    return (
        can_manage(user)
        and _ongoing(report.application)
        and report.status == ReportStatus.INSKICKAD
    )


def can_decide_payment(user: Any, payment: Any) -> bool:
    return can_manage(user) and payment.status in (PaymentStatus.INSKICKAD, PaymentStatus.GODKAND)
