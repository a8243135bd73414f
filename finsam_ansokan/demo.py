"""Demo data: Samordningsförbundet Värend, from seed 000 (the 2022 budget, applied to the
current year and, as a preliminary budget, to the next). The people are invented.

A year of life, all through the services (so every event, e-mail and figure is what the
real flow makes): drafts, one shared and commented; cases submitted, in beredning, asked
for komplettering (one answered, one waiting) and ready for decision; a board meeting early
in the year that granted three projects, now in every follow-up state (a report waiting for
the kansli, one sent back, a project closed) with rekvisitioner asked, approved and paid,
each after its överenskommelse was accepted by Växjö kommun's firmatecknare and the
förbundschef; a meeting ten days ago, justerat, whose project's överenskommelse awaits both
acceptances; and one coming up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.accounts import services as account_services
from finsam_ansokan.accounts.models import Forbund, Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application, ApplicationParty, BudgetLine
from finsam_ansokan.applications.sections import SECTIONS_BY_SLUG
from finsam_ansokan.applications.status import Action
from finsam_ansokan.budget.models import BudgetYear, Contribution, Huvudomrade, Ram
from finsam_ansokan.budget.services import split_contributions
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements
from finsam_ansokan.followup import services as followup
from finsam_ansokan.followup.status import ReportKind
from finsam_ansokan.meetings import delegation
from finsam_ansokan.meetings import services as meetings
from finsam_ansokan.meetings import settings as meeting_settings
from finsam_ansokan.review import services as review_services
from finsam_ansokan.review.models import AssessmentKind, AssessmentStage

DEMO_PASSWORD = "demo-finsam-ansokan"  # noqa: S105 - printed by `make run`, demo only
#: The demo kansli and admin sign in with a second factor like real ones; their
#: authenticator secret is public (printed by `make run`; `flask demo-code` shows the code).
DEMO_TOTP_SECRET = "FINSAMDEMOFINSAMDEMOFINSAMDEMO22"  # noqa: S105 - demo only

#: The last time step whose code each demo user has used in this process (a code works once).
_USED_STEPS: dict[str, int] = {}


def demo_code(email: str = "", secret: str = DEMO_TOTP_SECRET) -> str:
    """A code the server has not seen yet from this process for ``email``: the current
    step's, or the next one's (accepted within one step), or wait for a new step. For
    `flask demo-code`, the browser tests and the benchmarks."""
    import time

    import pyotp

    while True:
        now = int(time.time() // 30)
        step = max(now, _USED_STEPS.get(email, -1) + 1)
        if step <= now + 1:
            _USED_STEPS[email] = step
            return pyotp.TOTP(secret).at(step * 30)
        time.sleep(1)


MEMBERS = [
    ("Försäkringskassan", "stat", None),
    ("Arbetsförmedlingen", "stat", None),
    ("Region Kronoberg", "region", None),
    ("Alvesta kommun", "kommun", 20_134),
    ("Lessebo kommun", "kommun", 8_850),
    ("Tingsryd kommun", "kommun", 12_412),
    ("Uppvidinge kommun", "kommun", 9_578),
    ("Växjö kommun", "kommun", 95_352),
]

HUVUDOMRADEN = [
    ("Processutveckling", "Utveckling av samverkansprocesser mellan parterna.", "712729"),
    ("Kompetensutveckling", "Gemensam kompetensutveckling för parternas personal.", "530064"),
    (
        "Pilotprojekt",
        "Tidsbegränsade pilotprojekt för individer i behov av samordnade rehabiliteringsinsatser.",
        "1405560",
    ),
    ("Verktyg", "Gemensamma verktyg och metoder för samverkan.", "504708"),
]
CONTRIBUTIONS_TOTAL = Decimal("4262000")
EQUITY = Decimal("2030000")
ADMINISTRATION = Decimal("1438939")

#: (e-mail, name, roles, organisation)
USERS = [
    ("sokande@varend.example", "Sara Lindqvist", [Role.SOKANDE], "Växjö kommun"),
    ("beredning@varend.example", "Bertil Holm", [Role.BEREDNING], "Region Kronoberg"),
    ("kansli@varend.example", "Karin Ek", [Role.KANSLI], None),
    ("styrelse@varend.example", "Stefan Berg", [Role.STYRELSE], "Försäkringskassan"),
    ("revisor@varend.example", "Rut Sjöberg", [Role.REVISOR], None),
    ("admin@varend.example", "Anders Dahl", [Role.ADMIN], None),
]


def load_demo() -> bool:
    """Load the demo förbund. Returns False (and changes nothing) if one exists."""
    if db.session.scalar(select(Forbund.id).limit(1)) is not None:
        return False
    db.session.add(
        Forbund(
            name="Samordningsförbundet Värend",
            organisation_number="222000-2634",
            address="Box 1234, 351 12 Växjö",
            email="kansli@varend.example",
        )
    )
    members = {}
    for name, kind, population in MEMBERS:
        members[name] = Organisation(name=name, kind=kind, population=population)
        db.session.add(members[name])
    areas = []
    for order, (name, description, _) in enumerate(HUVUDOMRADEN):
        areas.append(Huvudomrade(name=name, description=description, sort_order=order))
        db.session.add(areas[-1])
    db.session.flush()

    this_year = today().year
    for year, preliminary in ((this_year, False), (this_year + 1, True)):
        budget_year = BudgetYear(
            year=year,
            preliminary=preliminary,
            equity_carried_over=EQUITY,
            administration_costs=ADMINISTRATION,
        )
        db.session.add(budget_year)
        db.session.flush()
        for area, (_, _, amount) in zip(areas, HUVUDOMRADEN, strict=True):
            db.session.add(Ram(budget_year=budget_year, huvudomrade=area, amount=Decimal(amount)))
        for org_id, amount in split_contributions(
            CONTRIBUTIONS_TOTAL, list(members.values())
        ).items():
            db.session.add(
                Contribution(budget_year=budget_year, organisation_id=org_id, amount=amount)
            )

    users = {}
    for email, name, roles, org in USERS:
        user = User(email=email, name=name, organisation=members.get(org) if org else None)
        user.set_roles(roles)
        user.set_password(DEMO_PASSWORD)
        if set(roles) & {Role.KANSLI, Role.ADMIN}:
            user.totp_secret = DEMO_TOTP_SECRET
        db.session.add(user)
        users[roles[0]] = user
    db.session.flush()
    # who accepts the överenskommelser: Växjö kommun's firmatecknare and the förbundschef
    account_services.set_signatory(members["Växjö kommun"], users[Role.SOKANDE], actor=None)
    account_services.set_forbundschef(users[Role.KANSLI], actor=None)
    record_event("demo_loaded", message="Demodata för Samordningsförbundet Värend")

    _demo_applications(users, members, areas, this_year)
    return True


DEFAULT_LINES = (("personal", "380000"), ("lokaler", "40000"), ("ovrigt", "30000"))


def _application(
    owner: User, members: dict, area: Huvudomrade, year: int, lines=DEFAULT_LINES, **fields
) -> Application:
    application = Application(
        organisation=owner.organisation,
        created_by=owner,
        huvudomrade=area,
        first_year=year,
        last_year=year,
        **fields,
    )
    db.session.add(application)
    for party in ("Växjö kommun", "Försäkringskassan", "Arbetsförmedlingen"):
        application.parties.append(ApplicationParty(organisation=members[party]))
    for category, amount in lines:
        application.budget_lines.append(
            BudgetLine(year=year, category=category, amount=Decimal(amount))
        )
    db.session.flush()
    record_event("application_created", actor=owner, application=application)
    return application


COMPLETE_TEXT = dict(
    contact_name="Sara Lindqvist",
    contact_email="sokande@varend.example",
    contact_phone="0470-12 34 56",
    project_leader="Johan Nyberg",
    kind="individinriktad",
    malgrupp="Unga vuxna 18–29 år som varken arbetar eller studerar och som har behov av "
    "samordnade insatser från flera myndigheter.",
    need="Många unga vuxna i Växjö står långt från arbetsmarknaden och har kontakt med flera "
    "myndigheter samtidigt utan att insatserna hänger ihop.",
    not_ordinary_work="Insatsen bygger en gemensam arbetsform mellan parterna som ingen av "
    "dem har i uppdrag att driva ensam.",
    purpose="Att fler unga vuxna når arbete eller studier genom samordnat stöd.",
    goals="Kortsiktigt: 40 deltagare skrivs in under året. Långsiktigt: 40 % av deltagarna går "
    "till arbete eller studier inom sex månader efter avslut.",
    activities="Gemensamt team med handläggare från kommunen, Försäkringskassan och "
    "Arbetsförmedlingen; individuella planer; arbetsträning.",
    time_plan="Jan–feb: rekrytering. Mars–dec: inskrivning och insatser. Löpande uppföljning.",
    steering="Styrgrupp med en chef från varje medverkande part.",
    followup_plan="Deltagarna registreras i SUS. Målen följs upp kvartalsvis och i slutrapport.",
    followup_indicators="Antal deltagare, andel till arbete eller studier, upplevd hälsa.",
    registers_in_sus=True,
    gender_composition="Målgruppen består enligt kommunens statistik av ungefär lika många "
    "kvinnor som män; kvinnor är överrepresenterade bland dem med psykisk ohälsa.",
    gender_work="Insatsen följer förbundets handlingsplan för jämställdhetsintegrering: "
    "könsuppdelad statistik, genomgång av bemötande och lika tillgång till arbetsträning.",
    gender_split_reporting=True,
    expected_women=20,
    expected_men=20,
    continuation="Vid goda resultat tar Växjö kommun och Arbetsförmedlingen över arbetsformen "
    "inom ordinarie verksamhet från år två.",
)


def _demo_applications(users: dict, members: dict, areas: list, year: int) -> None:
    applicant = users[Role.SOKANDE]
    kansli = users[Role.KANSLI]
    start, end = date(year, 3, 1), date(year, 12, 31)

    draft = _application(
        applicant,
        members,
        areas[2],
        year,
        title="Unga vuxna i samverkan (utkast)",
        need="Påbörjat utkast.",
    )

    submitted = _application(
        applicant,
        members,
        areas[0],
        year,
        title="Förstärkt KAA",
        start_date=start,
        end_date=end,
        **COMPLETE_TEXT,
    )
    _submit(submitted, applicant)

    in_review = _in_review(users, members, areas[2], year, "Arbetsträning med stöd")
    ready = _in_review(users, members, areas[1], year, "Gemensam kompetensdag om psykisk ohälsa")
    _propose(ready, kansli)
    decided = _in_review(users, members, areas[0], year, "Samverkansteam för unga vuxna")
    _propose(decided, kansli)
    _settings(kansli)
    _spring(users, members, areas, year)  # justerat first: minutes go in date order
    _justerat_meeting(users, members, decided)
    followup.create_schedule(decided, actor=kansli)
    _demo_meeting(users, members, ready)
    _delegation(users, members, areas, year)
    _conversation(users, draft, in_review)
    _komplettering(users, members, areas, year)
    _year_plan(users)


def _delegation(users: dict, members: dict, areas: list, year: int) -> None:
    """The board's delegationsordning (the förbundschef decides up to 50 000 kr a case in
    Kompetensutveckling and Verktyg); one small case decided by delegation, reported at the
    upcoming meeting, and one of 25 000 kr ready for the förbundschef to decide."""
    kansli = users[Role.KANSLI]
    delegation.adopt_order(
        adopted_by=f"Styrelsen {year}-01-20, § 6",
        adopted_on=date(year, 1, 20),
        valid_from=date(year, 1, 20),
        delegate=kansli,
        limits=[
            delegation.LimitData(areas[1].id, Decimal("50000"), Decimal("150000")),
            delegation.LimitData(areas[3].id, Decimal("50000"), Decimal("100000")),
        ],
        actor=kansli,
    )
    small = (("ovrigt", "30000"),)
    decided = _in_review(
        users, members, areas[1], year, "Utbildningsdag i motiverande samtal", lines=small
    )
    _propose(decided, kansli)
    delegation.decide(
        decided,
        kind="bevilja",
        amounts=review_services.requested_by_year(decided),
        actor=kansli,
    )
    ready = _in_review(
        users,
        members,
        areas[1],
        year,
        "Kurs i samtalsmetodik för handläggare",
        lines=(("ovrigt", "25000"),),
    )
    _propose(ready, kansli)


def _year_plan(users: dict) -> None:
    """The year ahead (årsplanering): the beredningsgrupp meets a week before each board
    meeting's deadline passes, so an applicant sees which meeting a draft can reach."""
    from datetime import timedelta

    from finsam_ansokan.meetings import services as meetings
    from finsam_ansokan.meetings.models import MeetingKind

    kansli = users[Role.KANSLI]
    for days, kind in (
        (7, MeetingKind.BEREDNINGSGRUPP),
        (49, MeetingKind.BEREDNINGSGRUPP),
        (70, MeetingKind.STYRELSEMOTE),
    ):
        meetings.create_meeting(
            meetings.MeetingData(
                date=today() + timedelta(days=days), place="Förbundets kansli", kind=kind.value
            ),
            actor=kansli,
        )


def _propose(application: Application, kansli: User) -> None:
    """The kansli's förslag till beslut marks the case Klar för beslut."""
    review_services.assess(
        application,
        actor=kansli,
        stage=AssessmentStage.PROPOSAL,
        kind=AssessmentKind.BEVILJA,
        motivation="Insatsen stärker parternas gemensamma arbete och ryms inom ramen.",
        amounts=review_services.requested_by_year(application),
    )


def _justerat_meeting(users: dict, members: dict, decided: Application) -> None:
    """A meeting ten days ago: the case granted, the minutes justerade by the chair and the
    secretary in the system and by a justerare on paper; its anslag is on the anslagstavla."""
    _granted_at(users, members, today() - timedelta(days=10), [decided])


def _granted_at(users: dict, members: dict, day: date, cases: list[Application]) -> None:
    """A board meeting on ``day`` that granted ``cases`` what they asked for, justerat."""
    kansli, chair = users[Role.KANSLI], users[Role.STYRELSE]
    meeting = _board_meeting(users, members, day)
    for case in cases:
        item = meetings.add_case(meeting, case, actor=kansli)
        meetings.record_decision(
            item,
            kind="bevilja",
            amounts=review_services.requested_by_year(case),
            villkor="att insatsen registreras i SUS",
            actor=chair,
        )
    _justera(meeting, users)


def _demo_meeting(users: dict, members: dict, ready: Application) -> None:
    """An upcoming board meeting with the prepared case on the agenda (invented people)."""
    kansli = users[Role.KANSLI]
    meeting = _board_meeting(users, members, today() + timedelta(days=14))
    meetings.add_case(meeting, ready, actor=kansli)
    meetings.add_other_item(
        meeting,
        title="Förbundschefen informerar",
        notes="Läget i pågående insatser och uppföljningen i SUS.",
        actor=kansli,
    )


def _board_meeting(users: dict, members: dict, day):
    """A board meeting with the board present and its ordförande, sekreterare (the
    förbundschef) and justerare (without an account) named."""
    kansli = users[Role.KANSLI]
    meeting = meetings.create_meeting(
        meetings.MeetingData(
            date=day,
            place="Förbundets kansli, Växjö",
            start_time=time(9, 0),
            end_time=time(11, 0),
        ),
        actor=kansli,
    )
    board = [
        (users[Role.STYRELSE], None, None, "ledamot", "ordförande"),
        (None, "Maria Nyström", "Region Kronoberg", "ledamot", "vice ordförande"),
        (None, "Per Alm", "Växjö kommun", "ledamot", None),
        (None, "Eva Lund", "Alvesta kommun", "tjanstgorande_ersattare", "ersätter Ola Berg"),
        (None, "Anna Berg", "Försäkringskassan", "ledamot", None),
        (None, "Jonas Ek", "Tingsryd kommun", "ledamot", None),
        (kansli, None, None, "ovrig", "förbundschef, sekreterare"),
    ]
    present = []
    for user, name, organisation, role, note in board:
        present.append(
            meetings.add_attendance(
                meeting,
                user=user,
                name=name,
                organisation=members.get(organisation) if organisation else None,
                role=role,
                note=note,
                actor=kansli,
            )
        )
    for role, attendance, name in (
        ("ordforande", present[0], None),
        ("sekreterare", present[-1], None),
        ("justerare", None, "Maria Nyström"),
    ):
        meetings.add_signatory(meeting, role=role, attendance=attendance, name=name, actor=kansli)
    return meeting


def _in_review(
    users: dict,
    members: dict,
    area: Huvudomrade,
    year: int,
    title: str,
    start: date | None = None,
    end: date | None = None,
    lines=DEFAULT_LINES,
) -> Application:
    """A complete application, submitted and taken up for beredning."""
    applicant = users[Role.SOKANDE]
    application = _application(
        applicant,
        members,
        area,
        year,
        lines=lines,
        title=title,
        start_date=start or date(year, 3, 1),
        end_date=end or date(year, 12, 31),
        **COMPLETE_TEXT,
    )
    _submit(application, applicant)
    application_services.transition(application, Action.START_REVIEW, actor=users[Role.BEREDNING])
    return application


def _submit(application: Application, actor: User) -> None:
    """Submit through the one submission service, as the applicant would."""
    db.session.flush()
    application_services.submit(application, actor=actor)


# --- a year of history: a spring meeting, its projects in every follow-up state ----------------

#: (title, huvudområde index, what happens in the follow-up)
SPRING_PROJECTS = [
    ("Jobbspåret", 2, "report_waiting"),
    ("Hälsa och arbete", 2, "report_returned"),
    ("Studiecirkel för handläggare", 1, "closed"),
]


def _settings(kansli: User) -> None:
    meeting_settings.save(
        replace(meeting_settings.DEFAULTS, forvaltningsratt="Förvaltningsrätten i Växjö"),
        actor=kansli,
    )


def _spring(users: dict, members: dict, areas: list, year: int) -> None:
    """A board meeting early in the year (or three weeks ago, early in January) that granted
    three projects, justerat; then their reports and rekvisitioner through the year."""
    kansli = users[Role.KANSLI]
    now = today()
    meeting_day = min(date(year, 2, 10), now - timedelta(days=20))
    # the projects run from March (or from whatever has begun, early in the year)
    start = max(date(year, 1, 1), min(date(year, 3, 1), meeting_day + timedelta(days=1)))
    projects = []
    for title, area, plan in SPRING_PROJECTS:
        end = date(year, 12, 31)
        if plan == "closed":  # a shorter project, over by now where the year allows
            end = max(start + timedelta(days=30), min(date(year, 10, 31), now))
        project = _in_review(users, members, areas[area], year, title, start, end)
        _propose(project, kansli)
        projects.append((project, plan))
    _granted_at(users, members, meeting_day, [project for project, _ in projects])
    for project, plan in projects:
        for agreement in agreements.agreements_for(project):  # both accept before any money
            agreements.accept_for_applicant(agreement, actor=users[Role.SOKANDE])
            agreements.accept_for_forbund(agreement, actor=kansli)
        followup.create_schedule(project, actor=kansli)
        _follow_up(project, plan, users, year)


def _justera(meeting, users: dict) -> None:
    """The chair and the secretary justera in the system, the justerare on paper."""
    chair, kansli = users[Role.STYRELSE], users[Role.KANSLI]
    signatories = meeting.signatories
    meetings.justera(signatories[0], actor=chair, password=DEMO_PASSWORD)
    meetings.justera(signatories[1], actor=kansli, password=DEMO_PASSWORD)
    meetings.record_paper_justering(signatories[2], actor=kansli)


def _report_text(report, used: Decimal, women: int, men: int) -> followup.ReportData:
    return followup.ReportData(
        lock_version=report.lock_version,
        period_start=report.period_start,
        period_end=report.period_end,
        participants_women=women,
        participants_men=men,
        goal_fulfilment="18 deltagare har skrivits in; sju har gått vidare till arbete eller "
        "studier och fyra till arbetsträning.",
        gender_work="Statistiken är könsuppdelad. Kvinnorna erbjuds arbetsträning lika ofta "
        "som männen sedan teamet gick igenom sina rutiner i våras.",
        implementation_status="Kommunen och Arbetsförmedlingen planerar att ta över "
        "arbetsformen i ordinarie verksamhet.",
        costs={y: used for y in followup.report_years(report)},
    )


def _pay(project, start: date, amount: Decimal, users: dict, *, paid: bool, approved: bool):
    applicant, kansli = users[Role.SOKANDE], users[Role.KANSLI]
    payment = followup.request_payment(
        project,
        followup.PaymentData(
            year=start.year,
            period_start=start,
            period_end=start + timedelta(days=89),
            amount=amount,
            costs_incurred="Lön för teamets handläggare och lokalhyra.",
        ),
        actor=applicant,
    )
    if approved or paid:
        followup.approve_payment(payment, actor=kansli)
    if paid:
        followup.record_payment(payment, min(today(), start + timedelta(days=100)), actor=kansli)
    return payment


def _follow_up(project: Application, plan: str, users: dict, year: int) -> None:
    """Reports and rekvisitioner: waiting for the kansli, sent back, or all done and closed."""
    applicant, kansli = users[Role.SOKANDE], users[Role.KANSLI]
    reports = followup.reports_for(project)
    progress = [r for r in reports if r.kind == ReportKind.LAGESRAPPORT]
    final = next(r for r in reports if r.kind == ReportKind.SLUTRAPPORT)
    start = project.start_date
    if plan == "report_waiting":
        _pay(project, start, Decimal("120000"), users, paid=True, approved=True)
        _pay(
            project,
            start + timedelta(days=90),
            Decimal("100000"),
            users,
            paid=False,
            approved=False,
        )
        for report in progress[:1]:
            followup.save_report(
                report, _report_text(report, Decimal("150000"), 11, 7), actor=applicant
            )
            followup.submit_report(report, actor=applicant)
    elif plan == "report_returned":
        _pay(project, start, Decimal("90000"), users, paid=False, approved=True)
        for report in progress[:1]:
            followup.save_report(
                report, _report_text(report, Decimal("80000"), 6, 9), actor=applicant
            )
            followup.submit_report(report, actor=applicant)
            followup.request_more(
                report,
                "Beskriv hur många av deltagarna som har fått arbetsträning och hur länge.",
                actor=kansli,
            )
    else:  # closed: every report approved, the slutrapport closes the project
        _pay(project, start, Decimal("200000"), users, paid=True, approved=True)
        for report in [*progress, final]:
            used = Decimal("380000") if report is final else Decimal("210000")
            followup.save_report(report, _report_text(report, used, 9, 8), actor=applicant)
            followup.submit_report(report, actor=applicant)
            followup.approve_report(report, actor=kansli)


# --- beredning: a conversation on a shared draft and a case, a komplettering round -----------


def _conversation(users: dict, draft: Application, in_review: Application) -> None:
    """Comments on a shared draft and on a case in beredning: the beredning user has read
    all but the kansli's latest note on the case."""
    applicant, beredning, kansli = users[Role.SOKANDE], users[Role.BEREDNING], users[Role.KANSLI]
    review_services.set_shared(draft, True, actor=applicant)
    review_services.add_comment(
        draft,
        actor=beredning,
        body="Bra idé! Beskriv gärna målgruppen tydligare: hur många unga vuxna gäller det?",
        section="behov",
    )
    question = review_services.add_comment(
        in_review,
        actor=kansli,
        body="Hur fördelas lönekostnaderna mellan kommunen och Arbetsförmedlingen?",
        section="budget",
    )
    review_services.add_comment(
        in_review,
        actor=applicant,
        body="Kommunen står för 60 procent och Arbetsförmedlingen för 40 procent.",
        parent=question,
    )
    review_services.add_comment(
        in_review,
        actor=beredning,
        body="Stäm av medfinansieringen med Försäkringskassan före beredningsmötet.",
        internal=True,
    )
    review_services.mark_read(in_review, beredning, ["budget", ""])
    review_services.add_comment(
        in_review,
        actor=kansli,
        body="Arbetsträningen behöver beskrivas mer: vilka arbetsplatser är tänkta?",
        section="genomforande",
    )


def _komplettering(users: dict, members: dict, areas: list, year: int) -> None:
    """One case asked for komplettering and answered (back in beredning), and one whose
    request the applicant has still to answer."""
    applicant, beredning = users[Role.SOKANDE], users[Role.BEREDNING]
    answered = _in_review(users, members, areas[0], year, "Stöd till arbetsgivare")
    review_services.request_information(
        answered,
        actor=beredning,
        message="Beskriv hur arbetsgivarna rekryteras och vem i styrgruppen som ansvarar.",
    )
    application_services.save_section(
        answered,
        SECTIONS_BY_SLUG["genomforande"],
        {
            "steering": "Styrgrupp med en chef från varje part. Kommunens "
            "näringslivsenhet rekryterar arbetsgivarna och ansvarar för kontakterna."
        },
        started_from=answered.lock_version,
        actor=applicant,
    )
    _submit(answered, applicant)

    waiting = _in_review(users, members, areas[1], year, "Digital vägledning")
    review_services.request_information(
        waiting,
        actor=beredning,
        message="Bifoga en tidsplan för utbildningen av handläggarna och ange vem som "
        "äger den digitala tjänsten efter projektet.",
    )
