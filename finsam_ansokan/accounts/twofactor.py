"""The second factor: time-based one-time codes (pyotp, RFC 6238) and recovery codes.

Required for the kansli and admin roles (and styrelse when the förbund says so); optional
for everyone else. A code is accepted once (``totp_last_step``) and only within one step of
the server's clock. The enrolment QR code is drawn here as SVG (segno), no outside service.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .forbund import current_forbund
from .models import RecoveryCode, User
from .roles import Role

ISSUER = "Finsam Ansökan"
RECOVERY_CODE_COUNT = 10
WRONG_CODE_MESSAGE = "Koden stämmer inte. Skriv den kod som appen visar nu."
STEP_SECONDS = 30


def required_for(user: User) -> bool:
    """Must this user give a second factor when signing in with a password?"""
    roles = {Role.KANSLI, Role.ADMIN}
    forbund = current_forbund()
    if forbund is not None and forbund.totp_for_styrelse:
        roles.add(Role.STYRELSE)
    return user.has_role(*roles)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an ``data:image/svg+xml`` URI for an ``<img>`` (CSP allows data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (now or one step either side), else None."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5).upper()  # 40 bits, shown as XXXXX-XXXXX
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw)))
    db.session.flush()
    return codes


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on once the user shows a code from the new secret; returns
    the recovery codes, to be shown once."""
    step = _matching_step(secret, code)
    if step is None:
        raise DomainError(WRONG_CODE_MESSAGE, field="code")
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record_event("totp_enrolled", actor=user, subject=f"user:{user.id}")
    return codes


def disable(user: User, *, actor: User) -> None:
    if actor.id == user.id and required_for(user):
        raise DomainError("Din roll kräver tvåstegsverifiering. Den kan inte stängas av.")
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event("totp_disabled", actor=actor, subject=f"user:{user.id}")


def verify(user: User, code: str) -> str:
    """Check a code from the app or a recovery code; each works once. Returns which kind
    was used ("totp" or "recovery"); raises a DomainError otherwise."""
    if not user.totp_secret:
        raise DomainError(WRONG_CODE_MESSAGE, field="code")
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise DomainError("Koden har redan använts. Vänta på nästa kod i appen.", field="code")
        user.totp_last_step = step
        db.session.flush()
        return "totp"
    row = db.session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if row is None:
        raise DomainError(WRONG_CODE_MESSAGE, field="code")
    row.used_at = utcnow()
    record_event("recovery_code_used", actor=user, subject=f"user:{user.id}")
    db.session.flush()
    return "recovery"


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
