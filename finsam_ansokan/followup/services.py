"""Follow-up rules: the report schedule, reports, payment requests, closing, reminders.

Money per year for a granted project:

* **granted** and **returned** – the ledger's figures (``budget.ledger``): what the board
  granted per budget year, and what went back to the frames at closing; closing never
  changes what was granted;
* **claimed** (rekvisitionerat) – payment requests that are not returned (inskickad,
  godkänd, utbetald); never more than granted for the year, checked with the
  application's row locked;
* **paid** – payment requests marked utbetald;
* **used** – what the latest approved report says was used up to the end of its period.
  Every report states money used so far per year, so the slutrapport holds the totals,
  and closing returns ``granted − used`` of the slutrapport to each year's frame
  (``ledger.return_unused``).

Services flush but never commit: the route commits once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import joinedload

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.ledger import granted_by_year
from finsam_ansokan.core.database import conflict_if_stale
from finsam_ansokan.core.errors import ConcurrentEditError, DomainError, NotAllowed
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import ZERO, format_money
from finsam_ansokan.core.timeutil import today as _today
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services as notifications

from . import policy
from .models import Agreement, PaymentRequest, Report, ReportCost
from .status import (
    PAYMENT_COUNTED,
    REPORT_EDITABLE,
    PaymentAction,
    PaymentStatus,
    ReportAction,
    ReportKind,
    ReportStatus,
    payment_target,
    report_target,
)

#: A lägesrapport every six months from the start date; the slutrapport two months after
#: the end date.
PROGRESS_INTERVAL_MONTHS = 6
FINAL_REPORT_AFTER_MONTHS = 2
#: Reminders go out this many days before a report is due.
REMIND_DAYS_BEFORE = 14
MAX_TEXT = 10_000
MAX_PARTICIPANTS = 1_000_000


def add_months(day: date, months: int) -> date:
    """``2026-01-31`` + 1 month → ``2026-02-28``: the same day, or the month's last."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- money per year --------------------------------------------------------------------------


def _payments_by_year(application: Application, statuses) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(PaymentRequest.year, func.sum(PaymentRequest.amount))
        .where(
            PaymentRequest.application_id == application.id,
            PaymentRequest.status.in_([s.value for s in statuses]),
        )
        .group_by(PaymentRequest.year)
    ).all()
    return {year: Decimal(total) for year, total in rows}


def claimed_by_year(application: Application) -> dict[int, Decimal]:
    """Rekvisitionerat per year: payment requests that count (not returned)."""
    return _payments_by_year(application, PAYMENT_COUNTED)


def latest_approved_reports(among=None):
    """Subquery (application_id, report_id) of each application's latest approved report;
    ``among``, a select of application ids, narrows it to those applications."""
    ranked = select(
        Report.application_id,
        Report.id.label("report_id"),
        func.row_number()
        .over(
            partition_by=Report.application_id,
            order_by=(Report.due_date.desc(), Report.id.desc()),
        )
        .label("rank"),
    ).where(Report.status == ReportStatus.GODKAND.value)
    if among is not None:
        ranked = ranked.where(Report.application_id.in_(among))
    ranked = ranked.subquery()
    return select(ranked.c.application_id, ranked.c.report_id).where(ranked.c.rank == 1).subquery()


def used_by_year(application: Application) -> dict[int, Decimal]:
    latest = latest_approved_reports()
    rows = db.session.execute(
        select(ReportCost.year, ReportCost.amount)
        .join(latest, latest.c.report_id == ReportCost.report_id)
        .where(latest.c.application_id == application.id)
    ).all()
    return {year: Decimal(amount) for year, amount in rows}


@dataclass
class MoneyRow:
    year: int
    granted: Decimal
    claimed: Decimal
    paid: Decimal
    used: Decimal | None
    returned: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """What can still be claimed (rekvisitioneras) this year."""
        return self.granted - self.returned - self.claimed


@dataclass
class MoneySummary:
    rows: list[MoneyRow] = field(default_factory=list)

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) or ZERO for r in self.rows), ZERO)


def _claimed_and_paid_by_year(
    application: Application,
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Claimed (rekvisitionerat) and paid (utbetalt) per year in one query."""
    counted = PaymentRequest.status.in_([s.value for s in PAYMENT_COUNTED])
    paid = PaymentRequest.status == PaymentStatus.UTBETALD.value
    rows = db.session.execute(
        select(
            PaymentRequest.year,
            func.sum(case((counted, PaymentRequest.amount), else_=0)),
            func.sum(case((paid, PaymentRequest.amount), else_=0)),
            func.count(case((counted, 1))),
            func.count(case((paid, 1))),
        )
        .where(PaymentRequest.application_id == application.id)
        .group_by(PaymentRequest.year)
    ).all()
    return (
        {year: Decimal(total) for year, total, _, n, _ in rows if n},
        {year: Decimal(total) for year, _, total, _, n in rows if n},
    )


def money_summary(application: Application) -> MoneySummary:
    """Granted, returned (the ledger's), claimed, paid and used (the follow-up's) per year."""
    ledger_money = ledger.money_by_year(application)
    claimed, paid = _claimed_and_paid_by_year(application)
    used = used_by_year(application)
    years = sorted(set(ledger_money) | set(claimed) | set(paid) | set(used))
    none = ledger.YearMoney(ZERO, ZERO)
    return MoneySummary(
        [
            MoneyRow(
                year=y,
                granted=ledger_money.get(y, none).granted,
                returned=ledger_money.get(y, none).returned,
                claimed=claimed.get(y, ZERO),
                paid=paid.get(y, ZERO),
                used=used.get(y),
            )
            for y in years
        ]
    )


def used_by_area(year: int):
    """Förbrukat in ``year`` per huvudområde: each project's latest approved report,
    a subquery (huvudomrade_id, amount)."""
    # only projects that have reported costs for the year can have used anything in it
    reporting = (
        select(Report.application_id)
        .join(ReportCost, ReportCost.report_id == Report.id)
        .where(ReportCost.year == year)
    )
    latest = latest_approved_reports(among=reporting)
    return (
        select(Application.huvudomrade_id, func.sum(ReportCost.amount).label("amount"))
        .join(latest, latest.c.report_id == ReportCost.report_id)
        .join(Application, Application.id == latest.c.application_id)
        .where(ReportCost.year == year)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )


def paid_by_area(year: int):
    """Utbetalt in ``year`` per huvudområde (payment requests marked utbetald), a subquery
    (huvudomrade_id, amount)."""
    return (
        select(Application.huvudomrade_id, func.sum(PaymentRequest.amount).label("amount"))
        .join(Application, Application.id == PaymentRequest.application_id)
        .where(PaymentRequest.year == year, PaymentRequest.status == PaymentStatus.UTBETALD.value)
        .group_by(Application.huvudomrade_id)
        .subquery()
    )


# --- the schedule ------------------------------------------------------------------------------


#: The reports whose figures count (participants, förbrukat): those the kansli approved.
APPROVED_REPORT = Report.status == ReportStatus.GODKAND.value


def participant_sums() -> tuple[ColumnElement[int], ColumnElement[int]]:
    """*Deltagare*: SUM of women and of men over the approved reports of the enclosing
    query (each report counts the participants of its period, so one person may be in
    two reports). The statistics (per huvudområde and year) and the application list's
    export (per case) both sum with this."""
    return (
        func.coalesce(func.sum(Report.participants_women), 0),
        func.coalesce(func.sum(Report.participants_men), 0),
    )


def participants_by_application(application_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(women, men) of the approved reports of each of many applications, in one query."""
    rows = db.session.execute(
        select(Report.application_id, *participant_sums())
        .where(APPROVED_REPORT, Report.application_id.in_(application_ids))
        .group_by(Report.application_id)
    ).all()
    return {application_id: (int(w), int(m)) for application_id, w, m in rows}


def reports_for(application: Application) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.application_id == application.id)
            .order_by(Report.due_date, Report.id)
        )
    )


def default_schedule(start: date, end: date) -> list[tuple[ReportKind, date, date, date]]:
    """``(kind, due date, period start, period end)``: a lägesrapport every six months
    from the start date while before the end date, and a slutrapport two months after the
    end date covering the whole project."""
    schedule = []
    months = PROGRESS_INTERVAL_MONTHS
    while (due := add_months(start, months)) < end:
        period_start = add_months(start, months - PROGRESS_INTERVAL_MONTHS)
        schedule.append((ReportKind.LAGESRAPPORT, due, period_start, due - timedelta(days=1)))
        months += PROGRESS_INTERVAL_MONTHS
    schedule.append(
        (ReportKind.SLUTRAPPORT, add_months(end, FINAL_REPORT_AFTER_MONTHS), start, end)
    )
    return schedule


def planned_reports(application: Application) -> list[tuple[str, date, date, date]]:
    """``(kind label, due date, period start, period end)`` of the reports the project
    owes: its schedule, or the default one from its dates (none without them)."""
    reports = reports_for(application)
    if reports:
        return [(r.kind_label, r.due_date, r.period_start, r.period_end) for r in reports]
    if application.start_date and application.end_date:
        return [
            (kind.label, due, start, end)
            for kind, due, start, end in default_schedule(
                application.start_date, application.end_date
            )
        ]
    return []


def create_schedule(application: Application, *, actor: User | None) -> list[Report]:
    """Give a granted project its report schedule from the defaults.

    A granted application that has not started yet is started (Pågående) first. The
    meetings' sign-off can call this for every application it starts.
    """
    status = Status(application.status)
    if status in (Status.BEVILJAD, Status.DELVIS_BEVILJAD):
        application_services.transition(
            application, Action.START, actor=actor, message="Uppföljningen startades."
        )
    elif status is not Status.PAGAENDE:
        raise DomainError("Bara en beviljad eller pågående insats kan få ett rapportschema.")
    if reports_for(application):
        raise DomainError("Insatsen har redan ett rapportschema.")
    if application.start_date is None or application.end_date is None:
        raise DomainError("Ansökan saknar start- eller slutdatum; ange rapportdatum för hand.")
    reports = [
        Report(
            application=application,
            kind=kind.value,
            due_date=due,
            period_start=period_start,
            period_end=period_end,
            status=ReportStatus.UTKAST.value,
        )
        for kind, due, period_start, period_end in default_schedule(
            application.start_date, application.end_date
        )
    ]
    db.session.add_all(reports)
    db.session.flush()
    record_event(
        "report_schedule_created",
        actor=actor,
        application=application,
        message="Rapportschema: "
        + ", ".join(f"{r.kind_label.lower()} {r.due_date.isoformat()}" for r in reports),
    )
    return reports


def _check_follow_up_open(application: Application) -> None:
    if application.status != Status.PAGAENDE:
        raise DomainError("Uppföljningen är bara öppen medan insatsen pågår.")


def add_report(application: Application, due_date: date | None, *, actor: User) -> Report:
    """The kansli adds a lägesrapport at a chosen date."""
    _check_follow_up_open(application)
    if due_date is None:
        raise DomainError("Ange när rapporten ska lämnas.", field="due_date")
    report = Report(
        application=application,
        kind=ReportKind.LAGESRAPPORT.value,
        due_date=due_date,
        period_start=application.start_date,
        period_end=min(due_date, application.end_date or due_date),
        status=ReportStatus.UTKAST.value,
    )
    db.session.add(report)
    db.session.flush()
    record_event(
        "report_added",
        actor=actor,
        application=application,
        subject=f"report:{report.id}",
        message=f"Lägesrapport ska lämnas {due_date.isoformat()}.",
    )
    return report


def _check_schedulable(report: Report) -> None:
    _check_follow_up_open(report.application)
    if report.ever_submitted:
        raise DomainError("En rapport som redan har skickats in kan inte flyttas eller tas bort.")


def set_due_date(report: Report, due_date: date | None, *, actor: User) -> None:
    _check_schedulable(report)
    if due_date is None:
        raise DomainError("Ange ett datum.", field="due_date")
    old = report.due_date
    report.due_date = due_date
    # a new date means new reminders
    report.reminded_due_on = report.reminded_overdue_on = None
    db.session.flush()
    record_event(
        "report_rescheduled",
        actor=actor,
        application=report.application,
        subject=f"report:{report.id}",
        message=f"{report.kind_label} flyttades från {old.isoformat()} till "
        f"{due_date.isoformat()}.",
    )


def remove_report(report: Report, *, actor: User) -> None:
    _check_schedulable(report)
    if report.is_final:
        raise DomainError("Slutrapporten kan inte tas bort; flytta den i stället.")
    record_event(
        "report_removed",
        actor=actor,
        application=report.application,
        message=f"{report.kind_label} {report.due_date.isoformat()} togs bort ur schemat.",
    )
    db.session.delete(report)
    db.session.flush()


# --- writing a report ---------------------------------------------------------------------------


@dataclass
class ReportData:
    lock_version: int | None
    period_start: date | None = None
    period_end: date | None = None
    participants_women: int | None = None
    participants_men: int | None = None
    goal_fulfilment: str | None = None
    gender_work: str | None = None
    implementation_status: str | None = None
    costs: Mapping[int, Decimal | None] = field(default_factory=dict)


STALE_REPORT = (
    "Någon annan har sparat rapporten efter att du öppnade den. Ladda om sidan och "
    "gör dina ändringar igen."
)


class IncompleteReport(DomainError):
    """A report that cannot be submitted yet; ``problems`` are ``(field, message)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("Rapporten är inte komplett.")
        self.problems = problems


def _text(value: str | None, field_name: str) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > MAX_TEXT:
        raise DomainError(f"Högst {MAX_TEXT} tecken.", field=field_name)
    return value


def _count(value: int | None, field_name: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_PARTICIPANTS:
        raise DomainError("Ange ett antal från 0 och uppåt.", field=field_name)
    return value


@conflict_if_stale(STALE_REPORT)
def save_report(report: Report, data: ReportData, *, actor: User) -> Report:
    """Save what the projektägare has written; a draft may be incomplete."""
    if not policy.is_own(actor, report.application):
        raise NotAllowed("Bara projektägaren kan skriva rapporten.")
    if ReportStatus(report.status) not in REPORT_EDITABLE:
        raise DomainError("Rapporten är inskickad och kan inte ändras.")
    _check_follow_up_open(report.application)
    if data.lock_version is not None and data.lock_version != report.lock_version:
        raise ConcurrentEditError(STALE_REPORT)
    if data.period_start and data.period_end and data.period_start > data.period_end:
        raise DomainError("Perioden kan inte sluta innan den börjar.", field="period_end")
    report.period_start = data.period_start
    report.period_end = data.period_end
    report.participants_women = _count(data.participants_women, "participants_women")
    report.participants_men = _count(data.participants_men, "participants_men")
    report.goal_fulfilment = _text(data.goal_fulfilment, "goal_fulfilment")
    report.gender_work = _text(data.gender_work, "gender_work")
    report.implementation_status = _text(data.implementation_status, "implementation_status")

    granted = granted_by_year(report.application)
    existing = {c.year: c for c in report.costs}
    for year, amount in data.costs.items():
        if year not in granted:
            raise DomainError(f"Insatsen har inga beviljade medel för {year}.")
        if amount is not None and amount > granted[year]:
            raise DomainError(
                f"Förbrukat {year} kan inte vara mer än det beviljade beloppet "
                f"({format_money(granted[year])}).",
                field=f"cost_{year}",
            )
        cost = existing.get(year)
        if amount is None:
            if cost is not None:
                report.costs.remove(cost)
        elif cost is None:
            report.costs.append(ReportCost(year=year, amount=amount))
        else:
            cost.amount = amount
    db.session.flush()
    return report


@dataclass(frozen=True)
class ReportTotals:
    """The totals the report form shows: participants and money used, summed from what was
    typed (None while nothing is); the form's script previews the same while typing."""

    participants: int | None
    used: Decimal | None


def report_totals(
    women: int | None, men: int | None, used: Iterable[Decimal | None]
) -> ReportTotals:
    amounts = [amount for amount in used if amount is not None]
    counts = [count for count in (women, men) if count is not None]
    return ReportTotals(
        participants=sum(counts) if counts else None,
        used=sum(amounts, ZERO) if amounts else None,
    )


def report_years(
    report: Report, granted: Mapping[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """The granted years a report asks "Förbrukat" for: every year for the slutrapport, the
    years up to its due date for a lägesrapport (fixed by the schedule, so the form's fields
    do not move while the projektägare edits the period)."""
    granted = granted if granted is not None else granted_by_year(report.application)
    if report.kind == ReportKind.SLUTRAPPORT:
        return dict(granted)
    last = report.due_date.year
    return {year: amount for year, amount in granted.items() if year <= last}


def missing_for_submit(report: Report) -> list[tuple[str, str]]:
    """What must be filled in before the report can be sent, as ``(field, message)``."""
    problems: list[tuple[str, str]] = []
    if report.period_start is None:
        problems.append(("period_start", "Ange när perioden börjar."))
    if report.period_end is None:
        problems.append(("period_end", "Ange när perioden slutar."))
    if report.participants_women is None:
        problems.append(("participants_women", "Ange antalet kvinnor som deltagit."))
    if report.participants_men is None:
        problems.append(("participants_men", "Ange antalet män som deltagit."))
    if not report.goal_fulfilment:
        problems.append(("goal_fulfilment", "Beskriv hur målen har uppfyllts."))
    if not report.gender_work:
        problems.append(("gender_work", "Beskriv hur arbetet med jämställdhet har gått."))
    if not report.implementation_status:
        problems.append(("implementation_status", "Beskriv hur implementeringen går."))
    for year in report_years(report):
        if report.cost_for(year) is None:
            problems.append((f"cost_{year}", f"Ange förbrukade medel {year} (0 om inget)."))
    return problems


def _change_report(report: Report, action: ReportAction, *, actor: User, message=None):
    source = report.status
    target = report_target(source, action)
    report.status = target.value
    record_event(
        "report_status_changed",
        actor=actor,
        application=report.application,
        subject=f"report:{report.id}",
        from_status=source,
        to_status=target,
        message=message or f"{report.kind_label} {report.due_date.isoformat()}: {target.label}.",
    )


@conflict_if_stale(STALE_REPORT)
def submit_report(report: Report, *, actor: User) -> None:
    if not policy.is_own(actor, report.application):
        raise NotAllowed("Bara projektägaren kan skicka in rapporten.")
    _check_follow_up_open(report.application)
    report_target(report.status, ReportAction.SUBMIT)
    if report.period_start is not None and report.period_start > _today():
        raise DomainError(
            f"Rapportperioden börjar {report.period_start.isoformat()}. En rapport kan skickas "
            "in först när perioden har börjat.",
            field="period_start",
        )
    problems = missing_for_submit(report)
    if problems:
        raise IncompleteReport(problems)
    _change_report(report, ReportAction.SUBMIT, actor=actor)
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    db.session.flush()
    notifications.report_submitted(report)


def request_more(report: Report, message: str | None, *, actor: User) -> None:
    message = _text(message, "message")
    if not message:
        raise DomainError("Skriv vad som behöver kompletteras.", field="message")
    _change_report(report, ReportAction.REQUEST_MORE, actor=actor, message=message)
    report.kansli_message = message
    report.decided_at, report.decided_by_id = utcnow(), actor.id
    db.session.flush()
    notifications.report_returned(report, _project_owners(report.application), actor=actor)


def unsent_reports(application: Application, besides: Report | None = None) -> list[Report]:
    """Reports of the project never sent in (or sent back and not answered): what closing
    the project would leave missing."""
    return [
        r
        for r in reports_for(application)
        if r is not besides
        and ReportStatus(r.status) in (ReportStatus.UTKAST, ReportStatus.KOMPLETTERING_BEGARD)
    ]


@dataclass
class Closing:
    returned: dict[int, Decimal]


def approve_report(report: Report, *, actor: User) -> Closing | None:
    """Approve a report. Approving the slutrapport closes the project and returns what was
    granted but not used, year by year, to each year's frame."""
    application = _lock_application(report.application)
    report_target(report.status, ReportAction.APPROVE)
    closing = None
    if report.kind == ReportKind.SLUTRAPPORT:
        closing = _close(application, report, actor=actor)
    _change_report(report, ReportAction.APPROVE, actor=actor)
    report.decided_at, report.decided_by_id = utcnow(), actor.id
    report.kansli_message = None
    db.session.flush()
    notifications.report_approved(
        report,
        _project_owners(application),
        actor=actor,
        returned=closing.returned if closing is not None else None,
    )
    return closing


def _close(application: Application, report: Report, *, actor: User) -> Closing:
    """Close the project: its rekvisitioner must not exceed what it used, then ONE ledger
    call gives the unused money back (what was granted stays granted)."""
    used = {c.year: c.amount for c in report.costs}
    for year, claimed in sorted(claimed_by_year(application).items()):
        if claimed > used.get(year, ZERO):
            raise DomainError(
                f"Rekvisitionerna för {year} ({format_money(claimed)}) är större än "
                f"det förbrukade ({format_money(used.get(year, ZERO))}). Återför eller rätta "
                "dem först."
            )
    returned = ledger.return_unused(application, used, actor=actor)
    application_services.transition(
        application,
        Action.CLOSE,
        actor=actor,
        message=(
            "Slutrapporten godkändes. Återfört till budgeten: "
            + (", ".join(f"{format_money(a)} ({y})" for y, a in returned.items()) or "inget")
            + "."
        ),
        data={"returned": {str(y): str(a) for y, a in returned.items()}},
    )
    return Closing(returned)


# --- payment requests -----------------------------------------------------------------------


@dataclass
class PaymentData:
    year: int | None
    period_start: date | None
    period_end: date | None
    amount: Decimal | None
    costs_incurred: str | None


def _lock_application(application: Application) -> Application:
    """Lock the application's row (FOR UPDATE on PostgreSQL; SQLite's writer lock already
    holds) and reload it, so checks of its money see every committed change."""
    db.session.flush()
    return db.session.scalars(
        select(Application)
        .where(Application.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def agreement_gate(application: Application) -> str | None:
    """Why money cannot be requested yet, or None: the project needs an överenskommelse
    (``followup/agreements.py``) and every one it has must be accepted by both parties.
    Projects granted before agreements were drawn up in the system have one recorded as
    made outside it (migration 0022), so the rule holds for every project."""
    rows = db.session.scalars(
        select(Agreement).where(Agreement.application_id == application.id)
    ).all()
    if not rows:
        return (
            "Det finns ingen överenskommelse för insatsen. Medel kan rekvireras först när "
            "förbundet och projektägaren har godkänt en överenskommelse om de beviljade medlen."
        )
    pending = [a for a in rows if not a.is_accepted]
    if not pending:
        return None
    missing = []
    if any(not a.applicant_accepted for a in pending):
        missing.append(f"{application.organisation.name}s firmatecknare")
    if any(not a.forbund_accepted for a in pending):
        missing.append("förbundschefen")
    return (
        "Medel kan rekvireras först när överenskommelsen är godkänd av båda parter. "
        f"Godkännande saknas från {' och '.join(missing)}."
    )


def request_payment(application: Application, data: PaymentData, *, actor: User) -> PaymentRequest:
    """The projektägare asks for payment. The year's total of requests never exceeds what
    was granted for the year, however many are sent at once."""
    if not policy.is_own(actor, application):
        raise NotAllowed("Bara projektägaren kan begära utbetalning.")
    _check_follow_up_open(application)
    gate = agreement_gate(application)
    if gate is not None:
        raise DomainError(gate)
    if data.year is None:
        raise DomainError("Välj år.", field="year")
    if data.period_start is None:
        raise DomainError("Ange när perioden börjar.", field="period_start")
    if data.period_end is None:
        raise DomainError("Ange när perioden slutar.", field="period_end")
    if data.period_start > data.period_end:
        raise DomainError("Perioden kan inte sluta innan den börjar.", field="period_end")
    if data.period_start > _today():
        raise DomainError(
            f"Perioden börjar {data.period_start.isoformat()}. Rekvisitionen kan lämnas först "
            "när perioden har börjat.",
            field="period_start",
        )
    if data.year > _today().year:
        raise DomainError(f"{data.year} har inte börjat än.", field="year")
    if data.amount is None or data.amount <= 0:
        raise DomainError("Ange ett belopp större än 0 kr.", field="amount")
    costs = _text(data.costs_incurred, "costs_incurred")
    if not costs:
        raise DomainError("Beskriv de kostnader ni faktiskt har haft.", field="costs_incurred")
    application = _lock_application(application)
    granted = granted_by_year(application).get(data.year, ZERO)
    if granted <= 0:
        raise DomainError(f"Insatsen har inga beviljade medel för {data.year}.", field="year")
    already = claimed_by_year(application).get(data.year, ZERO)
    if already + data.amount > granted:
        raise DomainError(
            f"Det går inte att begära mer än beviljat: {format_money(granted)} är beviljat för "
            f"{data.year}, {format_money(already)} är redan begärt, "
            f"{format_money(granted - already)} återstår.",
            field="amount",
        )
    payment = PaymentRequest(
        application_id=application.id,
        year=data.year,
        period_start=data.period_start,
        period_end=data.period_end,
        amount=data.amount,
        costs_incurred=costs,
        status=PaymentStatus.INSKICKAD.value,
        requested_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    record_event(
        "payment_requested",
        actor=actor,
        application=application,
        subject=f"payment:{payment.id}",
        message=f"Rekvisition av {format_money(data.amount)} för {data.year}.",
        data={"year": data.year, "amount": str(data.amount)},
    )
    notifications.payment_requested(payment)
    return payment


def _change_payment(payment: PaymentRequest, action: PaymentAction, *, actor: User, message=None):
    source = payment.status
    target = payment_target(source, action)
    payment.status = target.value
    record_event(
        "payment_status_changed",
        actor=actor,
        application=payment.application,
        subject=f"payment:{payment.id}",
        from_status=source,
        to_status=target,
        message=message
        or f"Rekvisition av {format_money(payment.amount)} ({payment.year}): {target.label}.",
    )


def approve_payment(payment: PaymentRequest, *, actor: User) -> None:
    _change_payment(payment, PaymentAction.APPROVE, actor=actor)
    payment.decided_by_id, payment.decided_at = actor.id, utcnow()
    db.session.flush()
    notifications.payment_approved(payment, _project_owners(payment.application), actor=actor)


def return_payment(payment: PaymentRequest, message: str | None, *, actor: User) -> None:
    message = _text(message, "message")
    if not message:
        raise DomainError("Skriv varför rekvisitionen återförs.", field="message")
    _change_payment(payment, PaymentAction.RETURN, actor=actor, message=message)
    payment.decided_by_id, payment.decided_at = actor.id, utcnow()
    payment.kansli_message = message
    db.session.flush()
    notifications.payment_returned(payment, _project_owners(payment.application), actor=actor)


def record_payment(payment: PaymentRequest, paid_on: date | None, *, actor: User) -> None:
    if paid_on is None:
        raise DomainError("Ange utbetalningsdagen.", field="paid_on")
    if paid_on > _today() + timedelta(days=366):
        raise DomainError("Utbetalningsdagen ligger för långt fram.", field="paid_on")
    _change_payment(payment, PaymentAction.PAY, actor=actor)
    payment.paid_on = paid_on
    db.session.flush()
    notifications.payment_paid(payment, _project_owners(payment.application), actor=actor)


def payments_for(application: Application) -> list[PaymentRequest]:
    return list(
        db.session.scalars(
            select(PaymentRequest)
            .where(PaymentRequest.application_id == application.id)
            .order_by(PaymentRequest.requested_at.desc(), PaymentRequest.id.desc())
        )
    )


# --- lists and reminders -------------------------------------------------------------------------


def overdue_reports(today: date | None = None) -> list[Report]:
    """Reports of ongoing projects that are past due and not sent in."""
    today = today or _today()
    return list(
        db.session.scalars(
            select(Report)
            .join(Application, Report.application_id == Application.id)
            .where(
                Application.status == Status.PAGAENDE.value,
                Report.status == ReportStatus.UTKAST.value,
                Report.due_date < today,
            )
            .order_by(Report.due_date, Report.id)
            # the start page shows each report's project and organisation
            .options(joinedload(Report.application).joinedload(Application.organisation))
        )
    )


def reports_awaiting_review() -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.status == ReportStatus.INSKICKAD.value)
            .order_by(Report.submitted_at, Report.id)
        )
    )


def payments_awaiting() -> list[PaymentRequest]:
    """Requests waiting for a decision, then approved ones waiting to be paid."""
    return list(
        db.session.scalars(
            select(PaymentRequest)
            .where(
                PaymentRequest.status.in_(
                    [PaymentStatus.INSKICKAD.value, PaymentStatus.GODKAND.value]
                )
            )
            .order_by(PaymentRequest.status.desc(), PaymentRequest.requested_at)
        )
    )


def _project_owners(application: Application) -> list[User]:
    """Who writes reports: the creator and the organisation's active sökande."""
    colleagues = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.organisation_id == application.organisation_id,
            UserRole.role == Role.SOKANDE.value,
            User.active.is_(True),
        )
    ).all()
    return [application.created_by, *colleagues]


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0


def send_reminders(today: date | None = None) -> ReminderResult:
    """Queue a reminder for each report of an ongoing project that is due within
    :data:`REMIND_DAYS_BEFORE` days, and for each that is overdue: at most once each."""
    today = today or _today()
    result = ReminderResult()
    reports = db.session.scalars(
        select(Report)
        .join(Application, Report.application_id == Application.id)
        .where(
            Application.status == Status.PAGAENDE.value,
            Report.status == ReportStatus.UTKAST.value,
            Report.due_date <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .order_by(Report.id)
    ).all()
    for report in reports:
        if report.due_date < today and report.reminded_overdue_on is None:
            notifications.report_reminder(report, _project_owners(report.application), overdue=True)
            report.reminded_overdue_on = today
            result.overdue += 1
        elif report.due_date >= today and report.reminded_due_on is None:
            notifications.report_reminder(
                report, _project_owners(report.application), overdue=False
            )
            report.reminded_due_on = today
            result.due_soon += 1
    db.session.flush()
    return result
