"""E-mail for every hand-over: whoever's turn it is next is told, in a message rendered from
``templates/email`` (a text and an HTML part, the förbund's name, a link to the case),
with nothing confidential in it; each kind can be turned off; the kansli reads any message
in Utkorg."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup
from finsam_ansokan.followup.models import PaymentRequest
from finsam_ansokan.notifications import services as notifications
from finsam_ansokan.notifications.models import NotificationKind, OutboxMessage
from finsam_ansokan.review import services as review

from .application_helpers import complete
from .meetings_helpers import meeting_with_board

YEAR = today().year


@pytest.fixture
def people(factory):
    factory.forbund()
    applicant = factory.user(Role.SOKANDE, name="Sara Sökande")
    return {
        "applicant": applicant,
        "colleague": factory.user(Role.SOKANDE, organisation=applicant.organisation),
        "beredning": factory.user(Role.BEREDNING, name="Bo Beredare"),
        "kansli": factory.user(Role.KANSLI, name="Kim Kansli"),
        "styrelse": factory.user(Role.STYRELSE),
    }


def mail_to(user, kind: NotificationKind | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind.value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def only(messages: list[OutboxMessage]) -> OutboxMessage:
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def assert_well_formed(message: OutboxMessage, forbund_name: str, link_path: str) -> None:
    """Both parts, the förbund's name, the link, a one-line subject."""
    assert "\n" not in message.subject and message.subject.strip() == message.subject
    for part in (message.body, message.body_html):
        assert forbund_name in part
        assert link_path in part
    assert message.body_html.lstrip().startswith("<!doctype html>")


def test_sharing_a_draft_tells_the_beredningsgrupp(factory, people):
    draft = factory.application(people["applicant"], title="Jobbspåret")
    review.set_shared(draft, True, actor=people["applicant"])
    message = only(mail_to(people["beredning"], NotificationKind.DRAFT_SHARED))
    assert message.subject == "Ett utkast delas med beredningsgruppen: Jobbspåret"
    assert "Sara Sökande" in message.body
    assert_well_formed(message, "Samordningsförbundet Testbygden", f"/ansokningar/{draft.id}")
    assert mail_to(people["kansli"]) == [] and mail_to(people["applicant"]) == []
    review.set_shared(draft, False, actor=people["applicant"])
    assert len(mail_to(people["beredning"])) == 1  # unsharing tells nobody


def test_a_komplettering_goes_to_the_applicant_and_the_answer_back_to_beredning_and_kansli(
    factory, people
):
    application = complete(factory, people["applicant"])
    application_services.submit(application, actor=people["applicant"])
    review.start_review(application, actor=people["beredning"])
    review.request_information(
        application, actor=people["beredning"], message="Beskriv styrgruppen.\nVem leder den?"
    )
    asked = only(mail_to(people["applicant"], NotificationKind.KOMPLETTERING))
    assert asked.subject.startswith("Komplettering begärd: ")
    assert "Bo Beredare ber om komplettering" in asked.body
    assert "Beskriv styrgruppen.\nVem leder den?" in asked.body
    assert "Beskriv styrgruppen.<br>\nVem leder den?" in asked.body_html
    assert_well_formed(asked, "Samordningsförbundet Testbygden", f"/ansokningar/{application.id}")

    application_services.submit(application, actor=people["applicant"])
    for reader in (people["beredning"], people["kansli"]):
        answer = mail_to(reader, NotificationKind.SUBMITTED)[-1]
        assert answer.subject.startswith("Ansökan har kompletterats: ")
        assert "svarat på begäran om komplettering" in answer.body


def test_a_visible_comment_is_mailed_with_its_section_and_an_internal_note_never(factory, people):
    application = factory.application(people["applicant"], status="under_beredning")
    review.add_comment(
        application, actor=people["kansli"], body="Hemligt: budgeten är för hög.", internal=True
    )
    assert mail_to(people["applicant"]) == []
    review.add_comment(
        application, actor=people["kansli"], body="Vilka ingår i styrgruppen?", section="budget"
    )
    message = only(mail_to(people["applicant"], NotificationKind.COMMENT))
    assert "avsnittet Budget" in message.body
    assert "Vilka ingår i styrgruppen?" in message.body_html
    everything = " ".join(m.body + m.body_html for m in db.session.scalars(select(OutboxMessage)))
    assert "Hemligt" not in everything


def test_a_title_cannot_add_markup_or_a_header_line(factory, people):
    draft = factory.application(
        people["applicant"], title='Insats <script>alert("x")</script>\r\nBcc: alla@example.org'
    )
    review.set_shared(draft, True, actor=people["applicant"])
    message = only(mail_to(people["beredning"]))
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert '<script>alert("x")</script>' in message.body  # the text part is text


@pytest.fixture
def project(factory, people):
    return factory.granted_project(
        people["applicant"],
        grants={YEAR: "300000"},
        start_date=date(YEAR, 1, 1),
        end_date=date(YEAR, 12, 31),
        schedule=True,
        title="Hälsa och arbete",
    )


def _payment(project, people, amount="50000") -> PaymentRequest:
    return followup.request_payment(
        project,
        followup.PaymentData(
            year=YEAR,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 3, 31),
            amount=Decimal(amount),
            costs_incurred="Lön för två handläggare.",
        ),
        actor=people["applicant"],
    )


def test_a_rekvisition_goes_to_the_kansli_and_its_approval_and_payment_back(project, people):
    payment = _payment(project, people)
    asked = only(mail_to(people["kansli"], NotificationKind.PAYMENT_REQUESTED))
    assert asked.subject.startswith("Ny rekvisition: Hälsa och arbete")
    assert "50\u00a0000\u00a0kr" in asked.body
    assert_well_formed(
        asked,
        "Samordningsförbundet Testbygden",
        f"/ansokningar/{project.id}/uppfoljning/rekvisitioner/{payment.id}",
    )
    followup.approve_payment(payment, actor=people["kansli"])
    followup.record_payment(payment, date(YEAR, 4, 15), actor=people["kansli"])
    for owner in (people["applicant"], people["colleague"]):
        subjects = [m.subject for m in mail_to(owner, NotificationKind.PAYMENT_DECIDED)]
        assert [s.split(":")[0] for s in subjects] == [
            "Rekvisitionen är godkänd",
            "Rekvisitionen är utbetald",
        ]
    paid = mail_to(people["applicant"], NotificationKind.PAYMENT_DECIDED)[-1]
    assert f"betalades ut {YEAR}-04-15" in paid.body

    returned = _payment(project, people, "1000")
    followup.return_payment(returned, "Bifoga lönespecifikationen.", actor=people["kansli"])
    message = mail_to(people["applicant"], NotificationKind.KOMPLETTERING)[-1]
    assert "Bifoga lönespecifikationen." in message.body


def _fill(report):
    followup.save_report(
        report,
        followup.ReportData(
            lock_version=report.lock_version,
            period_start=report.period_start,
            period_end=report.period_end,
            participants_women=5,
            participants_men=4,
            goal_fulfilment="Hälften gick vidare till arbete.",
            gender_work="Könsuppdelad statistik.",
            implementation_status="Kommunen tar över.",
            costs={YEAR: Decimal("100000")},
        ),
        actor=report.application.created_by,
    )


def test_a_report_goes_to_the_kansli_and_the_answer_back_to_the_project(project, people):
    final = next(r for r in followup.reports_for(project) if r.kind == "slutrapport")
    _fill(final)
    followup.submit_report(final, actor=people["applicant"])
    submitted = only(mail_to(people["kansli"], NotificationKind.REPORT_SUBMITTED))
    assert submitted.subject.startswith("Slutrapport inskickad: Hälsa och arbete")

    followup.request_more(final, "Beskriv implementeringen.", actor=people["kansli"])
    returned = only(mail_to(people["applicant"], NotificationKind.KOMPLETTERING))
    assert returned.subject.startswith("Komplettera slutrapporten")
    assert "Beskriv implementeringen." in returned.body_html

    followup.submit_report(final, actor=people["applicant"])
    followup.approve_report(final, actor=people["kansli"])
    approved = only(mail_to(people["applicant"], NotificationKind.REPORT_DECIDED))
    assert approved.subject.startswith("Slutrapport godkänd")
    assert "Insatsen är därmed avslutad" in approved.body
    assert "200\u00a0000\u00a0kr" in approved.body  # 300 000 granted, 100 000 used


def test_a_named_signatory_with_an_account_is_asked_to_justera(factory, people):
    meeting, chair = meeting_with_board(factory, people["kansli"], meeting_date=date(YEAR, 1, 20))
    message = only(mail_to(chair, NotificationKind.JUSTERING))
    assert message.subject == f"Protokoll att justera: sammanträdet {YEAR}-01-20"
    assert "ordförande" in message.body
    assert_well_formed(message, "Samordningsförbundet Testbygden", f"/sammantraden/{meeting.id}")
    assert mail_to(people["kansli"], NotificationKind.JUSTERING) == []  # named themselves


def test_each_new_kind_can_be_turned_off(project, people, client, login):
    login(people["kansli"])
    page = client.get("/konto/aviseringar").text
    assert "Nya rekvisitioner att granska (kansli)" in page
    client.post("/konto/aviseringar", data={"kinds": [NotificationKind.SUBMITTED.value]})
    _payment(project, people)
    assert mail_to(people["kansli"]) == []


def test_the_kansli_reads_a_message_with_both_parts_and_others_may_not(
    factory, people, client, login
):
    draft = factory.application(people["applicant"], title="Jobbspåret")
    review.set_shared(draft, True, actor=people["applicant"])
    message = only(mail_to(people["beredning"]))
    login(people["kansli"])
    outbox = client.get("/admin/utkorg").text
    assert f"/admin/utkorg/{message.id}" in outbox
    page = client.get(f"/admin/utkorg/{message.id}")
    assert page.status_code == 200
    text = page.text
    assert "Bo Beredare" in text and message.to_email in text
    assert "Ett utkast delas med beredningsgruppen: Jobbspåret" in text
    assert "Utkast som delas med beredningsgruppen" in text  # the kind in words
    assert "Väntar" in text
    assert "sandbox" in text and "srcdoc=" in text
    login(people["applicant"])
    assert client.get(f"/admin/utkorg/{message.id}").status_code == 403


def test_every_message_has_a_text_and_an_html_template():
    folder = Path(__file__).resolve().parents[2] / "templates" / "email"
    text = {p.stem for p in folder.glob("[!_]*.txt")}
    assert text == {p.stem for p in folder.glob("[!_]*.html")}
    # every message the package renders has its two templates
    package = Path(__file__).resolve().parents[2] / "finsam_ansokan"
    rendered = set()
    for source in package.rglob("*.py"):
        rendered |= set(
            re.findall(
                r'(?:render|_payment_message|_report_message)\(\s*"(\w+)"', source.read_text()
            )
        )
    assert rendered and rendered <= text, rendered - text


class FakeSMTP:
    """An SMTP server that keeps what it is sent."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, email):
        self.sent.append(email)


def test_a_queued_message_is_sent_with_a_text_and_an_html_part(project, people, monkeypatch):
    _payment(project, people)
    for key, value in {
        "MAIL_SERVER": "smtp.test.example",
        "MAIL_PORT": 25,
        "MAIL_SENDER": "noreply@test.example",
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
    }.items():
        monkeypatch.setitem(current_app.config, key, value)
    monkeypatch.setattr(notifications.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    notifications.send_pending()
    [email] = [e for e in FakeSMTP.sent if e["To"] == people["kansli"].email]
    assert email["Subject"].startswith("Ny rekvisition: ")
    parts = {part.get_content_type(): part.get_content() for part in email.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert (
        "50\u00a0000\u00a0kr" in parts["text/plain"] and "50\u00a0000\u00a0kr" in parts["text/html"]
    )
