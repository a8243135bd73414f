"""Demo data: Samordningsförbundet Värend, from seed 000 (the 2022 budget, applied to the
current year and, as a preliminary budget, to the next). The people are invented."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.accounts.models import Forbund, Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application, ApplicationParty, BudgetLine
from finsam_ansokan.applications.status import Action
from finsam_ansokan.budget.models import BudgetYear, Contribution, Huvudomrade, Ram
from finsam_ansokan.budget.services import split_contributions
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db

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
    record_event("demo_loaded", message="Demodata för Samordningsförbundet Värend")

    _demo_applications(users, members, areas, this_year)
    return True


def _application(owner: User, members: dict, area: Huvudomrade, year: int, **fields) -> Application:
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
    for category, amount in (("personal", "380000"), ("lokaler", "40000"), ("ovrigt", "30000")):
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
    beredning = users[Role.BEREDNING]
    kansli = users[Role.KANSLI]
    start, end = date(year, 3, 1), date(year, 12, 31)

    _application(
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

    in_review = _application(
        applicant,
        members,
        areas[2],
        year,
        title="Arbetsträning med stöd",
        start_date=start,
        end_date=end,
        **COMPLETE_TEXT,
    )
    _submit(in_review, applicant)
    application_services.transition(in_review, Action.START_REVIEW, actor=beredning)

    ready = _application(
        applicant,
        members,
        areas[1],
        year,
        title="Gemensam kompetensdag om psykisk ohälsa",
        start_date=start,
        end_date=end,
        **COMPLETE_TEXT,
    )
    _submit(ready, applicant)
    application_services.transition(ready, Action.START_REVIEW, actor=beredning)
    _propose(ready, kansli)
    decided = _application(
        applicant,
        members,
        areas[0],
        year,
        title="Samverkansteam för unga vuxna",
        start_date=start,
        end_date=end,
        **COMPLETE_TEXT,
    )
    _submit(decided, applicant)
    application_services.transition(decided, Action.START_REVIEW, actor=beredning)
    _propose(decided, kansli)
    _justerat_meeting(users, members, decided)
    _demo_meeting(users, members, ready)
    _year_plan(users)


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
    from finsam_ansokan.review import services as review_services
    from finsam_ansokan.review.models import AssessmentKind, AssessmentStage

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
    from dataclasses import replace
    from datetime import timedelta

    from finsam_ansokan.meetings import services as meetings
    from finsam_ansokan.meetings import settings as meeting_settings
    from finsam_ansokan.review import services as review_services

    kansli, chair = users[Role.KANSLI], users[Role.STYRELSE]
    meeting_settings.save(
        replace(meeting_settings.DEFAULTS, forvaltningsratt="Förvaltningsrätten i Växjö"),
        actor=kansli,
    )
    meeting = _board_meeting(users, members, today() - timedelta(days=10))
    item = meetings.add_case(meeting, decided, actor=kansli)
    meetings.record_decision(
        item,
        kind="bevilja",
        amounts=review_services.requested_by_year(decided),
        villkor="att insatsen registreras i SUS",
        actor=chair,
    )
    signatories = meeting.signatories
    meetings.justera(signatories[0], actor=chair, password=DEMO_PASSWORD)
    meetings.justera(signatories[1], actor=kansli, password=DEMO_PASSWORD)
    meetings.record_paper_justering(signatories[2], actor=kansli)


def _demo_meeting(users: dict, members: dict, ready: Application) -> None:
    """An upcoming board meeting with the prepared case on the agenda (invented people)."""
    from datetime import timedelta

    from finsam_ansokan.meetings import services as meetings

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
    from datetime import time

    from finsam_ansokan.meetings import services as meetings

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


def _submit(application: Application, actor: User) -> None:
    """Submit through the one submission service, as the applicant would."""
    db.session.flush()
    application_services.submit(application, actor=actor)
