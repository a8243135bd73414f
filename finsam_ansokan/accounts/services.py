"""Account rules: authentication, users, organisations. Services flush; routes commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import exists, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from finsam_ansokan.core import outbox
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event, record_event
from finsam_ansokan.core.text import single_line
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from . import sessions, twofactor
from .forbund import current_forbund
from .models import OidcIdentity, Organisation, RecoveryCode, User
from .roles import OrganisationKind, Role
from .tokens import Purpose, make_token, user_for_token

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
# --- login ---------------------------------------------------------------------------
def load_user(user_id: str) -> User | None:
    """Flask-Login loader. The id carries the session token, so changing the password
    logs out every other session of that user; and the server-side session row must still
    be live (not logged out, idle or too old). One query: the row brings the user."""
    try:
        raw_id, raw_token = user_id.split(":", 1)
        uid, token = int(raw_id), int(raw_token)
    except ValueError:
        return None
    row = sessions.current()
    if row is None or row.user_id != uid:
        return None
    user = row.user
    if (user.session_token or 0) != token or not user.active:
        return None
    return user


def user_for_login_id(login_id: str) -> User | None:
    """The active user a ``"id:token"`` login id names (no server session needed)."""
    try:
        raw_id, raw_token = login_id.split(":", 1)
        uid, token = int(raw_id), int(raw_token)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or (user.session_token or 0) != token or not user.active:
        return None
    return user


def sign_out_everywhere(user: User) -> None:
    """*Logga ut överallt*: every session of the user ends, this one too."""
    user.session_token = (user.session_token or 0) + 1
    sessions.end_all(user)
    record_event("signed_out_everywhere", actor=user, subject=f"user:{user.id}")


def reauthenticate(user: User, password: str, code: str | None) -> str:
    """Check the password (and the code, for a user with a second factor) again.
    Returns the session method to record."""
    if not user.check_password(password or ""):
        raise DomainError("Lösenordet stämmer inte.", field="password")
    if not user.totp_enabled:
        return sessions.PASSWORD
    if not (code or "").strip():
        raise DomainError("Ange koden från appen.", field="code")
    twofactor.verify(user, code or "")
    return sessions.TOTP


def user_for_link(token: str, *, invitation: bool) -> User:
    return user_for_token(token, Purpose.INVITATION if invitation else Purpose.RESET)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


#: Checked against when no account has the address, so an unknown address takes as long
#: as a wrong password (the answer's timing tells nothing either).
_DUMMY_HASH = generate_password_hash("no account has this password", method="scrypt")


def authenticate(email: str, password: str) -> User:
    """Return the active user with this e-mail and password, or raise one message for
    every failure, so the page never tells whether an address exists."""
    user = db.session.scalars(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.has_password:
        check_password_hash(_DUMMY_HASH, password or "")
        raise DomainError(LOGIN_FAILED_MESSAGE)
    if not user.check_password(password or "") or not user.active:
        raise DomainError(LOGIN_FAILED_MESSAGE)
    return user


def record_sign_in(user: User) -> None:
    user.last_login_at = utcnow()


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
    sessions.end_all(user, keep=sessions.current(user))
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


def create_user(
    data: UserData,
    *,
    password: str | None = None,
    actor: User | None = None,
    invite: bool = True,
) -> User:
    """A new user. Without a password (the normal case) an invitation is e-mailed, where
    the person chooses their own; nobody else ever knows it."""
    roles = _validate_user_data(data)
    if password is not None:
        check_password_policy(password, email=data.email)
    user = User(
        email=normalise_email(data.email),
        name=data.name.strip(),
        title=(data.title or "").strip() or None,
        organisation=data.organisation,
        active=data.active,
    )
    user.set_roles(roles)
    if password is None:
        user.clear_password()
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    # no name or address in the append-only log: they must be erasable (anonymisation)
    record_event(
        "user_created",
        actor=actor,
        subject=f"user:{user.id}",
        data={"roles": sorted(r.value for r in roles)},
    )
    if password is None and invite:
        send_invitation(user, actor=actor)
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
        sessions.end_all(user)
        user.deactivated_at = utcnow()
    elif data.active:
        user.deactivated_at = None
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


# --- bulk import from CSV ------------------------------------------------------------------
IMPORT_COLUMNS = ("namn", "e-post", "organisation", "roller")
MAX_IMPORT_ROWS = 500
_ROLE_BY_NAME = {r.value: r for r in Role} | {r.label.lower(): r for r in Role}


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    organisation: str
    roles: str
    errors: list[str]
    data: UserData | None = None


def parse_user_csv(text: str) -> list[ImportRow]:
    """Read ``namn;e-post;organisation;roller`` (``;`` or ``,``, a header row first) and
    check every row as the user form would, plus duplicates within the file."""
    import csv
    import io

    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise DomainError("Filen är tom.", field="file")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    if tuple(header[:4]) != IMPORT_COLUMNS:
        raise DomainError(
            "Första raden ska vara rubrikerna: " + delimiter.join(IMPORT_COLUMNS) + ".",
            field="file",
        )
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise DomainError(f"Högst {MAX_IMPORT_ROWS} användare per fil.", field="file")
        # each cell one line without control characters, as a form's text field would be
        values = [single_line(v).strip() for v in values] + [""] * 4
        row = ImportRow(
            line=reader.line_num,
            name=values[0],
            email=normalise_email(values[1]),
            organisation=values[2],
            roles=values[3],
            errors=[],
        )
        organisation = find_organisation(row.organisation) if row.organisation else None
        if row.organisation and organisation is None:
            row.errors.append(f"Okänd organisation: {row.organisation}.")
        roles = []
        for name in re.split(r"[,/+]| och ", row.roles):
            if not name.strip():
                continue
            role = _ROLE_BY_NAME.get(name.strip().lower())
            if role is None:
                row.errors.append(f"Okänd roll: {name.strip()}.")
            else:
                roles.append(role)
        if row.email in seen:
            row.errors.append(f"Samma e-postadress som rad {seen[row.email]}.")
        seen.setdefault(row.email, row.line)
        data = UserData(email=row.email, name=row.name, roles=roles, organisation=organisation)
        if not row.errors:
            try:
                _validate_user_data(data)
            except DomainError as exc:
                row.errors.append(exc.message)
        row.data = data
        rows.append(row)
    if not rows:
        raise DomainError("Filen har inga användare under rubrikraden.", field="file")
    return rows


def import_users(text: str, *, actor: User) -> list[User]:
    """Create every user in the file and send each an invitation, or none at all."""
    rows = parse_user_csv(text)
    bad = [row for row in rows if row.errors]
    if bad:
        raise DomainError(
            f"{len(bad)} rader har fel. Rätta filen; ingen användare har lagts till.",
            field="file",
        )
    return [create_user(row.data, actor=actor) for row in rows if row.data is not None]


# --- account e-mail: invitations and password resets ------------------------------------------
def _absolute(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _mail(user: User, subject: str, body: str) -> None:
    outbox.queue_mail(
        to_email=user.email,
        subject=subject,
        body=body + "\n\nMeddelandet skickades automatiskt av Finsam Ansökan. Svara inte på det.",
        recipient=user,
        kind="account",
    )


def _forbund_name() -> str:
    forbund = current_forbund()
    return forbund.name if forbund is not None else "samordningsförbundet"


def send_invitation(user: User, *, actor: User | None) -> None:
    """(Re)send the invitation: a new link, and every older one dies."""
    if user.has_password:
        raise DomainError("Användaren har redan valt ett lösenord; ingen inbjudan behövs.")
    if not user.active:
        raise DomainError("Kontot är inaktiverat. Aktivera det först.")
    user.clear_password()
    user.invited_at = utcnow()
    days = current_app.config["INVITATION_DAYS"]
    link = _absolute("auth.accept_invitation", token=make_token(user, Purpose.INVITATION))
    _mail(
        user,
        f"Inbjudan till Finsam Ansökan – {_forbund_name()}",
        f"Hej {user.name}!\n\n{_forbund_name()} har skapat ett konto åt dig i Finsam Ansökan.\n"
        f"Välj ditt lösenord här (länken fungerar en gång och i {days} dagar):\n\n{link}\n\n"
        "Om du inte väntade dig det här kan du bortse från meddelandet.",
    )
    record_event("invitation_sent", actor=actor, subject=f"user:{user.id}")


def revoke_invitation(user: User, *, actor: User) -> None:
    if not user.invitation_pending:
        raise DomainError("Användaren har ingen väntande inbjudan.")
    user.clear_password()  # the link sent dies with the old hash
    user.invited_at = None
    user.active = False
    user.deactivated_at = utcnow()
    record_event("invitation_revoked", actor=actor, subject=f"user:{user.id}")


def accept_invitation(token: str, password: str) -> User:
    user = user_for_token(token, Purpose.INVITATION)
    check_password_policy(password, email=user.email)
    user.set_password(password)
    user.invited_at = None
    record_event("invitation_accepted", actor=user, subject=f"user:{user.id}")
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if an active account has this address; do nothing visible
    otherwise (the page answers the same either way)."""
    user = db.session.scalars(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active or user.anonymised_at is not None:
        return
    if user.invitation_pending:
        send_invitation(user, actor=None)  # they never chose one: the invitation again
        return
    minutes = current_app.config["RESET_LINK_MINUTES"]
    link = _absolute("auth.reset_password", token=make_token(user, Purpose.RESET))
    _mail(
        user,
        "Återställ ditt lösenord i Finsam Ansökan",
        f"Hej {user.name}!\n\nNågon (förhoppningsvis du) bad om att få byta lösenord.\n"
        f"Välj ett nytt lösenord här (länken fungerar en gång och i {minutes} minuter):\n\n"
        f"{link}\n\nOm det inte var du kan du bortse från meddelandet; "
        "ditt lösenord är då oförändrat.",
    )
    record_event("password_reset_requested", subject=f"user:{user.id}")


def reset_password_with_token(token: str, password: str) -> User:
    user = user_for_token(token, Purpose.RESET)
    check_password_policy(password, email=user.email)
    user.set_password(password)
    sessions.end_all(user)
    record_event("password_reset_by_link", actor=user, subject=f"user:{user.id}")
    _mail(
        user,
        "Ditt lösenord i Finsam Ansökan är bytt",
        f"Hej {user.name}!\n\nLösenordet för ditt konto byttes just via en återställningslänk.\n"
        "Om det inte var du: kontakta förbundets kansli genast.",
    )
    return user


def force_password_reset(user: User, *, actor: User) -> None:
    """The old password stops working at once, every session ends, and a reset link goes
    out by e-mail (used when an account may be compromised)."""
    if not user.active:
        raise DomainError("Kontot är inaktiverat.")
    user.clear_password()
    sessions.end_all(user)
    record_event("password_reset_forced", actor=actor, subject=f"user:{user.id}")
    request_password_reset(user.email)


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
    record_event("user_deleted", actor=actor, subject=f"user:{user.id}")
    db.session.delete(user)


ANONYMOUS_NAME = "En tidigare användare"


def anonymisable_from(user: User):
    """When ``user``'s personal data may be erased (deactivated + the förbund's period)."""
    from datetime import UTC, timedelta

    if user.active or user.deactivated_at is None:
        return None
    forbund = current_forbund()
    days = forbund.anonymise_after_days if forbund is not None else 365
    since = user.deactivated_at
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since + timedelta(days=days)


def anonymise_user(user: User, *, actor: User) -> None:
    """Erase the personal data of a deactivated user who acted, once the retention period
    has passed. The row stays, so what they did still shows "En tidigare användare"."""
    if user.anonymised_at is not None:
        raise DomainError("Användaren är redan anonymiserad.")
    when = anonymisable_from(user)
    if when is None:
        raise DomainError("Inaktivera kontot först.")
    if when > utcnow():
        raise DomainError(
            f"Uppgifterna får anonymiseras först {when.date().isoformat()} "
            "(förbundets gallringstid efter inaktivering)."
        )
    from sqlalchemy import delete

    user.name = ANONYMOUS_NAME
    user.email = f"anonymiserad-{user.id}@invalid"
    user.title = None
    user.notes = None
    user.clear_password()
    user.invited_at = None
    user.totp_secret = None
    user.totp_last_step = None
    user.anonymised_at = utcnow()
    sessions.end_all(user)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(OidcIdentity).where(OidcIdentity.user_id == user.id))
    record_event("user_anonymised", actor=actor, subject=f"user:{user.id}")


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


def signatory_candidates(organisation: Organisation | None) -> list[User]:
    """Who may be the organisation's authorised signatory: its active sökande users."""
    if organisation is None or organisation.id is None:
        return []
    return [
        u
        for u in db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id, User.active.is_(True))
            .order_by(User.name)
        )
        if Role.SOKANDE in u.roles
    ]


def set_signatory(organisation: Organisation, user: User | None, *, actor: User | None) -> None:
    """Name (or clear) the organisation's authorised signatory (firmatecknare), who accepts
    its grant agreements: an active user of the organisation with the sökande role."""
    if user is not None and user not in signatory_candidates(organisation):
        raise DomainError(
            "Firmatecknaren ska vara en aktiv användare i organisationen med rollen sökande.",
            field="signatory_id",
        )
    if organisation.signatory_id == getattr(user, "id", None):
        return
    organisation.signatory = user
    db.session.flush()
    record_event(
        "organisation_signatory_set",
        actor=actor,
        subject=f"organisation:{organisation.id}",
        message=f"{organisation.name}: {user.name if user else 'ingen firmatecknare'}.",
    )


def forbundschef_candidates() -> list[User]:
    """Who may be the förbundschef: the active kansli users."""
    return [
        u
        for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
        if Role.KANSLI in u.roles
    ]


def set_forbundschef(user: User | None, *, actor: User | None) -> None:
    """Name (or clear) the förbundschef, who accepts the grant agreements for the förbund."""
    forbund = current_forbund()
    if forbund is None:
        raise DomainError("Förbundet är inte upplagt än.")
    if user is not None and user not in forbundschef_candidates():
        raise DomainError(
            "Förbundschefen ska vara en aktiv användare med rollen kansli.",
            field="forbundschef_id",
        )
    if forbund.forbundschef_id == getattr(user, "id", None):
        return
    forbund.forbundschef = user
    db.session.flush()
    record_event(
        "forbundschef_set",
        actor=actor,
        subject=f"forbund:{forbund.id}",
        message=user.name if user else "Ingen förbundschef.",
    )
