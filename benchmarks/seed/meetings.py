"""Board meetings: past ones decide the prepared cases of the next budget year, upcoming ones
have the cases that are klar för beslut on their agenda; attendance, jäv, decisions with §,
and the minutes signed only after the meeting's rows are in (the triggers refuse changes to
signed minutes)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update

from finsam_ansokan.extensions import db
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

from .common import DECIDED, S, Seed, SeedApplication, at, granted

APPLICATIONS_PER_MEETING = 33
#: The meeting whose minutes the benchmark renders has this many decisions.
BIG_MEETING_DECISIONS = 40


def schedule(seed: Seed, n: int) -> None:
    """Which meeting decides (or will decide) which case, and when."""
    rng = seed.rng
    decided_by_year: dict[int, list[SeedApplication]] = defaultdict(list)
    ready: list[SeedApplication] = []
    for app in seed.applications:
        if app.status in DECIDED:
            decided_by_year[app.year - 1].append(app)
        elif app.status == S.KLAR_FOR_BESLUT:
            ready.append(app)
    total = max(4, n // APPLICATIONS_PER_MEETING)
    upcoming = max(2, total // 20)
    per_year = max(1, (total - upcoming) // max(1, len(decided_by_year)))
    for meeting_year in sorted(decided_by_year):
        cases = decided_by_year[meeting_year]
        rng.shuffle(cases)
        count = min(per_year, len(cases))
        days = sorted(rng.sample(range(20, 350), count) if count <= 330 else range(20, 20 + count))
        start = 0
        for size, day in zip(_split(len(cases), count), days, strict=True):
            meeting = (
                seed.rows.next_id(Meeting),
                date(meeting_year, 1, 1) + timedelta(days=day),
                cases[start : start + size],
                True,
            )
            seed.meetings.append(meeting)
            start += size
    sizes = _split(len(ready), upcoming)
    for i, size in enumerate(sizes):
        offset = sum(sizes[:i])
        meeting_date = seed.today + timedelta(days=21 + 14 * i)
        seed.meetings.append(
            (seed.rows.next_id(Meeting), meeting_date, ready[offset : offset + size], False)
        )
    for meeting_id, meeting_date, cases, decided in seed.meetings:
        for app in cases:
            app.meeting_id = meeting_id
            if decided:
                app.decided_at = at(meeting_date, 11)


def write(seed: Seed) -> None:
    rows = seed.rows
    paragraph_next = _next_paragraphs()
    vaxjo = next((m.id for m in seed.members if m.name == "Växjö kommun"), None)
    signed: list[dict[str, Any]] = []
    for meeting_id, meeting_date, cases, decided in sorted(seed.meetings, key=lambda m: m[1]):
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
            created_at=at(meeting_date - timedelta(days=30)) if decided else seed.now,
            created_by_id=seed.kansli,
            signed_at=None,
            signed_by_id=None,
        )
        attendance = {}
        for user_id, name, organisation, role, note in (
            (seed.styrelse, None, None, "ledamot", "ordförande"),
            (None, "Maria Nyström", None, "ledamot", "vice ordförande"),
            (None, "Per Alm", vaxjo, "ledamot", None),
            (None, "Eva Lund", None, "tjanstgorande_ersattare", "ersätter Ola Berg"),
            (seed.kansli, None, None, "ovrig", "förbundschef, sekreterare"),
        ):
            attendance[name or user_id] = attendance_id = rows.next_id(Attendance)
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
                id=rows.next_id(Signatory),
                meeting_id=meeting_id,
                role=role,
                role_order=order,
                attendance_id=None,
                name=name,
                signed_at=at(meeting_date + timedelta(days=7)) if decided else None,
                signed_by_id=seed.kansli if decided else None,
            )
        if decided:
            for offset, (heading, _text) in enumerate(OPENING_PARAGRAPHS):
                _paragraph(seed, meeting_date.year, first + offset, meeting_id, None, heading)
        paragraph = first + len(OPENING_PARAGRAPHS)
        for position, app in enumerate(cases, start=1):
            item_id = rows.next_id(AgendaItem)
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
                    id=rows.next_id(Jav),
                    agenda_item_id=item_id,
                    attendance_id=attendance["Per Alm"],
                    reason="Företräder den sökande organisationen (Växjö kommun).",
                    automatic=True,
                )
            if decided:
                _paragraph(
                    seed, meeting_date.year, paragraph, meeting_id, item_id, "Ansökan om medel"
                )
                paragraph += 1
                _decide(seed, app, item_id)
        other_id = rows.next_id(AgendaItem)
        if decided:
            _paragraph(
                seed,
                meeting_date.year,
                paragraph,
                meeting_id,
                other_id,
                "Förbundschefen informerar",
            )
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
                    "b_signed": at(posted),
                    "b_first": first,
                    "b_up": posted,
                    "b_down": posted + timedelta(days=21),
                }
            )
    rows.flush(Meeting, Attendance, AgendaItem, Jav, Decision, DecisionAmount, Signatory, Paragraph)
    if signed:
        table = Meeting.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                signed_at=bindparam("b_signed"),
                signed_by_id=seed.kansli,
                first_paragraph=bindparam("b_first"),
                anslag_up_on=bindparam("b_up"),
                anslag_down_on=bindparam("b_down"),
            ),
            signed,
        )


def _decide(seed: Seed, app: SeedApplication, item_id: int) -> None:
    kind = {S.AVSLAGEN: "avsla", S.DELVIS_BEVILJAD: "delvis_bevilja"}.get(app.status, "bevilja")
    decision_id = seed.rows.next_id(Decision)
    seed.rows.add(
        Decision,
        id=decision_id,
        agenda_item_id=item_id,
        application_id=app.id,
        kind=kind,
        motivation="Styrelsen beslutar i enlighet med förslaget.",
        villkor="Slutrapport lämnas senast två månader efter avslut." if kind != "avsla" else None,
        proposal_id=app.proposal_id,
        background=f"Ansökan avser insatsen under {app.year}–{app.last_year}.",
        recorded_by_id=seed.kansli,
        recorded_at=app.decided_at,
    )
    for year, amount in granted(app).items():
        seed.rows.add(
            DecisionAmount,
            id=seed.rows.next_id(DecisionAmount),
            decision_id=decision_id,
            year=year,
            amount=amount,
        )


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


def _next_paragraphs() -> dict[int, int]:
    """Per calendar year, the next free § after the paragraphs already in the database."""
    return {
        year: last + 1
        for year, last in db.session.execute(
            select(Paragraph.year, func.max(Paragraph.number)).group_by(Paragraph.year)
        )
    }


def _paragraph(
    seed: Seed, year: int, number: int, meeting_id: int, item_id: int | None, heading: str
) -> None:
    """A fixed § of justerade minutes (unique per year in ``paragraphs``)."""
    seed.rows.add(
        Paragraph,
        id=seed.rows.next_id(Paragraph),
        year=year,
        number=number,
        meeting_id=meeting_id,
        agenda_item_id=item_id,
        heading=heading,
    )
