"""Signed links for invitations and password resets (itsdangerous, Flask's own signer).

A token carries the user id and a fingerprint of the current password hash, never the hash.
Setting a password changes the hash, so a link works once; a newer link, a forced reset or
a revoked invitation (which all replace the hash) kill the older ones. The signature's
timestamp bounds its age.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db

from .models import User

EXPIRED_MESSAGE = "Länken är för gammal. Be om en ny."
INVALID_MESSAGE = "Länken är ogiltig eller redan använd. Be om en ny."


class Purpose(StrEnum):
    INVITATION = "invitation"
    RESET = "reset"

    @property
    def max_age_seconds(self) -> int:
        config = current_app.config
        if self is Purpose.INVITATION:
            return int(config["INVITATION_DAYS"]) * 24 * 3600
        return int(config["RESET_LINK_MINUTES"]) * 60


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"finsam-account-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_token(token: str, purpose: Purpose) -> User:
    """The active user the link was made for, or a DomainError in Swedish."""
    try:
        payload = _serializer(purpose).loads(token, max_age=purpose.max_age_seconds)
    except SignatureExpired:
        raise DomainError(EXPIRED_MESSAGE) from None
    except BadSignature:
        raise DomainError(INVALID_MESSAGE) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise DomainError(INVALID_MESSAGE)
    user = db.session.get(User, payload["u"])
    if (
        user is None
        or not user.active
        or user.anonymised_at is not None
        or not hmac.compare_digest(str(payload.get("p", "")), _fingerprint(user))
    ):
        raise DomainError(INVALID_MESSAGE)
    return user
