"""Login (password, second factor, identity provider), logout, forgotten password,
invitations, and the user's own account: password, two-factor, sessions.

Routes never commit: the request commits once after a response below 400
(core/transaction.py); a form shown again with errors answers 422 and rolls back.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.permissions import public, require
from finsam_ansokan.core.security import safe_next
from finsam_ansokan.core.transaction import refused, refused_form
from finsam_ansokan.extensions import limiter

from . import services, sessions, twofactor
from .forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ReauthenticateForm,
    SetPasswordForm,
)
from .guard import fresh_auth_required
from .models import User

bp = Blueprint("auth", __name__)

#: The user who gave the right password and still owes the code, and since when.
PENDING_KEY = "_pending_second_factor"
PENDING_SECONDS = 300
ENROL_KEY = "_totp_enrolment_secret"
RESET_ANSWER = (
    "Om adressen hör till ett konto har vi skickat en länk för att välja nytt lösenord. "
    "Titta i din e-post (och i skräpposten)."
)


# --- rate limits: per account and, much higher, per client address ------------------------
def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_address_limit() -> str:
    return current_app.config["RESET_ADDRESS_RATE_LIMIT"]


def _typed_account() -> str:
    """The account an attempt is against: the address typed (unknown ones count too)."""
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _pending_account() -> str:
    pending = session.get(PENDING_KEY) or {}
    return "account-code:" + str(pending.get("user", "")) if isinstance(pending, dict) else "-"


def _own_account() -> str:
    return f"account-reauth:{getattr(current_user, 'id', '-')}"


def _failed(response) -> bool:
    return response.status_code != 302


# --- signing in ------------------------------------------------------------------------------
def _sign_in(user: User, method: str) -> None:
    """A fresh session (no fixation), a server-side row for it, and the last sign-in."""
    session.clear()
    sessions.start(user, method)
    login_user(user)
    services.record_sign_in(user)


@bp.route("/logga-in", methods=["GET", "POST"])
@public
@limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_typed_account, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as exc:
            error = exc.message
        else:
            next_url = safe_next(request.args.get("next"))
            if user.totp_enabled:
                session.clear()
                session[PENDING_KEY] = {
                    "user": user.get_id(),
                    "at": int(time.time()),
                    "next": next_url,
                }
                return redirect(url_for("auth.second_factor"))
            _sign_in(user, sessions.PASSWORD)
            return redirect(next_url)
    from .oidc import providers_for_login

    status = 422 if error or form.errors else 200
    return render_template(
        "auth/login.html", form=form, error=error, providers=providers_for_login()
    ), status


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None, ""
    user = services.user_for_login_id(str(pending.get("user", "")))
    return user, safe_next(pending.get("next"))


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], key_func=_pending_account, deduct_when=_failed)
def second_factor():
    user, next_url = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Logga in igen: det tog för lång tid att ange koden.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = twofactor.verify(user, form.code.data)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            _sign_in(user, sessions.TOTP)
            if used == "recovery":
                flash(
                    f"Du loggade in med en reservkod. {twofactor.recovery_codes_left(user)} "
                    "reservkoder återstår.",
                    "info",
                )
            return redirect(next_url)
    return render_template("auth/second_factor.html", form=form), (422 if form.errors else 200)


@bp.route("/logga-in/org/<int:provider_id>")
@public
def oidc_start(provider_id: int):
    """*Logga in med … (din organisation)*: off to the organisation's identity provider.
    A plain link (the CSP's form-action would stop a form redirecting to another site);
    the state that Authlib keeps in this browser's session binds the answer to it."""
    from . import oidc

    provider = oidc.active_provider(provider_id)
    if provider is None:
        return redirect(url_for("auth.login"))
    return oidc.start_sign_in(provider, safe_next(request.args.get("next")))


@bp.route("/logga-in/org/<int:provider_id>/klar")
@public
def oidc_callback(provider_id: int):
    from . import oidc

    provider = oidc.active_provider(provider_id)
    if provider is None:
        return redirect(url_for("auth.login"))
    try:
        user, next_url, reauth = oidc.finish_sign_in(provider)
    except DomainError as exc:
        session.pop(oidc.NEXT_KEY, None)
        session.pop(oidc.REAUTH_KEY, None)
        return refused(exc, url_for("auth.login"))
    if reauth and current_user.is_authenticated and current_user.id == user.id:
        sessions.mark_authenticated(sessions.current(user), sessions.OIDC)
    else:
        _sign_in(user, sessions.OIDC)  # the provider's own MFA stands for the second factor
    return redirect(safe_next(next_url))


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        sessions.end_current()  # the cookie, even if copied, is worth nothing from now on
        logout_user()
        session.clear()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


# --- forgotten password and invitations ---------------------------------------------------------
@bp.route("/glomt-losenord", methods=["GET", "POST"])
@public
@limiter.limit(_reset_address_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_typed_account)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(RESET_ANSWER, "info")  # the same answer whether or not the address exists
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), (422 if form.errors else 200)


def _choose_password(token: str, *, invitation: bool):
    # a bad or used link raises DomainError: a Swedish 422 page with the reason
    user = services.user_for_link(token, invitation=invitation)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            if invitation:
                services.accept_invitation(token, form.password.data)
            else:
                services.reset_password_with_token(token, form.password.data)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            logout_user()
            session.clear()
            flash("Ditt lösenord är sparat. Logga in med det nu.", "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/choose_password.html", form=form, user=user, invitation=invitation
    ), (422 if form.errors else 200)


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _choose_password(token, invitation=True)


@bp.route("/aterstall-losenord/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _choose_password(token, invitation=False)


# --- own account ------------------------------------------------------------------------------
@bp.route("/konto/losenord", methods=["GET", "POST"])
@require("manage_own_account")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            login_user(current_user._get_current_object())  # this session stays; others end
            flash("Ditt lösenord är bytt.", "success")
            return redirect(url_for("main.start"))
    return render_template("auth/change_password.html", form=form), (422 if form.errors else 200)


@bp.route("/konto/bekrafta", methods=["GET", "POST"])
@require("manage_own_account")
@limiter.limit(_login_limit, methods=["POST"], key_func=_own_account, deduct_when=_failed)
def reauthenticate():
    """Prove it is you again before a sensitive action (``fresh_auth_required``)."""
    next_url = safe_next(request.args.get("next"))
    if not current_user.has_password:
        from .oidc import reauthenticate_redirect

        return reauthenticate_redirect(next_url)
    form = ReauthenticateForm()
    if form.validate_on_submit():
        try:
            method = services.reauthenticate(current_user, form.password.data, form.code.data)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            sessions.mark_authenticated(sessions.current(current_user), method)
            return redirect(next_url)
    return render_template("auth/reauthenticate.html", form=form, totp=current_user.totp_enabled), (
        422 if form.errors else 200
    )


@bp.route("/konto/tvastegsverifiering", methods=["GET", "POST"])
@require("manage_own_account")
def enrol_totp():
    user = current_user._get_current_object()
    if user.totp_enabled:
        return render_template(
            "auth/totp_status.html",
            form=ConfirmForm(),
            can_disable=not twofactor.required_for(user),
            codes_left=twofactor.recovery_codes_left(user),
        )
    secret = session.get(ENROL_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROL_KEY] = twofactor.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enrol(user, secret, form.code.data)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            session.pop(ENROL_KEY, None)
            sessions.mark_authenticated(sessions.current(user), sessions.TOTP)
            # shown here, once: only their hashes are kept
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = twofactor.provisioning_uri(user, secret)
    return render_template(
        "auth/enrol_totp.html",
        form=form,
        secret=secret,
        qr=twofactor.qr_svg_data_uri(uri),
        required=twofactor.required_for(user),
    ), (422 if form.errors else 200)


@bp.route("/konto/tvastegsverifiering/stang-av", methods=["POST"])
@require("manage_own_account")
@fresh_auth_required
def disable_totp():
    form = ConfirmForm()
    if form.validate_on_submit():
        twofactor.disable(current_user, actor=current_user)  # a refusal: a Swedish 422 page
        flash("Tvåstegsverifieringen är avstängd.", "success")
    return redirect(url_for("auth.enrol_totp"))


@bp.route("/konto/sessioner")
@require("manage_own_account")
def own_sessions():
    return render_template(
        "auth/sessions.html",
        rows=sessions.live_sessions(current_user),
        this=sessions.current(current_user),
        form=ConfirmForm(),
    )


@bp.route("/konto/sessioner/<int:session_id>/avsluta", methods=["POST"])
@require("manage_own_account")
def end_session(session_id: int):
    form = ConfirmForm()
    if form.validate_on_submit() and sessions.end_one(current_user, session_id):
        logout_user()  # it was this browser's own
        session.clear()
        flash("Du är utloggad.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.own_sessions"))


@bp.route("/konto/sessioner/logga-ut-overallt", methods=["POST"])
@require("manage_own_account")
def logout_everywhere():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.sign_out_everywhere(current_user)
        logout_user()
        session.clear()
        flash("Du är utloggad överallt.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.own_sessions"))
