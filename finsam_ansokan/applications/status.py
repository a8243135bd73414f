"""Application statuses and the one table of allowed transitions.

Every status change goes through :func:`finsam_ansokan.applications.services.transition`,
which looks the change up here, refuses what is not listed, and writes an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finsam_ansokan.core.errors import StateTransitionError


class Status(StrEnum):
    UTKAST = "utkast"
    INSKICKAD = "inskickad"
    UNDER_BEREDNING = "under_beredning"
    KOMPLETTERING_BEGARD = "komplettering_begard"
    KLAR_FOR_BESLUT = "klar_for_beslut"
    #: Decided at a meeting whose minutes are not yet justerade: nothing about the
    #: decision is final, so nothing about it is shown outside the meeting (see
    #: ``applications/finality.py``). Justering moves the case on.
    BESLUTAD = "beslutad"
    BEVILJAD = "beviljad"
    DELVIS_BEVILJAD = "delvis_beviljad"
    AVSLAGEN = "avslagen"
    ATERKALLAD = "aterkallad"
    PAGAENDE = "pagaende"
    AVSLUTAD = "avslutad"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.UTKAST: "Utkast",
    Status.INSKICKAD: "Inskickad",
    Status.UNDER_BEREDNING: "Under beredning",
    Status.KOMPLETTERING_BEGARD: "Komplettering begärd",
    Status.KLAR_FOR_BESLUT: "Klar för beslut",
    Status.BESLUTAD: "Beslutad vid sammanträde, protokollet ej justerat",
    Status.BEVILJAD: "Beviljad",
    Status.DELVIS_BEVILJAD: "Delvis beviljad",
    Status.AVSLAGEN: "Avslagen",
    Status.ATERKALLAD: "Återkallad",
    Status.PAGAENDE: "Pågående",
    Status.AVSLUTAD: "Avslutad",
}


class Action(StrEnum):
    """What someone does that changes an application's status."""

    SUBMIT = "submit"  # Skicka in ansökan
    START_REVIEW = "start_review"  # Ta upp till beredning
    REQUEST_INFO = "request_info"  # Begär komplettering
    RESUBMIT = "resubmit"  # Skicka in kompletteringen
    MARK_READY = "mark_ready"  # Klar för beslut
    DECIDE = "decide"  # Beslut registrerat vid sammanträdet (protokollet ej justerat)
    POSTPONE = "postpone"  # Bordlägg (at justering: back to Klar för beslut)
    SEND_BACK = "send_back"  # Återremittera
    GRANT = "grant"  # Bevilja
    GRANT_PART = "grant_part"  # Delvis bevilja
    REJECT = "reject"  # Avslå
    START = "start"  # Insatsen startar
    CLOSE = "close"  # Avsluta
    WITHDRAW = "withdraw"  # Återkalla
    REOPEN = "reopen"  # Ändra beslut (only the meetings service, while the minutes are unsigned)
    DELEGATE_GRANT = "delegate_grant"  # Bevilja på delegation (final at once)
    DELEGATE_GRANT_PART = "delegate_grant_part"  # Delvis bevilja på delegation
    DELEGATE_REJECT = "delegate_reject"  # Avslå på delegation

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "Skicka in ansökan",
    Action.START_REVIEW: "Ta upp till beredning",
    Action.REQUEST_INFO: "Begär komplettering",
    Action.RESUBMIT: "Skicka in kompletteringen",
    Action.MARK_READY: "Klar för beslut",
    Action.DECIDE: "Registrera beslut",
    Action.POSTPONE: "Bordlägg",
    Action.SEND_BACK: "Återremittera",
    Action.GRANT: "Bevilja",
    Action.GRANT_PART: "Delvis bevilja",
    Action.REJECT: "Avslå",
    Action.START: "Starta insatsen",
    Action.CLOSE: "Avsluta",
    Action.WITHDRAW: "Återkalla",
    Action.REOPEN: "Ändra beslut",
    Action.DELEGATE_GRANT: "Bevilja på delegation",
    Action.DELEGATE_GRANT_PART: "Delvis bevilja på delegation",
    Action.DELEGATE_REJECT: "Avslå på delegation",
}


@dataclass(frozen=True)
class Transition:
    action: Action
    source: frozenset[Status]
    target: Status


_UNDECIDED = frozenset(
    {
        Status.UTKAST,
        Status.INSKICKAD,
        Status.UNDER_BEREDNING,
        Status.KOMPLETTERING_BEGARD,
        Status.KLAR_FOR_BESLUT,
    }
)

#: The process from DOMAIN.md, "The process". A decision recorded at a meeting makes the
#: case Beslutad (pending); only justering of the minutes moves it to its outcome (the
#: grant, part grant, rejection, återremiss, or back to Klar för beslut if bordlagd).
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.SUBMIT, frozenset({Status.UTKAST}), Status.INSKICKAD),
        Transition(Action.START_REVIEW, frozenset({Status.INSKICKAD}), Status.UNDER_BEREDNING),
        Transition(
            Action.REQUEST_INFO,
            frozenset({Status.INSKICKAD, Status.UNDER_BEREDNING}),
            Status.KOMPLETTERING_BEGARD,
        ),
        Transition(
            Action.RESUBMIT, frozenset({Status.KOMPLETTERING_BEGARD}), Status.UNDER_BEREDNING
        ),
        Transition(Action.MARK_READY, frozenset({Status.UNDER_BEREDNING}), Status.KLAR_FOR_BESLUT),
        Transition(Action.DECIDE, frozenset({Status.KLAR_FOR_BESLUT}), Status.BESLUTAD),
        Transition(Action.POSTPONE, frozenset({Status.BESLUTAD}), Status.KLAR_FOR_BESLUT),
        Transition(Action.SEND_BACK, frozenset({Status.BESLUTAD}), Status.UNDER_BEREDNING),
        Transition(Action.GRANT, frozenset({Status.BESLUTAD}), Status.BEVILJAD),
        Transition(Action.GRANT_PART, frozenset({Status.BESLUTAD}), Status.DELVIS_BEVILJAD),
        Transition(Action.REJECT, frozenset({Status.BESLUTAD}), Status.AVSLAGEN),
        Transition(
            Action.START, frozenset({Status.BEVILJAD, Status.DELVIS_BEVILJAD}), Status.PAGAENDE
        ),
        Transition(
            Action.CLOSE,
            frozenset({Status.BEVILJAD, Status.DELVIS_BEVILJAD, Status.PAGAENDE}),
            Status.AVSLUTAD,
        ),
        Transition(Action.WITHDRAW, _UNDECIDED, Status.ATERKALLAD),
        # Undo a decision recorded at a meeting whose minutes are not yet signed off, so it
        # can be recorded anew. Only meetings.services.undo_decision uses it; once the
        # minutes are justerade a correction is a new decision at a later meeting.
        Transition(
            Action.REOPEN,
            frozenset({Status.BESLUTAD}),
            Status.KLAR_FOR_BESLUT,
        ),
        # A delegationsbeslut (meetings.delegation) is final when made: no minutes to justera.
        Transition(Action.DELEGATE_GRANT, frozenset({Status.KLAR_FOR_BESLUT}), Status.BEVILJAD),
        Transition(
            Action.DELEGATE_GRANT_PART,
            frozenset({Status.KLAR_FOR_BESLUT}),
            Status.DELVIS_BEVILJAD,
        ),
        Transition(Action.DELEGATE_REJECT, frozenset({Status.KLAR_FOR_BESLUT}), Status.AVSLAGEN),
    )
}

#: Statuses in which the applicant may edit the content.
EDITABLE = frozenset({Status.UTKAST, Status.KOMPLETTERING_BEGARD})
#: Statuses that hold money in a frame.
GRANTED = frozenset({Status.BEVILJAD, Status.DELVIS_BEVILJAD, Status.PAGAENDE, Status.AVSLUTAD})
#: Statuses in which the board has decided the case: its decision can be read.
DECIDED = GRANTED | {Status.AVSLAGEN}


def target_of(current: Status | str, action: Action) -> Status:
    """Return the status ``action`` leads to from ``current``, or raise."""
    current = Status(current)
    transition = TRANSITIONS[action]
    if current not in transition.source:
        raise StateTransitionError(
            f"Det går inte att {action.label.lower()} när ansökan har status "
            f"{current.label.lower()}."
        )
    return transition.target


def allowed_actions(current: Status | str) -> list[Action]:
    current = Status(current)
    return [a for a, t in TRANSITIONS.items() if current in t.source]


def is_decided(current: Status | str) -> bool:
    """The board has decided the case (granted, partly granted or rejected)."""
    return Status(current) in DECIDED


def is_granted(current: Status | str) -> bool:
    """Money is granted: the project has a follow-up."""
    return Status(current) in GRANTED
