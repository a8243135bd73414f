"""The one form of the exports: ask for the year's archive package (a CSRF-protected POST)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ArchiveRequestForm(FlaskForm):
    """Skapa arkivpaket: a button; the year is in the URL."""
