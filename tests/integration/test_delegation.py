"""Delegationsbeslut: the förbundschef decides small cases under the board's
delegationsordning, within its limits (per case, per year, per huvudområde) and the same
budget invariant; each decision is final at once and reported to the board's next meeting."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements
from finsam_ansokan.followup import services as followup_services
from finsam_ansokan.meetings import delegation, minutes, services
from finsam_ansokan.meetings.archive import contributor as archive_contributor
from finsam_ansokan.meetings.models import DelegationDecision
from finsam_ansokan.notifications.models import OutboxMessage

from .meetings_helpers import meeting_with_board, prepared_case

YEAR = today().year


@pytest.fixture
def setting(factory):
    factory.forbund()
    kompetens = factory.huvudomrade("Kompetensutveckling")
    pilot = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={kompetens: "530064", pilot: "1405560"})
    chef = factory.user(Role.KANSLI, name="Karin Ekdahl")
    order = delegation.adopt_order(
        adopted_by="Styrelsen 2026-02-10, § 4",
        adopted_on=date(YEAR, 1, 1),
        valid_from=date(YEAR, 1, 1),
        delegate=chef,
        limits=[delegation.LimitData(kompetens.id, D("50000"), D("80000"))],
        actor=chef,
    )
    return {"area": kompetens, "pilot": pilot, "chef": chef, "order": order}


def _case(factory, setting, amount="25000", area=None, **kwargs):
    return prepared_case(
        factory,
        area or setting["area"],
        amounts={YEAR: amount},
        title=kwargs.pop("title", "Studiecirkel för handläggare"),
        **kwargs,
    )


def _granted(area) -> D:
    ram = ledger.frame_for(YEAR, area.id)
    db.session.refresh(ram)
    return ram.granted


def test_forbundschef_grants_a_small_kompetensutveckling_case_by_delegation(setting, factory):
    application = _case(factory, setting)
    decision = delegation.decide(
        application, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    assert decision.label == f"D {YEAR}:1"
    assert application.status == Status.PAGAENDE.value
    assert _granted(setting["area"]) == D("25000")
    kinds = db.session.scalars(
        select(Event.kind).where(Event.application_id == application.id)
    ).all()
    assert "delegation_decision_made" in kinds
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.application_id == application.id)
    ).all()[-1]
    assert f"D {YEAR}:1" in message.body
    assert "25\u00a0000\u00a0kr" in message.body


def test_delegationsbeslut_are_numbered_on_through_the_year(setting, factory):
    first = delegation.decide(
        _case(factory, setting), kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    second = delegation.decide(
        _case(factory, setting, title="Andra"),
        kind="avsla",
        motivation="Ligger utanför förbundets prioriteringar.",
        actor=setting["chef"],
    )
    assert (first.number, second.number) == (1, 2)
    assert second.application.status == Status.AVSLAGEN.value


def test_a_case_above_the_delegation_per_case_must_go_to_the_board(setting, factory):
    application = _case(factory, setting, amount="60000")
    with pytest.raises(DomainError) as refused:
        delegation.decide(
            application, kind="bevilja", amounts={YEAR: D("60000")}, actor=setting["chef"]
        )
    assert "högst 50\u00a0000\u00a0kr per ärende" in refused.value.message
    assert "styrelsen" in refused.value.message
    assert application.status == Status.KLAR_FOR_BESLUT.value
    assert _granted(setting["area"]) == 0


def test_the_yearly_delegation_counts_every_delegationsbeslut_of_the_year(setting, factory):
    delegation.decide(
        _case(factory, setting, amount="45000"),
        kind="bevilja",
        amounts={YEAR: D("45000")},
        actor=setting["chef"],
    )
    second = _case(factory, setting, amount="40000", title="Andra")
    with pytest.raises(DomainError) as refused:
        delegation.decide(second, kind="bevilja", amounts={YEAR: D("40000")}, actor=setting["chef"])
    assert "högst 80\u00a0000\u00a0kr för" in refused.value.message
    assert "35\u00a0000\u00a0kr återstår" in refused.value.message
    # a part grant within what is left is possible
    decision = delegation.decide(
        second,
        kind="delvis_bevilja",
        amounts={YEAR: D("35000")},
        motivation="Delvis inom delegationen.",
        actor=setting["chef"],
    )
    assert decision.total == D("35000")


def test_a_huvudomrade_outside_the_delegation_cannot_be_decided_that_way(setting, factory):
    application = _case(factory, setting, area=setting["pilot"])
    with pytest.raises(DomainError, match="omfattar inte huvudområdet Pilotprojekt"):
        delegation.decide(
            application, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
        )


def test_only_the_named_delegate_decides_by_delegation(setting, factory):
    other = factory.user(Role.KANSLI, name="Assistenten")
    application = _case(factory, setting)
    assert not delegation.may_decide(other, application)
    assert delegation.may_decide(setting["chef"], application)
    with pytest.raises(DomainError, match="Karin Ekdahl"):
        delegation.decide(application, kind="bevilja", amounts={YEAR: D("25000")}, actor=other)


def test_the_delegation_never_takes_more_than_the_frame_holds(setting, factory):
    area = factory.huvudomrade("Verktyg")
    factory.budget_year(YEAR + 1, frames={area: "20000"})
    chef = setting["chef"]
    delegation.adopt_order(
        adopted_by="Styrelsen, § 9",
        adopted_on=today(),
        valid_from=today(),
        delegate=chef,
        limits=[delegation.LimitData(area.id, D("50000"), D("50000"))],
        actor=chef,
    )
    application = prepared_case(factory, area, amounts={YEAR + 1: "25000"})
    with pytest.raises(DomainError):
        delegation.decide(application, kind="bevilja", amounts={YEAR + 1: D("25000")}, actor=chef)


def test_a_case_on_a_meetings_agenda_is_decided_by_the_board(setting, factory):
    meeting, _ = meeting_with_board(factory, setting["chef"], meeting_date=today())
    application = _case(factory, setting)
    services.add_case(meeting, application, actor=setting["chef"])
    assert not delegation.may_decide(setting["chef"], application)
    with pytest.raises(DomainError, match="står på dagordningen"):
        delegation.decide(
            application, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
        )


def test_the_delegate_cannot_send_back_or_postpone(setting, factory):
    with pytest.raises(DomainError, match="Återremiss och bordläggning"):
        delegation.decide(
            _case(factory, setting), kind="aterremittera", motivation="x", actor=setting["chef"]
        )


def test_a_rejection_by_delegation_needs_a_motivation(setting, factory):
    with pytest.raises(DomainError, match="motivering"):
        delegation.decide(_case(factory, setting), kind="avsla", actor=setting["chef"])


def test_the_decision_is_reported_at_the_next_meeting_and_the_minutes_take_note(setting, factory):
    meeting, _ = meeting_with_board(factory, setting["chef"], meeting_date=today())
    decision = delegation.decide(
        _case(factory, setting), kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    item = delegation.report_item(meeting)
    assert item is not None and item.title == delegation.REPORT_TITLE
    assert decision.reported_item_id == item.id
    document = minutes.minutes_document(meeting)
    anmalan = next(p for p in document.paragraphs if p.heading == delegation.REPORT_TITLE)
    assert anmalan.decision == delegation.REPORT_DECISION
    assert any(f"D {YEAR}:1" in line for _label, line in anmalan.texts)


def test_without_a_next_meeting_the_kansli_reports_them_later(setting, factory):
    decision = delegation.decide(
        _case(factory, setting), kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    assert decision.reported_item_id is None
    assert delegation.unreported() == [decision]
    meeting, _ = meeting_with_board(factory, setting["chef"], meeting_date=today())
    item = delegation.report_unreported(meeting, actor=setting["chef"])
    assert decision.reported_item_id == item.id
    assert delegation.unreported() == []
    # taken off the agenda again, it waits for the next anmälan
    services.remove_item(item, actor=setting["chef"])
    assert decision.reported_item_id is None


def test_a_new_ordning_cannot_start_before_the_one_in_force(setting):
    with pytest.raises(DomainError):
        delegation.adopt_order(
            adopted_by="Styrelsen, § 1",
            adopted_on=date(YEAR - 1, 12, 1),
            valid_from=date(YEAR - 1, 12, 1),
            delegate=setting["chef"],
            limits=[delegation.LimitData(setting["area"].id, D("1000"), D("1000"))],
            actor=setting["chef"],
        )


def test_a_delegationsbeslut_cannot_be_changed_in_the_database(setting, factory):
    decision = delegation.decide(
        _case(factory, setting), kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    for statement in (
        "UPDATE delegation_decisions SET kind = 'avsla' WHERE id = :id",
        "DELETE FROM delegation_amounts WHERE decision_id = :id",
        "UPDATE delegation_amounts SET amount = 1 WHERE decision_id = :id",
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises((IntegrityError, DBAPIError)):
            db.session.execute(text(statement), {"id": decision.id})
        savepoint.rollback()


# --- through the pages ------------------------------------------------------------------------


def test_the_delegate_decides_on_the_page_and_the_applicant_reads_the_letter(
    setting, factory, client, login
):
    application = _case(factory, setting)
    login(setting["chef"])
    page = client.get(f"/ansokningar/{application.id}")
    assert "Beslut på delegation" in page.get_data(as_text=True)
    form = client.get(f"/ansokningar/{application.id}/delegationsbeslut")
    assert form.status_code == 200
    assert "får du besluta inom Kompetensutveckling" in form.get_data(as_text=True)
    response = client.post(
        f"/ansokningar/{application.id}/delegationsbeslut",
        data={"delegation-kind": "bevilja", f"delegation-amount_{YEAR}": "25000"},
    )
    assert response.status_code == 303
    decision = db.session.scalar(select(DelegationDecision))
    assert decision.total == D("25000")
    login(application.created_by)
    page = client.get(f"/ansokningar/{application.id}/beslut").get_data(as_text=True)
    assert f"Delegationsbeslut D {YEAR}:1" in page
    letter = client.get(f"/ansokningar/{application.id}/delegationsbeslut/beslutsbrev.pdf")
    assert letter.status_code == 200
    text_ = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert f"D {YEAR}:1" in text_
    assert "delegationsordningen" in text_


def test_above_the_limit_the_page_says_so_and_keeps_what_was_typed(setting, factory, client, login):
    application = _case(factory, setting, amount="60000")
    login(setting["chef"])
    response = client.post(
        f"/ansokningar/{application.id}/delegationsbeslut",
        data={"delegation-kind": "bevilja", f"delegation-amount_{YEAR}": "60000"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "högst 50\u00a0000\u00a0kr per ärende" in body
    assert 'value="60000"' in body
    assert db.session.scalar(select(DelegationDecision)) is None


def test_the_kansli_adopts_a_delegationsordning_on_the_page(setting, client, login):
    login(setting["chef"])
    area = setting["area"]
    response = client.post(
        "/delegation/ny",
        data={
            "adopted_by": "Styrelsen 2026-06-01, § 7",
            "adopted_on": (today() - timedelta(days=1)).isoformat(),
            "valid_from": today().isoformat(),
            "delegate_id": str(setting["chef"].id),
            f"case_{area.id}": "30 000",
            f"year_{area.id}": "100 000",
        },
    )
    assert response.status_code == 303
    assert delegation.current_order().adopted_by == "Styrelsen 2026-06-01, § 7"
    page = client.get("/delegation/").get_data(as_text=True)
    assert "30\u00a0000\u00a0kr" in page


def test_a_yearly_limit_below_the_case_limit_is_refused_on_the_page(setting, client, login):
    login(setting["chef"])
    area = setting["area"]
    response = client.post(
        "/delegation/ny",
        data={
            "adopted_by": "Styrelsen, § 7",
            "adopted_on": today().isoformat(),
            "valid_from": today().isoformat(),
            "delegate_id": str(setting["chef"].id),
            f"case_{area.id}": "30000",
            f"year_{area.id}": "10000",
        },
    )
    assert response.status_code == 422
    assert "lägre än beloppet per ärende" in response.get_data(as_text=True)


def test_a_grant_by_delegation_draws_up_the_agreement_before_any_money(setting, factory):
    application = _case(factory, setting)
    decision = delegation.decide(
        application,
        kind="bevilja",
        amounts={YEAR: D("25000")},
        villkor="att insatsen registreras i SUS",
        actor=setting["chef"],
    )
    [agreement] = agreements.agreements_for(application)
    assert agreement.reference.startswith(f"Delegationsbeslut {decision.label}")
    assert not agreement.is_accepted
    assert followup_services.agreement_gate(application) is not None


def test_a_rejection_by_delegation_draws_up_no_agreement(setting, factory):
    application = _case(factory, setting)
    delegation.decide(application, kind="avsla", motivation="Utanför", actor=setting["chef"])
    assert agreements.agreements_for(application) == []


def test_the_lists_and_exports_show_the_delegationsbeslut_as_the_latest_decision(setting, factory):
    application = _case(factory, setting)
    delegation.decide(
        application, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    summary = services.latest_decisions([application.id], None)[application.id]
    assert summary.outcome == f"Beviljad (delegationsbeslut D {YEAR}:1)"
    assert summary.meeting_date == today()
    assert summary.paragraph is None


def test_the_yearly_archive_holds_the_letter_of_a_delegationsbeslut(setting, factory):
    application = _case(factory, setting)
    delegation.decide(
        application, kind="bevilja", amounts={YEAR: D("25000")}, actor=setting["chef"]
    )
    documents = [d for d in archive_contributor(application.diarie_year) if "delegation" in d.path]
    assert [d.title for d in documents] == [f"Delegationsbeslut D {YEAR}:1"]
    assert documents[0].render().startswith(b"%PDF")


def test_a_new_ordning_names_the_forbundschef_as_delegate_by_default(
    setting, factory, client, login
):
    forbund = factory.forbund()
    chef = factory.user(Role.KANSLI, name="Förbundschefen")
    forbund.forbundschef_id = chef.id
    db.session.flush()
    login(setting["chef"])
    page = client.get("/delegation/ny").get_data(as_text=True)
    assert f'<option selected value="{chef.id}">Förbundschefen</option>' in page
