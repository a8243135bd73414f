"""Object-level access: an applicant of organisation A reaches nothing of organisation B.

The route matrix (``test_permission_matrix``) checks roles against POLICY; this one checks
objects. Every rule in ``app.url_map`` that takes a parameter is built from organisation
B's objects, for a draft, a shared draft and a submitted application, and requested with
every method by an applicant of organisation A: each answer must be 403 or 404 and nothing
in the database may change. A new route whose parameter has no value here fails the test.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application, Attachment
from finsam_ansokan.applications.sections import SECTIONS
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.storage import attachment_storage, new_key
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import Agreement, PaymentRequest, Report
from finsam_ansokan.meetings.models import AgendaItem, Attendance, Meeting, Signatory
from finsam_ansokan.notifications.models import OutboxMessage
from finsam_ansokan.review.models import AssessmentStage, Comment

from .application_helpers import YEAR, complete, ensure_budget_year
from .route_walk import methods, response_text, row_counts, rules, urls

#: Endpoints any applicant may read whatever their organisation (none so far). A route
#: listed here must show nothing organisation-specific.
NOT_ORGANISATION_SCOPED: frozenset[str] = frozenset()
#: Arguments that name no organisation's object: a link token, an identity provider, one's
#: own session. Those routes are tested in the accounts tests (test_auth, test_two_factor …).
ACCOUNT_ARGUMENTS = frozenset({"token", "provider_id", "session_id"})


def _attach(application: Application, owner, text: bytes = b"%PDF-1.4 bilaga") -> Attachment:
    key = new_key()
    attachment_storage().save(key, io.BytesIO(text))
    attachment = Attachment(
        application=application,
        filename="bilaga.pdf",
        content_type="application/pdf",
        size_bytes=len(text),
        sha256="0" * 64,
        storage_key=key,
        uploaded_by_id=owner.id,
    )
    db.session.add(attachment)
    return attachment


def _comment(application, author, body: str, *, internal: bool) -> Comment:
    comment = Comment(application_id=application.id, author=author, body=body, internal=internal)
    db.session.add(comment)
    return comment


def organisation_objects(factory, name: str, reviewer) -> dict:
    """An organisation's applicant and three applications (draft, shared draft,
    submitted), each with an attachment, a visible comment and an internal note."""
    organisation = factory.organisation(name)
    owner = factory.user(Role.SOKANDE, organisation=organisation)
    applications = {
        "utkast": complete(factory, owner),
        "delat utkast": complete(factory, owner, shared_for_comments=True),
        "inskickad": complete(factory, owner),
    }
    factory.submit(applications["inskickad"], status=Status.UNDER_BEREDNING)
    objects = {"organisation": organisation, "owner": owner, "applications": {}}
    for state, application in applications.items():
        attachment = _attach(application, owner)
        visible = _comment(application, reviewer, f"Synlig fråga till {name}", internal=False)
        note = _comment(application, reviewer, f"HEMLIG-ANTECKNING {name} {state}", internal=True)
        db.session.flush()
        objects["applications"][state] = {
            "application": application,
            "attachment": attachment,
            "comments": [visible, note],
            "note": note.body,
        }
    message = OutboxMessage(
        kind="comment", to_email=owner.email, subject=f"Till {name}", body="Meddelande"
    )
    db.session.add(message)
    db.session.flush()
    objects["message"] = message

    # a granted project with a report and a payment request (follow-up) …
    project = factory.granted_project(owner, grants={YEAR: "100000"}, schedule=True)
    payment = PaymentRequest(
        application=project,
        year=YEAR,
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 3, 31),
        amount=Decimal("1000"),
        costs_incurred="Lön",
        requested_by_id=owner.id,
    )
    db.session.add(payment)
    # … and a meeting with the submitted case on its agenda (sammanträden)
    meeting = Meeting(
        date=date(YEAR, 12, 1),
        place=f"Sammanträdesrum {name}",
    )
    db.session.add(meeting)
    db.session.flush()
    item = AgendaItem(
        meeting_id=meeting.id,
        position=1,
        application_id=applications["inskickad"].id,
        title=applications["inskickad"].display_title,
    )
    attendance = Attendance(meeting_id=meeting.id, name=f"Ledamot {name}", role="ledamot")
    db.session.add_all([item, attendance])
    db.session.flush()
    signatory = Signatory(
        meeting_id=meeting.id, role="justerare", role_order=3, attendance_id=attendance.id
    )
    db.session.add(signatory)
    db.session.flush()
    objects.update(
        signatory=signatory,
        project=project,
        report=_first_report(project),
        payment=payment,
        agreement=_agreement(project),
        meeting=meeting,
        item=item,
        attendance=attendance,
    )
    return objects


def _agreement(project: Application) -> Agreement:
    return db.session.scalars(select(Agreement).where(Agreement.application_id == project.id)).one()


def _first_report(project: Application):
    return db.session.scalars(
        select(Report).where(Report.application_id == project.id).order_by(Report.id)
    ).first()


def url_values(objects: dict, state: str) -> dict[str, list]:
    """URL parameter → values, all naming organisation ``objects``' things."""
    case = objects["applications"][state]
    application = case["application"]
    area = application.huvudomrade
    return {
        "application_id": [application.id],
        "attachment_id": [case["attachment"].id],
        "comment_id": [c.id for c in case["comments"]],
        "number": [max((v.number for v in application.versions), default=1)],
        "section": [s.slug for s in SECTIONS],
        "stage": [s.value for s in AssessmentStage],
        "user_id": [objects["owner"].id],
        "organisation_id": [objects["organisation"].id],
        "message_id": [objects["message"].id],
        "year": [YEAR],
        "huvudomrade_id": [area.id] if area else [objects["project"].huvudomrade_id],
        "report_id": [objects["report"].id],
        "payment_id": [objects["payment"].id],
        "agreement_id": [objects["agreement"].id],
        "meeting_id": [objects["meeting"].id],
        "item_id": [objects["item"].id],
        "attendance_id": [objects["attendance"].id],
        "signatory_id": [objects["signatory"].id],
        # account pages: a link token that is not valid, an identity provider, a session
        "token": ["en-ogiltig-lank"],
        "provider_id": [1],
        "session_id": [1],
    }


@pytest.fixture
def organisations(factory):
    factory.forbund()
    ensure_budget_year(factory)
    reviewer = factory.user(Role.KANSLI)
    a = organisation_objects(factory, "Organisation A", reviewer)
    b = organisation_objects(factory, "Organisation B", reviewer)
    return a, b


def _snapshot() -> tuple:
    applications = db.session.execute(
        select(
            Application.id,
            Application.lock_version,
            Application.status,
            Application.shared_for_comments,
        ).order_by(Application.id)
    ).all()
    return row_counts(), [tuple(row) for row in applications]


@pytest.mark.parametrize("state", ["utkast", "delat utkast", "inskickad"])
def test_an_applicant_reaches_nothing_of_another_organisations_application(
    app, client, login, organisations, state
):
    a, b = organisations
    values = url_values(b, state)
    before = _snapshot()
    failures, checked = [], 0
    for rule in rules(app):
        if (
            not rule.arguments
            or rule.endpoint in NOT_ORGANISATION_SCOPED
            or rule.arguments & ACCOUNT_ARGUMENTS
        ):
            continue
        for url in urls(rule, values):
            for method in methods(rule):
                login(a["owner"])  # again each time, in case a route logs out
                response = client.open(url, method=method, data={"body": "x", "shared": "1"})
                response.close()
                checked += 1
                if response.status_code not in (403, 404):
                    failures.append(f"{method} {url}: {response.status_code}")
    assert failures == []
    assert checked > 20  # the walk really walked
    assert _snapshot() == before


def test_an_applicants_own_application_is_reachable(client, login, organisations):
    """The control for the test above: the same URLs work for B's own applicant."""
    _a, b = organisations
    case = b["applications"]["inskickad"]
    login(b["owner"])
    application_id = case["application"].id
    assert client.get(f"/ansokningar/{application_id}").status_code == 200
    download = client.get(f"/ansokningar/{application_id}/bilagor/{case['attachment'].id}")
    assert download.status_code == 200
    download.close()


def test_no_page_pdf_or_message_an_applicant_reaches_holds_an_internal_note(
    app, client, login, organisations
):
    a, b = organisations
    secrets = [case["note"] for objects in (a, b) for case in objects["applications"].values()]
    # the control: the notes are on the pages, for those who may read them
    case = b["applications"]["inskickad"]
    login(case["comments"][1].author)
    page = client.get(f"/ansokningar/{case['application'].id}/kommentarer")
    assert case["note"] in page.text

    seen = []
    for objects in (a, b):  # A's applicant on A's own things, and on B's
        for state in objects["applications"]:
            values = url_values(objects, state)
            for rule in rules(app):
                if "GET" not in rule.methods:
                    continue
                for url in urls(rule, values):
                    login(a["owner"])
                    response = client.get(url)
                    assert response.status_code < 500, url
                    text = response_text(response) if response.status_code == 200 else ""
                    response.close()
                    seen.append(url)
                    leaked = [s for s in secrets if s in text]
                    assert leaked == [], f"{url} shows {leaked}"
    assert any(url.endswith("/pdf") for url in seen)
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == a["owner"].email)
    ):
        assert not any(s in f"{message.subject}\n{message.body}" for s in secrets)


def test_an_internal_note_through_the_form_sends_the_applicant_nothing(
    client, login, factory, organisations
):
    a, _b = organisations
    application = a["applications"]["inskickad"]["application"]
    reviewer = factory.user(Role.KANSLI)
    login(reviewer)
    for visibility, body in (("intern", "HEMLIG-VIA-FORMULÄR"), ("synlig", "Synlig via formulär")):
        response = client.post(
            f"/ansokningar/{application.id}/kommentarer",
            data={"body": body, "visibility": visibility, "section": ""},
        )
        assert response.status_code == 302, response.text
    to_applicant = [
        f"{m.subject}\n{m.body}"
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_email == a["owner"].email)
        )
    ]
    assert any("Synlig via formulär" in m for m in to_applicant)  # the control
    assert not any("HEMLIG-VIA-FORMULÄR" in m for m in to_applicant)


# --- what the applicant's page says is what happens -----------------------------------------


def test_the_kansli_reads_a_draft_only_once_it_is_shared(client, factory, login):
    from finsam_ansokan.applications import queries

    applicant = factory.user(Role.SOKANDE)
    draft = factory.application(applicant, title="Eget utkast")
    kansli = factory.user(Role.KANSLI)
    login(kansli)
    assert client.get(f"/ansokningar/{draft.id}").status_code == 404
    assert "Eget utkast" not in client.get("/ansokningar").text
    listed = queries.search(kansli, queries.Filters(), per_page=100).items
    assert draft.id not in {row.id for row in listed}

    login(applicant)
    page = client.get(f"/ansokningar/{draft.id}").text
    assert "syns bara för din organisation tills du delar det" in page
    client.post(f"/ansokningar/{draft.id}/delning", data={"shared": "1"})
    assert "Beredningsgruppen och kansliet kan läsa" in client.get(f"/ansokningar/{draft.id}").text

    login(kansli)
    assert client.get(f"/ansokningar/{draft.id}").status_code == 200


def test_the_revisor_reads_the_beredning_tab_but_changes_nothing(client, factory, login):
    from finsam_ansokan.applications.status import Status

    application = factory.application(status=Status.UNDER_BEREDNING)
    login(factory.user(Role.REVISOR))
    overview = client.get(f"/ansokningar/{application.id}").text
    assert f'href="/ansokningar/{application.id}/beredning"' in overview
    page = client.get(f"/ansokningar/{application.id}/beredning")
    assert page.status_code == 200
    assert "Begär komplettering</button>" not in page.text
    main = page.text.split("<main", 1)[1].split("</main>")[0]
    assert "<form" not in main
    response = client.post(
        f"/ansokningar/{application.id}/beredning/komplettering", data={"message": "Nej"}
    )
    assert response.status_code == 403
