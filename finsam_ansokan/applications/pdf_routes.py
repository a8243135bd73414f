"""The application as a PDF: the current content, or an immutable submitted version."""

from __future__ import annotations

from flask import Blueprint, abort
from sqlalchemy import select

from finsam_ansokan.core.pdf import pdf_response
from finsam_ansokan.core.permissions import require
from finsam_ansokan.extensions import db

from . import pdf
from .loaders import visible_or_404
from .models import ApplicationVersion

bp = Blueprint("application_pdf", __name__, url_prefix="/ansokningar")


@bp.get("/<int:application_id>/pdf")
@require("view_application")
def application(application_id: int):
    document = pdf.document_for_application(visible_or_404(application_id))
    return pdf_response(pdf.render_pdf(document), f"{document.file_stem}.pdf")


@bp.get("/<int:application_id>/versioner/<int:number>/pdf")
@require("view_application")
def version(application_id: int, number: int):
    application = visible_or_404(application_id)
    version = db.session.scalar(
        select(ApplicationVersion).where(
            ApplicationVersion.application_id == application.id,
            ApplicationVersion.number == number,
        )
    )
    if version is None:
        abort(404)
    document = pdf.document_for_version(version)
    return pdf_response(pdf.render_pdf(document), f"{document.file_stem}-version-{number}.pdf")
