"""Forms for applications: the shape of input only.

Each section's form is built from its declaration in :mod:`.sections`, so a field is declared
once. A form checks format (a date is a date, an amount is whole kronor, a text is not too
long); whether the application is complete is the service's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from finsam_ansokan.core.forms import Form, MultiCheckboxField, choices
from finsam_ansokan.core.money import InvalidAmount, format_number, parse_amount

from .sections import (
    BUDGET_CATEGORIES,
    FieldSpec,
    Kind,
    Section,
    budget_field_id,
)

INVALID_CHOICE = "Välj ett av alternativen."
YES_NO = (("ja", "Ja"), ("nej", "Nej"))


class AmountField(Field):
    """An amount in whole kronor, typed the Swedish way. ``data`` is a Decimal or None.

    What the user typed is shown again as typed when it is not an amount.
    """

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_amount(valuelist[0], whole_kronor=True)
        except InvalidAmount as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data) if self.data is not None else ""


def _reasonable_date(form: Form, field: Field) -> None:
    if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
        raise ValidationError("Ange ett datum mellan år 2000 och 2100.")


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=f"Texten är för lång: högst {limit} tecken.")


def _make_field(spec: FieldSpec) -> Field:
    kwargs: dict[str, Any] = {"description": spec.description or ""}
    if spec.kind in (Kind.TEXT, Kind.TEXTAREA, Kind.TEL):
        cls = {Kind.TEXT: StringField, Kind.TEXTAREA: TextAreaField, Kind.TEL: TelField}
        return cls[spec.kind](
            spec.label, validators=[Optional(), _too_long(spec.max_length or 200)], **kwargs
        )
    if spec.kind == Kind.EMAIL:
        return EmailField(
            spec.label,
            validators=[
                Optional(),
                _too_long(spec.max_length or 254),
                Email("Ange en giltig e-postadress.", check_deliverability=False),
            ],
            **kwargs,
        )
    if spec.kind == Kind.DATE:
        return DateField(
            spec.label,
            validators=[Optional(), _reasonable_date],
            invalid_value_message="Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01.",
            **kwargs,
        )
    if spec.kind in (Kind.CHOICE, Kind.YESNO):
        return RadioField(
            spec.label,
            choices=choices(spec.choices or YES_NO),
            validators=[Optional()],
            invalid_choice_message=INVALID_CHOICE,
            **kwargs,
        )
    if spec.kind == Kind.COUNT:
        return IntegerField(
            spec.label,
            validators=[
                Optional(),
                NumberRange(0, 100_000, "Ange ett antal mellan 0 och 100 000."),
            ],
            invalid_value_message="Ange antalet med siffror, till exempel 20.",
            render_kw={"inputmode": "numeric"},
            **kwargs,
        )
    if spec.kind in (Kind.HUVUDOMRADE, Kind.YEAR):
        return SelectField(
            spec.label, validators=[Optional()], invalid_choice_message=INVALID_CHOICE, **kwargs
        )
    if spec.kind == Kind.PARTIES:
        return MultiCheckboxField(
            spec.label, invalid_choice_message="Välj bland förbundets medlemmar.", **kwargs
        )
    raise ValueError(f"no form field for {spec.kind}")  # BUDGET is built per year


_ABSENT_WHEN_EMPTY = frozenset({Kind.PARTIES, Kind.CHOICE, Kind.YESNO})


class SectionForm(Form):
    """Base of every section form: the version of the application the user started from."""

    lock_version = HiddenField()

    section: Section
    years: list[int]

    #: Pairs of fields where the second may not come before the first: the error is shown
    #: on the second field when the section is saved, and the rest of the section is saved.
    ORDERED_PAIRS = (
        ("start_date", "end_date", "Slutdatum kan inte vara före startdatum."),
        ("first_year", "last_year", "Sista budgetår kan inte vara före första budgetår."),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for first_name, last_name, message in self.ORDERED_PAIRS:
            first, last = self._fields.get(first_name), self._fields.get(last_name)
            if first is None or last is None or first.errors or last.errors:
                continue
            out_of_order = False
            if first.data not in (None, "") and last.data not in (None, ""):
                try:
                    if isinstance(first.data, str) or isinstance(last.data, str):
                        out_of_order = int(last.data) < int(first.data)  # year choices
                    else:
                        out_of_order = last.data < first.data
                except (TypeError, ValueError):
                    out_of_order = False
            if out_of_order:
                last.errors = [*last.errors, message]
                valid = False
        return valid

    def started_from(self) -> int | None:
        try:
            return int(self.lock_version.data)
        except (TypeError, ValueError):
            return None

    def budget_cells(self) -> Iterable[tuple[int, str, Field]]:
        for year in self.years:
            for category, _ in BUDGET_CATEGORIES:
                yield year, category, self[budget_field_id(year, category)]

    def valid_values(self) -> dict[str, Any]:
        """What the user entered, as Python values, for every field whose format is fine.

        A field missing from the request altogether is left as it is (only checkboxes and
        radio buttons are absent when nothing is chosen).
        """
        values: dict[str, Any] = {}
        for spec in self.section.fields:
            if spec.kind == Kind.BUDGET:
                values["budget"] = {
                    (year, category): cell.data
                    for year, category, cell in self.budget_cells()
                    if not cell.errors and cell.raw_data
                }
                continue
            field = self[spec.name]
            if field.errors:
                continue
            if not field.raw_data and spec.kind not in _ABSENT_WHEN_EMPTY:
                continue
            values[spec.name] = _python_value(spec, field.data)
        return values


def _python_value(spec: FieldSpec, data: Any) -> Any:
    if spec.kind in (Kind.TEXT, Kind.TEXTAREA, Kind.TEL, Kind.EMAIL):
        return (data or "").strip() or None
    if spec.kind == Kind.YESNO:
        return {"ja": True, "nej": False}.get(data)
    if spec.kind == Kind.CHOICE:
        return data or None
    if spec.kind in (Kind.HUVUDOMRADE, Kind.YEAR):
        return int(data) if data else None
    if spec.kind == Kind.PARTIES:
        return sorted({int(v) for v in data or []})
    return data


_FORM_CLASSES: dict[tuple[str, tuple[int, ...]], type[SectionForm]] = {}


def section_form_class(section: Section, years: list[int]) -> type[SectionForm]:
    key = (section.slug, tuple(years))
    if key not in _FORM_CLASSES:
        attrs: dict[str, Any] = {"section": section, "years": list(years)}
        for spec in section.fields:
            if spec.kind == Kind.BUDGET:
                for year in years:
                    for category, label in BUDGET_CATEGORIES:
                        attrs[budget_field_id(year, category)] = AmountField(
                            f"{label} {year}", render_kw={"inputmode": "numeric"}
                        )
            else:
                attrs[spec.name] = _make_field(spec)
        _FORM_CLASSES[key] = type(f"{section.slug.title()}Form", (SectionForm,), attrs)
    return _FORM_CLASSES[key]


def form_data_of(application: Any, section: Section) -> dict[str, Any]:
    """The application's saved values in the shape the section's form shows them."""
    data: dict[str, Any] = {"lock_version": str(application.lock_version)}
    for spec in section.fields:
        if spec.kind == Kind.BUDGET:
            for line in application.budget_lines:
                data[budget_field_id(line.year, line.category)] = line.amount
            continue
        if spec.kind == Kind.PARTIES:
            data["parties"] = [str(p.organisation_id) for p in application.parties]
            continue
        value = getattr(application, spec.name)
        if spec.kind == Kind.YESNO:
            value = None if value is None else ("ja" if value else "nej")
        elif spec.kind in (Kind.HUVUDOMRADE, Kind.YEAR):
            value = "" if value is None else str(value)
        data[spec.name] = value
    return data


def section_form(
    section: Section, application: Any, *, formdata: Any = None, **choice_lists: Any
) -> SectionForm:
    """The form of ``section`` for ``application``: from ``formdata`` if posted, else saved."""
    cls = section_form_class(section, application.years)
    if formdata is not None:
        form = cls(formdata=formdata)
    else:
        form = cls(formdata=None, data=form_data_of(application, section))
    set_choices(form, **choice_lists)
    return form


def set_choices(
    form: Form,
    *,
    organisations: Iterable[Any] = (),
    huvudomraden: Iterable[Any] = (),
    years: Iterable[int] = (),
) -> None:
    """Fill the choices that come from the database (given by the route)."""
    for field in form:
        if isinstance(field, MultiCheckboxField):
            field.choices = choices(
                (str(o.id), f"{o.name} ({o.kind_label})") for o in organisations
            )
        elif isinstance(field, SelectField) and field.name in ("huvudomrade_id",):
            field.choices = choices(
                [("", "Välj huvudområde")] + [(str(a.id), a.name) for a in huvudomraden]
            )
        elif isinstance(field, SelectField) and field.name in ("first_year", "last_year"):
            field.choices = choices([("", "Välj år")] + [(str(y), str(y)) for y in years])


class NewApplicationForm(Form):
    """Ny ansökan: the few choices that start an application. The organisation is never
    taken from the form: it is always the applicant's own."""

    title = StringField(
        "Insatsens namn",
        description="Kan ändras senare.",
        validators=[Optional(), _too_long(200)],
    )
    huvudomrade_id = SelectField(
        "Huvudområde", validators=[Optional()], invalid_choice_message=INVALID_CHOICE
    )
    first_year = SelectField(
        "Första budgetår", validators=[Optional()], invalid_choice_message=INVALID_CHOICE
    )
    last_year = SelectField(
        "Sista budgetår",
        description="Samma som första budgetår om insatsen gäller ett år.",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )

    def values(self) -> dict[str, Any]:
        def as_int(value: str | None) -> int | None:
            return int(value) if value else None

        return {
            "title": (self.title.data or "").strip() or None,
            "huvudomrade_id": as_int(self.huvudomrade_id.data),
            "first_year": as_int(self.first_year.data),
            "last_year": as_int(self.last_year.data),
        }


class ConfirmForm(Form):
    """An empty form: a CSRF-protected POST button (submit, withdraw)."""


class ListFilterForm(Form):
    """Filters of the application list, sent as GET query parameters."""

    class Meta:
        csrf = False

    q = StringField(
        "Sök",
        description="Diarienummer (2026/3) eller ord ur namnet, organisationen eller "
        "kontaktpersonen",
        validators=[Optional()],
        render_kw={"type": "search", "maxlength": 200},
    )
    status = SelectField("Status", validators=[Optional()])
    ar = SelectField("År", validators=[Optional()])
    omrade = SelectField("Huvudområde", validators=[Optional()])
    organisation = SelectField("Organisation", validators=[Optional()])
    delade = BooleanField("Bara utkast som delats med beredningsgruppen", validators=[Optional()])
    sortera = SelectField(
        "Sortera efter",
        choices=choices(
            [
                ("diarienummer", "Diarienummer"),
                ("andrad", "Senast ändrad"),
                ("titel", "Insatsens namn"),
                ("belopp", "Sökt belopp"),
            ]
        ),
        validators=[Optional()],
    )
