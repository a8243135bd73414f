"""Account rules: authentication, users, organisations. Services flush; routes commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event, record_event
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .models import Forbund, Organisation, User
from .roles import OrganisationKind, Role

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
#: A few of the most common passwords; length does the rest (NIST SP 800-63B).
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "qwertyuiopå",
        "lösenord1234",
        "losenord1234",
        "password1234",
        "sommar2024!!",
        "sommar2025!!",
        "sommar2026!!",
        "abcdefghijkl",
        "111111111111",
    }
)
LOGIN_FAILED_MESSAGE = "Fel e-postadress eller lösenord."


# --- the förbund ------------------------------------------------------------------
def current_forbund() -> Forbund | None:
    if "forbund" not in g:
        g.forbund = db.session.scalars(select(Forbund).order_by(Forbund.id).limit(1)).first()
    return g.forbund


# --- login ---------------------------------------------------------------------------
def load_user(user_id: str) -> User | None:
    """Flask-Login loader. The id carries the session token, so changing the password
    logs out every other session of that user."""
    try:
        raw_id, raw_token = user_id.split(":", 1)
        uid, token = int(raw_id), int(raw_token)
    except ValueError:
        return None
    # roles and organisation joined in: one query for the user on every request, not two
    # or three
    user = db.session.get(
        User,
        uid,
        options=[joinedload(User.role_rows), joinedload(User.organisation)],
        populate_existing=True,
    )
    if user is None or (user.session_token or 0) != token or not user.active:
        return None
    return user


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User:
    """Return the active user with this e-mail and password, or raise one message for
    every failure, so the page never tells whether an address exists."""
    user = db.session.scalars(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active or not user.check_password(password or ""):
        raise DomainError(LOGIN_FAILED_MESSAGE)
    user.last_login_at = utcnow()
    return user


def check_password_policy(password: str, *, email: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken. "
            "En fras av flera ord är lätt att minnas och svår att gissa.",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(
            f"Lösenordet får ha högst {MAX_PASSWORD_LENGTH} tecken.", field="password"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (email and lowered == normalise_email(email)):
        raise DomainError("Lösenordet är för lätt att gissa. Välj ett annat.", field="password")


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError("Nuvarande lösenord stämmer inte.", field="current_password")
    check_password_policy(new, email=user.email)
    user.set_password(new)
    record_event("password_changed", actor=user, subject=f"user:{user.id}")


# --- users ----------------------------------------------------------------------------
@dataclass
class UserData:
    email: str
    name: str
    roles: Iterable[Role | str]
    organisation: Organisation | None = None
    title: str | None = None
    active: bool = True


def _validate_user_data(data: UserData, *, existing: User | None = None) -> set[Role]:
    email = normalise_email(data.email)
    if not email or "@" not in email:
        raise DomainError("Ange en giltig e-postadress.", field="email")
    if not (data.name or "").strip():
        raise DomainError("Ange namn.", field="name")
    try:
        roles = {Role(r) for r in data.roles}
    except ValueError as error:
        raise DomainError(f"Okänd roll: {error}", field="roles") from None
    if not roles:
        raise DomainError("Välj minst en roll.", field="roles")
    if roles & {Role.SOKANDE, Role.BEREDNING} and data.organisation is None:
        raise DomainError(
            "Sökande och beredningsgrupp måste höra till en medlemsorganisation.",
            field="organisation",
        )
    clash = db.session.scalars(select(User).where(User.email == email)).first()
    if clash is not None and clash is not existing:
        raise DomainError("Det finns redan en användare med den e-postadressen.", field="email")
    return roles


def create_user(data: UserData, *, password: str, actor: User | None = None) -> User:
    roles = _validate_user_data(data)
    check_password_policy(password, email=data.email)
    user = User(
        email=normalise_email(data.email),
        name=data.name.strip(),
        title=(data.title or "").strip() or None,
        organisation=data.organisation,
        active=data.active,
    )
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(
        "user_created",
        actor=actor,
        subject=f"user:{user.id}",
        message=f"{user.name} ({', '.join(sorted(r.value for r in roles))})",
    )
    return user


def update_user(user: User, data: UserData, *, actor: User) -> User:
    roles = _validate_user_data(data, existing=user)
    if user.id == actor.id and not data.active:
        raise DomainError("Du kan inte inaktivera ditt eget konto.", field="active")
    if user.id == actor.id and not roles & actor.roles & {Role.ADMIN, Role.KANSLI}:
        raise DomainError(
            "Du kan inte ta bort din egen behörighet att administrera användare.", field="roles"
        )
    before = sorted(r.value for r in user.roles)
    user.email = normalise_email(data.email)
    user.name = data.name.strip()
    user.title = (data.title or "").strip() or None
    user.organisation = data.organisation
    if user.active and not data.active:
        user.session_token = (user.session_token or 0) + 1  # log them out everywhere
    user.active = data.active
    user.set_roles(roles)
    db.session.flush()
    record_event(
        "user_updated",
        actor=actor,
        subject=f"user:{user.id}",
        data={
            "roles_before": before,
            "roles_after": sorted(r.value for r in roles),
            "active": user.active,
        },
    )
    return user


def reset_password(user: User, password: str, *, actor: User) -> None:
    check_password_policy(password, email=user.email)
    user.set_password(password)
    record_event("password_reset", actor=actor, subject=f"user:{user.id}")


def user_has_acted(user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(Event.actor_id == user.id))))


def delete_user(user: User, *, actor: User) -> None:
    """Only a user who never did anything may be deleted; others are deactivated."""
    if user.id == actor.id:
        raise DomainError("Du kan inte ta bort ditt eget konto.")
    from finsam_ansokan.applications.models import Application

    if user_has_acted(user) or db.session.scalar(
        select(exists().where(Application.created_by_id == user.id))
    ):
        raise DomainError(
            "Användaren har utfört åtgärder i systemet och kan inte tas bort. "
            "Inaktivera kontot i stället."
        )
    record_event("user_deleted", actor=actor, subject=f"user:{user.id}", message=user.email)
    db.session.delete(user)


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == (name or "").strip().lower())
    ).first()


# --- organisations ------------------------------------------------------------------
def save_organisation(
    organisation: Organisation | None,
    *,
    name: str,
    kind: str,
    population: int | None,
    active: bool,
    actor: User | None,
) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise DomainError("Ange organisationens namn.", field="name")
    try:
        OrganisationKind(kind)
    except ValueError:
        raise DomainError("Välj stat, region eller kommun.", field="kind") from None
    if population is not None and population < 0:
        raise DomainError("Invånarantalet kan inte vara negativt.", field="population")
    clash = find_organisation(name)
    if clash is not None and clash is not organisation:
        raise DomainError("Det finns redan en organisation med det namnet.", field="name")
    created = organisation is None
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    organisation.name = name
    organisation.kind = kind
    organisation.population = population
    organisation.active = active
    db.session.flush()
    record_event(
        "organisation_created" if created else "organisation_updated",
        actor=actor,
        subject=f"organisation:{organisation.id}",
        message=name,
    )
    return organisation
