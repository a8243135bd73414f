"""Delegationsbeslut: what the board lets the förbundschef decide alone, and the decisions.

The board adopts a **delegationsordning** (:class:`DelegationOrder`): who the delegate is and,
per huvudområde, how much may be granted in one case and in all delegationsbeslut of one
budget year together. The newest ordning whose ``valid_from`` has come applies.

A **delegationsbeslut** is made by that delegate on a case that is *Klar för beslut* and not
on a meeting's agenda: the same kinds a board grants or rejects with, the same grant
amounts rule, the same ledger (:func:`ledger.grant_many`, so the frame's invariant holds) and
a number of its own (``D 2026:3``). It is final when made, so the case moves straight to its
outcome, the applicant is told and (on a grant) the agreement is drawn up. Each is reported
(*anmäls*) to the board at its next meeting: the decision joins that meeting's *Anmälan av
delegationsbeslut* item (made when first needed), and the minutes record that the board took
note.

Under concurrency the ordning's row is locked first (``SELECT … FOR UPDATE``; SQLite's writer
lock already serialises), so the yearly limit and the number are read and written by one
request at a time; the ledger's conditional UPDATE keeps the frame's invariant either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.errors import DomainError, DomainErrors
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.roles import Role
from finsam_ansokan.core.text import single_line
from finsam_ansokan.core.timeutil import format_date, today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements
from finsam_ansokan.notifications import services as notifications
from finsam_ansokan.review.models import AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from . import services
from .models import (
    BOARD_KINDS,
    DELEGATION_KINDS,
    AgendaItem,
    DecisionKind,
    DelegationAmount,
    DelegationDecision,
    DelegationLimit,
    DelegationOrder,
    Meeting,
)

REPORT_TITLE = "Anmälan av delegationsbeslut"
REPORT_DECISION = "Styrelsen beslutar att lägga anmälan av delegationsbeslut till handlingarna."

_ACTIONS = {
    DecisionKind.BEVILJA: Action.DELEGATE_GRANT,
    DecisionKind.DELVIS_BEVILJA: Action.DELEGATE_GRANT_PART,
    DecisionKind.AVSLA: Action.DELEGATE_REJECT,
}


# --- the delegationsordning ------------------------------------------------------------------


@dataclass(frozen=True)
class LimitData:
    huvudomrade_id: int
    max_per_case: Decimal
    max_per_year: Decimal


def current_order(on: date | None = None) -> DelegationOrder | None:
    """The delegationsordning in force on ``on`` (default: today)."""
    on = on or today()
    return db.session.scalar(
        select(DelegationOrder)
        .where(DelegationOrder.valid_from <= on)
        .order_by(DelegationOrder.valid_from.desc(), DelegationOrder.id.desc())
        .limit(1)
    )


def orders() -> list[DelegationOrder]:
    """Every delegationsordning the board has adopted, newest first."""
    return list(
        db.session.scalars(
            select(DelegationOrder).order_by(
                DelegationOrder.valid_from.desc(), DelegationOrder.id.desc()
            )
        )
    )


def adopt_order(
    *,
    adopted_by: str | None,
    adopted_on: date | None,
    valid_from: date | None,
    delegate: User | None,
    limits: list[LimitData],
    actor: User,
) -> DelegationOrder:
    """Store a delegationsordning the board has adopted; it replaces the one before it from
    ``valid_from``. Nothing of an earlier ordning changes."""
    problems: list[tuple[str | None, str]] = []
    adopted_by = single_line(adopted_by or "").strip()[:200]
    if not adopted_by:
        problems.append(("adopted_by", "Ange styrelsens beslut, till exempel datum och §."))
    if adopted_on is None:
        problems.append(("adopted_on", "Ange dagen då styrelsen antog delegationsordningen."))
    if valid_from is None:
        problems.append(("valid_from", "Ange från vilken dag delegationsordningen gäller."))
    elif adopted_on is not None and valid_from < adopted_on:
        problems.append(("valid_from", "Delegationsordningen kan inte gälla före beslutet."))
    latest = db.session.scalar(select(func.max(DelegationOrder.valid_from)))
    if valid_from is not None and latest is not None and valid_from < latest:
        problems.append(
            (
                "valid_from",
                f"En delegationsordning gäller redan från {format_date(latest)}. Den nya kan "
                "gälla tidigast samma dag.",
            )
        )
    if delegate is None or not delegate.active or Role.KANSLI not in delegate.roles:
        problems.append(("delegate_id", "Välj delegaten bland kansliets användare."))
    if not limits:
        problems.append((None, "Ange ett belopp per ärende och per år för minst ett huvudområde."))
    for limit in limits:
        if limit.max_per_case <= 0:
            problems.append((f"case_{limit.huvudomrade_id}", "Beloppet måste vara större än 0."))
        if limit.max_per_year < limit.max_per_case:
            problems.append(
                (
                    f"year_{limit.huvudomrade_id}",
                    "Beloppet per år kan inte vara lägre än beloppet per ärende.",
                )
            )
    if problems:
        raise DomainErrors(problems)
    order = DelegationOrder(
        adopted_by=adopted_by,
        adopted_on=adopted_on,
        valid_from=valid_from,
        delegate_id=delegate.id,
        created_by_id=actor.id,
        limits=[
            DelegationLimit(
                huvudomrade_id=limit.huvudomrade_id,
                max_per_case=limit.max_per_case,
                max_per_year=limit.max_per_year,
            )
            for limit in limits
        ],
    )
    db.session.add(order)
    db.session.flush()
    record_event(
        "delegation_order_adopted",
        actor=actor,
        subject=f"delegation_order:{order.id}",
        message=f"Delegationsordning ({adopted_by}) gäller från {format_date(valid_from)}; "
        f"delegat: {delegate.name}.",
    )
    return order


# --- who may decide what ---------------------------------------------------------------------


def limit_for(application: Application, user: User, on: date | None = None):
    """The limit under which ``user`` may decide ``application`` today, or None."""
    order = current_order(on)
    if order is None or order.delegate_id != user.id:
        return None
    return next((x for x in order.limits if x.huvudomrade_id == application.huvudomrade_id), None)


def may_decide(user: User, application: Application) -> bool:
    """Show the *Beslut på delegation* button? (The service checks everything again.)"""
    return (
        application.status == Status.KLAR_FOR_BESLUT.value
        and limit_for(application, user) is not None
        and services.pending_agenda_item(application) is None
    )


def used_by_year(huvudomrade_id: int, years) -> dict[int, Decimal]:
    """What delegationsbeslut have granted within the huvudområde in each of ``years``."""
    rows = db.session.execute(
        select(DelegationAmount.year, func.coalesce(func.sum(DelegationAmount.amount), 0))
        .join(DelegationDecision, DelegationDecision.id == DelegationAmount.decision_id)
        .join(DelegationLimit, DelegationLimit.id == DelegationDecision.limit_id)
        .where(
            DelegationLimit.huvudomrade_id == huvudomrade_id,
            DelegationAmount.year.in_(list(years)),
        )
        .group_by(DelegationAmount.year)
    )
    return {year: Decimal(total) for year, total in rows}


def _lock_order(order: DelegationOrder) -> None:
    """``SELECT … FOR UPDATE`` (SQLite has no row locks; its writer lock serialises)."""
    db.session.execute(
        select(DelegationOrder.id).where(DelegationOrder.id == order.id).with_for_update()
    )


def _check_within(limit: DelegationLimit, amounts: dict[int, Decimal]) -> None:
    area = limit.huvudomrade.name
    basis = f"delegationsordningen ({limit.order.adopted_by})"
    total = sum(amounts.values(), Decimal(0))
    if total > limit.max_per_case:
        raise DomainError(
            f"{format_money(total)} är mer än delegationen medger: högst "
            f"{format_money(limit.max_per_case)} per ärende inom {area} enligt {basis}. "
            "Ärendet måste beslutas av styrelsen.",
            field="kind",
        )
    used = used_by_year(limit.huvudomrade_id, amounts)
    for year, amount in sorted(amounts.items()):
        left = limit.max_per_year - used.get(year, Decimal(0))
        if amount > left:
            raise DomainError(
                f"Delegationen inom {area} är högst {format_money(limit.max_per_year)} för "
                f"{year} enligt {basis}; {format_money(max(left, Decimal(0)))} återstår. "
                "Ärendet måste beslutas av styrelsen.",
                field=f"amount_{year}",
            )


def _next_number(year: int) -> int:
    last = db.session.scalar(
        select(func.max(DelegationDecision.number)).where(DelegationDecision.year == year)
    )
    return (last or 0) + 1


# --- the decision ----------------------------------------------------------------------------


def decide(
    application: Application,
    *,
    kind: DecisionKind | str,
    amounts: Mapping[int, Decimal | None] | None = None,
    motivation: str | None = None,
    villkor: str | None = None,
    actor: User,
) -> DelegationDecision:
    """Make a delegationsbeslut on ``application``: final at once, reported to the board at
    its next meeting."""
    try:
        kind = DecisionKind(kind)
    except ValueError:
        raise DomainError("Välj ett beslut.", field="kind") from None
    if kind not in DELEGATION_KINDS:
        raise DomainError(
            "På delegation kan ett ärende beviljas, delvis beviljas eller avslås. "
            "Återremiss och bordläggning beslutar styrelsen.",
            field="kind",
        )
    order = current_order()
    if order is None:
        raise DomainError("Styrelsen har inte antagit någon delegationsordning.", field="kind")
    _lock_order(order)
    application_services.lock(application)
    if application.status != Status.KLAR_FOR_BESLUT.value:
        raise DomainError(
            f"Ärendet har status {application.status_label.lower()}. Bara ärenden som är klara "
            "för beslut kan beslutas på delegation.",
            field="kind",
        )
    pending = services.pending_agenda_item(application)
    if pending is not None:
        raise DomainError(
            f"Ärendet står på dagordningen för sammanträdet {format_date(pending.meeting.date)}. "
            "Ta bort det från dagordningen först, om det ska beslutas på delegation.",
            field="kind",
        )
    area: Huvudomrade | None = application.huvudomrade
    if order.delegate_id != actor.id:
        raise DomainError(
            f"Enligt delegationsordningen ({order.adopted_by}) är det {order.delegate.name} som "
            "beslutar på delegation.",
            field="kind",
        )
    limit = limit_for(application, actor)
    if limit is None:
        raise DomainError(
            f"Delegationsordningen ({order.adopted_by}) omfattar inte huvudområdet "
            f"{area.name if area else '(inget)'}. Ärendet måste beslutas av styrelsen.",
            field="kind",
        )
    motivation, villkor = services.decision_texts(kind, motivation, villkor)
    requested = requested_by_year(application)
    cleaned = services.validated_amounts(kind, amounts or {}, requested)
    _check_within(limit, cleaned)
    if cleaned:
        ledger.grant_many(
            {(year, limit.huvudomrade_id): amount for year, amount in cleaned.items()},
            actor=actor,
            application=application,
        )
    decided_on = today()
    decision = DelegationDecision(
        year=decided_on.year,
        number=_next_number(decided_on.year),
        application_id=application.id,
        limit_id=limit.id,
        kind=kind.value,
        motivation=motivation,
        villkor=villkor,
        proposal_id=getattr(latest_assessment(application, AssessmentStage.PROPOSAL), "id", None),
        background=services.background_text(application, requested),
        decided_on=decided_on,
        decided_by_id=actor.id,
        amounts=[DelegationAmount(year=y, amount=a) for y, a in sorted(cleaned.items())],
    )
    db.session.add(decision)
    db.session.flush()
    application_services.transition(
        application, _ACTIONS[kind], actor=actor, data={"delegation_decision_id": decision.id}
    )
    if kind.grants:
        application_services.transition(
            application, Action.START, actor=actor, data={"delegation_decision_id": decision.id}
        )
    record_event(
        "delegation_decision_made",
        actor=actor,
        application=application,
        subject=f"delegation:{decision.id}",
        message=f"Delegationsbeslut {decision.label}: {kind.outcome}"
        + (f", {services.amounts_text(decision)}" if cleaned else "")
        + ".",
        data={
            "decision_id": decision.id,
            "kind": kind.value,
            "amounts": {str(y): str(a) for y, a in cleaned.items()},
        },
    )
    item = _report_at_next_meeting(decision, actor=actor)
    if kind.grants:  # the överenskommelse, drawn up from the final decision
        agreements.draw_up(
            application,
            reference=f"Delegationsbeslut {decision.label}, {format_date(decided_on)}",
            decided_on=decided_on,
            amounts=cleaned,
            villkor=villkor,
            actor=actor,
        )
    notifications.decision_made(application, summary(decision, reported_at=item))
    return decision


# --- anmälan to the board --------------------------------------------------------------------


def unreported() -> list[DelegationDecision]:
    """Delegationsbeslut not yet on any meeting's agenda, oldest first."""
    return list(
        db.session.scalars(
            select(DelegationDecision)
            .where(DelegationDecision.reported_item_id.is_(None))
            .order_by(DelegationDecision.year, DelegationDecision.number)
        )
    )


def report_item(meeting: Meeting) -> AgendaItem | None:
    """The meeting's *Anmälan av delegationsbeslut* item, if it has one."""
    return db.session.scalar(
        select(AgendaItem)
        .join(DelegationDecision, DelegationDecision.reported_item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id == meeting.id)
        .limit(1)
    )


def _next_open_meeting(on: date) -> Meeting | None:
    """The next board meeting from ``on`` whose minutes are still open to changes."""
    candidates = db.session.scalars(
        select(Meeting)
        .where(Meeting.date >= on, Meeting.kind.in_(BOARD_KINDS), Meeting.signed_at.is_(None))
        .order_by(Meeting.date, Meeting.id)
        .limit(5)
    )
    return next((m for m in candidates if services.open_for_changes(m)), None)


def report(meeting: Meeting, decisions: list[DelegationDecision], *, actor: User) -> AgendaItem:
    """Put ``decisions`` on ``meeting``'s agenda under its anmälan item (made if needed)."""
    item = report_item(meeting)
    if item is None:
        item = services.add_other_item(meeting, title=REPORT_TITLE, notes=None, actor=actor)
    else:
        services.lock(meeting)
    for decision in decisions:
        decision.reported_item_id = item.id
    db.session.flush()
    db.session.expire(item, ["delegation_decisions"])
    for decision in decisions:
        record_event(
            "delegation_decision_reported",
            actor=actor,
            application=decision.application,
            subject=f"meeting:{meeting.id}",
            message=f"Delegationsbeslut {decision.label} anmäls till styrelsen vid "
            f"sammanträdet {format_date(meeting.date)}.",
        )
    return item


def reportable_at(meeting: Meeting) -> list[DelegationDecision]:
    """The delegationsbeslut not yet anmälda that were made by ``meeting``'s day."""
    return [d for d in unreported() if d.decided_on <= meeting.date]


def report_unreported(meeting: Meeting, *, actor: User) -> AgendaItem:
    """The kansli's button: every delegationsbeslut not yet anmält goes to ``meeting``."""
    decisions = reportable_at(meeting)
    if not decisions:
        raise DomainError("Det finns inga delegationsbeslut att anmäla vid sammanträdet.")
    return report(meeting, decisions, actor=actor)


def _report_at_next_meeting(decision: DelegationDecision, *, actor: User) -> AgendaItem | None:
    meeting = _next_open_meeting(decision.decided_on)
    if meeting is None:
        return None
    return report(meeting, [decision], actor=actor)


# --- wording ---------------------------------------------------------------------------------


def report_line(decision: DelegationDecision) -> str:
    """One line of the anmälan in the agenda, the handlingar and the minutes."""
    application = decision.application
    return (
        f"{decision.label} ({format_date(decision.decided_on)}), dnr {application.diarienummer}, "
        f"{application.organisation.name}: {application.display_title}. "
        f"{decision.kind_enum.outcome}"
        + (f", {services.amounts_text(decision)}" if decision.amounts and decision.total else "")
        + f". Beslutat av {decision.decided_by.name}."
    )


def summary(decision: DelegationDecision, reported_at: AgendaItem | None = None) -> str:
    """What the applicant is told (nothing internal)."""
    lines = [
        f"Delegationsbeslut {decision.label}, {format_date(decision.decided_on)}:",
        f"{decision.decided_by.name} beslutar på delegation från styrelsen "
        f"{services.decision_sentence(decision)}.",
    ]
    if decision.villkor:
        lines.append(f"Villkor: {decision.villkor}")
    if decision.motivation:
        lines.append(f"Motivering: {decision.motivation}")
    if reported_at is not None:
        lines.append(
            "Beslutet anmäls till styrelsen vid sammanträdet "
            f"{format_date(reported_at.meeting.date)}."
        )
    return "\n".join(lines)


def for_application(application: Application) -> DelegationDecision | None:
    """The case's delegationsbeslut (final when made: everyone who sees the case reads it)."""
    return db.session.scalar(
        select(DelegationDecision).where(DelegationDecision.application_id == application.id)
    )


def decisions_of_year(year: int) -> list[DelegationDecision]:
    return list(
        db.session.scalars(
            select(DelegationDecision)
            .where(DelegationDecision.year == year)
            .order_by(DelegationDecision.number.desc())
        )
    )
