"""One transaction per request, with real commits: what a request stores is decided once,
after the handler, by ``core/transaction`` — never by the route.

Runs on a database of its own (``isolated_app``) and looks at the result through a new
connection, so "stored" means committed, not merely flushed into the request's session.
A few routes that exist only in this module's app play a handler that flushed through a
service and then failed, refused or kept its changes; the rest go through the real pages.
"""

from __future__ import annotations

import functools
from datetime import date

import pytest
from flask import Flask, g, has_request_context
from flask_wtf import FlaskForm
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.permissions import public
from finsam_ansokan.core.transaction import keep_changes, refused, refused_form
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup_services
from finsam_ansokan.followup.models import Report
from tests.factories import Factory

pytestmark = pytest.mark.real_commits


def _add_area(name: str) -> None:
    """A service call that flushes a row (and writes its event) into the request's session."""
    budget_services.create_huvudomrade(name=name, actor=None)


@pytest.fixture(scope="module")
def own_app(isolated_app: Flask) -> Flask:
    """The isolated app with handlers that flush through a service and then end in each way."""
    app = isolated_app

    @app.post("/_test/<name>/lyckas")
    @public
    def _succeeds(name):
        _add_area(name)
        return "ok"

    @app.post("/_test/<name>/kraschar")
    @public
    def _crashes(name):
        _add_area(name)
        raise RuntimeError("a bug after the service had flushed")

    @app.post("/_test/<name>/vagras")
    @public
    def _domain_error(name):
        _add_area(name)
        raise DomainError("Det här går inte.")

    @app.post("/_test/<name>/tillbaka")
    @public
    def _refused(name):
        _add_area(name)
        return refused(DomainError("Det här går inte."), "/tillganglighet")

    @app.post("/_test/<name>/formular")
    @public
    def _form_shown_again(name):
        _add_area(name)
        form = FlaskForm(meta={"csrf": False})
        refused_form(form, DomainError("Det här går inte."))
        return " ".join(form.form_errors), 200

    @app.post("/_test/<name>/behall")
    @public
    def _kept(name):
        _add_area(name)
        keep_changes()
        return "utkastet sparades, resten vägrades", 400

    @app.post("/_test/<name>/behall-sedan-krasch")
    @public
    def _kept_then_crashes(name):
        _add_area(name)
        keep_changes()
        raise RuntimeError("a bug after keep_changes")

    @app.post("/_test/<name>/tagen")
    @public
    def _taken_meanwhile(name):
        """As if a concurrent request had committed the same name a moment before."""
        _add_area(name)
        db.session.add(Huvudomrade(name=name))
        db.session.flush()
        return "ok"

    @app.post("/_test/<name>/fel-<moment>-commit")
    @public
    def _fails_at_commit(name, moment):
        """The connection is lost ``i`` (during) or ``efter`` (after) the commit."""
        _add_area(name)
        g.setdefault({"i": "fail_in_commit", "efter": "fail_after_commit"}[moment], True)
        return "ok"

    return app


def _lost_connection(session, flag: str) -> None:
    """The database connection goes at the named moment of the commit (the request's own)."""
    if has_request_context() and g.get(flag):
        g.pop(flag)
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))


@pytest.fixture
def commit_failures(own_app, monkeypatch):
    """Failures in the commit for the requests that ask for them; the 500 page as in
    production (the test client otherwise re-raises what escapes the error handlers)."""
    monkeypatch.setitem(own_app.config, "PROPAGATE_EXCEPTIONS", False)
    after = functools.partial(_lost_connection, flag="fail_after_commit")
    before = functools.partial(_lost_connection, flag="fail_in_commit")
    event.listen(Session, "after_commit", after)
    event.listen(Session, "before_commit", before)
    yield
    event.remove(Session, "after_commit", after)
    event.remove(Session, "before_commit", before)


def _stored_areas(app: Flask, name: str) -> int:
    """Seen from a new connection: only what was committed."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(Huvudomrade).where(Huvudomrade.name == name)
        ).scalar_one()


def _stored_events(app: Flask, kind: str, message: str) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM events WHERE kind = :kind AND message LIKE :message"),
            {"kind": kind, "message": f"%{message}%"},
        ).scalar_one()


def test_a_successful_request_is_committed_and_seen_from_a_new_connection(own_app):
    response = own_app.test_client().post("/_test/Lyckat område/lyckas")
    assert response.status_code == 200
    assert _stored_areas(own_app, "Lyckat område") == 1
    assert _stored_events(own_app, "huvudomrade_created", "Lyckat område") == 1


def test_a_handler_that_fails_after_a_service_flushed_stores_nothing(own_app):
    response = own_app.test_client().post("/_test/Kraschat område/kraschar")
    assert response.status_code == 500
    assert "Ingenting har sparats" in response.get_data(as_text=True)
    assert _stored_areas(own_app, "Kraschat område") == 0
    assert _stored_events(own_app, "huvudomrade_created", "Kraschat område") == 0


def test_a_key_taken_by_a_concurrent_request_is_a_409_in_words_not_a_500(own_app):
    response = own_app.test_client().post("/_test/Samtidigt område/tagen")
    assert response.status_code == 409
    assert "Någon annan ändrade samma uppgifter i samma ögonblick" in response.get_data(
        as_text=True
    )
    assert _stored_areas(own_app, "Samtidigt område") == 0


def test_a_failure_after_the_commit_does_not_claim_that_nothing_was_saved(own_app, commit_failures):
    response = own_app.test_client().post("/_test/Sparat trots fel/fel-efter-commit")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Ingenting har sparats" not in page
    assert "Vi vet inte om den hann sparas" in page
    assert _stored_areas(own_app, "Sparat trots fel") == 1  # it was: the page did not lie


def test_a_failure_during_the_commit_says_the_outcome_is_unknown(own_app, commit_failures):
    response = own_app.test_client().post("/_test/Kanske sparat/fel-i-commit")
    assert response.status_code == 500
    assert "Vi vet inte om den hann sparas" in response.get_data(as_text=True)
    assert _stored_areas(own_app, "Kanske sparat") == 0  # (this time it was not)


def test_a_failure_before_the_commit_still_says_nothing_was_saved(own_app, commit_failures):
    response = own_app.test_client().post("/_test/Före commit/kraschar")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Ingenting har sparats" in page and "Vi vet inte" not in page
    assert _stored_areas(own_app, "Före commit") == 0


def test_a_domain_error_after_a_flush_is_a_swedish_page_and_stores_nothing(own_app):
    response = own_app.test_client().post("/_test/Vägrat område/vagras")
    assert response.status_code == 422
    assert "Det här går inte." in response.get_data(as_text=True)
    assert _stored_areas(own_app, "Vägrat område") == 0


def test_a_refused_action_goes_back_with_the_message_and_stores_nothing(own_app):
    client = own_app.test_client()
    response = client.post("/_test/Tillbakavisat område/tillbaka")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tillganglighet"
    assert "Det här går inte." in client.get("/tillganglighet").get_data(as_text=True)
    assert _stored_areas(own_app, "Tillbakavisat område") == 0


def test_a_form_shown_again_after_a_refusal_stores_nothing_even_with_status_200(own_app):
    response = own_app.test_client().post("/_test/Formulärområde/formular")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Det här går inte."
    assert _stored_areas(own_app, "Formulärområde") == 0


def test_kept_changes_are_stored_although_the_answer_is_4xx(own_app):
    response = own_app.test_client().post("/_test/Behållet område/behall")
    assert response.status_code == 400
    assert _stored_areas(own_app, "Behållet område") == 1


def test_kept_changes_are_not_stored_when_the_handler_then_fails(own_app):
    response = own_app.test_client().post("/_test/Behållet men kraschat/behall-sedan-krasch")
    assert response.status_code == 500
    assert _stored_areas(own_app, "Behållet men kraschat") == 0


# --- through the real pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(own_app: Flask) -> dict:
    """A started project with a report schedule, and its owner and the kansli, committed."""
    with own_app.app_context():
        factory = Factory()
        owner = factory.user(Role.SOKANDE)
        kansli = factory.user(Role.KANSLI)
        application = factory.granted_project(
            owner,
            grants={2026: "300000"},
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            schedule=True,
        )
        report = next(r for r in followup_services.reports_for(application) if not r.is_final)
        ids = {
            "owner": owner.get_id(),
            "kansli": kansli.get_id(),
            "report_url": f"/ansokningar/{application.id}/uppfoljning/rapporter/{report.id}/skriv",
            "report_id": report.id,
            "lock_version": report.lock_version,
        }
        db.session.commit()
        db.session.remove()
    return ids


def _client_as(app: Flask, user_id: str):
    """A client signed in as the user (a committed server-side session, as a login makes)."""
    from finsam_ansokan.accounts.models import User
    from tests.conftest import sign_in

    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.get(User, int(user_id.split(":")[0])))
        db.session.commit()
        db.session.remove()
    return client


def _report_row(app: Flask, report_id: int):
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(
            select(Report.participants_women, Report.status, Report.lock_version).where(
                Report.id == report_id
            )
        ).one()


def test_a_successful_post_through_a_page_is_committed(own_app, project):
    client = _client_as(own_app, project["kansli"])
    response = client.post("/budget/huvudomraden/ny", data={"name": "Område via sidan"})
    assert response.status_code == 302
    assert _stored_areas(own_app, "Område via sidan") == 1


def test_a_report_refused_after_its_fields_were_flushed_stores_nothing(own_app, project):
    client = _client_as(own_app, project["owner"])
    before = _report_row(own_app, project["report_id"])
    response = client.post(
        project["report_url"],
        data={
            "participants_women": "7",
            "cost_2026": "300 001",  # more than granted: refused after the fields were set
            "lock_version": before.lock_version,
        },
    )
    assert response.status_code == 400
    assert "kan inte vara mer än det beviljade" in response.get_data(as_text=True)
    assert _report_row(own_app, project["report_id"]) == before


def test_an_incomplete_report_keeps_its_draft_but_is_not_submitted(own_app, project):
    client = _client_as(own_app, project["owner"])
    before = _report_row(own_app, project["report_id"])
    response = client.post(
        project["report_url"],
        data={"participants_women": "5", "action": "skicka", "lock_version": before.lock_version},
    )
    assert response.status_code == 400
    assert "kan inte skickas in ännu" in response.get_data(as_text=True)
    after = _report_row(own_app, project["report_id"])
    assert after.participants_women == 5
    assert after.status == "utkast"
