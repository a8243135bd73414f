"""Applications: who writes them, their plan (year, status, budget), and the rows of each:
the application, parties, budget lines, versions, status events, comments and assessments.

Every status path is a list of :class:`Action` looked up in ``applications.status``'s one
transition table, so the seeded history is one the application could really have had.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import (
    Application,
    ApplicationParty,
    ApplicationVersion,
    BudgetLine,
    DiarieCounter,
)
from finsam_ansokan.applications.sections import SECTIONS
from finsam_ansokan.applications.status import Action
from finsam_ansokan.core.events import Event
from finsam_ansokan.demo import COMPLETE_TEXT
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment, AssessmentAmount, Comment

from .common import DECIDED, PREPARED, S, Seed, SeedApplication, at, granted, spread, statuses

COMMENTS_PER_APPLICATION = 5
A = Action

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


# --- people ----------------------------------------------------------------------------------


def add_applicants(seed: Seed, demo_applicant: User) -> None:
    """A sökande per member organisation (the demo's sökande writes for Växjö); a second run
    finds the ones the first made."""
    emails = dict(
        db.session.execute(select(User.email, User.id).where(User.email.like("sokande.%"))).all()
    )
    seed.applicants[demo_applicant.organisation_id] = demo_applicant.id
    for member in seed.members:
        if member.id in seed.applicants:
            continue
        slug = member.name.split()[0].lower().translate(str.maketrans("åäö", "aao"))
        email = f"sokande.{slug}@varend.example"
        if email in emails:
            seed.applicants[member.id] = emails[email]
            continue
        user_id = seed.rows.next_id(User)
        seed.applicants[member.id] = user_id
        seed.rows.add(
            User,
            id=user_id,
            email=email,
            name=f"Sökande {member.name}",
            title=None,
            password_hash=demo_applicant.password_hash,
            organisation_id=member.id,
            active=True,
            created_at=seed.now,
            last_login_at=None,
            session_token=1,
            notes=None,
        )
        seed.rows.add(UserRole, user_id=user_id, role=Role.SOKANDE.value)
    seed.rows.flush(User, UserRole)


# --- the plan --------------------------------------------------------------------------------


def plan(seed: Seed, n: int) -> None:
    """Year, status, owner and huvudområde of ``n`` new applications."""
    rng = seed.rng
    for _ in range(n):
        year = rng.choice(seed.years)
        place = (
            "past" if year < seed.this_year else ("current" if year == seed.this_year else "next")
        )
        weights = WEIGHTS[place]
        status = rng.choices(list(weights), list(weights.values()))[0]
        last_year = year + 1 if year + 1 in seed.years and rng.random() < 0.2 else year
        organisation = rng.choice(seed.members)
        app = SeedApplication(
            id=seed.rows.next_id(Application),
            year=year,
            last_year=last_year,
            status=status,
            organisation_id=organisation.id,
            huvudomrade_id=rng.choice(seed.areas).id,
            owner_id=seed.applicants[organisation.id],
            versions=0 if status == S.UTKAST else (2 if rng.random() < 0.15 else 1),
            title=f"{rng.choice(TITLE_WORDS[0])} {rng.choice(TITLE_WORDS[1])} "
            f"({len(seed.applications) + 1})",
        )
        if status == S.KOMPLETTERING_BEGARD:
            app.versions = 1
        seed.applications.append(app)


def actions(status: S, versions: int) -> list[Action]:
    """What was done to an application to bring it from utkast to ``status``."""
    review = [A.SUBMIT, A.START_REVIEW]
    if versions > 1 or status == S.KOMPLETTERING_BEGARD:
        review += [A.REQUEST_INFO]
        if status != S.KOMPLETTERING_BEGARD:
            review += [A.RESUBMIT]
    ready = [*review, A.MARK_READY]
    decided = [*ready, A.DECIDE]  # recorded at the meeting, final at justering
    paths = {
        S.UTKAST: [],
        S.INSKICKAD: [A.SUBMIT],
        S.ATERKALLAD: [A.SUBMIT, A.WITHDRAW],
        S.UNDER_BEREDNING: review,
        S.KOMPLETTERING_BEGARD: review,
        S.KLAR_FOR_BESLUT: ready,
        S.AVSLAGEN: [*decided, A.REJECT],
        S.BEVILJAD: [*decided, A.GRANT],
        S.DELVIS_BEVILJAD: [*decided, A.GRANT_PART],
        S.PAGAENDE: [*decided, A.GRANT, A.START],
        S.AVSLUTAD: [*decided, A.GRANT, A.START, A.CLOSE],
    }
    return paths[status]


def _timeline(seed: Seed, app: SeedApplication, steps: list[S]) -> list[tuple[datetime, S]]:
    """When the application was created and reached each status: before its meeting's
    decision, and the insats's start and end in its budget years after it."""
    rng = seed.rng
    if app.decided_at is not None:
        decision = next(i for i, s in enumerate(steps) if s in DECIDED)
        before, after = steps[: decision + 1], steps[decision + 1 :]
        start = app.decided_at - timedelta(days=rng.randint(100, 160))
        times = spread(start, app.decided_at, len(before) + 1, rng)
        timeline = [(times[0], S.UTKAST), *zip(times[1:], before, strict=True)]
        for status in after:
            when = (
                at(date(app.year, 1, 2))
                if status == S.PAGAENDE
                else at(date(app.last_year, 12, 31), 15)
            )
            timeline.append((min(when, seed.now), status))
        return timeline
    if app.year < seed.this_year:
        start = at(date(app.year - 1, 3, 1) + timedelta(days=rng.randint(0, 200)))
        end = start + timedelta(days=rng.randint(20, 90))
    else:
        start, end = seed.now - timedelta(days=rng.randint(20, 200)), seed.now
    times = spread(start, end, len(steps) + 1, rng)
    return [(times[0], S.UTKAST), *zip(times[1:], steps, strict=True)]


# --- rows ------------------------------------------------------------------------------------


def write(seed: Seed) -> None:
    """The applications with diarienummer, parties and budget lines; the counters continue
    after the numbers given."""
    rng, rows = seed.rng, seed.rows
    counters = dict(db.session.execute(select(DiarieCounter.year, DiarieCounter.last_number)).all())
    existing = set(counters)
    for app in seed.applications:
        steps = statuses(actions(app.status, app.versions))
        assert not steps or steps[-1] == app.status, (app.status, steps)
        app.timeline = _timeline(seed, app, steps)
        submitted_at = app.timeline[1][0] if len(app.timeline) > 1 else None
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
                        id=rows.next_id(BudgetLine),
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
            created_at=app.timeline[0][0],
            updated_at=app.timeline[-1][0],
            submitted_at=submitted_at,
            lock_version=1 + len(steps),
            first_year=app.year,
            last_year=app.last_year,
            title=app.title,
            start_date=date(app.year, 1, 1) if fields else None,
            end_date=date(app.last_year, 12, 31) if fields else None,
        )
        rows.add(Application, **row)
        for org_id in sorted({app.organisation_id, *(m.id for m in rng.sample(seed.members, 2))}):
            rows.add(ApplicationParty, application_id=app.id, organisation_id=org_id)
    rows.flush(Application, ApplicationParty, BudgetLine)
    for year, last in counters.items():
        if year in existing:
            db.session.execute(
                DiarieCounter.__table__.update()
                .where(DiarieCounter.year == year)
                .values(last_number=last)
            )
        else:
            rows.add(DiarieCounter, year=year, last_number=last)
    rows.flush(DiarieCounter)


def _event(seed: Seed, when: datetime, actor: int, app: SeedApplication, kind: str, **more) -> None:
    values: dict[str, Any] = dict(subject=None, from_status=None, to_status=None, message=None)
    values.update(data=None)
    values.update(more)
    seed.rows.add(
        Event,
        id=seed.rows.next_id(Event),
        created_at=when,
        actor_id=actor,
        application_id=app.id,
        kind=kind,
        **values,
    )


def write_history(seed: Seed) -> None:
    """A ``status_changed`` event per step of the timeline, and a version (with its event)
    each time the applicant submitted."""
    rows = seed.rows
    area_names = {a.id: a.name for a in seed.areas}
    member_names = {m.id: m.name for m in seed.members}
    for app in seed.applications:
        timeline = app.timeline
        _event(seed, timeline[0][0], app.owner_id, app, "application_created")
        version = 0
        for (when, status), (_, previous) in zip(timeline[1:], timeline, strict=False):
            actor = (
                app.owner_id
                if status in (S.INSKICKAD, S.ATERKALLAD) or previous == S.KOMPLETTERING_BEGARD
                else seed.beredning
                if status in (S.UNDER_BEREDNING, S.KOMPLETTERING_BEGARD)
                else seed.kansli
            )
            _event(
                seed,
                when,
                actor,
                app,
                "status_changed",
                from_status=previous.value,
                to_status=status.value,
            )
            if status == S.INSKICKAD or previous == S.KOMPLETTERING_BEGARD:
                version += 1
                rows.add(
                    ApplicationVersion,
                    id=rows.next_id(ApplicationVersion),
                    application_id=app.id,
                    number=version,
                    submitted_at=when,
                    submitted_by_id=app.owner_id,
                    content=_content(app, member_names, area_names),
                )
                _event(seed, when, app.owner_id, app, "version_recorded", data={"number": version})
    rows.flush(ApplicationVersion, Event)


def write_comments(seed: Seed) -> None:
    """Five comments per application on average, on registered ones; 30 % internal notes."""
    rng, rows = seed.rng, seed.rows
    commentable = [a for a in seed.applications if a.status != S.UTKAST]
    slugs = [s.slug for s in SECTIONS]
    if not commentable:
        return
    total = COMMENTS_PER_APPLICATION * len(seed.applications)
    for i in range(total):
        app = commentable[i % len(commentable)]
        start, end = app.timeline[1][0], app.timeline[-1][0]
        internal = rng.random() < 0.3
        author = (
            rng.choice((seed.beredning, seed.kansli))
            if internal or rng.random() < 0.7
            else app.owner_id
        )
        comment_id = rows.next_id(Comment)
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
        _event(
            seed,
            created,
            author,
            app,
            "internal_note_added" if internal else "comment_added",
            data={"comment_id": comment_id, "internal": internal},
        )
    seed.comments = total
    rows.flush(Comment, Event)


def write_assessments(seed: Seed) -> None:
    """A recommendation and a förslag till beslut for every prepared case."""
    rows = seed.rows
    for app in seed.applications:
        if app.status not in PREPARED:
            continue
        ready_at = next(t for t, s in app.timeline if s == S.KLAR_FOR_BESLUT)
        rejects = app.status == S.AVSLAGEN
        part = app.status == S.DELVIS_BEVILJAD
        kind = "avsla" if rejects else ("delvis_bevilja" if part else "bevilja")
        for stage, author, when in (
            ("rekommendation", seed.beredning, ready_at - timedelta(days=3)),
            ("forslag", seed.kansli, ready_at),
        ):
            assessment_id = rows.next_id(Assessment)
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
                for year, amount in granted(app).items():
                    rows.add(
                        AssessmentAmount,
                        id=rows.next_id(AssessmentAmount),
                        assessment_id=assessment_id,
                        year=year,
                        amount=amount,
                    )
            app.proposal_id = assessment_id
    rows.flush(Assessment, AssessmentAmount)


def _content(app: SeedApplication, member_names: dict, area_names: dict) -> dict[str, Any]:
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
