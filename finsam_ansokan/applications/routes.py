"""Applications: the list, Ny ansökan, the overview, one section at a time, submission,
withdrawal and versions.

Every route: capability (``@require``) → object check from ``policy`` (404 if the user may
not see the application, 403 if they may see but not act) → form → service → redirect. The
request commits once afterwards (``core/transaction``); routes never commit.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from finsam_ansokan.core.errors import ConcurrentEditError, DomainError, StateTransitionError
from finsam_ansokan.core.forms import choices
from finsam_ansokan.core.permissions import can, require
from finsam_ansokan.core.routing import int_arg
from finsam_ansokan.core.timeutil import format_datetime, utcnow
from finsam_ansokan.core.transaction import refused, refused_form, roll_back
from finsam_ansokan.extensions import db

from . import compare, overview_parts, policy, queries, services
from .attachment_routes import attachment_panel
from .attachments import current_attachments
from .forms import ConfirmForm, ListFilterForm, NewApplicationForm, section_form, set_choices
from .loaders import visible_or_404
from .models import Application, ApplicationVersion
from .sections import BUDGET_CATEGORIES, SECTIONS, SECTIONS_BY_SLUG, Kind, Section
from .status import Action, Status, is_decided
from .tabs import tabs_for

bp = Blueprint("applications", __name__, url_prefix="/ansokningar")


def _section_or_404(slug: str) -> Section:
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        abort(404)
    return section


def _choice_lists(application: Application | None = None) -> dict:
    return {
        "organisations": queries.member_organisations(),
        "huvudomraden": queries.active_huvudomraden(
            application.huvudomrade_id if application else None
        ),
        "years": queries.budget_years(),
    }


# --- the list --------------------------------------------------------------------------


@bp.route("")
@require("view_application")
def index():
    form = ListFilterForm(request.args)
    lists = queries.filter_choices()
    form.status.choices = choices([("", "Alla")] + [(s.value, s.label) for s in Status])
    form.ar.choices = choices([("", "Alla")] + [(str(y), str(y)) for y in lists.years])
    form.omrade.choices = choices([("", "Alla")] + [(str(i), n) for i, n in lists.huvudomraden])
    form.organisation.choices = choices(
        [("", "Alla")] + [(str(i), n) for i, n in lists.organisations]
    )
    form.validate()  # unknown values are dropped below, never an error page
    status = form.status.data if form.status.data in {s.value for s in Status} else None
    filters = queries.Filters(
        status=status,
        year=int_arg(form.ar.data),
        huvudomrade_id=int_arg(form.omrade.data),
        organisation_id=int_arg(form.organisation.data),
        sort=form.sortera.data or "diarienummer",
        shared=bool(form.delade.data),
        q=(form.q.data or "").strip()[:200] or None,
    )
    page = queries.search(
        current_user,
        filters,
        page=int_arg(request.args.get("sida")) or 1,
        per_page=current_app.config.get("PAGE_SIZE", 25),
    )
    query_args = {k: v for k, v in request.args.items() if k != "sida" and v}
    return render_template(
        "applications/index.html",
        form=form,
        page=page,
        query_args=query_args,
        show_org=can("list_all_applications"),
    )


# --- starting an application -------------------------------------------------------------


@bp.route("/ny", methods=["GET", "POST"])
@require("create_application")
def new():
    form = NewApplicationForm()
    lists = _choice_lists()
    set_choices(form, **lists)
    form.huvudomrade_id.choices = choices(
        [("", "Välj huvudområde")] + [(str(a.id), a.name) for a in lists["huvudomraden"]]
    )
    if form.validate_on_submit():
        try:
            application = services.create_application(actor=current_user, **form.values())
        except DomainError as exc:
            refused_form(form, exc)
            return render_template("applications/new.html", form=form), 422
        flash("Ansökan är skapad som utkast. Fyll i avsnitten i vilken ordning du vill.")
        return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/new.html", form=form)


# --- the overview ------------------------------------------------------------------------


@bp.route("/<int:application_id>")
@require("view_application")
def show(application_id: int):
    application = visible_or_404(application_id)
    sums = queries.budget_sums(application.id)
    editable = policy.can_edit(current_user, application)
    # the task list with each section's state is shown only to those who may edit
    problems = services.completeness_problems(application, sums=sums) if editable else []
    attachments = current_attachments(application)  # read once: the content and the panel
    return render_template(
        "applications/show.html",
        application=application,
        sections=SECTIONS,
        states=services.section_states(application, problems) if editable else {},
        problems=problems,
        sums=sums,
        editable=editable,
        content=None
        if editable
        else compare.present(services.snapshot(application, attachments=attachments)),
        panel=attachment_panel(application, attachments=attachments),
        can_submit=policy.can_submit(current_user, application),
        submit_label=services.submit_action(application).label,
        can_withdraw=policy.can_withdraw(current_user, application),
        # every submission records a version, so a registered application has one
        has_versions=policy.is_registered(application),
        show_decision=is_decided(application.status),
        tabs=tabs_for(current_user, application),
        **overview_parts.for_overview(current_user, application),
    )


@bp.app_template_global("case_tabs")
def case_tabs(application: Application) -> list:
    """For a page whose route does not pass ``tabs`` yet (meetings/decision.html)."""
    return tabs_for(current_user, application)


# --- one section -----------------------------------------------------------------------


def _attach_problems(form, problems: list[services.Problem]) -> None:
    for problem in problems:
        field = form._fields.get(problem.field)
        if field is not None:
            if problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def _section_extras(application: Application, section: Section) -> dict:
    """What other areas show with a section (its comments, see ``worklist.case``)."""
    return overview_parts.for_section(current_user, application, section)


def _render_section(application, section, form, *, status=200, **extra):
    return (
        render_template(
            "applications/section.html",
            application=application,
            section=section,
            sections=SECTIONS,
            form=form,
            sums=queries.budget_sums(application.id),
            categories=BUDGET_CATEGORIES,
            Kind=Kind,
            **_section_extras(application, section),
            **extra,
        ),
        status,
    )


@bp.get("/<int:application_id>/avsnitt/<section>")
@require("view_application")
def view_section(application_id: int, section: str):
    application = visible_or_404(application_id)
    spec = _section_or_404(section)
    if not policy.can_edit(current_user, application):
        content = compare.present(services.snapshot(application))
        return render_template(
            "applications/section_readonly.html",
            application=application,
            section=spec,
            content=next(s for s in content if s.slug == spec.slug),
            **_section_extras(application, spec),
        )
    form = section_form(spec, application, **_choice_lists(application))
    show_missing = request.args.get("kontroll") == "1"
    problems = [
        p
        for p in services.completeness_problems(application)
        if p.section == spec.slug and (show_missing or not p.missing)
    ]
    _attach_problems(form, problems)
    return _render_section(application, spec, form)


def _autosaved(status: str, message: str, **extra):
    """The answer to the page's script when it saves a section in the background: always
    200, so a refusal is shown in the page rather than as a failed request."""
    return jsonify(status=status, message=message, **extra)


@bp.post("/<int:application_id>/avsnitt/<section>")
@require("edit_application")
def save_section(application_id: int, section: str):
    application = visible_or_404(application_id)
    spec = _section_or_404(section)
    if not policy.can_edit(current_user, application):
        if policy.is_own(current_user, application):
            flash("Ansökan är inskickad och kan inte längre ändras.", "error")
            return redirect(url_for(".show", application_id=application.id))
        abort(403)
    form = section_form(spec, application, formdata=request.form, **_choice_lists(application))
    form.validate()
    autosave = request.headers.get("X-Autosave") == "1"
    if "csrf_token" in form.errors:
        if autosave:
            return _autosaved("error", "Sidan har varit öppen för länge. Spara med knappen.")
        form.form_errors.append("Sidan hade varit öppen för länge. Spara igen.")
        return _render_section(application, spec, form, status=400)
    format_errors = any(f.errors for f in form if f.name != "csrf_token")
    try:
        services.save_section(
            application,
            spec,
            form.valid_values(),
            started_from=form.started_from(),
            actor=current_user,
        )
    except ConcurrentEditError as exc:
        roll_back()
        if autosave:
            return _autosaved("conflict", f"{exc.message} Spara med knappen för att jämföra.")
        # Keep what the user typed; show what the other person saved; let them save again.
        form.lock_version.data = str(application.lock_version)
        content = compare.present(services.snapshot(application))
        return _render_section(
            application,
            spec,
            form,
            conflict=exc.message,
            theirs=next(s for s in content if s.slug == spec.slug),
        )
    except DomainError as exc:
        refused_form(form, exc)
        if autosave:
            return _autosaved("error", exc.message)
        form.form_errors.append("Inget i avsnittet sparades. Rätta felet och spara igen.")
        return _render_section(application, spec, form, status=422)
    if autosave:
        return _autosaved(
            "saved",
            "Utkastet sparades automatiskt "
            + format_datetime(utcnow())[-5:]
            + (". Fält med fel sparas inte; de markeras när du sparar." if format_errors else "."),
            lock_version=application.lock_version,
        )
    if format_errors:
        form.lock_version.data = str(application.lock_version)
        return _render_section(application, spec, form, partly_saved=True)
    flash(f"Avsnittet {spec.title} är sparat.", "success")
    if request.form.get("nasta") and spec is not SECTIONS[-1]:
        following = SECTIONS[SECTIONS.index(spec) + 1]
        return redirect(
            url_for(".view_section", application_id=application.id, section=following.slug)
        )
    return redirect(url_for(".show", application_id=application.id))


# --- submitting and withdrawing ----------------------------------------------------------


def _own_application(application_id: int) -> Application:
    application = visible_or_404(application_id)
    if not policy.is_own(current_user, application):
        abort(403)
    return application


@bp.route("/<int:application_id>/skicka-in", methods=["GET", "POST"])
@require("submit_application")
def submit(application_id: int):
    application = _own_application(application_id)
    form = ConfirmForm()
    action = services.submit_action(application)
    resubmission = action is Action.RESUBMIT
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.submit(application, actor=current_user)
        except services.IncompleteApplication as exc:
            roll_back()
            return render_template(
                "applications/submit.html",
                application=application,
                problems=exc.problems,
                sums=queries.budget_sums(application.id),
                form=form,
                sections=SECTIONS_BY_SLUG,
                resubmission=resubmission,
                submit_label=action.label,
            )
        except StateTransitionError as exc:
            return refused(exc, url_for(".show", application_id=application.id), "info")
        flash(
            f"Kompletteringen är inskickad; ansökan {application.diarienummer} har en ny version."
            if resubmission
            else f"Ansökan är inskickad och har fått diarienummer {application.diarienummer}.",
            "success",
        )
        return redirect(url_for(".show", application_id=application.id))
    if not policy.can_submit(current_user, application):
        flash(f"Ansökan har status {application.status_label.lower()}.", "info")
        return redirect(url_for(".show", application_id=application.id))
    return render_template(
        "applications/submit.html",
        application=application,
        problems=services.completeness_problems(application),
        sums=queries.budget_sums(application.id),
        form=form,
        sections=SECTIONS_BY_SLUG,
        resubmission=resubmission,
        submit_label=action.label,
    )


@bp.route("/<int:application_id>/aterkalla", methods=["GET", "POST"])
@require("withdraw_application")
def withdraw(application_id: int):
    application = _own_application(application_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.withdraw(application, actor=current_user)
        except StateTransitionError as exc:
            return refused(exc, url_for(".show", application_id=application.id))
        flash("Ansökan är återkallad.", "success")
        return redirect(url_for(".show", application_id=application.id))
    if not policy.can_withdraw(current_user, application):
        flash(f"Ansökan har status {application.status_label.lower()} och kan inte återkallas.")
        return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/withdraw.html", application=application, form=form)


# --- versions --------------------------------------------------------------------------


def _version(application: Application, number: int | None) -> ApplicationVersion:
    version = db.session.scalar(
        select(ApplicationVersion).where(
            ApplicationVersion.application_id == application.id,
            ApplicationVersion.number == number,
        )
    )
    if version is None:
        abort(404)
    return version


@bp.route("/<int:application_id>/versioner")
@require("view_application")
def versions(application_id: int):
    application = visible_or_404(application_id)
    return render_template(
        "applications/versions.html", application=application, versions=application.versions
    )


@bp.route("/<int:application_id>/versioner/<int:number>")
@require("view_application")
def version(application_id: int, number: int):
    application = visible_or_404(application_id)
    version = _version(application, number)
    return render_template(
        "applications/version.html",
        application=application,
        version=version,
        content=compare.present(version.content),
    )


@bp.route("/<int:application_id>/versioner/jamfor")
@require("view_application")
def compare_versions(application_id: int):
    application = visible_or_404(application_id)
    old = _version(application, int_arg(request.args.get("fran")))
    new = _version(application, int_arg(request.args.get("till")))
    return render_template(
        "applications/compare.html",
        application=application,
        old=old,
        new=new,
        changes=compare.changes(old.content, new.content),
    )
