"""Follow-up of a granted project: schedule, reports, payment requests, closing, reminders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services
from finsam_ansokan.followup.models import PaymentRequest, Report
from finsam_ansokan.followup.status import PaymentStatus, ReportKind, ReportStatus
from finsam_ansokan.notifications.models import OutboxMessage


@pytest.fixture
def people(factory):
    owner = factory.user(Role.SOKANDE, name="Petra Projektägare")
    return {
        "owner": owner,
        "kansli": factory.user(Role.KANSLI, name="Kim Kansli"),
        "revisor": factory.user(Role.REVISOR),
        "other_applicant": factory.user(Role.SOKANDE),
    }


@pytest.fixture
def project(factory, people):
    return factory.granted_project(
        people["owner"],
        grants={2026: "300000", 2027: "200000"},
        start_date=date(2026, 1, 1),
        end_date=date(2027, 6, 30),
        schedule=True,
    )


def _base(project):
    return f"/ansokningar/{project.id}/uppfoljning"


def _report(project, kind):
    return next(r for r in services.reports_for(project) if r.kind == kind)


COMPLETE = {
    "period_start": "2026-01-01",
    "period_end": "2027-06-30",
    "participants_women": "14",
    "participants_men": "9",
    "goal_fulfilment": "Tolv av 23 deltagare gick till arbete eller studier.",
    "gender_work": "Kvinnor och män fick samma stöd; resultaten redovisas könsuppdelat.",
    "implementation_status": "Kommunen tar över insatsen från 2028.",
}


# --- schedule -------------------------------------------------------------------------------


def test_the_default_schedule_has_a_progress_report_every_six_months_and_a_final_report():
    schedule = services.default_schedule(date(2026, 1, 31), date(2027, 6, 30))
    assert [(kind.value, due) for kind, due, _, _ in schedule] == [
        ("lagesrapport", date(2026, 7, 31)),
        ("lagesrapport", date(2027, 1, 31)),
        ("slutrapport", date(2027, 8, 30)),
    ]
    assert schedule[-1][2:] == (date(2026, 1, 31), date(2027, 6, 30))


def test_the_kansli_starts_the_follow_up_of_a_granted_project(client, factory, login, people):
    application = factory.granted_project(
        people["owner"], start=False, start_date=date(2026, 3, 1), end_date=date(2026, 12, 31)
    )
    assert application.status == Status.BEVILJAD
    login(people["kansli"])
    response = client.post(f"{_base(application)}/schema")
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == Status.PAGAENDE
    assert [(r.kind, r.due_date) for r in services.reports_for(application)] == [
        ("lagesrapport", date(2026, 9, 1)),
        ("slutrapport", date(2027, 2, 28)),
    ]
    # a second press changes nothing
    client.post(f"{_base(application)}/schema")
    assert len(services.reports_for(application)) == 2


def test_the_kansli_moves_adds_and_removes_reports_but_not_submitted_ones(
    client, login, people, project
):
    login(people["kansli"])
    first = _report(project, "lagesrapport")
    client.post(f"{_base(project)}/rapporter/{first.id}/datum", data={"due_date": "2026-08-15"})
    db.session.refresh(first)
    assert first.due_date == date(2026, 8, 15)
    response = client.post(f"{_base(project)}/rapporter/{first.id}/datum", data={"due_date": "x"})
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.due_date == date(2026, 8, 15)

    client.post(f"{_base(project)}/rapporter", data={"due_date": "2026-04-01"})
    assert len(services.reports_for(project)) == 4

    final = _report(project, "slutrapport")
    client.post(f"{_base(project)}/rapporter/{final.id}/ta-bort")
    assert final in services.reports_for(project)

    first.submitted_at, first.status = db.func.now(), ReportStatus.INSKICKAD.value
    db.session.flush()
    client.post(f"{_base(project)}/rapporter/{first.id}/ta-bort")
    assert first in services.reports_for(project)


# --- reports --------------------------------------------------------------------------------


def test_a_report_draft_saves_incomplete_and_submitting_lists_what_is_missing(
    client, login, people, project
):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    url = f"{_base(project)}/rapporter/{report.id}/skriv"
    assert client.get(url).status_code == 200

    response = client.post(
        url, data={"participants_women": "4", "lock_version": report.lock_version}
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.participants_women == 4
    assert report.status == ReportStatus.UTKAST

    response = client.post(
        url,
        data={"participants_women": "5", "action": "skicka", "lock_version": report.lock_version},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#participants_men"' in page
    assert "Ange antalet män som deltagit." in page
    assert 'href="#cost_2026"' in page
    assert 'href="#cost_2027"' not in page  # a 2026 lägesrapport does not ask for 2027
    db.session.refresh(report)
    assert report.participants_women == 5  # the draft was kept
    assert report.status == ReportStatus.UTKAST


def test_bad_report_input_is_shown_again_and_nothing_is_stored(client, login, people, project):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    url = f"{_base(project)}/rapporter/{report.id}/skriv"
    response = client.post(
        url,
        data={
            "participants_women": "-3",
            "period_start": "igår",
            "cost_2026": "tusen",
            "goal_fulfilment": "Bra",
            "lock_version": report.lock_version,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ange ett antal från 0 och uppåt." in page
    assert "ÅÅÅÅ-MM-DD" in page
    assert "Skriv beloppet med siffror" in page
    assert "tusen" in page  # the input is shown again
    db.session.refresh(report)
    assert report.goal_fulfilment is None


def test_money_used_may_never_exceed_the_grant(client, login, people, project):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    response = client.post(
        f"{_base(project)}/rapporter/{report.id}/skriv",
        data={"cost_2026": "300 001", "lock_version": report.lock_version},
    )
    assert response.status_code == 400
    assert "kan inte vara mer än det beviljade" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.costs == []


def test_a_stale_report_form_is_refused(client, login, people, project):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    url = f"{_base(project)}/rapporter/{report.id}/skriv"
    client.post(url, data={"participants_women": "1", "lock_version": report.lock_version})
    response = client.post(url, data={"participants_women": "2", "lock_version": "1"})
    assert response.status_code == 400
    assert "Någon annan har sparat rapporten" in response.get_data(as_text=True)


def test_only_the_own_organisation_writes_reports_and_readers_change_nothing(
    client, login, people, project
):
    report = _report(project, "lagesrapport")
    login(people["other_applicant"])
    assert client.get(_base(project)).status_code == 404
    assert client.get(f"{_base(project)}/rapporter/{report.id}/skriv").status_code == 404
    login(people["revisor"])
    assert client.get(_base(project)).status_code == 200
    assert client.post(f"{_base(project)}/rapporter/{report.id}/godkann").status_code == 403


def test_the_kansli_asks_for_more_and_the_owner_completes_the_report(
    client, login, people, project
):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    url = f"{_base(project)}/rapporter/{report.id}/skriv"
    data = {**COMPLETE, "cost_2026": "100 000", "cost_2027": "0", "action": "skicka"}
    assert client.post(url, data={**data, "lock_version": report.lock_version}).status_code == 302
    db.session.refresh(report)
    assert report.status == ReportStatus.INSKICKAD

    login(people["kansli"])
    response = client.post(
        f"{_base(project)}/rapporter/{report.id}/komplettering", data={"message": ""}
    )
    assert response.status_code == 400
    client.post(
        f"{_base(project)}/rapporter/{report.id}/komplettering",
        data={"message": "Hur många deltagare gick till studier?"},
    )
    db.session.refresh(report)
    assert report.status == ReportStatus.KOMPLETTERING_BEGARD
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == people["owner"].id)
    ).all()

    login(people["owner"])
    assert client.post(url, data={**data, "lock_version": report.lock_version}).status_code == 302
    login(people["kansli"])
    client.post(f"{_base(project)}/rapporter/{report.id}/godkann")
    db.session.refresh(report)
    assert report.status == ReportStatus.GODKAND
    kinds = db.session.scalars(
        select(Event.to_status).where(Event.subject == f"report:{report.id}")
    ).all()
    assert kinds == ["inskickad", "komplettering_begard", "inskickad", "godkand"]


# --- payment requests ----------------------------------------------------------------------


def _pay(project, owner, amount, year=2026):
    return services.request_payment(
        project,
        services.PaymentData(
            year=year,
            period_start=date(year, 1, 1),
            period_end=date(year, 6, 30),
            amount=Decimal(amount),
            costs_incurred="Lön projektledare",
        ),
        actor=owner,
    )


def test_payment_requests_never_exceed_the_grant(people, project):
    owner = people["owner"]
    first = _pay(project, owner, "200000")
    _pay(project, owner, "100000")
    with pytest.raises(DomainError, match="0\u00a0kr återstår"):
        _pay(project, owner, "1")
    # a returned request frees its money
    services.return_payment(first, "Fel period", actor=people["kansli"])
    _pay(project, owner, "200000")
    with pytest.raises(DomainError, match="inga beviljade medel för 2025"):
        _pay(project, owner, "1", year=2025)
    assert services.claimed_by_year(project) == {2026: Decimal("300000")}


def test_a_projektagare_requests_and_receives_a_first_payment(client, login, people, project):
    login(people["owner"])
    url = f"{_base(project)}/rekvisitioner/ny"
    assert client.get(url).status_code == 200
    too_much = {
        "year": "2026",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "amount": "300 001",
        "costs_incurred": "Lön och lokaler",
    }
    response = client.post(url, data=too_much)
    assert response.status_code == 400
    assert "Det går inte att begära mer än beviljat" in response.get_data(as_text=True)
    response = client.post(url, data={**too_much, "amount": "150 000"})
    assert response.status_code == 302
    payment = db.session.scalars(
        select(PaymentRequest).where(PaymentRequest.application_id == project.id)
    ).one()

    login(people["kansli"])
    base = f"{_base(project)}/rekvisitioner/{payment.id}"
    assert client.post(f"{base}/utbetald", data={"paid_on": "2026-07-10"}).status_code == 400
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.INSKICKAD  # must be approved first
    client.post(f"{base}/godkann")
    assert client.post(f"{base}/utbetald", data={"paid_on": "den tionde"}).status_code == 400
    client.post(f"{base}/utbetald", data={"paid_on": "2026-07-10"})
    db.session.refresh(payment)
    assert (payment.status, payment.paid_on) == (PaymentStatus.UTBETALD, date(2026, 7, 10))

    row = services.money_summary(project).rows[0]
    assert (row.granted, row.claimed, row.paid, row.remaining) == (
        Decimal("300000"),
        Decimal("150000"),
        Decimal("150000"),
        Decimal("150000"),
    )
    login(people["owner"])
    page = client.get(_base(project)).get_data(as_text=True)
    assert "150\u00a0000\u00a0kr" in page
    budget = budget_overview.overview(budget_services.budget_year_for(2026))
    assert budget.paid == Decimal("150000")


# --- closing --------------------------------------------------------------------------------


def test_approving_the_final_report_closes_the_project_with_the_unused_money_back(
    client, login, people, project
):
    frames = {y: ledger.frame_for(y, project.huvudomrade_id) for y in (2026, 2027)}
    before = {y: frames[y].granted for y in frames}
    _pay(project, people["owner"], "100000")
    final = _report(project, "slutrapport")
    login(people["owner"])
    client.post(
        f"{_base(project)}/rapporter/{final.id}/skriv",
        data={
            **COMPLETE,
            "cost_2026": "250 000",
            "cost_2027": "120 000",
            "action": "skicka",
            "lock_version": final.lock_version,
        },
    )
    login(people["kansli"])
    # closing asks first, and warns about the lägesrapporter never sent
    response = client.post(f"{_base(project)}/rapporter/{final.id}/godkann")
    assert response.status_code == 200
    assert "Godkänna slutrapporten och avsluta insatsen?" in response.text
    assert "aldrig kommit in" in response.text
    db.session.refresh(project)
    assert project.status == Status.PAGAENDE
    response = client.post(
        f"{_base(project)}/rapporter/{final.id}/godkann", data={"bekraftat": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.status == Status.AVSLUTAD
    for year in frames:
        db.session.refresh(frames[year])
    assert before[2026] - frames[2026].granted == Decimal("50000")
    assert before[2027] - frames[2027].granted == Decimal("80000")
    # granted stays granted: closing returns the unused part beside it, never instead of it
    assert services.granted_by_year(project) == {
        2026: Decimal("300000"),
        2027: Decimal("200000"),
    }
    rows = {r.year: r for r in services.money_summary(project).rows}
    assert {y: (r.granted, r.used, r.returned) for y, r in rows.items()} == {
        2026: (Decimal("300000"), Decimal("250000"), Decimal("50000")),
        2027: (Decimal("200000"), Decimal("120000"), Decimal("80000")),
    }
    assert ledger.verify_frames() == []
    closed = db.session.scalars(
        select(Event).where(Event.application_id == project.id, Event.to_status == "avslutad")
    ).one()
    assert closed.data["returned"] == {"2026": "50000.00", "2027": "80000.00"}
    budget = budget_overview.overview(budget_services.budget_year_for(2026))
    assert budget.used == Decimal("250000")


def test_the_project_cannot_close_while_more_is_requested_than_was_used(people, project):
    _pay(project, people["owner"], "200000")
    final = _report(project, "slutrapport")
    services.save_report(
        final,
        services.ReportData(
            lock_version=None,
            period_start=date(2026, 1, 1),
            period_end=date(2027, 6, 30),
            participants_women=1,
            participants_men=1,
            goal_fulfilment="x",
            gender_work="x",
            implementation_status="x",
            costs={2026: Decimal("150000"), 2027: Decimal("0")},
        ),
        actor=people["owner"],
    )
    services.submit_report(final, actor=people["owner"])
    with pytest.raises(DomainError, match="Rekvisitionerna för 2026"):
        services.approve_report(final, actor=people["kansli"])


# --- reminders -------------------------------------------------------------------------------


def _reminders_to(user, kind):
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient_id == user.id, OutboxMessage.kind == kind
        )
    ).all()


def test_reminders_go_out_before_a_report_is_due_and_when_it_is_overdue_once_each(people, project):
    owner = people["owner"]
    first = _report(project, "lagesrapport")  # due 2026-07-01
    assert first.due_date == date(2026, 7, 1)

    assert services.send_reminders(date(2026, 6, 1)).due_soon == 0
    assert services.send_reminders(date(2026, 6, 17)).due_soon == 1
    assert services.send_reminders(date(2026, 6, 18)).due_soon == 0
    assert len(_reminders_to(owner, "report_due")) == 1
    assert services.overdue_reports(date(2026, 7, 1)) == []

    assert services.send_reminders(date(2026, 7, 2)).overdue == 1
    assert services.send_reminders(date(2026, 7, 3)).overdue == 0
    assert len(_reminders_to(owner, "report_overdue")) == 1
    assert services.overdue_reports(date(2026, 7, 2)) == [first]


def test_the_reminders_command_takes_today_from_the_command_line(runner, people, project):
    result = runner.invoke(args=["reminders", "send", "--today", "2026-07-02"])
    assert result.exit_code == 0, result.output
    assert "1 om försenade rapporter" in result.output
    result = runner.invoke(args=["reminders", "send", "--today", "andra juli"])
    assert result.exit_code != 0


def test_the_kansli_sees_overdue_reports_on_the_start_page(client, login, people, project):
    login(people["kansli"])
    page = client.get("/").get_data(as_text=True)
    assert "Försenade rapporter" in page
    assert project.display_title in page  # the project's first report was due 2026-07-01
    lists = client.get("/uppfoljning").get_data(as_text=True)
    assert project.display_title in lists


def test_kinds_of_reports_are_lagesrapport_and_slutrapport(project):
    kinds = [r.kind for r in db.session.scalars(select(Report))]
    assert set(kinds) <= {k.value for k in ReportKind}


def test_granted_stays_granted_on_every_page_statistic_and_export_after_closing(
    client, login, people, project
):
    """Closing returns the unused money beside the grant: the overview, the statistics,
    the budget export and the project's own table show granted, paid, used and returned
    as four figures, and the board's 300 000 kr is still what was granted."""
    from finsam_ansokan.statistics import services as statistics

    payment = _pay(project, people["owner"], "100000")
    services.approve_payment(payment, actor=people["kansli"])
    services.record_payment(payment, date(2026, 7, 10), actor=people["kansli"])
    final = _report(project, "slutrapport")
    login(people["owner"])
    client.post(
        f"{_base(project)}/rapporter/{final.id}/skriv",
        data={
            **COMPLETE,
            "cost_2026": "250 000",
            "cost_2027": "120 000",
            "action": "skicka",
            "lock_version": final.lock_version,
        },
    )
    login(people["kansli"])
    client.post(f"{_base(project)}/rapporter/{final.id}/godkann", data={"bekraftat": "1"})
    db.session.refresh(project)
    assert project.status == Status.AVSLUTAD

    year = budget_services.budget_year_for(2026)
    (row,) = [
        r
        for r in budget_overview.frame_rows(2026)
        if r.ram_id == ledger.frame_for(2026, project.huvudomrade_id).id
    ]
    assert (row.granted, row.paid, row.used, row.returned) == (
        Decimal("300000"),
        Decimal("100000"),
        Decimal("250000"),
        Decimal("50000"),
    )
    assert row.remaining == row.frame - Decimal("250000")
    overview = budget_overview.overview(year)
    assert (overview.granted, overview.returned) == (Decimal("300000"), Decimal("50000"))

    stats = statistics.statistics(2026, statistics.choices().huvudomraden)
    assert (stats.total.granted, stats.total.paid, stats.total.used, stats.total.returned) == (
        Decimal("300000"),
        Decimal("100000"),
        Decimal("250000"),
        Decimal("50000"),
    )
    # the board's grant is in the month it was made; the return does not undo it
    assert stats.months[-1].granted == Decimal("300000")

    csv_rows = client.get("/budget/2026/export.csv").get_data(as_text=True).splitlines()
    assert csv_rows[0].lstrip("\ufeff").split(";")[3:7] == [
        "Beviljat",
        "Utbetalt",
        "Förbrukat",
        "Återfört",
    ]
    login(people["owner"])
    page = client.get(_base(project)).get_data(as_text=True)
    assert "Återfört" in page and "50\u00a0000\u00a0kr" in page and "300\u00a0000\u00a0kr" in page


def test_a_decision_changed_before_justering_lowers_what_is_granted_but_is_no_return(
    factory, people
):
    """Only closing returns money; an undone decision is a revoke, so the grant goes down
    and nothing is shown as returned."""
    project = factory.granted_project(people["owner"], grants={2026: "300000"})
    ledger.release((2026, project.huvudomrade_id), Decimal("100000"), actor=None,
                   application=project)  # fmt: skip
    assert ledger.money_by_year(project) == {
        2026: ledger.YearMoney(granted=Decimal("200000"), returned=Decimal("0"))
    }
    assert ledger.verify_frames() == []


# --- sanity: periods that have begun, the years a report covers -----------------------------


def test_a_rekvisition_for_a_period_that_has_not_begun_is_refused(people, project, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: date(2026, 3, 1))
    with pytest.raises(DomainError, match="först när perioden har börjat"):
        services.request_payment(
            project,
            services.PaymentData(
                year=2026,
                period_start=date(2026, 7, 1),
                period_end=date(2026, 12, 31),
                amount=Decimal("1000"),
                costs_incurred="Lön",
            ),
            actor=people["owner"],
        )


def test_a_report_for_a_period_that_has_not_begun_cannot_be_sent(
    client, login, people, project, monkeypatch
):
    monkeypatch.setattr(services, "_today", lambda: date(2026, 3, 1))
    report = _report(project, "lagesrapport")
    login(people["owner"])
    response = client.post(
        f"{_base(project)}/rapporter/{report.id}/skriv",
        data={
            **COMPLETE,
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "cost_2026": "0",
            "action": "skicka",
            "lock_version": report.lock_version,
        },
    )
    assert "först när perioden har börjat" in response.text
    db.session.refresh(report)
    assert report.status == "utkast"


def test_a_progress_report_asks_only_for_the_years_it_covers(client, login, people, project):
    first = min(
        (r for r in services.reports_for(project) if r.kind == "lagesrapport"),
        key=lambda r: r.due_date,
    )
    assert first.due_date.year == 2026
    login(people["owner"])
    page = client.get(f"{_base(project)}/rapporter/{first.id}/skriv").text
    assert "Förbrukat 2026" in page
    assert "Förbrukat 2027" not in page
    final = _report(project, "slutrapport")
    page = client.get(f"{_base(project)}/rapporter/{final.id}/skriv").text
    assert "Förbrukat 2026" in page and "Förbrukat 2027" in page


def test_a_number_that_is_not_a_number_is_refused_in_swedish(client, login, people, project):
    report = _report(project, "lagesrapport")
    login(people["owner"])
    response = client.post(
        f"{_base(project)}/rapporter/{report.id}/skriv",
        data={"participants_women": "många", "lock_version": report.lock_version},
    )
    assert response.status_code == 400
    assert "Inte ett giltigt heltal" in response.text
    assert "Not a valid" not in response.text


def test_approving_a_payment_asks_the_kansli_to_prove_it_is_them_again(
    client, login, people, project
):
    """Approving a payment is one of the most sensitive actions (issue 14): after
    FRESH_AUTH_MINUTES the kansli must give password and code again; nothing is approved."""
    from datetime import timedelta

    from finsam_ansokan.accounts import sessions
    from finsam_ansokan.core.timeutil import utcnow

    payment = _pay(project, people["owner"], "100000")
    login(people["kansli"])
    row = db.session.scalars(
        select(sessions.UserSession).where(sessions.UserSession.user_id == people["kansli"].id)
    ).first()
    row.authenticated_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    response = client.post(f"{_base(project)}/rekvisitioner/{payment.id}/godkann")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/bekrafta?next=")
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.INSKICKAD
