"""User and member-organisation administration, for kansli and admin."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.forms import choices
from finsam_ansokan.core.permissions import require
from finsam_ansokan.core.transaction import refused, refused_form
from finsam_ansokan.extensions import db

from . import services
from .forms import ConfirmForm, ForbundForm, OrganisationForm, UserForm, UserImportForm
from .guard import fresh_auth_required
from .models import Organisation, User
from .roles import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _organisation_choices(form: UserForm) -> None:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices(
        [(0, "— Ingen (kansli, revisor, administratör) —")]
        + [(o.id, o.name) for o in organisations]
    )


def _user_data(form: UserForm) -> services.UserData:
    organisation = (
        db.session.get(Organisation, form.organisation_id.data)
        if form.organisation_id.data
        else None
    )
    return services.UserData(
        email=form.email.data,
        name=form.name.data,
        title=form.title.data,
        roles=[Role(r) for r in form.roles.data],
        organisation=organisation,
        active=form.active.data,
    )


@bp.route("/anvandare")
@require("manage_users")
def users():
    show_inactive = request.args.get("visa") == "alla"
    query = (
        select(User).options(joinedload(User.organisation)).order_by(User.active.desc(), User.name)
    )
    if not show_inactive:
        query = query.where(User.active.is_(True))
    return render_template(
        "admin/users.html", users=db.session.scalars(query).all(), show_inactive=show_inactive
    )


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@require("manage_users")
@fresh_auth_required
def new_user():
    form = UserForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), actor=current_user)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(
                f"Användaren {user.name} är skapad. En inbjudan har skickats till {user.email}.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@require("manage_users")
@fresh_auth_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    _organisation_choices(form)
    if request.method == "GET":
        form.roles.data = [r.value for r in user.roles]
        form.organisation_id.data = user.organisation_id or 0
    if form.validate_on_submit():
        try:
            services.update_user(user, _user_data(form), actor=current_user)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(f"Ändringarna för {user.name} är sparade.", "success")
            return redirect(url_for("admin.users"))
    has_acted = services.user_has_acted(user)
    anonymise_from = services.anonymisable_from(user)
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        confirm_form=ConfirmForm(),
        can_delete=not has_acted and user.id != current_user.id,
        can_anonymise=has_acted and user.anonymised_at is None and anonymise_from is not None,
        anonymise_from=anonymise_from,
        can_force_reset=user.active and user.has_password and user.id != current_user.id,
    ), (422 if form.errors or form.form_errors else 200)


@bp.route("/anvandare/import", methods=["GET", "POST"])
@require("manage_users")
@fresh_auth_required
def import_users():
    """Many users from a CSV file: a preview with each row's errors, then all or nothing."""
    form = UserImportForm()
    rows = None
    if form.validate_on_submit():
        upload = form.file.data
        text = form.content.data or ""
        if upload:
            raw = upload.read(1_000_001)
            try:
                text = raw.decode("utf-8") if len(raw) <= 1_000_000 else ""
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")  # Excel's own "CSV"
            if not text:
                form.file.errors = ["Filen är för stor eller tom."]
        try:
            if request.form.get("confirm") and not upload:
                created = services.import_users(text, actor=current_user)
                flash(f"{len(created)} användare är tillagda och har fått en inbjudan.", "success")
                return redirect(url_for("admin.users"))
            if text:
                rows = services.parse_user_csv(text)
                form.content.data = text
        except DomainError as exc:
            refused_form(form, exc)
    return render_template(
        "admin/user_import.html",
        form=form,
        rows=rows,
        can_import=bool(rows) and not any(row.errors for row in rows),
    ), (422 if form.errors or (rows and any(r.errors for r in rows)) else 200)


def _user_action(user_id: int, action, done: str):
    """A POST button on the user page: the service acts, or refuses with its message."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except DomainError as exc:
        return refused(exc, url_for("admin.edit_user", user_id=user_id))
    flash(done, "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/anvandare/<int:user_id>/inbjudan", methods=["POST"])
@require("manage_users")
def resend_invitation(user_id: int):
    return _user_action(
        user_id,
        lambda user: services.send_invitation(user, actor=current_user),
        "En ny inbjudan är skickad. Den gamla länken fungerar inte längre.",
    )


@bp.route("/anvandare/<int:user_id>/inbjudan/aterkalla", methods=["POST"])
@require("manage_users")
def revoke_invitation(user_id: int):
    return _user_action(
        user_id,
        lambda user: services.revoke_invitation(user, actor=current_user),
        "Inbjudan är återkallad och kontot inaktiverat.",
    )


@bp.route("/anvandare/<int:user_id>/tvinga-losenordsbyte", methods=["POST"])
@require("manage_users")
@fresh_auth_required
def force_password_reset(user_id: int):
    return _user_action(
        user_id,
        lambda user: services.force_password_reset(user, actor=current_user),
        "Lösenordet fungerar inte längre och användaren är utloggad. "
        "En länk för att välja ett nytt har skickats.",
    )


@bp.route("/anvandare/<int:user_id>/anonymisera", methods=["POST"])
@require("manage_users")
@fresh_auth_required
def anonymise_user(user_id: int):
    return _user_action(
        user_id,
        lambda user: services.anonymise_user(user, actor=current_user),
        'Personuppgifterna är borttagna. Händelserna visar nu "en tidigare användare".',
    )


@bp.route("/anvandare/<int:user_id>/ta-bort", methods=["POST"])
@require("manage_users")
@fresh_auth_required
def delete_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_user(user, actor=current_user)
    except DomainError as exc:
        return refused(exc, url_for("admin.edit_user", user_id=user_id))
    flash("Användaren är borttagen.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/organisationer")
@require("manage_organisations")
def organisations():
    rows = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    return render_template("admin/organisations.html", organisations=rows.all())


@bp.route("/organisationer/ny", methods=["GET", "POST"])
@require("manage_organisations")
def new_organisation():
    return _organisation_form(None)


@bp.route("/organisationer/<int:organisation_id>", methods=["GET", "POST"])
@require("manage_organisations")
def edit_organisation(organisation_id: int):
    return _organisation_form(db.get_or_404(Organisation, organisation_id))


def _user_choices(users: list[User], none_label: str) -> list:
    return choices([(0, none_label)] + [(u.id, u.name) for u in users])


def _organisation_form(organisation: Organisation | None):
    form = OrganisationForm(obj=organisation)
    candidates = services.signatory_candidates(organisation)
    form.signatory_id.choices = _user_choices(candidates, "— Ingen firmatecknare namngiven —")
    if request.method == "GET":
        form.signatory_id.data = (organisation.signatory_id or 0) if organisation else 0
    if form.validate_on_submit():
        try:
            saved = services.save_organisation(
                organisation,
                name=form.name.data,
                kind=form.kind.data,
                population=form.population.data,
                active=form.active.data,
                actor=current_user,
            )
            services.set_signatory(
                saved,
                next((u for u in candidates if u.id == form.signatory_id.data), None),
                actor=current_user,
            )
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(f"{saved.name} är sparad.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=organisation), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/forbundet", methods=["GET", "POST"])
@require("manage_organisations")
def forbund():
    """The förbund's förbundschef, who accepts the grant agreements for the förbund."""
    current = services.current_forbund()
    if current is None:
        abort(404)
    form = ForbundForm()
    candidates = services.forbundschef_candidates()
    form.forbundschef_id.choices = _user_choices(candidates, "— Ingen förbundschef namngiven —")
    if request.method == "GET":
        form.forbundschef_id.data = current.forbundschef_id or 0
    if form.validate_on_submit():
        try:
            services.set_forbundschef(
                next((u for u in candidates if u.id == form.forbundschef_id.data), None),
                actor=current_user,
            )
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash("Förbundschefen är sparad.", "success")
            return redirect(url_for("admin.forbund"), code=303)
    return render_template("admin/forbund.html", form=form, forbund=current), (
        422 if form.errors or form.form_errors else 200
    )
