"""Follow-up of granted projects: an överenskommelse accepted by both parties; a lägesrapport
(and for closed ones a slutrapport), approved when due in the past with the costs reported;
half-yearly payment requests, paid, of started projects (never above the grant)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from finsam_ansokan.applications.status import GRANTED
from finsam_ansokan.followup.agreements import PARAGRAPHS
from finsam_ansokan.followup.models import Agreement, PaymentRequest, Report, ReportCost

from .common import S, Seed, at, granted


def write(seed: Seed) -> None:
    rng, rows = seed.rng, seed.rows
    for app in seed.applications:
        if app.status not in GRANTED:
            continue
        grants = granted(app)
        started = app.status in (S.PAGAENDE, S.AVSLUTAD)
        _agreement(seed, app, grants)
        report_kinds = [("lagesrapport", date(app.year, 6, 30))]
        if app.status == S.AVSLUTAD:
            report_kinds.append(("slutrapport", date(app.last_year + 1, 2, 28)))
        for kind, due in report_kinds:
            done = started and due < seed.today
            report_id = rows.next_id(Report)
            rows.add(
                Report,
                id=report_id,
                application_id=app.id,
                kind=kind,
                status="godkand" if done else "utkast",
                due_date=due,
                period_start=date(app.year, 1, 1),
                period_end=min(due, date(app.last_year, 12, 31)),
                participants_women=rng.randint(5, 30) if done else None,
                participants_men=rng.randint(5, 30) if done else None,
                goal_fulfilment="Målen för perioden är i huvudsak uppnådda." if done else None,
                gender_work="Statistiken redovisas könsuppdelad." if done else None,
                implementation_status="Arbetsformen används av parterna." if done else None,
                created_at=app.decided_at,
                submitted_at=at(due) if done else None,
                submitted_by_id=app.owner_id if done else None,
                decided_at=at(due + timedelta(days=14)) if done else None,
                decided_by_id=seed.kansli if done else None,
                kansli_message=None,
                reminded_due_on=None,
                reminded_overdue_on=None,
                lock_version=1,
            )
            if done:
                for year, amount in grants.items():
                    rows.add(
                        ReportCost,
                        id=rows.next_id(ReportCost),
                        report_id=report_id,
                        year=year,
                        amount=(amount * Decimal("0.9")).quantize(Decimal(1)),
                    )
        if not started:
            continue
        for year, amount in grants.items():
            half = (amount / 2).quantize(Decimal(1))
            for period_start, period_end in (
                (date(year, 1, 1), date(year, 6, 30)),
                (date(year, 7, 1), date(year, 12, 31)),
            ):
                if period_end >= seed.today or half <= 0:
                    continue
                rows.add(
                    PaymentRequest,
                    id=rows.next_id(PaymentRequest),
                    application_id=app.id,
                    year=year,
                    period_start=period_start,
                    period_end=period_end,
                    amount=half,
                    costs_incurred="Lönekostnader och lokalhyra enligt bifogad sammanställning.",
                    status="utbetald",
                    requested_by_id=app.owner_id,
                    requested_at=at(period_end + timedelta(days=5)),
                    decided_by_id=seed.kansli,
                    decided_at=at(period_end + timedelta(days=10)),
                    kansli_message=None,
                    paid_on=period_end + timedelta(days=20),
                )
    rows.flush(Agreement, Report, ReportCost, PaymentRequest)


def _agreement(seed: Seed, app, grants: dict[int, Decimal]) -> None:
    """The överenskommelse of the grant, accepted by both parties the week after it."""
    accepted = app.decided_at + timedelta(days=7)
    seed.rows.add(
        Agreement,
        id=seed.rows.next_id(Agreement),
        application_id=app.id,
        reference=f"Styrelsen {app.decided_at.date().isoformat()}",
        decided_on=app.decided_at.date(),
        amounts={str(y): str(a) for y, a in sorted(grants.items())},
        villkor=None,
        content={
            "forbund": {"name": "Samordningsförbundet", "organisation_number": "", "address": ""},
            "organisation": {"name": "", "kind": ""},
            "parties": [],
            "insats": {
                "title": app.title,
                "diarienummer": "",
                "huvudomrade": "",
                "kind": "",
                "start": "",
                "end": "",
            },
            "contacts": [],
            "schedule": [],
            "paragraphs": [{"heading": h, "text": t} for h, t in PARAGRAPHS],
        },
        outside_system=False,
        drawn_up_at=app.decided_at,
        drawn_up_by_id=seed.kansli,
        applicant_accepted_at=accepted,
        applicant_accepted_by_id=app.owner_id,
        applicant_accepted_name="Firmatecknare",
        forbund_accepted_at=accepted,
        forbund_accepted_by_id=seed.kansli,
        forbund_accepted_name="Förbundschef",
    )
