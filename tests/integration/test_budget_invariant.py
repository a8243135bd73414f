"""The grant invariant: for every year and huvudområde, 0 <= granted <= frame, always.

A property test drives random sequences of grants, releases, reallocations and frame
changes over two years; a concurrency test lets many sessions grant from one frame at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from finsam_ansokan.budget import ledger as budget_ledger
from finsam_ansokan.budget.models import BudgetYear, FrameGrant, Huvudomrade, Ram
from finsam_ansokan.core.database import configure_engine_events
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db

YEARS = (2026, 2027)
AREAS = 3
amounts = st.integers(min_value=0, max_value=600).map(Decimal)
operation = st.one_of(
    st.tuples(st.just("grant"), st.sampled_from(YEARS), st.integers(0, AREAS - 1), amounts),
    st.tuples(st.just("release"), st.sampled_from(YEARS), st.integers(0, AREAS - 1), amounts),
    st.tuples(st.just("grant_both_years"), st.integers(0, AREAS - 1), amounts, amounts),
    st.tuples(
        st.just("reallocate"),
        st.sampled_from(YEARS),
        st.integers(0, AREAS - 1),
        st.integers(0, AREAS - 1),
        amounts,
    ),
    st.tuples(st.just("set_frame"), st.sampled_from(YEARS), st.integers(0, AREAS - 1), amounts),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, max_size=25))
def test_no_sequence_of_decisions_and_reallocations_leaves_granted_above_the_frame(
    factory, operations
):
    savepoint = db.session.begin_nested()
    try:
        kansli = factory.user("kansli")
        areas = [factory.huvudomrade() for _ in range(AREAS)]
        years = {
            year: factory.budget_year(year, frames={a: "1000" for a in areas}) for year in YEARS
        }
        rams = {
            (year, i): next(r for r in years[year].frames if r.huvudomrade_id == area.id)
            for year in YEARS
            for i, area in enumerate(areas)
        }
        # the model: what each frame should hold after every step
        frame = {key: Decimal(1000) for key in rams}
        granted = {key: Decimal(0) for key in rams}

        for op in operations:
            kind = op[0]
            if kind == "grant":
                _, year, i, amount = op
                ok = 0 < amount <= frame[year, i] - granted[year, i]
                _expect(ok, budget_ledger.grant, rams[year, i], amount, actor=None)
                if ok:
                    granted[year, i] += amount
            elif kind == "release":
                _, year, i, amount = op
                ok = 0 < amount <= granted[year, i]
                _expect(ok, budget_ledger.release, rams[year, i], amount, actor=None)
                if ok:
                    granted[year, i] -= amount
            elif kind == "grant_both_years":
                _, i, first, second = op
                wanted = {(YEARS[0], i): first, (YEARS[1], i): second}
                ok = all(0 < a <= frame[k] - granted[k] for k, a in wanted.items())
                keys = {(y, areas[i].id): a for (y, _), a in wanted.items()}
                _expect(ok, budget_ledger.grant_many, keys, actor=None)
                if ok:
                    for key, amount in wanted.items():
                        granted[key] += amount
            elif kind == "reallocate":
                _, year, i, j, amount = op
                ok = i != j and 0 < amount <= frame[year, i] - granted[year, i]
                _expect(
                    ok,
                    budget_ledger.reallocate,
                    rams[year, i],
                    rams[year, j],
                    amount,
                    "Test",
                    actor=kansli,
                )
                if ok:
                    frame[year, i] -= amount
                    frame[year, j] += amount
            else:
                _, year, i, amount = op
                ok = amount >= granted[year, i]
                _expect(ok, budget_ledger.set_frame, rams[year, i], amount)
                if ok:
                    frame[year, i] = amount

            rows = db.session.execute(
                select(Ram.id, Ram.amount, Ram.granted).where(
                    Ram.id.in_([r.id for r in rams.values()])
                )
            ).all()
            stored = {r.id: (r.amount, r.granted) for r in rows}
            for key, ram in rams.items():
                amount_in_db, granted_in_db = stored[ram.id]
                assert 0 <= granted_in_db <= amount_in_db
                assert (amount_in_db, granted_in_db) == (frame[key], granted[key])
            for year in YEARS:
                # reallocation conserves the year's total of frames
                assert sum(stored[rams[year, i].id][0] for i in range(AREAS)) == sum(
                    frame[year, i] for i in range(AREAS)
                )
            assert budget_ledger.verify_frames() == []
    finally:
        savepoint.rollback()
        db.session.expunge_all()  # the next example starts from a clean identity map


def _expect(ok: bool, action, *args, **kwargs) -> None:
    """Run the service call; the model says whether it must succeed or be refused."""
    if ok:
        action(*args, **kwargs)
    else:
        with pytest.raises(DomainError):
            action(*args, **kwargs)


# --- concurrency ------------------------------------------------------------------------------

THREADS = 24
FRAME = Decimal("1000")


@pytest.fixture
def shared_frame(isolated_app):
    """A frame committed for real (other connections must see it), on a database of its
    own that is dropped after the module: the ledger is append-only and cannot be cleaned."""
    with isolated_app.app_context():
        area = Huvudomrade(name="Samtidighetstest")
        budget_year = BudgetYear(year=2099)
        ram = Ram(budget_year=budget_year, huvudomrade=area, amount=FRAME)
        db.session.add_all([area, budget_year, ram])
        db.session.commit()
        ram_id = ram.id
        db.session.remove()
    return ram_id


@pytest.mark.real_commits
def test_many_board_members_granting_at_once_never_overspend_the_frame(isolated_app, shared_frame):
    """24 sessions, each on its own connection, grant from one frame at the same moment.

    On PostgreSQL the conditional UPDATE's row lock makes them queue and re-check; on
    SQLite BEGIN IMMEDIATE serialises them. Only the affordable grants may succeed.
    """
    app = isolated_app
    requests = [Decimal(50 * (1 + i % 4)) for i in range(THREADS)]  # 3 000 kr asked for
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=THREADS, max_overflow=0)
    configure_engine_events(engine)
    warm = [engine.connect() for _ in range(THREADS)]  # open every connection up front
    for connection in warm:
        connection.close()
    barrier = threading.Barrier(THREADS, timeout=60)

    def board_member(amount: Decimal) -> bool:
        with app.app_context():
            session = db.session()
            try:
                barrier.wait()
                budget_ledger.grant(session.get(Ram, shared_frame), amount, actor=None)
                session.commit()
                return True
            except DomainError:
                session.rollback()
                return False

    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine))  # thread-local: one per member
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(board_member, requests))
        db.session.remove()
    finally:
        db.session = original
        engine.dispose()

    with app.app_context():
        amount, granted = db.session.execute(
            select(Ram.amount, Ram.granted).where(Ram.id == shared_frame)
        ).one()
        ledger = db.session.scalar(
            select(func.sum(FrameGrant.amount)).where(FrameGrant.ram_id == shared_frame)
        )
        db.session.remove()
    succeeded = [a for a, ok in zip(requests, outcomes, strict=True) if ok]
    refused = [a for a, ok in zip(requests, outcomes, strict=True) if not ok]
    assert granted == sum(succeeded) == ledger
    assert granted <= amount == FRAME
    assert succeeded and refused
    # a refusal only ever meant "not affordable": what remained at the end, less than when
    # the refusal came, is still smaller than every refused request
    assert all(request > FRAME - granted for request in refused)
