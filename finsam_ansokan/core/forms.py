"""Helpers shared by forms in every area."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from finsam_ansokan.core.errors import DomainError


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
