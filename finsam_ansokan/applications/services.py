"""Application rules: starting, saving, completeness, submission, withdrawal, versions.

Every status change goes through :func:`transition`: it checks the transition table in
:mod:`.status`, changes the status and writes an event, in the caller's transaction.
Services flush; the route commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.budget.models import BudgetYear, Huvudomrade
from finsam_ansokan.core.database import conflict_if_stale, dialect_insert
from finsam_ansokan.core.errors import (
    ConcurrentEditError,
    DomainError,
    DomainErrors,
    StateTransitionError,
)
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import ZERO, format_money
from finsam_ansokan.core.timeutil import today, utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services as notifications

from . import queries
from .models import (
    Application,
    ApplicationParty,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    DiarieCounter,
)
from .sections import (
    COST_CATEGORIES,
    SECTIONS,
    SECTIONS_BY_SLUG,
    Kind,
    Section,
    budget_field_id,
    party_count,
)
from .status import EDITABLE, Action, Status, is_decided, target_of

STALE_APPLICATION = "Någon annan har sparat ansökan medan du skrev. Dina ändringar är inte sparade."


def transition(
    application: Application,
    action: Action,
    *,
    actor: User | None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> Status:
    """Move ``application`` by ``action`` (or raise StateTransitionError) and log it."""
    source = Status(application.status)
    target = target_of(source, action)
    application.status = target.value
    record_event(
        "status_changed",
        actor=actor,
        application=application,
        from_status=source,
        to_status=target,
        message=message,
        data={
            "action": action.value,
            "from_label": source.label,
            "to_label": target.label,
            **(data or {}),
        },
    )
    return target


def allocate_diarienummer(year: int | None = None) -> tuple[int, int]:
    """Take the next diarienummer of ``year`` (default: this year). Never reused.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING creates or increments the year's counter:
    on PostgreSQL the row lock makes concurrent submissions queue (even for the first number
    of a year); on SQLite the writer lock does. The unique constraint on
    (diarie_year, diarie_number) is the last guard.
    """
    year = year or today().year
    statement = dialect_insert(db.session, DiarieCounter).values(year=year, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=[DiarieCounter.year],
        set_={"last_number": DiarieCounter.last_number + 1},
    ).returning(DiarieCounter.last_number)
    number = db.session.execute(statement).scalar_one()
    return year, number


def snapshot(
    application: Application, *, attachments: list[Attachment] | None = None
) -> dict[str, Any]:
    """The content of an application as plain data, for an immutable version.
    ``attachments``: its current attachments when the caller has read them already."""
    columns = [
        c.key
        for c in Application.__table__.columns
        if c.key
        not in {"id", "status", "lock_version", "created_at", "updated_at", "shared_for_comments"}
    ]
    content: dict[str, Any] = {}
    for key in columns:
        value = getattr(application, key)
        content[key] = value.isoformat() if hasattr(value, "isoformat") else value
    content["organisation"] = application.organisation.name if application.organisation else None
    content["huvudomrade"] = application.huvudomrade.name if application.huvudomrade else None
    content["parties"] = sorted(p.organisation.name for p in application.parties)
    content["budget_lines"] = [
        {
            "year": line.year,
            "category": line.category,
            "amount": str(line.amount),
            "note": line.note,
        }
        for line in application.budget_lines
    ]
    # which bilagor the version had (the bytes stay in storage while a version lists them)
    content["attachments"] = [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size_bytes": a.size_bytes,
            "sha256": a.sha256,
        }
        for a in (
            attachments
            if attachments is not None
            else db.session.scalars(
                select(Attachment)
                .where(Attachment.application_id == application.id, Attachment.removed.is_(False))
                .order_by(Attachment.uploaded_at, Attachment.id)
            )
        )
    ]
    return content


def record_version(application: Application, *, actor: User) -> ApplicationVersion:
    last = db.session.scalar(
        select(ApplicationVersion.number)
        .where(ApplicationVersion.application_id == application.id)
        .order_by(ApplicationVersion.number.desc())
        .limit(1)
    )
    version = ApplicationVersion(
        application=application,
        number=(last or 0) + 1,
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
        content=snapshot(application),
    )
    db.session.add(version)
    record_event(
        "version_recorded",
        actor=actor,
        application=application,
        data={"number": version.number},
    )
    return version


# --- starting and saving a draft ------------------------------------------------------


def _check_years(first_year: int | None, last_year: int | None) -> None:
    if first_year is not None and last_year is not None and last_year < first_year:
        raise DomainError("Sista budgetåret kan inte vara före det första.", field="last_year")


def _check_huvudomrade(huvudomrade_id: int | None, current: int | None = None) -> None:
    if huvudomrade_id is None or huvudomrade_id == current:
        return
    area = db.session.get(Huvudomrade, huvudomrade_id)
    if area is None or not area.active:
        raise DomainError("Välj ett av förbundets huvudområden.", field="huvudomrade_id")


def create_application(
    *,
    actor: User,
    title: str | None = None,
    huvudomrade_id: int | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> Application:
    """Start a draft for the applicant's own organisation (never one named in the request)."""
    if actor.organisation_id is None:
        raise DomainError("Ditt konto hör inte till någon medlemsorganisation. Kontakta kansliet.")
    if first_year is not None and last_year is None:
        last_year = first_year
    _check_years(first_year, last_year)
    _check_huvudomrade(huvudomrade_id)
    known_years = set(queries.budget_years())
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if year is not None and year not in known_years:
            raise DomainError(f"Förbundet har ingen budget för {year}.", field=name)
    application = Application(
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        title=title,
        huvudomrade_id=huvudomrade_id,
        first_year=first_year,
        last_year=last_year,
        status=Status.UTKAST.value,
    )
    # The applicant's own organisation is a medverkande part from the start.
    application.parties.append(ApplicationParty(organisation_id=actor.organisation_id))
    db.session.add(application)
    db.session.flush()
    record_event("application_created", actor=actor, application=application)
    return application


def ensure_editable(application: Application) -> None:
    status = Status(application.status)
    if status not in EDITABLE:
        raise StateTransitionError(
            f"Ansökan har status {status.label.lower()} och kan inte ändras."
        )


@conflict_if_stale(STALE_APPLICATION)
def save_section(
    application: Application,
    section: Section,
    values: dict[str, Any],
    *,
    started_from: int | None,
    actor: User,
) -> None:
    """Store ``values`` (the fields of ``section`` whose format was fine) in the draft.

    ``started_from`` is the lock_version the user's form was loaded with: if someone saved
    the application since, nothing is stored and :class:`ConcurrentEditError` is raised.
    A draft may be incomplete; completeness is checked at submission.
    """
    ensure_editable(application)
    if started_from != application.lock_version:
        raise ConcurrentEditError(STALE_APPLICATION)
    for spec in section.fields:
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.kind == Kind.PARTIES:
            _set_parties(application, value)
        elif spec.kind == Kind.BUDGET:
            _set_budget(application, value)
        elif spec.kind == Kind.HUVUDOMRADE:
            _check_huvudomrade(value, current=application.huvudomrade_id)
            application.huvudomrade_id = value
        else:
            setattr(application, spec.name, value)
    if section.names & {"first_year", "last_year"}:
        if application.first_year is not None and application.last_year is None:
            application.last_year = application.first_year
        _check_years(application.first_year, application.last_year)
        _drop_budget_outside_years(application)
    # Touch the row even when only parties or budget lines changed, so lock_version moves.
    application.updated_at = utcnow()
    db.session.flush()
    record_event(
        "application_saved",
        actor=actor,
        application=application,
        data={"section": section.slug, "section_title": section.title},
    )


def _set_parties(application: Application, organisation_ids: list[int]) -> None:
    wanted = set(organisation_ids)
    if wanted:
        found = set(
            db.session.scalars(
                select(Organisation.id).where(
                    Organisation.id.in_(wanted), Organisation.active.is_(True)
                )
            )
        )
        if found != wanted:
            raise DomainError("Välj bland förbundets medlemmar.", field="parties")
    application.parties = [p for p in application.parties if p.organisation_id in wanted]
    have = {p.organisation_id for p in application.parties}
    for organisation_id in sorted(wanted - have):
        application.parties.append(ApplicationParty(organisation_id=organisation_id))


def _set_budget(application: Application, cells: dict[tuple[int, str], Decimal | None]) -> None:
    years = set(application.years)
    lines = {(line.year, line.category): line for line in application.budget_lines}
    for (year, category), amount in cells.items():
        if year not in years:
            continue
        line = lines.get((year, category))
        if amount is None:
            if line is not None:
                application.budget_lines.remove(line)
        elif amount < 0:
            raise DomainError(
                "Beloppet kan inte vara negativt.", field=budget_field_id(year, category)
            )
        elif line is None:
            application.budget_lines.append(BudgetLine(year=year, category=category, amount=amount))
        else:
            line.amount = amount


def _drop_budget_outside_years(application: Application) -> None:
    years = set(application.years)
    for line in list(application.budget_lines):
        if line.year not in years:
            application.budget_lines.remove(line)


# --- completeness ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something that stops submission: where it is and what to do, in Swedish."""

    section: str  # the section's slug
    field: str  # the HTML id of the field
    message: str
    missing: bool = False  # an empty required field (as opposed to a broken rule)


class IncompleteApplication(DomainError):
    def __init__(self, problems: list[Problem]):
        super().__init__("Ansökan är inte komplett. Åtgärda det som saknas och försök igen.")
        self.problems = problems


class SectionState(StrEnum):
    NOT_STARTED = "ej_paborjad"
    IN_PROGRESS = "pagaende"
    COMPLETE = "klar"

    @property
    def label(self) -> str:
        return {
            SectionState.NOT_STARTED: "Ej påbörjad",
            SectionState.IN_PROGRESS: "Påbörjad",
            SectionState.COMPLETE: "Klar",
        }[self]


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def completeness_problems(
    application: Application, *, sums: queries.BudgetSums | None = None
) -> list[Problem]:
    """Every problem that stops submission, in the order of the form. ``sums``: the
    application's budget sums when the caller has them already (one query less)."""
    rules = dict(_RULES)
    if sums is not None:
        rules["budget"] = lambda a: _budget_rules(a, sums)
    problems: list[Problem] = []
    for section in SECTIONS:
        for spec in section.fields:
            if spec.kind == Kind.PARTIES:
                empty = not application.parties
            elif spec.kind == Kind.BUDGET:
                empty = not application.years
            else:
                empty = _is_empty(getattr(application, spec.name))
            if empty and spec.missing:
                problems.append(Problem(section.slug, spec.name, spec.missing, missing=True))
        problems.extend(rules.get(section.slug, lambda a: [])(application))
    return problems


def _sokande_rules(application: Application) -> list[Problem]:
    kinds = [p.organisation.kind for p in application.parties]
    if kinds and party_count(kinds) < 2:
        return [
            Problem(
                "sokande",
                "parties",
                "Välj minst två medverkande parter. Flera kommuner räknas som en part.",
            )
        ]
    return []


def _insatsen_rules(application: Application) -> list[Problem]:
    problems = []
    start, end = application.start_date, application.end_date
    if start and end and end <= start:
        problems.append(
            Problem("insatsen", "end_date", "Slutdatumet måste vara efter startdatumet.")
        )
    if application.huvudomrade is not None and not application.huvudomrade.active:
        problems.append(
            Problem(
                "insatsen",
                "huvudomrade_id",
                "Huvudområdet används inte längre. Välj ett annat huvudområde.",
            )
        )
    if application.years:
        known = set(
            db.session.scalars(
                select(BudgetYear.year).where(BudgetYear.year.in_(application.years))
            )
        )
        unknown = [str(year) for year in application.years if year not in known]
        if unknown:
            problems.append(
                Problem(
                    "insatsen",
                    "first_year",
                    f"Förbundet har ingen budget för {', '.join(unknown)}. "
                    "Välj bland förbundets budgetår.",
                )
            )
    return problems


def _budget_rules(
    application: Application, sums: queries.BudgetSums | None = None
) -> list[Problem]:
    if not application.years:
        return [
            Problem(
                "budget",
                "budget",
                "Välj budgetår under Insatsen, så kan du fylla i budgeten.",
                missing=True,
            )
        ]
    sums = sums or queries.budget_sums(application.id)
    problems = []
    for year in application.years:
        costs = sums.costs.get(year, ZERO)
        if costs <= 0:
            problems.append(
                Problem(
                    "budget",
                    budget_field_id(year, COST_CATEGORIES[0]),
                    f"Ange kostnaderna för {year}.",
                    missing=True,
                )
            )
        elif sums.requested.get(year, ZERO) < 0:
            problems.append(
                Problem(
                    "budget",
                    budget_field_id(year, "medfinansiering"),
                    f"Medfinansieringen {year} är större än kostnaderna.",
                )
            )
    if not problems and sums.total_requested <= 0:
        problems.append(
            Problem(
                "budget",
                budget_field_id(application.years[0], COST_CATEGORIES[0]),
                "Sökt belopp måste vara större än noll.",
            )
        )
    return problems


def _jamstalldhet_rules(application: Application) -> list[Problem]:
    if application.gender_split_reporting is False:
        return [
            Problem(
                "jamstalldhet",
                "gender_split_reporting",
                "Resultaten ska redovisas uppdelat på kön.",
            )
        ]
    return []


def _deltagare_rules(application: Application) -> list[Problem]:
    if application.expected_women == 0 and application.expected_men == 0:
        return [
            Problem("deltagare", "expected_women", "Ange hur många deltagare insatsen väntas ha.")
        ]
    return []


_RULES = {
    "sokande": _sokande_rules,
    "insatsen": _insatsen_rules,
    "budget": _budget_rules,
    "jamstalldhet": _jamstalldhet_rules,
    "deltagare": _deltagare_rules,
}


def _section_started(application: Application, section: Section) -> bool:
    for spec in section.fields:
        if spec.kind == Kind.PARTIES:
            # the own organisation is there from the start
            if any(p.organisation_id != application.organisation_id for p in application.parties):
                return True
        elif spec.kind == Kind.BUDGET:
            if application.budget_lines:
                return True
        elif not _is_empty(getattr(application, spec.name)):
            return True
    return False


def section_states(application: Application, problems: list[Problem]) -> dict[str, SectionState]:
    with_problems = {p.section for p in problems}
    states = {}
    for section in SECTIONS:
        if section.slug not in with_problems:
            states[section.slug] = SectionState.COMPLETE
        elif _section_started(application, section):
            states[section.slug] = SectionState.IN_PROGRESS
        else:
            states[section.slug] = SectionState.NOT_STARTED
    return states


def section_by_slug(slug: str) -> Section | None:
    return SECTIONS_BY_SLUG.get(slug)


# --- submitting and withdrawing --------------------------------------------------------


def lock(application: Application) -> None:
    """Re-read the application with a row lock before a status change, so that two changes
    of the same case queue and the second sees what the first stored (a double-clicked
    submit; a withdrawal while the board records its decision). Only the applications row
    (``FOR UPDATE OF``): the loader joins its organisation and huvudområde, and PostgreSQL
    cannot lock the nullable side of an outer join. On SQLite the writer lock already
    holds (BEGIN IMMEDIATE); the refresh still reads what was committed before it."""
    db.session.refresh(application, with_for_update={"of": Application})


def submit_action(application: Application) -> Action:
    """What sending the application in is now: *Skicka in ansökan* the first time, *Skicka
    in kompletteringen* as the answer to a request for komplettering."""
    if application.status == Status.KOMPLETTERING_BEGARD:
        return Action.RESUBMIT
    return Action.SUBMIT


def submit(application: Application, *, actor: User) -> ApplicationVersion:
    """Skicka in ansökan: complete → diarienummer (first time only) → status → version."""
    lock(application)
    status = Status(application.status)
    if status not in (Status.UTKAST, Status.KOMPLETTERING_BEGARD):
        if application.diarienummer:
            raise StateTransitionError(
                f"Ansökan är redan inskickad och har diarienummer {application.diarienummer}."
            )
        raise StateTransitionError(
            f"Ansökan har status {status.label.lower()} och kan inte skickas in."
        )
    problems = completeness_problems(application)
    if problems:
        raise IncompleteApplication(problems)
    if application.diarie_number is None:
        application.diarie_year, application.diarie_number = allocate_diarienummer()
    application.submitted_at = utcnow()
    action = submit_action(application)
    transition(application, action, actor=actor)
    db.session.flush()
    version = record_version(application, actor=actor)
    db.session.flush()
    notifications.application_submitted(application, resubmitted=action is Action.RESUBMIT)
    return version


def withdraw(application: Application, *, actor: User, reason: str | None = None) -> None:
    """Återkalla an application that is not yet decided."""
    lock(application)
    if application.status == Status.BESLUTAD.value or is_decided(application.status):
        raise StateTransitionError(
            "Styrelsen har redan beslutat om ansökan, så den kan inte återkallas längre. "
            "Ingenting har ändrats."
        )
    transition(application, Action.WITHDRAW, actor=actor, message=reason)
    db.session.flush()


# --- amounts to grant -------------------------------------------------------------------------


def validate_grant_amounts(
    requested: Mapping[int, Decimal],
    amounts: Mapping[int, Decimal | None],
    *,
    in_full: bool,
) -> dict[int, Decimal]:
    """The amounts per year to grant (or propose to grant), checked against sökt belopp.

    Whole kronor, only years the application covers, never more than asked for, something
    for at least one year; ``in_full`` (Bevilja) must be exactly what was asked for, and
    otherwise (Delvis bevilja) less. Used by the recommendation, the proposal and the
    board's decision alike. Returns the years with an amount above zero.
    """
    cleaned: dict[int, Decimal] = {}
    problems: list[tuple[str | None, str]] = []
    for year, amount in amounts.items():
        field = f"amount_{year}"
        if amount is None:
            continue
        if year not in requested:
            problems.append((field, f"Ansökan gäller inte år {year}."))
        elif amount < 0 or amount != amount.to_integral_value():
            problems.append((field, f"Beloppet för {year} ska vara hela kronor, noll eller mer."))
        elif amount > requested[year]:
            problems.append(
                (
                    field,
                    f"Beloppet för {year} är större än det sökta beloppet "
                    f"({format_money(requested[year])}).",
                )
            )
        elif amount:
            cleaned[year] = amount
    if problems:  # every year's problem at once; the checks of the whole follow once fixed
        raise DomainErrors(problems)
    if not cleaned:
        first = next(iter(requested), None)
        raise DomainError(
            "Ange belopp per år för att bevilja.", field=f"amount_{first}" if first else None
        )
    full = {year: amount for year, amount in requested.items() if amount}
    if in_full and cleaned != full:
        raise DomainError("Välj Delvis bevilja för ett lägre belopp än det sökta.", field="kind")
    if not in_full and cleaned == full:
        raise DomainError("Hela det sökta beloppet beviljas: välj Bevilja.", field="kind")
    return cleaned
