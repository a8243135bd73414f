"""Helpers shared by forms in every area."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from finsam_ansokan.core.errors import DomainError


def init_app(app: Flask) -> None:
    """Every form speaks Swedish: WTForms' own Swedish messages ("Inte ett giltigt heltal")
    for the validators a form does not give a message of its own. Flask-WTF would ask
    Flask-Babel for the locale; the interface has one language, so it is set here once."""
    app.config.setdefault("WTF_I18N_ENABLED", False)
    FlaskForm.Meta.locales = ["sv_SE", "sv"]


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
