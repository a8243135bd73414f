"""Request guards for signed-in users: enrolment of the second factor where a role requires
it, and ``fresh_auth_required`` for the most sensitive actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user

from finsam_ansokan.core.security import safe_next

from . import sessions, twofactor

F = TypeVar("F", bound=Callable[..., Any])

#: What a user who still has to enrol the second factor may reach.
ENROLMENT_ENDPOINTS = frozenset(
    {"auth.enrol_totp", "auth.logout", "static", "main.healthz", "main.accessibility"}
)


def needs_enrolment() -> bool:
    """Signed in with only a password although the role requires a second factor."""
    if not current_user.is_authenticated:
        return False
    row = sessions.current(current_user)
    if row is None or row.method != sessions.PASSWORD:
        return False  # a code was given, or the identity provider did the second factor
    return twofactor.required_for(current_user)


def init_app(app: Flask) -> None:
    @app.before_request
    def _enrol_second_factor_first():
        if request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
            return None
        if needs_enrolment():
            return redirect(url_for("auth.enrol_totp"))
        return None


def _back_to() -> str:
    if request.method == "GET":
        return safe_next(request.full_path.rstrip("?"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return safe_next(None)
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next(path or None)


def fresh_auth_required(view: F) -> F:
    """Route decorator (under ``@require``): the user must have proved who they are within
    ``FRESH_AUTH_MINUTES`` (password and code, or the identity provider) before the action
    runs; otherwise they are asked to, and come back to the page to do it again."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and not sessions.is_fresh(sessions.current(current_user)):
            if request.method != "GET":
                flash("Bekräfta att det är du och gör sedan om åtgärden.", "info")
            return redirect(url_for("auth.reauthenticate", next=_back_to()))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
