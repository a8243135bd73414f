"""PDF/A documents rendered with WeasyPrint, and the response that sends them."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template
from weasyprint import HTML

#: WeasyPrint's archival variant: PDF/A-3b (embedded fonts, XMP metadata, sRGB intent).
PDF_VARIANT = "pdf/a-3b"


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` (a print template with inline CSS) to PDF/A-3b bytes."""
    html = render_template(template, **context)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)


def pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
