"""The one form of the exports: ask for the year's archive package (a CSRF-protected POST)."""

from __future__ import annotations

from finsam_ansokan.core.forms import Form


class ArchiveRequestForm(Form):
    """Skapa arkivpaket: a button; the year is in the URL."""
