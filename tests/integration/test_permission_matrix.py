"""Every route × every role (and anonymous) against the one policy table.

A route must declare its capability with ``@require(...)`` or be marked ``@public``; a new
route without either fails here. For each role the outcome must match POLICY: allowed
roles get past the check, others get 403, anonymous users are sent to the login page.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Attachment
from finsam_ansokan.core.permissions import POLICY
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import PaymentRequest, Report
from finsam_ansokan.meetings.models import AgendaItem, Attendance, Meeting, Signatory
from finsam_ansokan.notifications.models import OutboxMessage
from finsam_ansokan.review.models import Comment

ANONYMOUS = "anonym"
SUBJECTS = [ANONYMOUS, *Role]


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_route_declares_who_may_use_it(app):
    missing = [
        rule.rule
        for rule in _routes(app)
        if not hasattr(app.view_functions[rule.endpoint], "capability")
    ]
    assert missing == [], f"routes without @require or @public: {missing}"


def test_every_declared_capability_is_in_the_policy_table(app):
    for rule in _routes(app):
        capability = app.view_functions[rule.endpoint].capability
        assert capability is None or capability in POLICY


@pytest.fixture
def sample_args(factory):
    """One existing object for every URL parameter the routes take."""
    organisation = factory.organisation("Matrisens kommun")
    user = factory.user(Role.SOKANDE, organisation=organisation)
    application = factory.application(user, status="under_beredning")
    version = application.versions[-1]
    attachment = Attachment(
        application=application,
        filename="matris.pdf",
        content_type="application/pdf",
        size_bytes=0,
        sha256="0" * 64,
        storage_key="matris00000000000000000000000000",
        uploaded_by_id=user.id,
    )
    comment = Comment(application_id=application.id, author=user, body="En fråga")
    message = OutboxMessage(kind="comment", to_email="x@test.example", subject="Ä", body="B")
    report = Report(application=application, kind="lagesrapport", due_date=date(2026, 6, 1))
    payment = PaymentRequest(
        application=application,
        year=2026,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        amount=1,
        costs_incurred="Lön",
        requested_by_id=user.id,
    )
    db.session.add_all([attachment, comment, message, report, payment])
    db.session.flush()
    agreement = factory.agreement(application, amounts={2026: "1000"}, accepted=False)
    area = factory.huvudomrade("Matrisens huvudområde")
    budget_year = factory.budget_year(2026, frames={area: "1000"})
    meeting = Meeting(
        date=date(2026, 11, 23),
        place="Matrisrummet",
    )
    db.session.add(meeting)
    db.session.flush()
    item = AgendaItem(meeting_id=meeting.id, position=1, title="Information")
    attendance = Attendance(meeting_id=meeting.id, name="Matris Gäst", role="ovrig")
    db.session.add_all([item, attendance])
    db.session.flush()
    signatory = Signatory(meeting_id=meeting.id, role="justerare", role_order=3, name="Matris")
    db.session.add(signatory)
    db.session.flush()
    return {
        "meeting_id": meeting.id,
        "item_id": item.id,
        "attendance_id": attendance.id,
        "signatory_id": signatory.id,
        "user_id": user.id,
        "organisation_id": organisation.id,
        "application_id": application.id,
        "comment_id": comment.id,
        "message_id": message.id,
        "stage": "forslag",
        "huvudomrade_id": area.id,
        "year": budget_year.year,
        "attachment_id": attachment.id,
        "number": version.number,
        "section": "insatsen",
        "report_id": report.id,
        "payment_id": payment.id,
        "agreement_id": agreement.id,
        "provider_id": 1,
        "token": "en-ogiltig-lank",
        "session_id": 1,
    }


def _url(rule, sample_args) -> str:
    values = {}
    for argument in rule.arguments:
        assert argument in sample_args, f"add a sample value for <{argument}> in {rule.rule}"
        values[argument] = sample_args[argument]
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("subject", SUBJECTS, ids=str)
def test_each_role_gets_exactly_what_the_policy_allows(
    app, factory, login, client, sample_args, subject
):
    user = None if subject == ANONYMOUS else factory.user(subject)
    failures = []
    for rule in _routes(app):
        capability = app.view_functions[rule.endpoint].capability
        url = _url(rule, sample_args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if user is not None:
                login(user)  # again each time: one of the routes is "log out"
            response = client.open(url, method=method)
            status = response.status_code
            if capability is None:
                allowed = True
            elif subject == ANONYMOUS:
                ok = status == 302 and "/logga-in" in response.headers["Location"]
                if not ok:
                    failures.append(f"{method} {url} as anonymous: {status}, expected login")
                continue
            else:
                allowed = Role(subject) in POLICY[capability]
            if allowed and status in (401, 403):
                failures.append(f"{method} {url} as {subject}: {status}, expected access")
            if not allowed and status != 403:
                failures.append(f"{method} {url} as {subject}: {status}, expected 403")
            if status >= 500:
                failures.append(f"{method} {url} as {subject}: {status}")
    assert failures == []
