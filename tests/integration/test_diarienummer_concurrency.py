"""Two applicants press "Skicka in ansökan" at the same moment, each in their own request
(thread, session and database connection), with real commits.

Runs on a database of its own, created for this module and dropped afterwards, so what it
commits never meets the other tests (the event log cannot be cleaned: it is append-only).
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from finsam_ansokan.applications import services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core.errors import StateTransitionError
from finsam_ansokan.extensions import db
from tests.factories import Factory

from .application_helpers import YEAR, complete

pytestmark = pytest.mark.real_commits


@pytest.fixture(scope="module")
def own_app(isolated_app: Flask) -> Flask:
    return isolated_app


def _complete_applications(app: Flask, n: int) -> list[int]:
    with app.app_context():
        factory = Factory()
        ids = [complete(factory).id for _ in range(n)]
        db.session.commit()
        return ids


def _submit_at_once(app: Flask, application_ids: list[int]) -> list[object]:
    """Submit each id in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(application_ids))
    results: list[object] = [None] * len(application_ids)

    def work(index: int, application_id: int) -> None:
        with app.app_context():
            try:
                # Released together before touching the database: on SQLite the first
                # statement takes the writer lock (BEGIN IMMEDIATE) and the other waits.
                barrier.wait(timeout=10)
                application = db.session.get(Application, application_id)
                services.submit(application, actor=application.created_by)
                db.session.commit()
                results[index] = application.diarienummer
            except Exception as exc:  # reported to the test, which asserts on it
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=work, args=(i, application_id))
        for i, application_id in enumerate(application_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_simultaneous_submissions_get_distinct_consecutive_numbers(own_app):
    first, second = _complete_applications(own_app, 2)
    results = _submit_at_once(own_app, [first, second])
    assert all(isinstance(r, str) for r in results), results
    numbers = sorted(int(str(r).split("/")[1]) for r in results)
    assert {str(r).split("/")[0] for r in results} == {str(YEAR)}
    assert numbers[1] == numbers[0] + 1


def test_the_same_application_submitted_twice_at_once_is_submitted_once(own_app):
    (application_id,) = _complete_applications(own_app, 1)
    results = _submit_at_once(own_app, [application_id, application_id])
    submitted = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, StateTransitionError)]
    assert len(submitted) == 1 and len(refused) == 1, results
    with own_app.app_context():
        application = db.session.get(Application, application_id)
        assert application.diarienummer == submitted[0]
        assert len(application.versions) == 1
