"""Sammanträden: meetings, agenda, attendance, jäv, decisions, minutes and decision letters."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Text, select
from sqlalchemy.orm import defer, joinedload, selectinload

from finsam_ansokan.accounts.forbund import current_forbund
from finsam_ansokan.accounts.models import Organisation, User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import finality
from finsam_ansokan.applications.loaders import visible_or_404
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.queries import requested_by_year_many
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.forms import apply_domain_error, choices
from finsam_ansokan.core.pdf import pdf_response, render_pdf
from finsam_ansokan.core.permissions import public, require
from finsam_ansokan.core.routing import refused
from finsam_ansokan.core.timeutil import format_date, today
from finsam_ansokan.core.transaction import roll_back
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment, AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from . import calendar, delegation, kallelse, minutes, page_version, policy, services
from . import settings as meeting_settings
from .forms import (
    AddCaseForm,
    AttendanceForm,
    JavForm,
    JusteraForm,
    MeetingForm,
    MoveForm,
    OtherItemForm,
    SettingsForm,
    SignatoryForm,
    decided_amounts,
    decision_form,
)
from .models import (
    EARLIEST_MEETING_DATE,
    LATEST_MEETING_DATE,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Signatory,
)

bp = Blueprint("meetings", __name__, url_prefix="/sammantraden")
decisions_bp = Blueprint("decisions", __name__, url_prefix="/ansokningar/<int:application_id>")
anslag_bp = Blueprint("anslagstavla", __name__, url_prefix="/anslagstavla")


# --- helpers ---------------------------------------------------------------------------------


def _meeting(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


#: The application's free texts: the meeting page loads 40 cases and shows none of them.
_APPLICATION_TEXTS = tuple(
    getattr(Application, prop.key)
    for prop in Application.__mapper__.column_attrs
    if isinstance(prop.columns[0].type, Text)
)


def _meeting_for_page(meeting_id: int) -> Meeting:
    """The meeting with what its page shows, one query per kind of row (not per item)."""
    return db.get_or_404(
        Meeting,
        meeting_id,
        options=[
            selectinload(Meeting.items).options(
                joinedload(AgendaItem.application).options(
                    joinedload(Application.organisation),
                    joinedload(Application.huvudomrade),
                    # the page shows a case's title and number, never its texts
                    *(defer(text) for text in _APPLICATION_TEXTS),
                ),
                # the page shows the förslag, never who wrote it
                joinedload(AgendaItem.decision)
                .joinedload(Decision.proposal)
                .lazyload(Assessment.author),
                selectinload(AgendaItem.jav),
            ),
            selectinload(Meeting.attendance).options(
                joinedload(Attendance.user).lazyload(User.role_rows),
                joinedload(Attendance.organisation),
            ),
            selectinload(Meeting.signatories),
        ],
    )


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _back(meeting: Meeting, anchor: str | None = None):
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=anchor), code=303)


def _years(item: AgendaItem) -> list[int]:
    return list(requested_by_year(item.application)) if item.application else []


def _decision_form(item: AgendaItem, **kwargs):
    form = decision_form(_years(item), prefix=f"beslut-{item.id}", **kwargs)
    if request.method == "GET" or not kwargs.get("formdata", True):
        proposal = latest_assessment(item.application, AssessmentStage.PROPOSAL)
        if proposal is not None:
            form.kind.data = proposal.kind
            for amount in proposal.amounts:
                field = getattr(form, f"amount_{amount.year}", None)
                if field is not None and amount.amount:
                    field.data = f"{int(amount.amount)}"
    return form


def _attendance_form(meeting: Meeting, **kwargs) -> AttendanceForm:
    form = AttendanceForm(**kwargs)
    board = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([Role.STYRELSE.value, Role.KANSLI.value]), User.active.is_(True))
        .distinct()
        .order_by(User.name)
    ).all()
    form.user_id.choices = choices(
        [(0, "— Ingen, skriv namnet nedan —")] + [(u.id, u.name) for u in board]
    )
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices(
        [(0, "— Användarens organisation / ingen —")] + [(o.id, o.name) for o in organisations]
    )
    return form


def _page(meeting: Meeting, *, status: int = 200, **overrides):
    """The meeting page; ``overrides`` holds a bound form that failed, by its key."""
    items = []
    can_record = policy.can_record(current_user, meeting)
    requested = requested_by_year_many(i.application_id for i in meeting.items if i.application_id)
    for item in meeting.items:
        entry = {"item": item, "proposal": None, "requested": {}, "form": None, "jav_form": None}
        if item.application is not None:
            entry["requested"] = requested.get(item.application_id, {})
            entry["proposal"] = (
                item.decision.proposal
                if item.decision is not None
                else latest_assessment(item.application, AssessmentStage.PROPOSAL)
            )
            if can_record and item.decision is None:
                entry["form"] = overrides.get(f"decision_{item.id}") or _decision_form(
                    item, formdata=None
                )
                # shown beside the decision form only: a decided case builds neither
                entry["jav_form"] = overrides.get(f"jav_{item.id}") or _jav_form(meeting)
        items.append(entry)
    can_manage = policy.can_manage(current_user, meeting)
    numbers = services.item_numbers(meeting)
    rules = meeting_settings.current()
    open_ = not meeting.is_signed
    for entry in items:
        entry["number"] = numbers[entry["item"].id]
        if entry["item"].is_case and open_:
            entry["quorum"] = services.quorum(meeting, entry["item"], rules=rules)
    signatories = [
        {
            "signatory": s,
            "can_justera": policy.can_justera(current_user, s),
            "can_record_paper": policy.can_record_paper_justering(current_user, s),
        }
        for s in meeting.signatories
    ]
    add_case_form = attendance_form = signatory_form = None
    planned = calendar.deadline_for(meeting, days=rules.deadline_days)
    if can_manage:  # the forms that build the meeting, and their choices' queries
        add_case_form = overrides.get("add_case") or AddCaseForm(formdata=None)
        add_case_form.application_id.choices = choices(
            (
                a.id,
                f"{a.diarienummer} – {a.display_title} ({a.organisation.name})"
                + ("" if in_time else " – inkom efter sista dag"),
            )
            for a, in_time in calendar.in_time_first(planned, services.cases_ready_for_agenda())
        )
        attendance_form = overrides.get("attendance") or _attendance_form(meeting, formdata=None)
        signatory_form = overrides.get("signatory") or _signatory_form(meeting, formdata=None)
    return (
        render_template(
            "meetings/show.html",
            meeting=meeting,
            items=items,
            can_manage=can_manage,
            can_record=can_record,
            add_case_form=add_case_form,
            other_item_form=(overrides.get("other_item") or OtherItemForm(formdata=None))
            if can_manage
            else None,
            attendance_form=attendance_form,
            signatory_form=signatory_form,
            # shown to a signatory who may justera now: a justerat meeting builds no form
            justera_form=overrides.get("justera")
            or (JusteraForm(formdata=None) if any(s["can_justera"] for s in signatories) else None),
            signatories=signatories,
            jav_sentence=services.jav_sentence,
            decision_sentence=services.decision_sentence,
            opening=services.OPENING_PARAGRAPHS,
            first_paragraph=services.first_paragraph(meeting),
            quorum=services.quorum(meeting, rules=rules) if open_ else None,
            justering_problems=services.justering_problems(meeting) if open_ else [],
            justering_deadline=rules.justering_deadline(meeting.date),
            deadline_passed=not meeting.is_signed
            and today() > rules.justering_deadline(meeting.date),
            appeal_last_day=services.appeal_last_day(meeting),
            can_delete=can_manage and not any(i.decision for i in meeting.items),
            planned=planned,
            sendings=kallelse.sendings(meeting) if meeting.kallelse_sent_at else [],
            can_send_kallelse=can_manage and meeting.is_board,
            unreported_delegation=len(delegation.reportable_at(meeting))
            if can_manage and meeting.is_board
            else 0,
            delegation_line=delegation.report_line,
            delegation_report_decision=delegation.REPORT_DECISION,
        ),
        status,
    )


def _jav_form(meeting: Meeting, **kwargs) -> JavForm:
    form = JavForm(**kwargs)
    form.attendance_id.choices = choices(
        (a.id, f"{a.display_name} ({a.role_enum.label.lower()})")
        for a in meeting.attendance
        if a.present
    )
    return form


def _refused(meeting: Meeting, exc: DomainError, anchor: str | None = None):
    return refused(exc, url_for("meetings.show", meeting_id=meeting.id, _anchor=anchor))


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    return services.MeetingData(
        date=form.date.data,
        place=form.place.data,
        kind=form.kind.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        application_deadline=form.application_deadline.data,
    )


def _signatory_form(meeting: Meeting, **kwargs) -> SignatoryForm:
    form = SignatoryForm(prefix="justering", **kwargs)  # ids apart from the attendance form
    form.attendance_id.choices = choices(
        [(0, "— Ingen, skriv namnet nedan —")]
        + [
            (a.id, f"{a.display_name} ({a.role_enum.label.lower()})")
            for a in meeting.attendance
            if a.present
        ]
    )
    return form


def _again(meeting: Meeting, form, key: str, exc: DomainError):
    """A service refused a form: undo the request's changes, show the form with the
    message beside its field (422, so nothing is committed)."""
    roll_back()
    apply_domain_error(form, exc)
    return _page(_meeting_for_page(meeting.id), status=422, **{key: form})


# --- meetings --------------------------------------------------------------------------------


@bp.get("/")
@require("view_meetings")
def index():
    year = request.args.get("ar", type=int)
    meetings = services.meetings_index(today(), year)
    return render_template(
        "meetings/index.html",
        upcoming=meetings.upcoming,
        past=meetings.past,
        past_years=meetings.past_years,
        year=meetings.year,
        this_year=today().year,
    )


@bp.route("/nytt", methods=["GET", "POST"])
@require("manage_meetings")
def new():
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(_meeting_data(form), actor=current_user)
        except DomainError as exc:
            roll_back()
            apply_domain_error(form, exc)
        else:
            flash(f"Sammanträdet {meeting.date.isoformat()} är skapat.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    return render_template("meetings/form.html", form=form, meeting=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<int:meeting_id>/uppgifter", methods=["GET", "POST"])
@require("manage_meetings")
def edit(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not policy.can_manage(current_user, meeting):
        abort(403)
    form = MeetingForm(obj=meeting)
    if form.validate_on_submit():
        try:
            services.update_meeting(meeting, _meeting_data(form), actor=current_user)
        except DomainError as exc:
            roll_back()
            apply_domain_error(form, exc)
        else:
            flash("Uppgifterna om sammanträdet är sparade.", "success")
            return _back(meeting)
    return render_template("meetings/form.html", form=form, meeting=meeting), (
        422 if form.errors or form.form_errors else 200
    )


@bp.post("/<int:meeting_id>/ta-bort")
@require("manage_meetings")
def delete(meeting_id: int):
    meeting = _meeting(meeting_id)
    when = format_date(meeting.date)
    try:
        services.delete_meeting(meeting, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc)
    flash(f"Sammanträdet {when} är borttaget.", "success")
    return redirect(url_for("meetings.index"), code=303)


@cache
def _code_version(package: str, templates: str) -> str:
    """Changes with the code and the templates that render a page (a new release)."""
    digest = hashlib.sha256()
    for root in (Path(package), Path(package, templates)):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"}:
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _signed_page_etag(data_version: str) -> str | None:
    """The ETag of a justerat meeting's page for the current user: the data that can still
    change (``page_version``), the code, and what the page shows of the user (name,
    organisation, roles: the menu and buttons), the förbund and the CSRF token of the
    session's forms. ``None`` while the session has no token (the page makes one)."""
    token = session.get("csrf_token")
    if token is None:
        return None
    user = current_user
    forbund = current_forbund()
    parts = (
        data_version,
        _code_version(current_app.root_path, current_app.template_folder or "templates"),
        user.id,
        user.name,
        user.organisation.name if user.organisation else None,
        sorted(role.value for role in user.roles),
        (forbund.name, forbund.organisation_number) if forbund else None,
        token,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


@bp.get("/<int:meeting_id>")
@require("view_meetings")
def show(meeting_id: int):
    # A justerat meeting never changes, so its page is answered 304 while nothing it shows
    # (``page_version``) and nothing of the user has changed; the browser asks every time.
    data_version = page_version.signed_page_version(meeting_id)
    if "_flashes" in session:  # the page shows a message once: never from a cache
        data_version = None
    etag = _signed_page_etag(data_version) if data_version else None
    if etag is not None and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    meeting = _meeting_for_page(meeting_id)
    if not meeting.is_board:  # the beredningsgrupp's meeting: a date in the calendar
        return render_template(
            "meetings/planned.html",
            meeting=meeting,
            can_manage=policy.can_manage(current_user, meeting),
        )
    response = make_response(_page(meeting))
    if data_version is not None:
        etag = _signed_page_etag(data_version)  # the page may have made the session's token
    if etag is not None:
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/ar/<int:year>")
@require("view_meetings")
def year(year: int):
    """The year's calendar: every meeting, each board meeting with its deadline."""
    if not EARLIEST_MEETING_DATE.year <= year <= LATEST_MEETING_DATE.year:
        abort(404)
    return render_template(
        "meetings/year.html",
        year=year,
        planned=calendar.year_plan(year),
        rules=meeting_settings.current(),
        reachable=calendar.next_reachable(today()),
    )


@bp.app_template_global("reachable_meeting")
def reachable_meeting() -> calendar.PlannedMeeting | None:
    """For the applicant's pages (start, Ny ansökan, a draft): the board meeting an
    application sent in today can reach, and its deadline."""
    return calendar.next_reachable(today())


@bp.get("/<int:meeting_id>/protokoll.pdf")
@require("view_meetings")
def minutes_pdf(meeting_id: int):
    meeting = _meeting(meeting_id)
    document = minutes.minutes_document(meeting)
    return pdf_response(
        render_pdf("meetings/protokoll_pdf.html", doc=document), f"{document.file_stem}.pdf"
    )


@bp.get("/<int:meeting_id>/handlingar.pdf")
@require("view_meetings")
def handlingar_pdf(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not meeting.is_board:
        abort(404)
    document = kallelse.handlingar_document(meeting)
    return pdf_response(
        render_pdf("meetings/handlingar_pdf.html", doc=document), f"{document.file_stem}.pdf"
    )


@bp.post("/<int:meeting_id>/kallelse")
@require("manage_meetings")
def send_kallelse(meeting_id: int):
    meeting = _meeting(meeting_id)
    reminder = meeting.kallelse_sent_at is not None
    try:
        sent = kallelse.send_kallelse(meeting, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "kallelse")
    what = "En påminnelse om kallelsen" if reminder else "Kallelsen"
    flash(f"{what} skickades till {sent} i styrelsen.", "success")
    return _back(meeting, "kallelse")


# --- agenda ----------------------------------------------------------------------------------


@bp.post("/<int:meeting_id>/dagordning")
@require("manage_meetings")
def add_case(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AddCaseForm()
    form.application_id.choices = choices(
        (a.id, a.display_title) for a in services.cases_ready_for_agenda()
    )
    if not form.validate_on_submit():
        return _page(meeting, status=422, add_case=form)
    application = db.session.get(Application, form.application_id.data)
    try:
        services.add_case(meeting, application, actor=current_user)
    except DomainError as exc:
        return _again(meeting, form, "add_case", exc)
    flash(f"{application.display_title} är tillagt på dagordningen.", "success")
    return _back(meeting, "dagordning")


@bp.post("/<int:meeting_id>/dagordning/ovrigt")
@require("manage_meetings")
def add_other_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = OtherItemForm()
    if not form.validate_on_submit():
        return _page(meeting, status=422, other_item=form)
    try:
        services.add_other_item(
            meeting, title=form.title.data, notes=form.notes.data, actor=current_user
        )
    except DomainError as exc:
        return _again(meeting, form, "other_item", exc)
    flash("Punkten är tillagd på dagordningen.", "success")
    return _back(meeting, "dagordning")


@bp.post("/<int:meeting_id>/dagordning/<int:item_id>/flytta")
@require("manage_meetings")
def move_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _back(meeting, "dagordning")
    try:
        services.move_item(item, form.direction.data, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "dagordning")
    return _back(meeting, "dagordning")


@bp.post("/<int:meeting_id>/dagordning/<int:item_id>/ta-bort")
@require("manage_meetings")
def remove_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    try:
        services.remove_item(item, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "dagordning")
    flash("Punkten är borttagen från dagordningen.", "success")
    return _back(meeting, "dagordning")


# --- attendance and jäv ----------------------------------------------------------------------


@bp.post("/<int:meeting_id>/narvaro")
@require("manage_meetings")
def add_attendance(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = _attendance_form(meeting)
    if not form.validate_on_submit():
        return _page(meeting, status=422, attendance=form)
    user = db.session.get(User, form.user_id.data) if form.user_id.data else None
    organisation = (
        db.session.get(Organisation, form.organisation_id.data)
        if form.organisation_id.data
        else None
    )
    try:
        services.add_attendance(
            meeting,
            user=user,
            name=form.name.data,
            organisation=organisation,
            role=form.role.data,
            note=form.note.data,
            actor=current_user,
        )
    except DomainError as exc:
        return _again(meeting, form, "attendance", exc)
    flash("Närvarolistan är uppdaterad.", "success")
    return _back(meeting, "narvaro")


@bp.post("/<int:meeting_id>/narvaro/<int:attendance_id>/ta-bort")
@require("manage_meetings")
def remove_attendance(meeting_id: int, attendance_id: int):
    meeting = _meeting(meeting_id)
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None or attendance.meeting_id != meeting.id:
        abort(404)
    try:
        services.remove_attendance(attendance, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "narvaro")
    flash("Personen är borttagen ur närvarolistan.", "success")
    return _back(meeting, "narvaro")


@bp.post("/<int:meeting_id>/dagordning/<int:item_id>/jav")
@require("record_decisions")
def declare_jav(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = _jav_form(meeting)
    if not form.validate_on_submit():
        return _page(meeting, status=422, **{f"jav_{item.id}": form})
    attendance = db.session.get(Attendance, form.attendance_id.data)
    try:
        services.declare_jav(item, attendance, form.reason.data, actor=current_user)
    except DomainError as exc:
        return _again(meeting, form, f"jav_{item.id}", exc)
    flash(f"{attendance.display_name} är antecknad som jävig.", "success")
    return _back(meeting, f"punkt-{item.id}")


# --- decisions -------------------------------------------------------------------------------


@bp.post("/<int:meeting_id>/dagordning/<int:item_id>/beslut")
@require("record_decisions")
def record_decision(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    if item.application is None:
        abort(404)
    key = f"decision_{item.id}"
    form = _decision_form(item)
    if not form.validate_on_submit():
        return _page(meeting, status=422, **{key: form})
    amounts = decided_amounts(form, _years(item))
    if amounts is None:
        return _page(meeting, status=422, **{key: form})
    try:
        decision = services.record_decision(
            item,
            kind=form.kind.data,
            amounts=amounts,
            motivation=form.motivation.data,
            villkor=form.villkor.data,
            actor=current_user,
        )
    except DomainError as exc:
        return _again(meeting, form, key, exc)
    outcome = decision.kind_enum.outcome
    flash(
        f"{item.heading}: {outcome}. Beslutet är protokollfört; det blir slutligt när "
        "protokollet är justerat.",
        "success",
    )
    return _back(meeting, f"punkt-{item.id}")


@bp.post("/<int:meeting_id>/dagordning/<int:item_id>/andra-beslut")
@require("record_decisions")
def undo_decision(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    try:
        services.undo_decision(item, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, f"punkt-{item.id}")
    flash("Beslutet är borttaget och kan registreras på nytt.", "success")
    return _back(meeting, f"punkt-{item.id}")


# --- signatories and justering ---------------------------------------------------------------


def _signatory(meeting: Meeting, signatory_id: int) -> Signatory:
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None or signatory.meeting_id != meeting.id:
        abort(404)
    return signatory


@bp.post("/<int:meeting_id>/justerare")
@require("manage_meetings")
def add_signatory(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = _signatory_form(meeting)
    if not form.validate_on_submit():
        return _page(meeting, status=422, signatory=form)
    attendance = (
        db.session.get(Attendance, form.attendance_id.data) if form.attendance_id.data else None
    )
    try:
        signatory = services.add_signatory(
            meeting,
            role=form.role.data,
            attendance=attendance,
            name=form.name.data,
            actor=current_user,
        )
    except DomainError as exc:
        return _again(meeting, form, "signatory", exc)
    flash(f"{signatory.display_name} är {signatory.role_enum.label.lower()}.", "success")
    return _back(meeting, "justering")


@bp.post("/<int:meeting_id>/justerare/<int:signatory_id>/ta-bort")
@require("manage_meetings")
def remove_signatory(meeting_id: int, signatory_id: int):
    meeting = _meeting(meeting_id)
    signatory = _signatory(meeting, signatory_id)
    try:
        services.remove_signatory(signatory, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "justering")
    flash("Uppgiften är borttagen.", "success")
    return _back(meeting, "justering")


def _justerat_message(meeting: Meeting) -> str:
    if meeting.is_signed:
        return (
            "Protokollet är justerat. Besluten är slutliga, anslaget är uppsatt på "
            "anslagstavlan och de sökande har meddelats."
        )
    return "Din justering är registrerad. Protokollet är justerat när alla har justerat."


@bp.post("/<int:meeting_id>/justerare/<int:signatory_id>/justera")
@require("justera_minutes")
def justera(meeting_id: int, signatory_id: int):
    meeting = _meeting(meeting_id)
    signatory = _signatory(meeting, signatory_id)
    if not policy.can_justera(current_user, signatory):
        abort(404)  # only one's own justering is there to make
    form = JusteraForm()
    if not form.validate_on_submit():
        return _page(_meeting_for_page(meeting.id), status=422, justera=form)
    try:
        meeting = services.justera(signatory, actor=current_user, password=form.password.data)
    except DomainError as exc:
        return _again(meeting, form, "justera", exc)
    flash(_justerat_message(meeting), "success")
    return _back(meeting, "justering")


@bp.post("/<int:meeting_id>/justerare/<int:signatory_id>/pa-papper")
@require("manage_meetings")
def record_paper_justering(meeting_id: int, signatory_id: int):
    meeting = _meeting(meeting_id)
    signatory = _signatory(meeting, signatory_id)
    if not policy.can_record_paper_justering(current_user, signatory):
        abort(404)  # a person with an account justerar themselves
    try:
        meeting = services.record_paper_justering(signatory, actor=current_user)
    except DomainError as exc:
        return _refused(meeting, exc, "justering")
    flash(_justerat_message(meeting), "success")
    return _back(meeting, "justering")


# --- the förbund's settings ------------------------------------------------------------------


@bp.route("/installningar", methods=["GET", "POST"])
@require("manage_meetings")
def settings():
    rules = meeting_settings.current()
    form = SettingsForm(obj=rules)
    if form.validate_on_submit():
        data = meeting_settings.Rules(
            board_size=form.board_size.data,
            quorum_percent=form.quorum_percent.data,
            justering_days=form.justering_days.data,
            anslag_days=form.anslag_days.data,
            forvaltningsratt=form.forvaltningsratt.data,
            minutes_kept_at=form.minutes_kept_at.data,
            appeal_text=form.appeal_text.data,
            next_steps_text=form.next_steps_text.data,
            deadline_days=form.deadline_days.data,
        )
        try:
            meeting_settings.save(data, actor=current_user)
        except DomainError as exc:
            roll_back()
            apply_domain_error(form, exc)
        else:
            flash("Inställningarna är sparade.", "success")
            return redirect(url_for("meetings.settings"), code=303)
    return render_template(
        "meetings/settings.html", form=form, ledamoter=rules.ledamoter(), quorum=rules.quorum()
    ), (422 if form.errors or form.form_errors else 200)


# --- the public anslagstavla -----------------------------------------------------------------


@anslag_bp.get("/")
@public
def anslagstavla():
    current, past = services.anslag(today())
    rules = meeting_settings.current()
    return render_template(
        "meetings/anslagstavla.html",
        current=current,
        past=past,
        forbund=minutes.forbund_name(),
        rules=rules,
        appeal_last_day=services.appeal_last_day,
    )


# --- the applicant's view of the decision ----------------------------------------------------


def _viewable_application(application_id: int) -> Application:
    return visible_or_404(application_id, policy.can_read_decision)


@decisions_bp.app_template_global("visible_decisions")
def visible_decisions(application: Application):
    """For ``meetings/_decision.html``: the decisions the current user may read, newest
    first (``applications.finality``: the applicant only those of justerade minutes)."""
    return services.decisions_for(application, current_user)


@decisions_bp.app_template_global("decision_sentence_for")
def decision_sentence_for(decision) -> str:
    return services.decision_sentence(decision)


@decisions_bp.app_template_global("appeal_last_day_for")
def appeal_last_day_for(decision) -> str:
    return format_date(services.appeal_last_day(decision.agenda_item.meeting))


@decisions_bp.get("/beslut")
@require("view_application")
def show_decision(application_id: int):
    application = _viewable_application(application_id)
    return render_template(
        "meetings/decision.html",
        application=application,
        pending_text=finality.PENDING_TEXT if finality.is_pending(application) else None,
    )


@decisions_bp.get("/beslut/beslutsbrev.pdf")
@require("view_application")
def decision_letter(application_id: int):
    application = _viewable_application(application_id)
    decision = services.latest_justerad_decision(application)
    if decision is None:
        abort(404)
    document = minutes.letter_document(decision)
    return pdf_response(
        render_pdf("meetings/beslutsbrev_pdf.html", doc=document), f"{document.file_stem}.pdf"
    )
