"""Bilagor: upload, download and remove an application's attachments.

The list and the upload form are a partial (``applications/_attachments.html``) that the
application page includes; the page's route passes it ``panel`` from :func:`attachment_panel`.
The page ``/ansokningar/<id>/bilagor`` shows the same partial on its own, and is where an
upload with an error is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from finsam_ansokan.core.errors import DomainError, NotAllowed, StorageUnavailable
from finsam_ansokan.core.filetypes import ALLOWED_LIST
from finsam_ansokan.core.permissions import require
from finsam_ansokan.core.security import safe_next
from finsam_ansokan.core.storage import StorageError
from finsam_ansokan.core.transaction import refused, refused_form, status_for
from finsam_ansokan.extensions import db

from . import attachments as service
from .attachment_forms import AttachmentForm
from .loaders import visible_or_404
from .models import Application, Attachment
from .policy import can_edit

bp = Blueprint("attachments", __name__, url_prefix="/ansokningar")


@dataclass
class AttachmentPanel:
    application: Application
    attachments: list[Attachment]
    can_edit: bool
    form: AttachmentForm


def upload_hint() -> str:
    return (
        "Tillåtna filtyper: PDF, Word, Excel, OpenDocument, PNG- och JPEG-bilder, CSV och "
        f"text ({ALLOWED_LIST}). Högst {service.format_size(service.max_bytes())} per fil."
    )


def attachment_panel(
    application: Application,
    form: AttachmentForm | None = None,
    attachments: list | None = None,
) -> AttachmentPanel:
    """What the attachments partial shows for ``application`` to the current user;
    ``attachments`` when the page has read them already."""
    if form is None:
        form = AttachmentForm(formdata=None)
        form.next.data = request.path
    form.file.description = upload_hint()
    return AttachmentPanel(
        application=application,
        attachments=(
            attachments if attachments is not None else service.current_attachments(application)
        ),
        can_edit=can_edit(current_user, application),
        form=form,
    )


bp.add_app_template_filter(service.format_size, "filesize")


def _attachment_of(application: Application, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application.id:
        abort(404)
    return attachment


def _back_to(application: Application, target: str | None) -> str:
    """The page the form was on (a path on this site), or the attachments page."""
    return safe_next(target, url_for("attachments.index", application_id=application.id))


def _attachments_page(application: Application, form: AttachmentForm | None = None):
    return render_template(
        "applications/attachments.html",
        application=application,
        attachment_form=form,
        panel=attachment_panel(application, form),
    )


@bp.get("/<int:application_id>/bilagor")
@require("view_application")
def index(application_id: int):
    return _attachments_page(visible_or_404(application_id))


@bp.post("/<int:application_id>/bilagor")
@require("manage_attachments")
def upload(application_id: int):
    application = visible_or_404(application_id)
    if not can_edit(current_user, application):
        abort(403)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            attachment = service.add_attachment(application, form.file.data, actor=current_user)
        except NotAllowed:
            abort(403)
        except StorageUnavailable as exc:  # the store is down: say so with 503, store nothing
            refused_form(form, exc)
            return _attachments_page(application, form), status_for(exc)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(f"Bilagan {attachment.filename} är uppladdad.", "success")
            return redirect(_back_to(application, form.next.data))
    return _attachments_page(application, form)


@bp.route("/<int:application_id>/bilagor/<int:attachment_id>")
@require("view_application")
def download(application_id: int, attachment_id: int):
    application = visible_or_404(application_id)
    attachment = _attachment_of(application, attachment_id)
    try:
        stream = service.open_attachment(attachment)
    except StorageError:
        current_app.logger.error("attachment %s: stored bytes are missing", attachment.id)
        abort(404)
    response = send_file(
        stream,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        etag=attachment.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:application_id>/bilagor/<int:attachment_id>/ta-bort", methods=["POST"])
@require("manage_attachments")
def remove(application_id: int, attachment_id: int):
    application = visible_or_404(application_id)
    attachment = _attachment_of(application, attachment_id)
    if not can_edit(current_user, application):
        abort(403)
    filename = attachment.filename
    back = _back_to(application, request.form.get("next"))
    try:
        service.remove_attachment(attachment, actor=current_user)
    except NotAllowed:
        abort(403)
    except DomainError as exc:
        return refused(exc, back)
    flash(f"Bilagan {filename} är borttagen.", "success")
    return redirect(back)
