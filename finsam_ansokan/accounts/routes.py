"""Login, logout and the user's own account."""

from __future__ import annotations

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
from finsam_ansokan.extensions import db, limiter

from . import services
from .forms import ChangePasswordForm, ConfirmForm, LoginForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/logga-in", methods=["GET", "POST"])
@public
@limiter.limit(
    _login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302
)
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
            session.clear()  # a fresh session at login: no fixation
            login_user(user)
            db.session.commit()
            return redirect(next_url)
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/losenord", methods=["GET", "POST"])
@require("manage_own_account")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session stays; others end
            flash("Ditt lösenord är bytt.", "success")
            return redirect(url_for("main.start"))
    return render_template("auth/change_password.html", form=form)
