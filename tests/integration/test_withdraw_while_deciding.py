"""The applicant withdraws a case while the board records its decision on it.

Whoever comes second gets a clear message and changes nothing; never a 500, never a
half-done decision. Each side is a real request (or a service call holding its locks) with
real commits, on a database of its own. On PostgreSQL one side holds its row locks until
the other is seen waiting for them, so both orders are played exactly; SQLite serialises
writers (BEGIN IMMEDIATE), so there the same-moment test and the stale-read test apply.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget.models import BudgetYear, FrameGrant, Huvudomrade, Ram
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services as meeting_services
from finsam_ansokan.meetings.models import AgendaItem, Decision
from tests.conftest import sign_in
from tests.factories import Factory

from .meetings_helpers import meeting_with_board, prepared_case

YEAR = 2026
_AREAS = itertools.count(1)
WITHDRAWAL_REFUSED = "Styrelsen har redan beslutat om ansökan, så den kan inte återkallas"
WITHDRAWN_MESSAGE = "Sökanden har återkallat ansökan, så den kan inte beslutas."

on_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="row locks that a test can watch: PostgreSQL (SQLite serialises writers)",
)


def _board_and_cases(app: Flask, n: int) -> dict:
    """A held meeting with ``n`` cases Klar för beslut on its agenda, each asking 1 000 kr of
    a frame that affords them all (committed)."""
    with app.app_context():
        factory = Factory()
        area = Huvudomrade(name=f"Återkallat eller beslutat {next(_AREAS)}")
        budget_year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == YEAR))
        if budget_year is None:
            budget_year = BudgetYear(year=YEAR)
        ram = Ram(budget_year=budget_year, huvudomrade=area, amount=Decimal("1000000"))
        db.session.add_all([area, budget_year, ram])
        db.session.flush()
        kansli = factory.user(Role.KANSLI)
        meeting, chair = meeting_with_board(
            factory, kansli, meeting_date=date.today() - timedelta(days=1)
        )
        cases = []
        for i in range(n):
            application = prepared_case(factory, area, amounts={YEAR: "1000"}, title=f"Fall {i}")
            item = meeting_services.add_case(meeting, application, actor=kansli)
            cases.append({"application": application.id, "item": item.id})
        db.session.commit()
        ids = {
            "meeting": meeting.id,
            "chair": chair.id,
            "ram": ram.id,
            "cases": cases,
            "owners": {
                c["application"]: db.session.get(Application, c["application"]).created_by_id
                for c in cases
            },
        }
        db.session.remove()
    return ids


def _client_for(app: Flask, user_id: int):
    with app.app_context():
        client = sign_in(app.test_client(), db.session.get(User, user_id))
        db.session.commit()
        db.session.remove()
    return client


def _decide(client, meeting_id: int, item_id: int):
    prefix = f"beslut-{item_id}-"
    return client.post(
        f"/sammantraden/{meeting_id}/dagordning/{item_id}/beslut",
        data={prefix + "kind": "bevilja", prefix + f"amount_{YEAR}": "1000"},
    )


def _withdraw(client, application_id: int):
    return client.post(f"/ansokningar/{application_id}/aterkalla", follow_redirects=True)


def _state(app: Flask, case: dict, ram_id: int) -> tuple[str, int, int]:
    """The case's status, its decisions and the ledger rows it has, seen from outside."""
    with app.app_context():
        status = db.session.scalar(
            select(Application.status).where(Application.id == case["application"])
        )
        decisions = db.session.scalar(
            select(func.count(Decision.id)).where(Decision.agenda_item_id == case["item"])
        )
        grants = db.session.scalar(
            select(func.count(FrameGrant.id)).where(
                FrameGrant.ram_id == ram_id, FrameGrant.application_id == case["application"]
            )
        )
        db.session.remove()
    return status, decisions, grants


def _wait_until_waiting_for_a_lock(app: Flask, request: threading.Thread) -> None:
    """Until the request's database session waits for a lock the holder has."""
    with app.app_context(), db.engine.connect() as connection:
        for _ in range(600):  # a bound, not a timing assertion: the request must block
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            connection.rollback()  # pg_stat_activity is a snapshot per transaction
            if waiting or not request.is_alive():
                return
            time.sleep(0.05)
    raise AssertionError("the second request neither waited for the row lock nor finished")


def _while_holding(app: Flask, hold, request) -> object:
    """Run ``hold`` (a service call) in its own transaction and keep its locks; send
    ``request`` meanwhile; commit ``hold`` once the request waits for its locks. Returns
    the request's response."""
    held, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def holder():
        with app.app_context():
            try:
                hold()
                held.set()
                release.wait(timeout=60)
                db.session.commit()
            except BaseException as exc:  # reported to the test
                outcome["holder"] = exc
                held.set()
            finally:
                db.session.remove()

    def requester():
        outcome["response"] = request()

    first = threading.Thread(target=holder)
    first.start()
    held.wait(timeout=60)
    assert "holder" not in outcome, outcome["holder"]
    second = threading.Thread(target=requester)
    second.start()
    try:
        _wait_until_waiting_for_a_lock(app, second)
    finally:
        release.set()
        first.join(timeout=60)
        second.join(timeout=60)
    assert "holder" not in outcome, outcome["holder"]
    return outcome["response"]


@pytest.mark.real_commits
@on_postgres
def test_a_decision_on_a_case_withdrawn_meanwhile_is_refused_in_words(isolated_app):
    app = isolated_app
    ids = _board_and_cases(app, 1)
    case = ids["cases"][0]
    board = _client_for(app, ids["chair"])

    def withdraw():
        application = db.session.get(Application, case["application"])
        application_services.withdraw(application, actor=application.created_by)

    response = _while_holding(app, withdraw, lambda: _decide(board, ids["meeting"], case["item"]))
    assert response.status_code == 422
    assert WITHDRAWN_MESSAGE in response.get_data(as_text=True)
    assert _state(app, case, ids["ram"]) == ("aterkallad", 0, 0)


@pytest.mark.real_commits
@on_postgres
def test_a_withdrawal_of_a_case_decided_meanwhile_is_refused_in_words(isolated_app):
    app = isolated_app
    ids = _board_and_cases(app, 1)
    case = ids["cases"][0]
    applicant = _client_for(app, ids["owners"][case["application"]])

    def decide():
        item = db.session.get(AgendaItem, case["item"])
        meeting_services.record_decision(
            item,
            kind="bevilja",
            amounts={YEAR: Decimal("1000")},
            actor=db.session.get(User, ids["chair"]),
        )

    response = _while_holding(app, decide, lambda: _withdraw(applicant, case["application"]))
    assert response.status_code == 200  # back on the case, with the message
    assert WITHDRAWAL_REFUSED in response.get_data(as_text=True)
    assert _state(app, case, ids["ram"]) == ("beslutad", 1, 1)


@pytest.mark.real_commits
def test_withdrawing_and_deciding_at_the_same_moment_never_gives_a_server_error(isolated_app):
    """As the attacker did it: both requests released together, for several cases."""
    app = isolated_app
    ids = _board_and_cases(app, 6)
    results = []
    for case in ids["cases"]:
        board = _client_for(app, ids["chair"])
        applicant = _client_for(app, ids["owners"][case["application"]])
        barrier = threading.Barrier(2, timeout=30)
        out: dict[str, object] = {}

        def withdraw(case=case, applicant=applicant, barrier=barrier, out=out):
            barrier.wait()
            out["withdraw"] = _withdraw(applicant, case["application"])

        def decide(case=case, board=board, barrier=barrier, out=out):
            barrier.wait()
            out["decide"] = _decide(board, ids["meeting"], case["item"])

        threads = [threading.Thread(target=withdraw), threading.Thread(target=decide)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        results.append((case, out["withdraw"], out["decide"]))

    for case, withdrawal, decision in results:
        assert withdrawal.status_code == 200 and decision.status_code in (303, 422)
        status, decisions, grants = _state(app, case, ids["ram"])
        if decision.status_code == 303:  # the board was first: the withdrawal was refused
            assert (status, decisions, grants) == ("beslutad", 1, 1)
            assert WITHDRAWAL_REFUSED in withdrawal.get_data(as_text=True)
        else:  # the applicant was first: the decision was refused in words
            assert WITHDRAWN_MESSAGE in decision.get_data(as_text=True)
            assert (status, decisions, grants) == ("aterkallad", 0, 0)


def test_a_decision_service_holding_a_stale_case_re_reads_it_and_refuses(factory):
    """Deterministic, on both databases: the board's page read the case before the
    applicant's withdrawal was committed; the service re-reads the row under its lock."""
    kansli = factory.user(Role.KANSLI)
    area = factory.huvudomrade("Inaktuellt ärende")
    factory.budget_year(YEAR, frames={area: "100000"})
    meeting, chair = meeting_with_board(
        factory, kansli, meeting_date=date.today() - timedelta(days=1)
    )
    application = prepared_case(factory, area, amounts={YEAR: "1000"})
    item = meeting_services.add_case(meeting, application, actor=kansli)
    db.session.flush()
    assert application.status == "klar_for_beslut"  # what the board's request has read
    # the applicant's request commits its withdrawal meanwhile (behind the ORM's back)
    db.session.connection().execute(
        text(
            "UPDATE applications SET status = 'aterkallad', lock_version = lock_version + 1 "
            "WHERE id = :id"
        ),
        {"id": application.id},
    )
    with pytest.raises(DomainError, match=WITHDRAWN_MESSAGE):
        meeting_services.record_decision(
            item, kind="bevilja", amounts={YEAR: Decimal("1000")}, actor=chair
        )
    assert application.status == "aterkallad"
    assert item.decision is None
