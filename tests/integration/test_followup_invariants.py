"""Money invariants of the follow-up: closing returns exactly granted − used per year, and
payment requests never exceed the grant, also when many are sent at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.budget.models import Ram
from finsam_ansokan.core.database import configure_engine_events
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services
from finsam_ansokan.followup.models import PaymentRequest

YEARS = (2026, 2027, 2028)
grants = st.dictionaries(
    st.sampled_from(YEARS), st.integers(min_value=1, max_value=500_000), min_size=1
)


def _report_data(costs):
    return services.ReportData(
        lock_version=None,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        participants_women=3,
        participants_men=2,
        goal_fulfilment="Målen nåddes delvis.",
        gender_work="Könsuppdelad redovisning.",
        implementation_status="Pågår.",
        costs=costs,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), granted=grants, progress_reports=st.integers(min_value=0, max_value=2))
def test_closing_returns_exactly_the_unused_amount_of_each_year(
    factory, data, granted, progress_reports
):
    savepoint = db.session.begin_nested()
    try:
        owner = factory.user("sokande")
        kansli = factory.user("kansli")
        area = factory.huvudomrade()
        for year in YEARS:
            budget_year = budget_services.budget_year_for(year) or factory.budget_year(year)
            db.session.add(Ram(budget_year=budget_year, huvudomrade=area, amount=Decimal(900_000)))
        db.session.flush()
        project = factory.granted_project(
            owner, grants={y: str(a) for y, a in granted.items()}, huvudomrade=area
        )
        services.create_schedule(project, actor=kansli)
        frames = {y: ledger.frame_for(y, area.id) for y in YEARS}
        before = {y: frames[y].granted for y in YEARS}

        # progress reports with random (lower) figures: they must not change what closing returns
        for report in services.reports_for(project)[:progress_reports]:
            if report.kind != "lagesrapport":
                continue
            costs = {y: Decimal(data.draw(st.integers(0, a))) for y, a in granted.items()}
            services.save_report(report, _report_data(costs), actor=owner)
            services.submit_report(report, actor=owner)
            services.approve_report(report, actor=kansli)

        used = {y: data.draw(st.integers(0, a)) for y, a in granted.items()}
        final = next(r for r in services.reports_for(project) if r.kind == "slutrapport")
        services.save_report(
            final, _report_data({y: Decimal(u) for y, u in used.items()}), actor=owner
        )
        services.submit_report(final, actor=owner)
        closing = services.approve_report(final, actor=kansli)

        assert project.status == Status.AVSLUTAD
        for year in YEARS:
            db.session.refresh(frames[year])
            returned = before[year] - frames[year].granted
            expected = Decimal(granted[year] - used[year]) if year in granted else Decimal(0)
            assert returned == expected
            assert closing.returned.get(year, Decimal(0)) == expected
        assert services.granted_by_year(project) == {y: Decimal(a) for y, a in granted.items()}
        assert {r.year: r.returned for r in services.money_summary(project).rows} == {
            y: Decimal(a - used[y]) for y, a in granted.items()
        }
        assert ledger.verify_frames() == []
    finally:
        savepoint.rollback()
        db.session.expunge_all()


# --- concurrency ------------------------------------------------------------------------------

THREADS = 12
GRANT = Decimal("1000")


@pytest.fixture
def shared_project(isolated_app):
    """A started project with 1 000 kr granted for 2098, committed for real on a database
    of its own (dropped after the module)."""
    app = isolated_app
    from tests.factories import Factory

    with app.app_context():
        factory = Factory()
        owner = factory.user("sokande")
        area = factory.huvudomrade("Rekvisitionstest")
        factory.budget_year(2098, frames={area: "5000"})
        project = factory.granted_project(owner, grants={2098: str(GRANT)}, huvudomrade=area)
        db.session.commit()
        ids = (project.id, owner.id)
        db.session.remove()
    return ids


@pytest.mark.real_commits
def test_payment_requests_sent_at_the_same_moment_never_exceed_the_grant(
    isolated_app, shared_project, monkeypatch
):
    """12 sessions, each on its own connection, request 300 kr of a 1 000 kr grant at once.

    On PostgreSQL the application row lock (SELECT … FOR UPDATE) makes them queue; on
    SQLite BEGIN IMMEDIATE serialises them. At most three may succeed.
    """
    app = isolated_app
    project_id, owner_id = shared_project
    # the requests are for a period of 2098, which has begun as far as the services know
    monkeypatch.setattr(services, "_today", lambda: date(2098, 6, 1))
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=THREADS, max_overflow=0)
    configure_engine_events(engine)
    warm = [engine.connect() for _ in range(THREADS)]
    for connection in warm:
        connection.close()
    barrier = threading.Barrier(THREADS, timeout=60)

    def projektagare(_: int) -> bool:
        with app.app_context():
            session = db.session()
            try:
                barrier.wait()  # before touching the database: on SQLite a read takes the lock
                project = session.get(Application, project_id)
                owner = session.get(User, owner_id)
                services.request_payment(
                    project,
                    services.PaymentData(
                        year=2098,
                        period_start=date(2098, 1, 1),
                        period_end=date(2098, 3, 31),
                        amount=Decimal("300"),
                        costs_incurred="Lön",
                    ),
                    actor=owner,
                )
                session.commit()
                return True
            except DomainError:
                session.rollback()
                return False

    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(projektagare, range(THREADS)))
        db.session.remove()
    finally:
        db.session = original
        engine.dispose()

    with app.app_context():
        requested = db.session.scalar(
            select(func.sum(PaymentRequest.amount)).where(
                PaymentRequest.application_id == project_id
            )
        )
        db.session.remove()
    assert outcomes.count(True) == 3
    assert requested == Decimal("900")
