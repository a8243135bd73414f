"""A large, realistic dataset for the benchmark: ``flask --app finsam_ansokan demo --scale N``.

On top of the normal demo förbund it bulk-inserts, with SQLAlchemy Core ``insert()``
executemany (never ORM objects one by one), ``N`` applications over ten budget years in every
status, with budget lines, parties, diarienummer, versions, events, comments, assessments,
≈ N/33 board meetings with agenda, attendance, jäv and decisions, the grants in the
``frame_grants`` ledger, reports and payment requests. Deterministic: one seeded ``random``.

The database's invariants hold for the generated rows too: frames are sized so that
``granted <= amount``, ``granted`` equals the ledger's sum, diarienummer are unique per year
and ``diarie_counters`` continue after them, and a meeting's rows are inserted before its
``signed_at`` is set (the triggers refuse changes to signed minutes). A second run adds
another ``N`` to what is there.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, update

from finsam_ansokan.accounts.models import Organisation, User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import (
    Application,
    ApplicationParty,
    ApplicationVersion,
    BudgetLine,
    DiarieCounter,
)
from finsam_ansokan.applications.sections import SECTIONS
from finsam_ansokan.applications.status import GRANTED, Status
from finsam_ansokan.budget.models import (
    BudgetYear,
    Contribution,
    FrameGrant,
    Huvudomrade,
    Ram,
)
from finsam_ansokan.budget.services import split_contributions
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.timeutil import today, utcnow
from finsam_ansokan.demo import (
    ADMINISTRATION,
    COMPLETE_TEXT,
    CONTRIBUTIONS_TOTAL,
    EQUITY,
    HUVUDOMRADEN,
    load_demo,
)
from finsam_ansokan.demo import (
    USERS as DEMO_USERS,
)
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost
from finsam_ansokan.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionAmount,
    Jav,
    Meeting,
    Paragraph,
    Signatory,
)
from finsam_ansokan.meetings.services import OPENING_PARAGRAPHS
from finsam_ansokan.review.models import Assessment, AssessmentAmount, Comment

YEARS = 10
COMMENTS_PER_APPLICATION = 5
APPLICATIONS_PER_MEETING = 33
#: The meeting whose minutes the benchmark renders has this many decisions.
BIG_MEETING_DECISIONS = 40
BATCH = 5000

S = Status
DECIDED = frozenset({S.BEVILJAD, S.DELVIS_BEVILJAD, S.AVSLAGEN, S.PAGAENDE, S.AVSLUTAD})
PREPARED = DECIDED | {S.KLAR_FOR_BESLUT}

#: Status weights by the budget year's place: past, this year, next year.
WEIGHTS = {
    "past": {
        S.UTKAST: 3,
        S.AVSLAGEN: 15,
        S.ATERKALLAD: 5,
        S.BEVILJAD: 5,
        S.DELVIS_BEVILJAD: 7,
        S.PAGAENDE: 15,
        S.AVSLUTAD: 50,
    },
    "current": {
        S.UTKAST: 8,
        S.INSKICKAD: 8,
        S.UNDER_BEREDNING: 12,
        S.KOMPLETTERING_BEGARD: 5,
        S.KLAR_FOR_BESLUT: 8,
        S.BEVILJAD: 15,
        S.DELVIS_BEVILJAD: 7,
        S.AVSLAGEN: 12,
        S.ATERKALLAD: 5,
        S.PAGAENDE: 20,
    },
    "next": {
        S.UTKAST: 30,
        S.INSKICKAD: 25,
        S.UNDER_BEREDNING: 20,
        S.KOMPLETTERING_BEGARD: 10,
        S.KLAR_FOR_BESLUT: 10,
        S.ATERKALLAD: 5,
    },
}

TITLE_WORDS = (
    ("Unga vuxna", "Arbetsträning", "Samverkansteam", "Stöd till", "Vägen till", "Steget mot"),
    ("i samverkan", "med stöd", "i Värend", "för nyanlända", "vid psykisk ohälsa", "mot arbete"),
)
COMMENT_TEXTS = (
    "Kan ni förtydliga hur målgruppen nås?",
    "Budgeten för personal verkar hög i förhållande till antalet deltagare.",
    "Bra beskrivning av behovet.",
    "Hur följs jämställdhetsarbetet upp?",
    "Vi har kompletterat avsnittet enligt önskemål.",
    "Beredningsgruppen ser positivt på insatsen.",
)


@dataclass
class _App:
    id: int
    year: int
    last_year: int
    status: Status
    organisation_id: int
    huvudomrade_id: int
    owner_id: int
    versions: int
    title: str
    lines: dict[int, Decimal] = field(default_factory=dict)  # requested per year
    meeting_id: int | None = None
    decided_at: datetime | None = None
    proposal_id: int | None = None


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _next_ids(*models: Any) -> dict[Any, int]:
    return {m: (db.session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}


class _Rows:
    """Rows collected per table, inserted in bulk in dependency order."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: Any, **values: Any) -> None:
        self.rows[model.__table__].append(values)

    def flush(self, *models: Any) -> None:
        for model in models:
            table = model.__table__
            rows = self.rows.pop(table, [])
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(table), rows[start : start + BATCH])


def load_scale(n: int, seed: int = 20_03_1210) -> dict[str, int]:
    """Add ``n`` applications (and all that hangs off them) to the demo förbund."""
    rng = random.Random(seed)
    load_demo()
    db.session.flush()
    now = utcnow()
    this_year = today().year
    years = list(range(this_year - YEARS + 2, this_year + 2))  # … this year, next year

    members = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    areas = list(db.session.scalars(select(Huvudomrade).order_by(Huvudomrade.sort_order)))
    users = {
        role: db.session.scalar(select(User.id).where(User.email == email))
        for email, _, (role, *_), _ in DEMO_USERS
    }
    beredning, kansli, styrelse = users[Role.BEREDNING], users[Role.KANSLI], users[Role.STYRELSE]
    demo_applicant = db.session.get(User, users[Role.SOKANDE])
    emails = dict(
        db.session.execute(select(User.email, User.id).where(User.email.like("sokande.%"))).all()
    )
    ids = _next_ids(
        User,
        Application,
        BudgetLine,
        ApplicationVersion,
        Event,
        Comment,
        Assessment,
        AssessmentAmount,
        Meeting,
        AgendaItem,
        Attendance,
        Signatory,
        Paragraph,
        Decision,
        DecisionAmount,
        FrameGrant,
        Report,
        ReportCost,
        PaymentRequest,
        Jav,
        BudgetYear,
        Ram,
        Contribution,
    )
    rows = _Rows()

    def next_id(model: Any) -> int:
        ids[model] += 1
        return ids[model] - 1

    # --- an applicant per member organisation (the demo's sökande writes for Växjö) ----------
    applicants: dict[int, int] = {demo_applicant.organisation_id: demo_applicant.id}
    for member in members:
        if member.id in applicants:
            continue
        slug = member.name.split()[0].lower().translate(str.maketrans("åäö", "aao"))
        email = f"sokande.{slug}@varend.example"
        if email in emails:  # a second run adds to the first
            applicants[member.id] = emails[email]
            continue
        user_id = next_id(User)
        applicants[member.id] = user_id
        rows.add(
            User,
            id=user_id,
            email=email,
            name=f"Sökande {member.name}",
            title=None,
            password_hash=demo_applicant.password_hash,
            organisation_id=member.id,
            active=True,
            created_at=now,
            last_login_at=None,
            session_token=1,
            notes=None,
        )
        rows.add(UserRole, user_id=user_id, role=Role.SOKANDE.value)
    rows.flush(User, UserRole)

    # --- budget years that the demo has not got -------------------------------------------------
    existing_years = {y: i for i, y in db.session.execute(select(BudgetYear.id, BudgetYear.year))}
    for year in years:
        if year in existing_years:
            continue
        year_id = next_id(BudgetYear)
        existing_years[year] = year_id
        rows.add(
            BudgetYear,
            id=year_id,
            year=year,
            preliminary=False,
            equity_carried_over=EQUITY,
            administration_costs=ADMINISTRATION,
            notes=None,
        )
        for organisation_id, amount in split_contributions(CONTRIBUTIONS_TOTAL, members).items():
            rows.add(
                Contribution,
                id=next_id(Contribution),
                budget_year_id=year_id,
                organisation_id=organisation_id,
                amount=amount,
            )
    rows.flush(BudgetYear, Contribution)

    # --- the applications: year, status, owner, budget ---------------------------------------
    apps: list[_App] = []
    for _ in range(n):
        year = rng.choice(years)
        place = "past" if year < this_year else ("current" if year == this_year else "next")
        weights = WEIGHTS[place]
        status = rng.choices(list(weights), list(weights.values()))[0]
        last_year = year + 1 if year + 1 in years and rng.random() < 0.2 else year
        organisation = rng.choice(members)
        app = _App(
            id=next_id(Application),
            year=year,
            last_year=last_year,
            status=status,
            organisation_id=organisation.id,
            huvudomrade_id=rng.choice(areas).id,
            owner_id=applicants[organisation.id],
            versions=0 if status == S.UTKAST else (2 if rng.random() < 0.15 else 1),
            title=f"{rng.choice(TITLE_WORDS[0])} {rng.choice(TITLE_WORDS[1])} ({len(apps) + 1})",
        )
        if status == S.KOMPLETTERING_BEGARD:
            app.versions = 1
        apps.append(app)

    # --- meetings: past ones decide the prepared cases of the next budget year; upcoming ones
    # have the cases that are ready for decision on their agenda --------------------------------
    today_ = today()
    decided_by_meeting_year: dict[int, list[_App]] = defaultdict(list)
    ready: list[_App] = []
    for app in apps:
        if app.status in DECIDED:
            decided_by_meeting_year[app.year - 1].append(app)
        elif app.status == S.KLAR_FOR_BESLUT:
            ready.append(app)
    total_meetings = max(4, n // APPLICATIONS_PER_MEETING)
    upcoming = max(2, total_meetings // 20)
    per_year = max(1, (total_meetings - upcoming) // max(1, len(decided_by_meeting_year)))

    paragraph_next = _next_paragraphs()
    meetings: list[tuple[int, date, list[_App], bool]] = []  # id, date, cases, decided
    for meeting_year in sorted(decided_by_meeting_year):
        cases = decided_by_meeting_year[meeting_year]
        rng.shuffle(cases)
        count = min(per_year, len(cases))
        sizes = _split(len(cases), count)
        days = sorted(rng.sample(range(20, 350), count) if count <= 330 else range(20, 20 + count))
        start = 0
        for size, day in zip(sizes, days, strict=True):
            meetings.append(
                (
                    next_id(Meeting),
                    date(meeting_year, 1, 1) + timedelta(days=day),
                    cases[start : start + size],
                    True,
                )
            )
            start += size
    for i, size in enumerate(_split(len(ready), upcoming)):
        meeting_date = today_ + timedelta(days=21 + 14 * i)
        offset = sum(_split(len(ready), upcoming)[:i])
        meetings.append((next_id(Meeting), meeting_date, ready[offset : offset + size], False))

    # timestamps of each application's steps
    for meeting_id, meeting_date, cases, decided in meetings:
        for app in cases:
            app.meeting_id = meeting_id
            if decided:
                app.decided_at = _at(meeting_date, 11)

    # --- application rows, parties, budget lines ------------------------------------------------
    counters = dict(db.session.execute(select(DiarieCounter.year, DiarieCounter.last_number)).all())
    existing_counters = set(counters)
    timelines: dict[int, list[tuple[datetime, Status]]] = {}
    for app in apps:
        steps = _path(app.status, app.versions)
        timelines[app.id] = _timeline(app, steps, now, this_year, rng)
        timeline = timelines[app.id][1:]
        submitted_at = timeline[0][0] if timeline else None
        diarie_year = diarie_number = None
        if submitted_at is not None:
            diarie_year = submitted_at.year
            counters[diarie_year] = diarie_number = counters.get(diarie_year, 0) + 1
        for year in range(app.year, app.last_year + 1):
            personal = Decimal(rng.randrange(150_000, 600_001, 10_000))
            lokaler = Decimal(rng.randrange(0, 80_001, 5_000))
            ovrigt = Decimal(rng.randrange(10_000, 60_001, 5_000))
            co = Decimal(rng.randrange(20_000, 100_001, 10_000)) if rng.random() < 0.3 else None
            for category, amount in (
                ("personal", personal),
                ("lokaler", lokaler),
                ("ovrigt", ovrigt),
                ("medfinansiering", co),
            ):
                if amount is not None:
                    rows.add(
                        BudgetLine,
                        id=next_id(BudgetLine),
                        application_id=app.id,
                        year=year,
                        category=category,
                        amount=amount,
                        note=None,
                    )
            app.lines[year] = personal + lokaler + ovrigt - (co or 0)
        fields = dict(COMPLETE_TEXT) if app.status != S.UTKAST or rng.random() < 0.5 else {}
        row = {column.key: None for column in Application.__table__.columns}
        row.update(
            {key: fields.get(key) for key in COMPLETE_TEXT},
            id=app.id,
            organisation_id=app.organisation_id,
            created_by_id=app.owner_id,
            huvudomrade_id=app.huvudomrade_id,
            status=app.status.value,
            diarie_year=diarie_year,
            diarie_number=diarie_number,
            shared_for_comments=app.status == S.UTKAST and rng.random() < 0.2,
            created_at=timelines[app.id][0][0],
            updated_at=timelines[app.id][-1][0],
            submitted_at=submitted_at,
            lock_version=1 + len(steps),
            first_year=app.year,
            last_year=app.last_year,
            title=app.title,
            start_date=date(app.year, 1, 1) if fields else None,
            end_date=date(app.last_year, 12, 31) if fields else None,
        )
        rows.add(Application, **row)
        for org_id in sorted({app.organisation_id, *(m.id for m in rng.sample(members, 2))}):
            rows.add(ApplicationParty, application_id=app.id, organisation_id=org_id)
    rows.flush(Application, ApplicationParty, BudgetLine)

    # --- versions and events ------------------------------------------------------------------
    area_names = {a.id: a.name for a in areas}
    member_names = {m.id: m.name for m in members}
    for app in apps:
        timeline = timelines[app.id]
        rows.add(
            Event,
            id=next_id(Event),
            created_at=timeline[0][0],
            actor_id=app.owner_id,
            application_id=app.id,
            subject=None,
            kind="application_created",
            from_status=None,
            to_status=None,
            message=None,
            data=None,
        )
        version = 0
        for (when, status), (_, previous) in zip(timeline[1:], timeline, strict=False):
            actor = (
                app.owner_id
                if status in (S.INSKICKAD, S.ATERKALLAD) or previous == S.KOMPLETTERING_BEGARD
                else beredning
                if status in (S.UNDER_BEREDNING, S.KOMPLETTERING_BEGARD)
                else kansli
            )
            rows.add(
                Event,
                id=next_id(Event),
                created_at=when,
                actor_id=actor,
                application_id=app.id,
                subject=None,
                kind="status_changed",
                from_status=previous.value,
                to_status=status.value,
                message=None,
                data=None,
            )
            if status == S.INSKICKAD or previous == S.KOMPLETTERING_BEGARD:
                version += 1
                rows.add(
                    ApplicationVersion,
                    id=next_id(ApplicationVersion),
                    application_id=app.id,
                    number=version,
                    submitted_at=when,
                    submitted_by_id=app.owner_id,
                    content=_content(app, member_names, area_names),
                )
                rows.add(
                    Event,
                    id=next_id(Event),
                    created_at=when,
                    actor_id=app.owner_id,
                    application_id=app.id,
                    subject=None,
                    kind="version_recorded",
                    from_status=None,
                    to_status=None,
                    message=None,
                    data={"number": version},
                )
    rows.flush(ApplicationVersion)

    # --- comments: five per application on average, on registered or shared ones --------------
    commentable = [a for a in apps if a.status != S.UTKAST]
    slugs = [s.slug for s in SECTIONS]
    total_comments = COMMENTS_PER_APPLICATION * n
    for i in range(total_comments):
        app = commentable[i % len(commentable)] if commentable else None
        if app is None:
            break
        start, end = timelines[app.id][1][0], timelines[app.id][-1][0]
        internal = rng.random() < 0.3
        author = rng.choice((beredning, kansli)) if internal or rng.random() < 0.7 else app.owner_id
        comment_id = next_id(Comment)
        created = start + (end - start) * rng.random() if end > start else start
        rows.add(
            Comment,
            id=comment_id,
            application_id=app.id,
            author_id=author,
            parent_id=None,
            section=rng.choice(slugs) if rng.random() < 0.6 else None,
            internal=internal,
            body=rng.choice(COMMENT_TEXTS),
            version_number=1,
            created_at=created,
            resolved_at=None,
            resolved_by_id=None,
        )
        rows.add(
            Event,
            id=next_id(Event),
            created_at=created,
            actor_id=author,
            application_id=app.id,
            subject=None,
            kind="internal_note_added" if internal else "comment_added",
            from_status=None,
            to_status=None,
            message=None,
            data={"comment_id": comment_id, "internal": internal},
        )
    rows.flush(Comment)

    # --- assessments: a recommendation and a förslag for every prepared case ----------------
    for app in apps:
        if app.status not in PREPARED:
            continue
        ready_at = next(t for t, s in timelines[app.id] if s == S.KLAR_FOR_BESLUT)
        rejects = app.status == S.AVSLAGEN
        part = app.status == S.DELVIS_BEVILJAD
        kind = "avsla" if rejects else ("delvis_bevilja" if part else "bevilja")
        for stage, author, when in (
            ("rekommendation", beredning, ready_at - timedelta(days=3)),
            ("forslag", kansli, ready_at),
        ):
            assessment_id = next_id(Assessment)
            rows.add(
                Assessment,
                id=assessment_id,
                application_id=app.id,
                author_id=author,
                stage=stage,
                kind=kind,
                motivation="Insatsen ligger väl i linje med förbundets inriktning."
                if not rejects
                else "Insatsen bedöms vara ordinarie verksamhet för en av parterna.",
                created_at=when,
            )
            if not rejects:
                for year, amount in _granted(app).items():
                    rows.add(
                        AssessmentAmount,
                        id=next_id(AssessmentAmount),
                        assessment_id=assessment_id,
                        year=year,
                        amount=amount,
                    )
            app.proposal_id = assessment_id
    rows.flush(Assessment, AssessmentAmount)

    # --- meetings, agenda, attendance, jäv, decisions; the grants ---------------------------
    vaxjo = next((m.id for m in members if m.name == "Växjö kommun"), None)
    needed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    signed: list[dict[str, Any]] = []
    for meeting_id, meeting_date, cases, decided in sorted(meetings, key=lambda m: m[1]):
        first = paragraph_next.get(meeting_date.year, 1)
        rows.add(
            Meeting,
            id=meeting_id,
            kind="styrelsemote",
            date=meeting_date,
            start_time=time(9, 0),
            end_time=time(12, 0),
            place="Förbundets kansli, Växjö",
            first_paragraph=None,
            created_at=_at(meeting_date - timedelta(days=30)) if decided else now,
            created_by_id=kansli,
            signed_at=None,
            signed_by_id=None,
        )
        attendance = {}
        for user_id, name, organisation, role, note in (
            (styrelse, None, None, "ledamot", "ordförande"),
            (None, "Maria Nyström", None, "ledamot", "vice ordförande"),
            (None, "Per Alm", vaxjo, "ledamot", None),
            (None, "Eva Lund", None, "tjanstgorande_ersattare", "ersätter Ola Berg"),
            (kansli, None, None, "ovrig", "förbundschef, sekreterare"),
        ):
            attendance[name or user_id] = attendance_id = next_id(Attendance)
            rows.add(
                Attendance,
                id=attendance_id,
                meeting_id=meeting_id,
                user_id=user_id,
                name=name,
                organisation_id=organisation,
                role=role,
                note=note,
                present=True,
            )
        for order, (role, name) in enumerate(
            (
                ("ordforande", "Stefan Berg"),
                ("sekreterare", "Karin Ek"),
                ("justerare", "Maria Nyström"),
            ),
            start=1,
        ):
            rows.add(
                Signatory,
                id=next_id(Signatory),
                meeting_id=meeting_id,
                role=role,
                role_order=order,
                attendance_id=None,
                name=name,
                signed_at=_at(meeting_date + timedelta(days=7)) if decided else None,
                signed_by_id=kansli if decided else None,
            )

        def paragraph_row(
            number: int,
            item_id: int | None,
            heading: str,
            meeting_id: int = meeting_id,
            year: int = meeting_date.year,
        ) -> None:
            rows.add(
                Paragraph,
                id=next_id(Paragraph),
                year=year,
                number=number,
                meeting_id=meeting_id,
                agenda_item_id=item_id,
                heading=heading,
            )

        if decided:
            for offset, (heading, _text) in enumerate(OPENING_PARAGRAPHS):
                paragraph_row(first + offset, None, heading)
        paragraph = first + len(OPENING_PARAGRAPHS)
        for position, app in enumerate(cases, start=1):
            item_id = next_id(AgendaItem)
            rows.add(
                AgendaItem,
                id=item_id,
                meeting_id=meeting_id,
                position=position,
                application_id=app.id,
                title=None,
                notes=None,
                paragraph=paragraph if decided else None,
            )
            if app.organisation_id == vaxjo:
                rows.add(
                    Jav,
                    id=next_id(Jav),
                    agenda_item_id=item_id,
                    attendance_id=attendance["Per Alm"],
                    reason="Företräder den sökande organisationen (Växjö kommun).",
                    automatic=True,
                )
            if decided:
                paragraph_row(paragraph, item_id, "Ansökan om medel")
                paragraph += 1
                _decide(app, item_id, kansli, rows, next_id, needed)
        other_id = next_id(AgendaItem)
        if decided:
            paragraph_row(paragraph, other_id, "Förbundschefen informerar")
        rows.add(
            AgendaItem,
            id=other_id,
            meeting_id=meeting_id,
            position=len(cases) + 1,
            application_id=None,
            title="Förbundschefen informerar",
            notes="Läget i pågående insatser och uppföljningen i SUS.",
            paragraph=paragraph if decided else None,
        )
        paragraph_next[meeting_date.year] = paragraph + 1
        if decided:
            posted = meeting_date + timedelta(days=7)
            signed.append(
                {
                    "b_id": meeting_id,
                    "b_signed": _at(posted),
                    "b_first": first,
                    "b_up": posted,
                    "b_down": posted + timedelta(days=21),
                }
            )
    rows.flush(Meeting, Attendance, AgendaItem, Jav, Decision, DecisionAmount, Signatory, Paragraph)
    if signed:
        meetings_table = Meeting.__table__
        db.session.execute(
            update(meetings_table)
            .where(meetings_table.c.id == bindparam("b_id"))
            .values(
                signed_at=bindparam("b_signed"),
                signed_by_id=kansli,
                first_paragraph=bindparam("b_first"),
                anslag_up_on=bindparam("b_up"),
                anslag_down_on=bindparam("b_down"),
            ),
            signed,
        )

    # --- frames large enough for the grants; the ledger ------------------------------------------
    frames = {
        (year, area): (ram_id, amount, granted)
        for ram_id, year, area, amount, granted in db.session.execute(
            select(Ram.id, BudgetYear.year, Ram.huvudomrade_id, Ram.amount, Ram.granted).join(
                BudgetYear
            )
        )
    }
    base = {a.id: Decimal(amount) for a, (_, _, amount) in zip(areas, HUVUDOMRADEN, strict=False)}
    frame_updates = []
    for year in years:
        for area in areas:
            grant = needed.get((year, area.id), Decimal(0))
            if (year, area.id) in frames:
                ram_id, amount, granted = frames[(year, area.id)]
                new_amount = max(amount, _round_up(granted + grant))
                frame_updates.append(
                    {"b_id": ram_id, "b_amount": new_amount, "b_granted": granted + grant}
                )
            else:
                ram_id = next_id(Ram)
                rows.add(
                    Ram,
                    id=ram_id,
                    budget_year_id=existing_years[year],
                    huvudomrade_id=area.id,
                    amount=max(base.get(area.id, Decimal(0)), _round_up(grant)),
                    granted=grant,
                )
            frames[(year, area.id)] = (ram_id, None, None)
    rows.flush(Ram)
    if frame_updates:
        ramar = Ram.__table__
        db.session.execute(
            update(ramar)
            .where(ramar.c.id == bindparam("b_id"))
            .values(amount=bindparam("b_amount"), granted=bindparam("b_granted")),
            frame_updates,
        )
    for app in apps:
        if app.status in GRANTED:
            for year, amount in _granted(app).items():
                rows.add(
                    FrameGrant,
                    id=next_id(FrameGrant),
                    ram_id=frames[(year, app.huvudomrade_id)][0],
                    application_id=app.id,
                    amount=amount,
                    actor_id=kansli,
                    created_at=app.decided_at,
                )
    rows.flush(FrameGrant)

    # --- follow-up: reports and payment requests of granted projects ----------------------------
    for app in apps:
        if app.status not in GRANTED:
            continue
        granted = _granted(app)
        started = app.status in (S.PAGAENDE, S.AVSLUTAD)
        report_kinds = [("lagesrapport", date(app.year, 6, 30))]
        if app.status == S.AVSLUTAD:
            report_kinds.append(("slutrapport", date(app.last_year + 1, 2, 28)))
        for kind, due in report_kinds:
            done = started and due < today_
            report_id = next_id(Report)
            rows.add(
                Report,
                id=report_id,
                application_id=app.id,
                kind=kind,
                status="godkand" if done else "utkast",
                due_date=due,
                period_start=date(app.year, 1, 1),
                period_end=min(due, date(app.last_year, 12, 31)),
                participants_women=rng.randint(5, 30) if done else None,
                participants_men=rng.randint(5, 30) if done else None,
                goal_fulfilment="Målen för perioden är i huvudsak uppnådda." if done else None,
                gender_work="Statistiken redovisas könsuppdelad." if done else None,
                implementation_status="Arbetsformen används av parterna." if done else None,
                created_at=app.decided_at,
                submitted_at=_at(due) if done else None,
                submitted_by_id=app.owner_id if done else None,
                decided_at=_at(due + timedelta(days=14)) if done else None,
                decided_by_id=kansli if done else None,
                kansli_message=None,
                reminded_due_on=None,
                reminded_overdue_on=None,
                lock_version=1,
            )
            if done:
                for year, amount in granted.items():
                    rows.add(
                        ReportCost,
                        id=next_id(ReportCost),
                        report_id=report_id,
                        year=year,
                        amount=(amount * Decimal("0.9")).quantize(Decimal(1)),
                    )
        if not started:
            continue
        for year, amount in granted.items():
            half = (amount / 2).quantize(Decimal(1))
            for period_start, period_end in (
                (date(year, 1, 1), date(year, 6, 30)),
                (date(year, 7, 1), date(year, 12, 31)),
            ):
                if period_end >= today_ or half <= 0:
                    continue
                rows.add(
                    PaymentRequest,
                    id=next_id(PaymentRequest),
                    application_id=app.id,
                    year=year,
                    period_start=period_start,
                    period_end=period_end,
                    amount=half,
                    costs_incurred="Lönekostnader och lokalhyra enligt bifogad sammanställning.",
                    status="utbetald",
                    requested_by_id=app.owner_id,
                    requested_at=_at(period_end + timedelta(days=5)),
                    decided_by_id=kansli,
                    decided_at=_at(period_end + timedelta(days=10)),
                    kansli_message=None,
                    paid_on=period_end + timedelta(days=20),
                )
    rows.flush(Report, ReportCost, PaymentRequest, Event)

    # --- diarienummer counters continue after the numbers given --------------------------------
    for year, last in counters.items():
        if year in existing_counters:
            db.session.execute(
                update(DiarieCounter).where(DiarieCounter.year == year).values(last_number=last)
            )
        else:
            db.session.execute(insert(DiarieCounter).values(year=year, last_number=last))
    _reset_sequences()
    return {
        "applications": n,
        "comments": total_comments if commentable else 0,
        "meetings": len(meetings),
        "decisions": sum(len(c) for _, _, c, d in meetings if d),
    }


# --- helpers ---------------------------------------------------------------------------------


def _path(status: Status, versions: int) -> list[Status]:
    """The statuses an application went through to reach ``status``."""
    review = [S.INSKICKAD, S.UNDER_BEREDNING]
    if versions > 1 or status == S.KOMPLETTERING_BEGARD:
        review += [S.KOMPLETTERING_BEGARD]
        if status != S.KOMPLETTERING_BEGARD:
            review += [S.UNDER_BEREDNING]
    paths = {
        S.UTKAST: [],
        S.INSKICKAD: [S.INSKICKAD],
        S.ATERKALLAD: [S.INSKICKAD, S.ATERKALLAD],
        S.UNDER_BEREDNING: review,
        S.KOMPLETTERING_BEGARD: review,
        S.KLAR_FOR_BESLUT: [*review, S.KLAR_FOR_BESLUT],
        S.AVSLAGEN: [*review, S.KLAR_FOR_BESLUT, S.AVSLAGEN],
        S.BEVILJAD: [*review, S.KLAR_FOR_BESLUT, S.BEVILJAD],
        S.DELVIS_BEVILJAD: [*review, S.KLAR_FOR_BESLUT, S.DELVIS_BEVILJAD],
        S.PAGAENDE: [*review, S.KLAR_FOR_BESLUT, S.BEVILJAD, S.PAGAENDE],
        S.AVSLUTAD: [*review, S.KLAR_FOR_BESLUT, S.BEVILJAD, S.PAGAENDE, S.AVSLUTAD],
    }
    return paths[status]


def _timeline(
    app: _App, steps: list[Status], now: datetime, this_year: int, rng: random.Random
) -> list[tuple[datetime, Status]]:
    """When the application was created and reached each status: before its meeting's
    decision, and the insats's start and end in its budget years after it."""
    if app.decided_at is not None:
        decision = next(i for i, s in enumerate(steps) if s in DECIDED)
        before, after = steps[: decision + 1], steps[decision + 1 :]
        start = app.decided_at - timedelta(days=rng.randint(100, 160))
        times = _spread(start, app.decided_at, len(before) + 1, rng)
        timeline = [(times[0], S.UTKAST), *zip(times[1:], before, strict=True)]
        for status in after:
            when = (
                _at(date(app.year, 1, 2))
                if status == S.PAGAENDE
                else _at(date(app.last_year, 12, 31), 15)
            )
            timeline.append((min(when, now), status))
        return timeline
    if app.year < this_year:
        start = _at(date(app.year - 1, 3, 1) + timedelta(days=rng.randint(0, 200)))
        end = start + timedelta(days=rng.randint(20, 90))
    else:
        start, end = now - timedelta(days=rng.randint(20, 200)), now
    times = _spread(start, end, len(steps) + 1, rng)
    return [(times[0], S.UTKAST), *zip(times[1:], steps, strict=True)]


def _spread(start: datetime, end: datetime, count: int, rng: random.Random) -> list[datetime]:
    """``count`` increasing moments from ``start`` to ``end`` (the last one is ``end``)."""
    if count <= 1:
        return [start]
    span = max((end - start).total_seconds(), count * 3600)
    points = sorted(rng.random() for _ in range(count - 2))
    return [start, *(start + timedelta(seconds=span * p) for p in points), end][:count]


def _split(total: int, parts: int) -> list[int]:
    """``total`` cases over ``parts`` meetings; the first holds BIG_MEETING_DECISIONS if it can."""
    if parts <= 0:
        return []
    if parts == 1:
        return [total]
    first = min(total, BIG_MEETING_DECISIONS)
    rest = total - first
    return [
        first,
        *(rest // (parts - 1) + (1 if i < rest % (parts - 1) else 0) for i in range(parts - 1)),
    ]


def _granted(app: _App) -> dict[int, Decimal]:
    """What a decision grants per year: everything asked for, or 70 % of it in part."""
    if app.status == S.AVSLAGEN:
        return {}
    share = Decimal("0.7") if app.status == S.DELVIS_BEVILJAD else Decimal(1)
    return {
        year: (amount * share / 1000).quantize(Decimal(1)) * 1000
        for year, amount in app.lines.items()
        if amount > 0
    }


def _round_up(amount: Decimal) -> Decimal:
    """A frame comfortably above what is granted from it, in whole 100 000 kr."""
    return ((amount * Decimal("1.15")) / 100_000).to_integral_value(rounding="ROUND_CEILING") * (
        100_000
    )


def _decide(app: _App, item_id: int, kansli: int, rows: _Rows, next_id, needed) -> None:
    kind = {
        S.AVSLAGEN: "avsla",
        S.DELVIS_BEVILJAD: "delvis_bevilja",
    }.get(app.status, "bevilja")
    decision_id = next_id(Decision)
    rows.add(
        Decision,
        id=decision_id,
        agenda_item_id=item_id,
        application_id=app.id,
        kind=kind,
        motivation="Styrelsen beslutar i enlighet med förslaget.",
        villkor="Slutrapport lämnas senast två månader efter avslut." if kind != "avsla" else None,
        proposal_id=app.proposal_id,
        background=f"Ansökan avser insatsen under {app.year}–{app.last_year}.",
        recorded_by_id=kansli,
        recorded_at=app.decided_at,
    )
    for year, amount in _granted(app).items():
        rows.add(
            DecisionAmount,
            id=next_id(DecisionAmount),
            decision_id=decision_id,
            year=year,
            amount=amount,
        )
        needed[(year, app.huvudomrade_id)] += amount


def _content(app: _App, member_names: dict, area_names: dict) -> dict[str, Any]:
    content: dict[str, Any] = dict(COMPLETE_TEXT)
    content.update(
        title=app.title,
        organisation=member_names[app.organisation_id],
        huvudomrade=area_names[app.huvudomrade_id],
        first_year=app.year,
        last_year=app.last_year,
        budget_lines=[
            {"year": year, "category": "personal", "amount": str(amount), "note": None}
            for year, amount in app.lines.items()
        ],
        parties=[member_names[app.organisation_id]],
        attachments=[],
    )
    return content


def _next_paragraphs() -> dict[int, int]:
    """Per calendar year, the next free § after the meetings already in the database."""
    return {
        year: last + 1
        for year, last in db.session.execute(
            select(Paragraph.year, func.max(Paragraph.number)).group_by(Paragraph.year)
        )
    }


def _reset_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                )
            )
