"""Many delegationsbeslut at once never pass the yearly delegation, never share a number and
never overspend the frame."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget.models import BudgetYear, FrameGrant, Huvudomrade, Ram
from finsam_ansokan.core.database import configure_engine_events, is_concurrent_conflict
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import delegation
from finsam_ansokan.meetings.models import DelegationAmount, DelegationDecision

from ..conftest import database_url_for_tests, make_test_app
from ..factories import Factory
from .meetings_helpers import prepared_case

CASES = 10
YEAR = 2097
PER_YEAR = Decimal("80000")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app on a database of its own: the decisions are committed for real, and they are
    final (the database refuses to delete them)."""
    url = database_url_for_tests(tmp_path_factory, suffix="_delegation")
    app = make_test_app(url, tmp_path_factory.mktemp("delegation-files"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ready_cases(app):
    """Ten cases of 25 000 kr within a delegation of 50 000 per case and 80 000 a year."""
    with app.app_context():
        factory = Factory()
        area = Huvudomrade(name="Samtidig delegation")
        ram = Ram(budget_year=BudgetYear(year=YEAR), huvudomrade=area, amount=Decimal("1000000"))
        db.session.add_all([area, ram])
        db.session.flush()
        chef = factory.user(Role.KANSLI, name="Förbundschefen")
        delegation.adopt_order(
            adopted_by="Styrelsen, § 4",
            adopted_on=date(2026, 1, 1),
            valid_from=date(2026, 1, 1),
            delegate=chef,
            limits=[delegation.LimitData(area.id, Decimal("50000"), PER_YEAR)],
            actor=chef,
        )
        cases = [
            prepared_case(factory, area, amounts={YEAR: "25000"}, title=f"Fall {i}").id
            for i in range(CASES)
        ]
        db.session.commit()
        ids = {"ram": ram.id, "chef": chef.id, "cases": cases}
        db.session.remove()
    return ids


@pytest.mark.real_commits
def test_the_delegate_deciding_ten_cases_at_once_stays_within_the_yearly_delegation(
    app, ready_cases
):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=CASES, max_overflow=0)
    configure_engine_events(engine)
    barrier = threading.Barrier(CASES, timeout=60)

    def decide(application_id: int) -> bool:
        with app.app_context():
            session = db.session()
            try:
                application = session.get(Application, application_id)
                actor = session.get(User, ready_cases["chef"])
                session.commit()
                barrier.wait()
                delegation.decide(
                    application, kind="bevilja", amounts={YEAR: Decimal("25000")}, actor=actor
                )
                session.commit()
                return True
            except DomainError:
                session.rollback()
                return False
            except Exception as exc:  # a lost race is a 409 in a request, never a 500
                session.rollback()
                if is_concurrent_conflict(exc):
                    return False
                raise

    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        with ThreadPoolExecutor(max_workers=CASES) as pool:
            outcomes = list(pool.map(decide, ready_cases["cases"]))
        db.session.remove()
    finally:
        db.session = original
        engine.dispose()

    with app.app_context():
        granted = db.session.scalar(select(Ram.granted).where(Ram.id == ready_cases["ram"]))
        ledger = db.session.scalar(
            select(func.sum(FrameGrant.amount)).where(FrameGrant.ram_id == ready_cases["ram"])
        )
        delegated = db.session.scalar(
            select(func.sum(DelegationAmount.amount)).where(DelegationAmount.year == YEAR)
        )
        numbers = db.session.scalars(
            select(DelegationDecision.number).order_by(DelegationDecision.number)
        ).all()
        db.session.remove()
    assert outcomes.count(True) == 3  # 3 × 25 000 ≤ 80 000 < 4 × 25 000
    assert granted == ledger == delegated == Decimal("75000")
    assert numbers == [1, 2, 3]
