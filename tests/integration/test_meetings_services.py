"""Board decisions: every kind and its budget effect, jäv, quorum, time, paragraphs fixed at
justering, justering by the signatories themselves, the anslag, and the lock."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger as budget
from finsam_ansokan.budget.models import Ram
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings.models import Decision
from finsam_ansokan.notifications.models import OutboxMessage

from .meetings_helpers import YEAR, justera_all, meeting_with_board, prepared_case


@pytest.fixture
def setting(factory):
    area = factory.huvudomrade("Processutveckling")
    factory.budget_year(YEAR, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    meeting, chair = meeting_with_board(factory, kansli)
    return {"area": area, "kansli": kansli, "meeting": meeting, "chair": chair}


def _frame(area) -> Ram:
    ram = budget.frame_for(YEAR, area.id)
    db.session.refresh(ram)
    return ram


def _item(setting, factory, **kwargs):
    application = prepared_case(factory, setting["area"], **kwargs)
    return services.add_case(setting["meeting"], application, actor=setting["kansli"])


def test_granting_in_full_takes_the_money_and_the_paragraph_comes_at_justering(setting, factory):
    item = _item(setting, factory)
    decision = services.record_decision(
        item, kind="bevilja", amounts={YEAR: D("450000")}, actor=setting["chair"]
    )
    assert item.application.status == Status.BESLUTAD.value
    assert _frame(setting["area"]).granted == D("450000")
    assert item.paragraph is None
    # §§ 1–3 open the meeting (first of the year), so the first case will be § 4
    assert services.item_numbers(setting["meeting"]) == {item.id: 4}
    justera_all(setting["meeting"], setting["kansli"])
    assert item.paragraph == 4
    assert item.application.status == Status.PAGAENDE.value
    assert services.decision_sentence(decision).startswith("att bevilja")
    assert "450\u00a0000\u00a0kr för 2026 till insatsen Förstärkt KAA" in (
        services.decision_sentence(decision)
    )


def test_granting_in_part_needs_a_lower_amount_and_a_motivation(setting, factory):
    item = _item(setting, factory)
    with pytest.raises(DomainError, match="motivering"):
        services.record_decision(
            item, kind="delvis_bevilja", amounts={YEAR: D("300000")}, actor=setting["chair"]
        )
    with pytest.raises(DomainError, match="välj Bevilja"):
        services.record_decision(
            item,
            kind="delvis_bevilja",
            amounts={YEAR: D("450000")},
            motivation="x",
            actor=setting["chair"],
        )
    with pytest.raises(DomainError, match="större än det sökta"):
        services.record_decision(
            item, kind="bevilja", amounts={YEAR: D("450001")}, actor=setting["chair"]
        )
    services.record_decision(
        item,
        kind="delvis_bevilja",
        amounts={YEAR: D("300000")},
        motivation="Lokalkostnaden ryms i ordinarie verksamhet.",
        villkor="att insatsen registreras i SUS",
        actor=setting["chair"],
    )
    assert item.application.status == Status.BESLUTAD.value
    assert _frame(setting["area"]).granted == D("300000")
    assert budget.verify_frames() == []


def test_granting_full_amount_as_a_lower_one_is_refused(setting, factory):
    item = _item(setting, factory)
    with pytest.raises(DomainError, match="Delvis bevilja"):
        services.record_decision(
            item, kind="bevilja", amounts={YEAR: D("100000")}, actor=setting["chair"]
        )
    assert _frame(setting["area"]).granted == 0


def test_rejecting_holds_no_money_and_needs_a_motivation(setting, factory):
    item = _item(setting, factory, proposal="avsla")
    with pytest.raises(DomainError, match="motivering"):
        services.record_decision(item, kind="avsla", actor=setting["chair"])
    services.record_decision(
        item,
        kind="avsla",
        amounts={YEAR: D("450000")},  # ignored: a rejection grants nothing
        motivation="Insatsen är ordinarie verksamhet.",
        actor=setting["chair"],
    )
    assert item.decision.amounts == []
    assert _frame(setting["area"]).granted == 0
    justera_all(setting["meeting"], setting["kansli"])
    assert item.application.status == Status.AVSLAGEN.value


def test_sending_back_returns_the_case_to_beredning_without_money(setting, factory):
    item = _item(setting, factory)
    services.record_decision(
        item, kind="aterremittera", motivation="Förtydliga målgruppen.", actor=setting["chair"]
    )
    assert item.application.status == Status.BESLUTAD.value
    justera_all(setting["meeting"], setting["kansli"])
    assert item.application.status == Status.UNDER_BEREDNING.value
    assert _frame(setting["area"]).granted == 0


def test_postponing_offers_the_case_to_the_next_meeting_once_justerat(setting, factory):
    item = _item(setting, factory)
    assert item.application not in services.cases_ready_for_agenda()
    services.record_decision(item, kind="bordlagg", actor=setting["chair"])
    assert item.application.status == Status.BESLUTAD.value
    assert item.application not in services.cases_ready_for_agenda()
    justera_all(setting["meeting"], setting["kansli"])
    assert item.application.status == Status.KLAR_FOR_BESLUT.value
    assert item.paragraph is not None
    assert item.application in services.cases_ready_for_agenda()
    assert _frame(setting["area"]).granted == 0


def test_a_decision_that_would_overspend_the_frame_is_refused_naming_what_remains(setting, factory):
    first = _item(setting, factory, amounts={YEAR: "800000"})
    services.record_decision(
        first, kind="bevilja", amounts={YEAR: D("800000")}, actor=setting["chair"]
    )
    second = _item(setting, factory, amounts={YEAR: "300000"}, title="Arbetsträning")
    with pytest.raises(DomainError) as refused:
        services.record_decision(
            second, kind="bevilja", amounts={YEAR: D("300000")}, actor=setting["chair"]
        )
    assert "Processutveckling 2026" in refused.value.message
    assert "200\u00a0000\u00a0kr återstår" in refused.value.message
    db.session.refresh(second.application)
    assert second.application.status == Status.KLAR_FOR_BESLUT.value
    assert _frame(setting["area"]).granted == D("800000")


def test_a_board_member_from_the_applying_organisation_is_javig(factory):
    organisation = factory.organisation("Växjö kommun")
    area = factory.huvudomrade("Verktyg")
    factory.budget_year(YEAR, frames={area: "1000000"})
    kansli = factory.user(Role.KANSLI)
    meeting, chair = meeting_with_board(factory, kansli, chair_org=organisation)
    application = prepared_case(factory, area, organisation=organisation)
    item = services.add_case(meeting, application, actor=kansli)
    services.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=kansli)
    assert [(j.attendance.user_id, j.automatic) for j in item.jav] == [(chair.id, True)]
    assert services.jav_sentence(item.jav[0]) == (
        "Stefan Berglund deltog inte i handläggningen av ärendet på grund av jäv."
    )


def test_anyone_can_declare_jav_with_a_reason(setting, factory):
    item = _item(setting, factory)
    deputy = services.add_attendance(
        setting["meeting"],
        user=None,
        name="Lena Åkerlund",
        organisation=None,
        role="tjanstgorande_ersattare",
        note=None,
        actor=setting["kansli"],
    )
    with pytest.raises(DomainError, match="skälet"):
        services.declare_jav(item, deputy, "  ", actor=setting["kansli"])
    services.declare_jav(item, deputy, "Närstående är projektledare", actor=setting["kansli"])
    assert [j.attendance.display_name for j in item.jav] == ["Lena Åkerlund"]
    with pytest.raises(DomainError, match="redan"):
        services.declare_jav(item, deputy, "Igen", actor=setting["kansli"])


def test_changing_a_decision_before_sign_off_releases_the_money_exactly(setting, factory):
    item = _item(setting, factory)
    services.record_decision(
        item, kind="bevilja", amounts={YEAR: D("450000")}, actor=setting["chair"]
    )
    services.undo_decision(item, actor=setting["chair"])
    assert item.application.status == Status.KLAR_FOR_BESLUT.value
    assert _frame(setting["area"]).granted == 0
    assert budget.verify_frames() == []
    services.record_decision(item, kind="avsla", motivation="Omprövat.", actor=setting["chair"])
    justera_all(setting["meeting"], setting["kansli"])
    assert item.application.status == Status.AVSLAGEN.value


def test_sign_off_needs_every_case_decided_then_starts_grants_and_tells_applicants(
    setting, factory
):
    granted = _item(setting, factory)
    rejected = _item(setting, factory, title="Arbetsträning", proposal="avsla")
    services.record_decision(
        granted, kind="bevilja", amounts={YEAR: D("450000")}, actor=setting["chair"]
    )
    with pytest.raises(DomainError, match="Alla ärenden"):
        justera_all(setting["meeting"], setting["kansli"])
    services.record_decision(
        rejected, kind="avsla", motivation="Ordinarie verksamhet.", actor=setting["chair"]
    )
    justera_all(setting["meeting"], setting["kansli"])
    assert setting["meeting"].is_signed
    assert granted.application.status == Status.PAGAENDE.value
    assert rejected.application.status == Status.AVSLAGEN.value
    messages = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.application_id.in_([granted.application_id, rejected.application_id])
        )
    ).all()
    # the decision to each applicant, and the granted case's överenskommelse to accept
    assert sorted(m.kind for m in messages) == ["agreement", "decision", "decision"]
    messages = [m for m in messages if m.kind == "decision"]
    body = next(m.body for m in messages if m.application_id == granted.application_id)
    assert "Styrelsen beslutar att bevilja" in body and "§ 4" in body
    assert "sista dag är" in body


def _signed_meeting(setting, factory):
    item = _item(setting, factory)
    secretary = setting["meeting"].attendance[1]
    services.declare_jav(item, secretary, "Närstående i projektet", actor=setting["kansli"])
    services.record_decision(
        item, kind="bevilja", amounts={YEAR: D("450000")}, actor=setting["chair"]
    )
    justera_all(setting["meeting"], setting["kansli"])
    return item


def test_nothing_in_signed_minutes_can_be_changed_through_the_service(setting, factory):
    item = _signed_meeting(setting, factory)
    meeting, kansli = setting["meeting"], setting["kansli"]
    other = prepared_case(factory, setting["area"], title="Sent ärende")
    attempts = [
        lambda: services.undo_decision(item, actor=kansli),
        lambda: services.add_case(meeting, other, actor=kansli),
        lambda: services.add_other_item(meeting, title="Övrigt", notes=None, actor=kansli),
        lambda: services.remove_item(item, actor=kansli),
        lambda: services.move_item(item, "upp", actor=kansli),
        lambda: services.declare_jav(item, meeting.attendance[0], "Sent", actor=kansli),
        lambda: services.remove_attendance(meeting.attendance[0], actor=kansli),
        lambda: services.add_attendance(
            meeting,
            user=None,
            name="Sen gäst",
            organisation=None,
            role="ovrig",
            note=None,
            actor=kansli,
        ),
        lambda: services.justera(meeting.signatories[0], actor=setting["chair"], password="x"),
        lambda: services.update_meeting(
            meeting, services.MeetingData(date=meeting.date, place="Annan plats"), actor=kansli
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="justerat"):
            attempt()
    assert _frame(setting["area"]).granted == D("450000")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE decisions SET kind = 'avsla' WHERE id = :decision",
        "DELETE FROM decision_amounts WHERE decision_id = :decision",
        "UPDATE decision_amounts SET amount = 1 WHERE decision_id = :decision",
        "DELETE FROM jav WHERE agenda_item_id = :item",
        "UPDATE agenda_items SET paragraph = 99 WHERE id = :item",
        "INSERT INTO agenda_items (meeting_id, position, title) VALUES (:meeting, 9, 'Sent')",
        "DELETE FROM attendance WHERE meeting_id = :meeting",
        "UPDATE meetings SET place = 'Någon annanstans' WHERE id = :meeting",
        "UPDATE meetings SET signed_at = NULL WHERE id = :meeting",
        "DELETE FROM meetings WHERE id = :meeting",
    ],
)
def test_the_database_refuses_changes_to_signed_minutes(setting, factory, statement):
    item = _signed_meeting(setting, factory)
    decision = db.session.scalar(select(Decision).where(Decision.agenda_item_id == item.id))
    savepoint = db.session.begin_nested()
    with pytest.raises((DBAPIError, IntegrityError)):
        db.session.execute(
            text(statement),
            {"decision": decision.id, "item": item.id, "meeting": setting["meeting"].id},
        )
    savepoint.rollback()


def test_an_unsigned_meeting_can_still_be_changed_in_the_database(setting, factory):
    item = _item(setting, factory)
    db.session.execute(
        text("UPDATE agenda_items SET position = 5 WHERE id = :item"), {"item": item.id}
    )
