"""Many decisions recorded at once through the decision service never overspend a frame."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget.models import BudgetYear, FrameGrant, Huvudomrade, Ram
from finsam_ansokan.core.database import configure_engine_events
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings.models import AgendaItem, Decision

from ..conftest import database_url_for_tests, make_test_app
from ..factories import Factory
from .meetings_helpers import meeting_with_board, prepared_case

CASES = 24
YEAR = 2098
FRAME = Decimal("1000")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app on a database of its own: the decisions are committed for real, and their
    events are append-only, so they cannot be cleaned out of the shared test database."""
    url = database_url_for_tests(tmp_path_factory, suffix="_decisions")
    app = make_test_app(url, tmp_path_factory.mktemp("decision-files"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ready_meeting(app):
    """24 prepared cases, each asking 50–200 kr, on one meeting's agenda (committed)."""
    with app.app_context():
        factory = Factory()
        area = Huvudomrade(name="Samtidiga beslut")
        budget_year = BudgetYear(year=YEAR)
        ram = Ram(budget_year=budget_year, huvudomrade=area, amount=FRAME)
        db.session.add_all([area, budget_year, ram])
        db.session.flush()
        kansli = factory.user(Role.KANSLI)
        meeting, _ = meeting_with_board(factory, kansli)
        items = []
        for i in range(CASES):
            amount = str(50 * (1 + i % 4))  # 3 000 kr asked for in all
            application = prepared_case(factory, area, amounts={YEAR: amount}, title=f"Fall {i}")
            items.append(services.add_case(meeting, application, actor=kansli))
        db.session.commit()
        ids = {
            "ram": ram.id,
            "kansli": kansli.id,
            "items": [(i.id, Decimal(50 * (1 + n % 4))) for n, i in enumerate(items)],
        }
        db.session.remove()
    return ids


@pytest.mark.real_commits
def test_board_members_deciding_24_cases_at_once_grant_only_what_the_frame_affords(
    app, ready_meeting
):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=CASES, max_overflow=0)
    configure_engine_events(engine)
    for connection in [engine.connect() for _ in range(CASES)]:
        connection.close()
    barrier = threading.Barrier(CASES, timeout=60)

    def decide(entry: tuple[int, Decimal]) -> bool:
        item_id, amount = entry
        with app.app_context():
            session = db.session()
            try:
                item = session.get(AgendaItem, item_id)
                actor = session.get(User, ready_meeting["kansli"])
                session.commit()  # end the read: on SQLite BEGIN IMMEDIATE holds the lock
                barrier.wait()
                services.record_decision(item, kind="bevilja", amounts={YEAR: amount}, actor=actor)
                session.commit()
                return True
            except DomainError:
                session.rollback()
                return False

    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        with ThreadPoolExecutor(max_workers=CASES) as pool:
            outcomes = list(pool.map(decide, ready_meeting["items"]))
        db.session.remove()
    finally:
        db.session = original
        engine.dispose()

    amounts = [a for _, a in ready_meeting["items"]]
    succeeded = [a for a, ok in zip(amounts, outcomes, strict=True) if ok]
    refused = [a for a, ok in zip(amounts, outcomes, strict=True) if not ok]
    with app.app_context():
        frame, granted = db.session.execute(
            select(Ram.amount, Ram.granted).where(Ram.id == ready_meeting["ram"])
        ).one()
        ledger = db.session.scalar(
            select(func.sum(FrameGrant.amount)).where(FrameGrant.ram_id == ready_meeting["ram"])
        )
        item_ids = [i for i, _ in ready_meeting["items"]]
        decided = db.session.scalar(
            select(func.count(Decision.id)).where(Decision.agenda_item_id.in_(item_ids))
        )
        paragraphs = db.session.scalars(
            select(AgendaItem.paragraph).where(
                AgendaItem.id.in_(item_ids), AgendaItem.paragraph.is_not(None)
            )
        ).all()
        statuses = db.session.scalars(
            select(Application.status)
            .join(AgendaItem, AgendaItem.application_id == Application.id)
            .where(AgendaItem.id.in_(item_ids))
        ).all()
        db.session.remove()
    assert granted == sum(succeeded) == ledger
    assert granted <= frame == FRAME
    assert succeeded and refused
    assert all(request > FRAME - granted for request in refused)
    # every success recorded one decision; §§ come only when the minutes are justerade
    assert decided == len(succeeded)
    assert paragraphs == []
    assert statuses.count("beslutad") == len(succeeded)
    assert statuses.count("klar_for_beslut") == len(refused)
