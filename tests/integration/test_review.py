"""Beredning: sharing drafts, comments and internal notes, komplettering, recommendations."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications.models import OutboxMessage
from finsam_ansokan.review.models import Assessment, Comment

YEAR = today().year


@pytest.fixture
def people(factory):
    applicant = factory.user(Role.SOKANDE, name="Sara Sökande")
    return {
        "applicant": applicant,
        "colleague": factory.user(Role.SOKANDE, organisation=applicant.organisation),
        "beredning": factory.user(Role.BEREDNING, name="Bo Beredare"),
        "kansli": factory.user(Role.KANSLI, name="Kim Kansli"),
        "styrelse": factory.user(Role.STYRELSE),
        "revisor": factory.user(Role.REVISOR),
        "other_applicant": factory.user(Role.SOKANDE),
    }


def _comment(client, application, body, **extra):
    return client.post(f"/ansokningar/{application.id}/kommentarer", data={"body": body, **extra})


def _outbox_to(user):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
    ).all()


def test_a_draft_is_hidden_from_the_beredningsgrupp_until_the_applicant_shares_it(
    client, factory, login, people
):
    draft = factory.application(people["applicant"])
    login(people["beredning"])
    assert client.get(f"/ansokningar/{draft.id}/kommentarer").status_code == 404

    login(people["applicant"])
    response = client.post(f"/ansokningar/{draft.id}/delning", data={"shared": "1"})
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.shared_for_comments

    login(people["beredning"])
    assert client.get(f"/ansokningar/{draft.id}/kommentarer").status_code == 200
    assert (
        _comment(client, draft, "Budgeten saknar lokalkostnader.", section="budget").status_code
        == 302
    )

    login(people["applicant"])
    client.post(f"/ansokningar/{draft.id}/delning", data={"shared": "0"})
    login(people["beredning"])
    assert client.get(f"/ansokningar/{draft.id}/kommentarer").status_code == 404


def test_only_the_applicants_organisation_can_share_a_draft(client, factory, login, people):
    draft = factory.application(people["applicant"])
    login(people["other_applicant"])
    assert client.post(f"/ansokningar/{draft.id}/delning", data={"shared": "1"}).status_code == 404
    db.session.refresh(draft)
    assert not draft.shared_for_comments


def test_the_applicant_sees_comments_and_answers_but_never_internal_notes(
    client, factory, login, people
):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["beredning"])
    _comment(client, application, "Hur når ni målgruppen?", section="behov")
    _comment(client, application, "Internt: osäker på finansieringen", visibility="intern")

    login(people["applicant"])
    page = client.get(f"/ansokningar/{application.id}/kommentarer").text
    assert "Hur når ni målgruppen?" in page
    assert "osäker på finansieringen" not in page
    assert "Intern anteckning" not in page
    history = client.get(f"/ansokningar/{application.id}/historik").text
    assert "intern anteckning" not in history.lower()
    assert all("finansieringen" not in m.body for m in _outbox_to(people["applicant"]))

    question = db.session.scalars(select(Comment).where(Comment.body.like("Hur når%"))).one()
    response = _comment(client, application, "Via kommunens jobbtorg.", parent_id=str(question.id))
    assert response.status_code == 302
    reply = db.session.scalars(select(Comment).where(Comment.parent_id == question.id)).one()
    assert reply.internal is False and reply.section == "behov"

    for reader in ("beredning", "kansli", "styrelse", "revisor"):
        login(people[reader])
        page = client.get(f"/ansokningar/{application.id}/kommentarer").text
        assert "osäker på finansieringen" in page, reader
        assert "Intern anteckning – syns inte för den sökande" in page


def test_the_applicant_cannot_write_or_answer_internal_notes(client, factory, login, people):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["applicant"])
    assert _comment(client, application, "smyg", visibility="intern").status_code == 403
    login(people["kansli"])
    _comment(client, application, "Hemlig", visibility="intern")
    note = db.session.scalars(select(Comment).where(Comment.body == "Hemlig")).one()
    login(people["applicant"])
    assert _comment(client, application, "svar", parent_id=str(note.id)).status_code == 404
    assert db.session.scalars(select(Comment).where(Comment.body.in_(["smyg", "svar"]))).all() == []


def test_a_reply_to_an_internal_note_is_internal(client, factory, login, people):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["kansli"])
    _comment(client, application, "Intern fråga", visibility="intern")
    note = db.session.scalars(select(Comment).where(Comment.body == "Intern fråga")).one()
    login(people["beredning"])
    _comment(client, application, "Internt svar", parent_id=str(note.id))
    reply = db.session.scalars(select(Comment).where(Comment.body == "Internt svar")).one()
    assert reply.internal


def test_comments_are_plain_text_and_html_is_shown_as_text(client, factory, login, people):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["beredning"])
    _comment(client, application, "<script>alert(1)</script>\x00 hej")
    page = client.get(f"/ansokningar/{application.id}/kommentarer").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hej" in page


def test_an_empty_or_overlong_comment_is_refused_and_nothing_is_stored(
    client, factory, login, people
):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["beredning"])
    assert "Skriv en kommentar." in _comment(client, application, "   ").text
    assert "Högst 5000 tecken." in _comment(client, application, "x" * 5001).text
    assert db.session.scalars(select(Comment)).all() == []


def test_revisor_reads_but_cannot_comment(client, factory, login, people):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["revisor"])
    assert client.get(f"/ansokningar/{application.id}/kommentarer").status_code == 200
    assert _comment(client, application, "revisorns åsikt").status_code == 403


def test_a_visible_comment_notifies_the_applicant_unless_they_turned_it_off(
    client, factory, login, people
):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["beredning"])
    _comment(client, application, "Synlig fråga")
    [message] = _outbox_to(people["applicant"])
    assert "Synlig fråga" in message.body
    assert message.subject.startswith("Ny kommentar")

    login(people["applicant"])
    client.post("/konto/aviseringar", data={"kinds": ["komplettering", "decision"]})
    login(people["beredning"])
    _comment(client, application, "Ännu en fråga")
    assert len(_outbox_to(people["applicant"])) == 1


def test_komplettering_round_trip(client, factory, login, people):
    application = factory.application(people["applicant"], status="inskickad")
    login(people["beredning"])
    assert client.post(f"/ansokningar/{application.id}/beredning/ta-upp").status_code == 302
    db.session.refresh(application)
    assert application.status == Status.UNDER_BEREDNING

    response = client.post(
        f"/ansokningar/{application.id}/beredning/komplettering", data={"message": ""}
    )
    assert response.status_code == 400
    assert "Beskriv vad den sökande behöver komplettera." in response.text

    client.post(
        f"/ansokningar/{application.id}/beredning/komplettering",
        data={"message": "Beskriv styrgruppen."},
    )
    db.session.refresh(application)
    assert application.status == Status.KOMPLETTERING_BEGARD
    [message] = _outbox_to(people["applicant"])
    assert "Beskriv styrgruppen." in message.body


def test_beredning_recommends_and_kansli_proposes_so_the_case_is_ready_for_decision(
    client, factory, login, people
):
    application = factory.application(
        people["applicant"], status="under_beredning", amounts={YEAR: "300000", YEAR + 1: "200000"}
    )
    url = f"/ansokningar/{application.id}/beredning"
    login(people["beredning"])
    response = client.post(
        f"{url}/rekommendation", data={"kind": "bevilja", "motivation": "Bra insats."}
    )
    assert response.status_code == 400
    assert "Ange belopp per år för att bevilja." in response.text
    response = client.post(
        f"{url}/rekommendation",
        data={"kind": "bevilja", "motivation": "Bra.", f"amount_{YEAR}": "250 000"},
    )
    assert "Delvis bevilja" in response.text and response.status_code == 400
    response = client.post(
        f"{url}/rekommendation",
        data={
            "kind": "delvis_bevilja",
            "motivation": "Bra, men dyr.",
            f"amount_{YEAR}": "250 000",
            f"amount_{YEAR + 1}": "-5",
        },
    )
    assert "negativt" in response.text
    response = client.post(
        f"{url}/rekommendation",
        data={
            "kind": "delvis_bevilja",
            "motivation": "Bra, men dyr.",
            f"amount_{YEAR}": "250 000",
            f"amount_{YEAR + 1}": "200000",
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == Status.UNDER_BEREDNING  # a recommendation decides nothing

    login(people["beredning"])
    assert (
        client.post(f"{url}/forslag", data={"kind": "avsla", "motivation": "x"}).status_code == 403
    )

    login(people["kansli"])
    response = client.post(
        f"{url}/forslag",
        data={
            "kind": "delvis_bevilja",
            "motivation": "Enligt beredningen.",
            f"amount_{YEAR}": "250000",
            f"amount_{YEAR + 1}": "200000",
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == Status.KLAR_FOR_BESLUT
    proposal = db.session.scalars(select(Assessment).where(Assessment.stage == "forslag")).one()
    assert {a.year: a.amount for a in proposal.amounts} == {
        YEAR: Decimal("250000"),
        YEAR + 1: Decimal("200000"),
    }
    page = client.get(url).text
    assert "Förslag till beslut: Delvis bevilja" in page
    assert "450\u00a0000\u00a0kr" in page


def test_a_recommendation_to_ask_for_more_sends_the_case_back(client, factory, login, people):
    application = factory.application(people["applicant"], status="under_beredning")
    login(people["beredning"])
    client.post(
        f"/ansokningar/{application.id}/beredning/rekommendation",
        data={"kind": "komplettering", "motivation": "Målen behöver vara mätbara."},
    )
    db.session.refresh(application)
    assert application.status == Status.KOMPLETTERING_BEGARD


def test_an_amount_for_a_year_the_application_does_not_cover_is_refused(app_ctx, factory, people):
    from finsam_ansokan.core.errors import DomainError
    from finsam_ansokan.review import services
    from finsam_ansokan.review.models import AssessmentKind, AssessmentStage

    application = factory.application(people["applicant"], status="under_beredning")
    with pytest.raises(DomainError, match=f"inte år {YEAR + 5}"):
        services.assess(
            application,
            actor=people["kansli"],
            stage=AssessmentStage.PROPOSAL,
            kind=AssessmentKind.BEVILJA,
            motivation="x",
            amounts={YEAR + 5: Decimal("1")},
        )


def test_history_shows_what_happened_in_order(client, factory, login, people):
    application = factory.application(people["applicant"], status="inskickad")
    login(people["beredning"])
    client.post(f"/ansokningar/{application.id}/beredning/ta-upp")
    page = client.get(f"/ansokningar/{application.id}/historik").text
    assert "Status ändrades från inskickad till under beredning." in page
    assert "Bo Beredare" in page


def test_the_komplettering_round_trip_records_a_new_version_and_tells_everyone(
    client, factory, login, people
):
    """Submitted → under beredning → komplettering begärd → resubmitted as version 2."""
    from finsam_ansokan.applications import services as application_services
    from tests.integration.application_helpers import complete

    application = complete(factory)
    applicant = application.created_by
    application_services.submit(application, actor=applicant)
    db.session.flush()
    submitted_mail = _outbox_to(people["beredning"]) + _outbox_to(people["kansli"])
    assert [m.subject.startswith("Ansökan har skickats in") for m in submitted_mail] == [True, True]

    login(people["beredning"])
    client.post(f"/ansokningar/{application.id}/beredning/ta-upp")
    client.post(
        f"/ansokningar/{application.id}/beredning/komplettering",
        data={"message": "Beskriv hur styrgruppen följer upp målen."},
    )
    db.session.refresh(application)
    assert application.status == Status.KOMPLETTERING_BEGARD
    assert "styrgruppen" in _outbox_to(applicant)[-1].body

    login(applicant)
    client.post(
        f"/ansokningar/{application.id}/avsnitt/genomforande",
        data={
            "steering": "Styrgruppen möts varje månad och följer upp målen.",
            "lock_version": str(application.lock_version),
        },
    )
    assert client.post(f"/ansokningar/{application.id}/skicka-in").status_code == 302
    db.session.refresh(application)
    assert application.status == Status.UNDER_BEREDNING
    assert [v.number for v in application.versions] == [1, 2]
    resubmitted = [m for m in _outbox_to(people["beredning"]) if "kompletterats" in m.subject]
    assert len(resubmitted) == 1

    login(people["beredning"])
    page = client.get(f"/ansokningar/{application.id}/versioner/jamfor?fran=1&till=2").text
    assert "<ins>" in page and "månad" in page  # the added words are marked


def test_history_lists_each_submitted_version(client, factory, login, people):
    application = factory.application(people["applicant"], status="inskickad")
    login(people["applicant"])
    page = client.get(f"/ansokningar/{application.id}/historik").text
    assert "Version 1 av ansökan registrerades." in page
