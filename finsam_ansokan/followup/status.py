"""Statuses of reports and payment requests, and their small transition tables.

Every change goes through :func:`finsam_ansokan.followup.services` functions that look the
change up here, refuse what is not listed, and write an event.
"""

from __future__ import annotations

from enum import StrEnum

from finsam_ansokan.core.errors import StateTransitionError


class ReportKind(StrEnum):
    LAGESRAPPORT = "lagesrapport"
    SLUTRAPPORT = "slutrapport"

    @property
    def label(self) -> str:
        return {"lagesrapport": "Lägesrapport", "slutrapport": "Slutrapport"}[self.value]


class ReportStatus(StrEnum):
    UTKAST = "utkast"
    INSKICKAD = "inskickad"
    KOMPLETTERING_BEGARD = "komplettering_begard"
    GODKAND = "godkand"

    @property
    def label(self) -> str:
        return {
            "utkast": "Ej inskickad",
            "inskickad": "Inskickad",
            "komplettering_begard": "Komplettering begärd",
            "godkand": "Godkänd",
        }[self.value]


class ReportAction(StrEnum):
    SUBMIT = "submit"
    REQUEST_MORE = "request_more"
    APPROVE = "approve"

    @property
    def label(self) -> str:
        return {
            "submit": "skicka in rapporten",
            "request_more": "begära komplettering",
            "approve": "godkänna rapporten",
        }[self.value]


REPORT_TRANSITIONS: dict[ReportAction, tuple[frozenset[ReportStatus], ReportStatus]] = {
    ReportAction.SUBMIT: (
        frozenset({ReportStatus.UTKAST, ReportStatus.KOMPLETTERING_BEGARD}),
        ReportStatus.INSKICKAD,
    ),
    ReportAction.REQUEST_MORE: (
        frozenset({ReportStatus.INSKICKAD}),
        ReportStatus.KOMPLETTERING_BEGARD,
    ),
    ReportAction.APPROVE: (frozenset({ReportStatus.INSKICKAD}), ReportStatus.GODKAND),
}

#: The projektägare may edit the report in these statuses.
REPORT_EDITABLE = REPORT_TRANSITIONS[ReportAction.SUBMIT][0]


class PaymentStatus(StrEnum):
    INSKICKAD = "inskickad"
    GODKAND = "godkand"
    ATERFORD = "aterford"
    UTBETALD = "utbetald"

    @property
    def label(self) -> str:
        return {
            "inskickad": "Inskickad",
            "godkand": "Godkänd, ej utbetald",
            "aterford": "Återförd",
            "utbetald": "Utbetald",
        }[self.value]


class PaymentAction(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    PAY = "pay"

    @property
    def label(self) -> str:
        return {
            "approve": "godkänna rekvisitionen",
            "return": "återföra rekvisitionen",
            "pay": "registrera utbetalningen",
        }[self.value]


PAYMENT_TRANSITIONS: dict[PaymentAction, tuple[frozenset[PaymentStatus], PaymentStatus]] = {
    PaymentAction.APPROVE: (frozenset({PaymentStatus.INSKICKAD}), PaymentStatus.GODKAND),
    PaymentAction.RETURN: (frozenset({PaymentStatus.INSKICKAD}), PaymentStatus.ATERFORD),
    PaymentAction.PAY: (frozenset({PaymentStatus.GODKAND}), PaymentStatus.UTBETALD),
}

#: Payment requests that count against the grant (everything but a returned one).
PAYMENT_COUNTED = frozenset(
    {PaymentStatus.INSKICKAD, PaymentStatus.GODKAND, PaymentStatus.UTBETALD}
)


def report_target(current: str, action: ReportAction) -> ReportStatus:
    source, target = REPORT_TRANSITIONS[action]
    status = ReportStatus(current)
    if status not in source:
        raise StateTransitionError(
            f"Det går inte att {action.label} när rapporten har status {status.label.lower()}."
        )
    return target


def payment_target(current: str, action: PaymentAction) -> PaymentStatus:
    source, target = PAYMENT_TRANSITIONS[action]
    status = PaymentStatus(current)
    if status not in source:
        raise StateTransitionError(
            f"Det går inte att {action.label} när rekvisitionen har status {status.label.lower()}."
        )
    return target
