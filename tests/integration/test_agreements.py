"""The överenskommelse: drawn up from the final decision at justering, accepted by the
projektägare's named signatory and the förbundschef, the gate on the first rekvisition,
the page and the PDF."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D

import pytest
from flask_migrate import upgrade
from pypdf import PdfReader
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from finsam_ansokan import create_app
from finsam_ansokan.accounts import services as account_services
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import DomainError, NotAllowed
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements, services
from finsam_ansokan.followup.models import Agreement
from finsam_ansokan.meetings import services as meetings
from finsam_ansokan.notifications.models import OutboxMessage

from ..conftest import database_url_for_tests
from .meetings_helpers import YEAR, justera_all, meeting_with_board, prepared_case


def _events(application, kind: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.application_id == application.id, Event.kind == kind)
            .order_by(Event.id)
        )
    )


def _mail(kind: str = "agreement") -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


# --- drawn up at justering ------------------------------------------------------------------


@pytest.fixture
def board(factory):
    area = factory.huvudomrade("Processutveckling")
    factory.budget_year(YEAR, frames={area: "1000000"})
    factory.budget_year(YEAR + 1, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    meeting, chair = meeting_with_board(factory, kansli)
    return {"area": area, "kansli": kansli, "meeting": meeting, "chair": chair}


def test_justering_draws_up_the_agreement_from_the_decision(board, factory):
    organisation = factory.organisation("Växjö kommun")
    partner = factory.organisation("Region Kronoberg", kind="region")
    application = prepared_case(
        factory,
        board["area"],
        organisation=organisation,
        amounts={YEAR: "450000", YEAR + 1: "300000"},
    )
    application.start_date, application.end_date = date(YEAR, 1, 1), date(YEAR + 1, 12, 31)
    application.contact_name = "Sara Lind"
    application.contact_email = "sara@vaxjo.example"
    application.parties = []
    db.session.flush()
    from finsam_ansokan.applications.models import ApplicationParty

    db.session.add(ApplicationParty(application_id=application.id, organisation_id=partner.id))
    signatory = factory.user(Role.SOKANDE, organisation=organisation, name="Siv Firmatecknare")
    account_services.set_signatory(organisation, signatory, actor=board["kansli"])
    item = meetings.add_case(board["meeting"], application, actor=board["kansli"])
    meetings.record_decision(
        item,
        kind="delvis_bevilja",
        amounts={YEAR: D("400000"), YEAR + 1: D("250000")},
        motivation="Budgeten räcker inte till allt.",
        villkor="att insatsen registreras i SUS",
        actor=board["chair"],
    )
    assert agreements.agreements_for(application) == []  # nothing before justering
    justera_all(board["meeting"], board["kansli"])

    [agreement] = agreements.agreements_for(application)
    assert agreement.reference == f"Styrelsen {YEAR}-11-23, § {item.paragraph}"
    assert agreement.decided_on == date(YEAR, 11, 23)
    assert agreement.amounts_by_year == {YEAR: D("400000"), YEAR + 1: D("250000")}
    assert agreement.villkor == "att insatsen registreras i SUS"
    assert agreement.content["organisation"]["name"] == "Växjö kommun"
    assert agreement.content["parties"] == ["Region Kronoberg"]
    assert agreement.content["contacts"][0]["name"] == "Sara Lind"
    kinds = [row["kind"] for row in agreement.content["schedule"]]
    assert kinds[-1] == "Slutrapport" and "Lägesrapport" in kinds
    assert not agreement.applicant_accepted and not agreement.forbund_accepted
    assert len(_events(application, "agreement_drawn_up")) == 1
    recipients = {m.recipient_id for m in _mail()}
    assert recipients == {signatory.id, application.created_by_id}
    # no money before both have accepted
    assert "firmatecknare och förbundschefen" in services.agreement_gate(application)


def test_a_rejection_draws_up_no_agreement(board, factory):
    application = prepared_case(factory, board["area"], proposal="avsla")
    item = meetings.add_case(board["meeting"], application, actor=board["kansli"])
    meetings.record_decision(
        item, kind="avsla", amounts={}, motivation="Utanför prioriteringarna.", actor=board["chair"]
    )
    justera_all(board["meeting"], board["kansli"])
    assert agreements.agreements_for(application) == []


def test_drawing_up_twice_for_one_decision_gives_the_same_agreement(factory):
    project = factory.granted_project(agreement=False)
    kansli = factory.user(Role.KANSLI)
    args = {
        "reference": "D 2026:3",
        "decided_on": date(2026, 3, 1),
        "amounts": {2026: D("25000")},
        "villkor": None,
        "actor": kansli,
    }
    first = agreements.draw_up(project, **args)
    assert agreements.draw_up(project, **args) is first
    assert first.amounts == {"2026": "25000.00"}
    with pytest.raises(DomainError, match="utan beviljade belopp"):
        agreements.draw_up(project, **{**args, "reference": "D 2026:4", "amounts": {}})


# --- accepting --------------------------------------------------------------------------------


@pytest.fixture
def pending(factory):
    """A running project whose agreement awaits both acceptances; the organisation's
    signatory and the förbundschef are named."""
    forbund = factory.forbund()
    owner = factory.user(Role.SOKANDE, name="Petra Projektägare")
    project = factory.granted_project(
        owner, grants={2026: "300000"}, agreement=False, title="Jobbspåret"
    )
    agreement = factory.agreement(project, accepted=False, villkor="att SUS används")
    kansli = factory.user(Role.KANSLI, name="Kim Kansli")
    chef = factory.user(Role.KANSLI, name="Frida Förbundschef")
    signatory = factory.user(Role.SOKANDE, organisation=owner.organisation, name="Sven Signatur")
    account_services.set_signatory(owner.organisation, signatory, actor=kansli)
    account_services.set_forbundschef(chef, actor=kansli)
    db.session.refresh(forbund)
    return {
        "owner": owner,
        "project": project,
        "agreement": agreement,
        "kansli": kansli,
        "chef": chef,
        "signatory": signatory,
    }


def _payment(project) -> services.PaymentData:
    return services.PaymentData(
        year=2026,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        amount=D("50000"),
        costs_incurred="Lön för teamet.",
    )


def test_only_the_signatory_and_the_forbundschef_accept(pending):
    agreement, project = pending["agreement"], pending["project"]
    with pytest.raises(NotAllowed, match="Sven Signatur"):
        agreements.accept_for_applicant(agreement, actor=pending["owner"])
    with pytest.raises(NotAllowed, match="Frida Förbundschef"):
        agreements.accept_for_forbund(agreement, actor=pending["kansli"])

    agreements.accept_for_applicant(agreement, actor=pending["signatory"])
    assert agreement.applicant_accepted_by_id == pending["signatory"].id
    assert agreement.applicant_accepted_name == "Sven Signatur"
    assert not agreement.is_accepted
    with pytest.raises(DomainError, match="redan godkänd"):
        agreements.accept_for_applicant(agreement, actor=pending["signatory"])

    agreements.accept_for_forbund(agreement, actor=pending["chef"])
    assert agreement.is_accepted
    assert agreement.forbund_accepted_by_id == pending["chef"].id
    messages = [e.message for e in _events(project, "agreement_accepted")]
    assert len(messages) == 2
    assert "Sven Signatur" in messages[0] and "Frida Förbundschef" in messages[1]
    assert len(_events(project, "agreement_in_force")) == 1
    told = {m.recipient_id for m in _mail()}
    assert pending["signatory"].id in told and project.created_by_id in told
    assert pending["chef"].id not in told  # the one who accepted last is not told


def test_without_a_forbundschef_any_kansli_user_accepts(pending, factory):
    account_services.set_forbundschef(None, actor=pending["kansli"])
    assert agreements.can_accept_for_forbund(pending["kansli"], pending["agreement"])
    assert not agreements.can_accept_for_forbund(pending["owner"], pending["agreement"])
    agreements.accept_for_forbund(pending["agreement"], actor=pending["kansli"])
    assert pending["agreement"].forbund_accepted


def test_without_a_signatory_nobody_accepts_for_the_projektagare(pending):
    organisation = pending["owner"].organisation
    account_services.set_signatory(organisation, None, actor=pending["kansli"])
    assert agreements.signatory_of(pending["project"]) is None
    with pytest.raises(DomainError, match="ingen namngiven firmatecknare"):
        agreements.accept_for_applicant(pending["agreement"], actor=pending["owner"])


def test_the_signatory_is_a_sokande_of_the_organisation(pending, factory):
    outsider = factory.user(Role.SOKANDE)
    with pytest.raises(DomainError, match="Firmatecknaren ska vara"):
        account_services.set_signatory(
            pending["owner"].organisation, outsider, actor=pending["kansli"]
        )
    with pytest.raises(DomainError, match="rollen kansli"):
        account_services.set_forbundschef(pending["owner"], actor=pending["kansli"])


def test_the_first_rekvisition_waits_for_both_acceptances(pending):
    project, agreement = pending["project"], pending["agreement"]
    with pytest.raises(DomainError, match="Sven|firmatecknare och förbundschefen"):
        services.request_payment(project, _payment(project), actor=pending["owner"])
    agreements.accept_for_applicant(agreement, actor=pending["signatory"])
    with pytest.raises(DomainError) as refused:
        services.request_payment(project, _payment(project), actor=pending["owner"])
    assert str(refused.value).endswith("Godkännande saknas från förbundschefen.")
    agreements.accept_for_forbund(agreement, actor=pending["chef"])
    payment = services.request_payment(project, _payment(project), actor=pending["owner"])
    assert payment.amount == D("50000")


def test_a_project_without_any_agreement_gets_no_money(factory):
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(owner, agreement=False)
    with pytest.raises(DomainError, match="ingen överenskommelse"):
        services.request_payment(project, _payment(project), actor=owner)


def test_a_new_unaccepted_agreement_stops_payments_again(factory):
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(owner)  # accepted
    assert services.agreement_gate(project) is None
    factory.agreement(project, accepted=False)
    assert "Godkännande saknas" in services.agreement_gate(project)


# --- pages and the PDF --------------------------------------------------------------------------


def _url(project, tail: str = "") -> str:
    return f"/ansokningar/{project.id}/uppfoljning/overenskommelse{tail}"


def test_the_page_shows_the_agreement_and_the_right_buttons(pending, client, login):
    project, agreement = pending["project"], pending["agreement"]
    login(pending["owner"])
    page = client.get(_url(project)).get_data(as_text=True)
    assert "Jobbspåret" in page and "300\u00a0000\u00a0kr" in page
    assert "att SUS används" in page
    assert "Godkännande saknas" in page
    assert "Godkänn överenskommelsen" not in page  # the owner is not the signatory

    login(pending["signatory"])
    page = client.get(_url(project)).get_data(as_text=True)
    assert "Godkänn överenskommelsen för" in page
    response = client.post(_url(project, f"/{agreement.id}/godkann"))
    assert response.status_code == 302
    assert agreement.applicant_accepted

    login(pending["kansli"])  # not the förbundschef: no button, and the post is refused
    assert "för förbundet</button>" not in client.get(_url(project)).get_data(as_text=True)
    client.post(_url(project, f"/{agreement.id}/godkann-for-forbundet"))
    db.session.refresh(agreement)
    assert not agreement.forbund_accepted

    login(pending["chef"])
    response = client.post(_url(project, f"/{agreement.id}/godkann-for-forbundet"))
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.is_accepted
    page = client.get(_url(project)).get_data(as_text=True)
    assert "Sven Signatur" in page and "Frida Förbundschef" in page

    history = client.get(f"/ansokningar/{project.id}/historik").get_data(as_text=True)
    assert "Överenskommelsen godkändes" in history


def test_the_pdf_holds_the_parties_the_amounts_and_the_acceptances(pending, client, login):
    project, agreement = pending["project"], pending["agreement"]
    agreements.accept_for_applicant(agreement, actor=pending["signatory"])
    login(pending["owner"])
    response = client.get(_url(project, f"/{agreement.id}.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Samordningsförbundet Testbygden" in text
    assert project.organisation.name in text
    assert "300 000 kr" in text.replace("\u00a0", " ")
    assert "att SUS används" in text
    assert "Godkänd av Sven Signatur" in text
    assert "Inte godkänd" in text  # the förbund's side, still open
    assert "Outnyttjade medel" in text and "Rekvisition av medel" in text


def test_the_rekvisition_page_sends_to_the_agreement_until_accepted(pending, client, login):
    project = pending["project"]
    login(pending["owner"])
    overview = client.get(f"/ansokningar/{project.id}/uppfoljning").get_data(as_text=True)
    assert "Begär utbetalning (rekvisition)</a>" not in overview
    assert "Godkännande saknas" in overview
    response = client.get(f"/ansokningar/{project.id}/uppfoljning/rekvisitioner/ny")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(project))


def test_another_organisation_sees_no_agreement(pending, client, login, factory):
    login(factory.user(Role.SOKANDE))
    assert client.get(_url(pending["project"])).status_code == 404
    path = _url(pending["project"], f"/{pending['agreement'].id}.pdf")
    assert client.get(path).status_code == 404


def test_the_kansli_names_the_signatory_and_the_forbundschef(factory, client, login):
    forbund = factory.forbund()
    kansli = factory.user(Role.KANSLI, name="Kajsa Kansli")
    organisation = factory.organisation("Alvesta kommun")
    signatory = factory.user(Role.SOKANDE, organisation=organisation, name="Alva Firmatecknare")
    login(kansli)
    response = client.post(
        f"/admin/organisationer/{organisation.id}",
        data={
            "name": "Alvesta kommun",
            "kind": "kommun",
            "population": "20000",
            "active": "y",
            "signatory_id": str(signatory.id),
        },
    )
    assert response.status_code == 302
    assert organisation.signatory_id == signatory.id
    assert "Alva Firmatecknare" in client.get(f"/admin/organisationer/{organisation.id}").get_data(
        as_text=True
    )
    response = client.post("/admin/forbundet", data={"forbundschef_id": str(kansli.id)})
    assert response.status_code == 303
    db.session.refresh(forbund)
    assert forbund.forbundschef_id == kansli.id


def test_outside_system_agreements_count_as_accepted_and_have_no_pdf(factory, client, login):
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(owner, agreement=False)
    row = Agreement(
        application_id=project.id,
        reference=agreements.OUTSIDE_SYSTEM_REFERENCE,
        amounts={},
        content={},
        outside_system=True,
        applicant_accepted_at=project.created_at,
        applicant_accepted_name=agreements.OUTSIDE_SYSTEM_REFERENCE,
        forbund_accepted_at=project.created_at,
        forbund_accepted_name=agreements.OUTSIDE_SYSTEM_REFERENCE,
    )
    db.session.add(row)
    db.session.flush()
    assert services.agreement_gate(project) is None
    login(owner)
    assert "utanför systemet" in client.get(_url(project)).get_data(as_text=True)
    assert client.get(_url(project, f"/{row.id}.pdf")).status_code == 404


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE agreements SET villkor = 'ändrat' WHERE id = :id",
        "UPDATE agreements SET amounts = '{}' WHERE id = :id",
        "UPDATE agreements SET applicant_accepted_name = 'Någon annan' WHERE id = :id",
        "DELETE FROM agreements WHERE id = :id",
    ],
    ids=["villkor", "amounts", "acceptance", "delete"],
)
def test_the_database_keeps_the_text_and_the_acceptances(factory, statement):
    project = factory.granted_project()  # its agreement is accepted by both
    [agreement] = agreements.agreements_for(project)
    with pytest.raises(DBAPIError, match="agreements"), db.session.begin_nested():
        db.session.execute(text(statement), {"id": agreement.id})


# --- projects granted before this feature (migration 0022) ----------------------------------


@pytest.mark.real_commits
def test_migration_records_agreements_made_outside_the_system(tmp_path_factory):
    """A project granted before revision 0022 gets an agreement accepted outside the
    system, so its rekvisitioner go on; a case not granted gets none. The database holds
    rows when it is upgraded (on SQLite no table that others refer to is rebuilt)."""
    url = database_url_for_tests(tmp_path_factory, suffix="_agreements_0022")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("files_0022")),
        }
    )
    with app.app_context():
        upgrade(revision="0019")
        connection = db.session.connection()
        connection.execute(text("INSERT INTO organisations (name, kind) VALUES ('K', 'kommun')"))
        connection.execute(
            text(
                "INSERT INTO users (email, name, password_hash, organisation_id) "
                "VALUES ('a@test.example', 'A', '!', (SELECT id FROM organisations))"
            )
        )
        for number, status in enumerate(("pagaende", "avslutad", "under_beredning"), 1):
            connection.execute(
                text(
                    "INSERT INTO applications (organisation_id, created_by_id, status, "
                    "diarie_year, diarie_number) "
                    "SELECT organisations.id, users.id, :status, 2025, :number "
                    "FROM organisations, users"
                ),
                {"status": status, "number": number},
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text(
                "SELECT applications.status, agreements.outside_system, "
                "agreements.applicant_accepted_at IS NOT NULL, "
                "agreements.forbund_accepted_at IS NOT NULL "
                "FROM agreements JOIN applications ON applications.id = agreements.application_id "
                "ORDER BY applications.status"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            ("avslutad", True, True, True),
            ("pagaende", True, True, True),
        ]
        db.session.remove()
        db.engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


def test_the_work_lists_show_agreements_waiting_for_acceptance(pending, client, login):
    login(pending["signatory"])
    start = client.get("/").get_data(as_text=True)
    assert "Överenskommelser att godkänna som firmatecknare (1)" in start
    login(pending["chef"])
    assert "Överenskommelser att godkänna för förbundet (1)" in client.get("/").get_data(
        as_text=True
    )
    followup_list = client.get("/uppfoljning").get_data(as_text=True)
    assert "Jobbspåret" in followup_list and "Projektägaren och förbundet" in followup_list
    login(pending["kansli"])  # a förbundschef is named: not the other kansli user's work
    assert "för förbundet (" not in client.get("/").get_data(as_text=True)
