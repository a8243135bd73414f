"""Helpers shared by forms in every area."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select

from finsam_ansokan.core.errors import DomainError, DomainErrors
from finsam_ansokan.core.money import InvalidAmount, format_money, parse_amount
from finsam_ansokan.core.text import clean_multiline, single_line


def init_app(app: Flask) -> None:
    """Every form speaks Swedish: WTForms' own Swedish messages ("Inte ett giltigt heltal")
    for the validators a form does not give a message of its own. Flask-WTF would ask
    Flask-Babel for the locale; the interface has one language, so it is set here once."""
    app.config.setdefault("WTF_I18N_ENABLED", False)
    FlaskForm.Meta.locales = ["sv_SE", "sv"]


def _text_filter(field_class: type):
    """The cleaning a text field of ``field_class`` gets (``core/text``), or None."""
    if not issubclass(field_class, StringField) or issubclass(field_class, PasswordField):
        return None  # not text, or a password (hashed, never stored or shown as typed)
    # a textarea, or a hidden field carrying a text from one page to the next (an import
    # file's content), keeps its lines; what a user types on one line stays one line
    multiline = issubclass(field_class, TextAreaField | HiddenField)
    clean = clean_multiline if multiline else single_line
    return lambda value: clean(value) if isinstance(value, str) else value


class FastSelect(Select):
    """WTForms' ``<select>``, its plain options written straight out: the same HTML as
    ``Select.render_option`` (attributes in sorted order, so ``selected`` before ``value``;
    value and label escaped), without building and sorting an attribute dict per option.
    A long list (the organisations, the years) costs a tenth of the time. An option with
    attributes of its own goes the general way."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')  # noqa: S704 - value and label escaped


_FAST_SELECT = FastSelect()


class Form(FlaskForm):
    """The base of every form in the package (``tests/unit/test_house_rules.py`` checks it).

    Every text field is cleaned as it is read, so no view or service sees what cannot be
    stored or shown: a textarea keeps tab and line breaks but no other control character
    (a NUL byte is refused by PostgreSQL), and so does a hidden field; a one-line field
    holds one line (CR/LF and tab become a space), so a title can never split an e-mail
    header or a CSV row."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class is SelectField and "widget" not in unbound_field.kwargs:
                options = {**options, "widget": _FAST_SELECT}
            text_filter = _text_filter(unbound_field.field_class)
            if text_filter is not None:
                options = {
                    **options,
                    "filters": [*unbound_field.kwargs.get("filters", ()), text_filter],
                }
            return super().bind_field(form, unbound_field, options)


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or at the top of the form;
    each of several (``DomainErrors``) beside its own field. A message the field already
    shows is not repeated."""
    problems = error.problems if isinstance(error, DomainErrors) else [(error.field, error.message)]
    for field_name, message in problems:
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            if message not in field.errors:
                field.errors = [*field.errors, message]
        elif message not in form.form_errors:
            form.form_errors.append(message)


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MoneyField(StringField):
    """An amount typed the Swedish way (``1 065 500``, ``1065500 kr``) → ``Decimal``."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = parse_amount(valuelist[0])
            except InvalidAmount as exc:
                raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_money(self.data, unit=False) if self.data is not None else ""


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (roles, medverkande parter)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
