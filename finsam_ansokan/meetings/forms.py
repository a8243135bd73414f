"""Forms for meetings, the agenda, attendance, jäv and decisions: the shape of input only."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from finsam_ansokan.core.forms import Form, MoneyField, choices
from finsam_ansokan.core.money import InvalidAmount, parse_amount

from .models import AttendanceRole, DecisionKind, MeetingKind, SignatoryRole
from .services import MAX_TEXT


class MeetingForm(Form):
    kind = SelectField(
        "Typ av sammanträde", choices=choices((k.value, k.label) for k in MeetingKind)
    )
    date = DateField(
        "Datum",
        description="Till exempel 2026-11-23.",
        validators=[InputRequired("Ange datum för sammanträdet.")],
    )
    start_time = TimeField("Starttid", validators=[Optional()])
    end_time = TimeField("Sluttid", validators=[Optional()])
    place = StringField(
        "Plats",
        validators=[DataRequired("Ange plats för sammanträdet."), Length(max=200)],
    )
    application_deadline = DateField(
        "Sista dag för kompletta ansökningar (styrelsemöte)",
        description=(
            "Lämna tomt för förbundets regel: beredningsgruppens möte före sammanträdet, "
            "annars det antal dagar före som står i inställningarna."
        ),
        validators=[Optional()],
    )


class AddCaseForm(Form):
    application_id = SelectField(
        "Ärende klart för beslut", coerce=int, validators=[InputRequired("Välj ett ärende.")]
    )


class OtherItemForm(Form):
    title = StringField(
        "Rubrik", validators=[DataRequired("Ange en rubrik för punkten."), Length(max=200)]
    )
    notes = TextAreaField(
        "Text i protokollet",
        description="Till exempel vad som redovisades. Valfritt.",
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3},
    )


class MoveForm(Form):
    direction = HiddenField(validators=[DataRequired()])


class AttendanceForm(Form):
    user_id = SelectField("Användare", coerce=int, validators=[Optional()])
    name = StringField("Eller namn (utan konto)", validators=[Optional(), Length(max=200)])
    organisation_id = SelectField(
        "Företräder",
        coerce=int,
        validators=[Optional()],
        description="Medlemsorganisationen personen företräder. Avgör jäv automatiskt.",
    )
    role = SelectField("Roll", choices=choices((r.value, r.label) for r in AttendanceRole))
    note = StringField(
        "Anteckning",
        description="Till exempel ordförande, ersätter Stina Ek, förbundschef.",
        validators=[Optional(), Length(max=200)],
    )


class JavForm(Form):
    attendance_id = SelectField(
        "Vem är jävig?", coerce=int, validators=[InputRequired("Välj en person.")]
    )
    reason = StringField(
        "Skäl", validators=[DataRequired("Ange skälet till jävet."), Length(max=300)]
    )


class SignatoryForm(Form):
    role = SelectField("Uppgift", choices=choices((r.value, r.label) for r in SignatoryRole))
    attendance_id = SelectField(
        "Person i närvarolistan",
        coerce=int,
        validators=[Optional()],
        description="Den som har ett konto justerar själv i systemet.",
    )
    name = StringField(
        "Eller namnet på en person utan konto",
        description="Kansliet registrerar när personen har justerat på papper.",
        validators=[Optional(), Length(max=200)],
    )


class JusteraForm(Form):
    password = PasswordField(
        "Ditt lösenord",
        description="Bekräfta att det är du som justerar protokollet.",
        validators=[DataRequired("Ange ditt lösenord.")],
        render_kw={"autocomplete": "current-password"},
    )


class SettingsForm(Form):
    board_size = IntegerField(
        "Antal ledamöter i styrelsen",
        description="Lämna tomt för en ledamot per medlemsorganisation.",
        validators=[Optional(), NumberRange(min=1, max=99, message="Ange 1–99.")],
    )
    quorum_percent = IntegerField(
        "Beslutför när mer än (procent av ledamöterna) deltar",
        description="50 betyder mer än hälften. Tjänstgörande ersättare räknas; jäviga inte.",
        validators=[
            InputRequired("Ange en andel."),
            NumberRange(min=1, max=99, message="Ange 1–99."),
        ],
    )
    justering_days = IntegerField(
        "Protokollet ska vara justerat inom (dagar efter sammanträdet)",
        validators=[
            InputRequired("Ange antal dagar."),
            NumberRange(min=1, max=90, message="Ange 1–90."),
        ],
    )
    anslag_days = IntegerField(
        "Anslaget sitter uppe (dagar)",
        description="Minst tre veckor (21 dagar), då tiden för överklagande löper.",
        validators=[
            InputRequired("Ange antal dagar."),
            NumberRange(min=21, max=90, message="Ange 21–90."),
        ],
    )
    deadline_days = IntegerField(
        "Sista dag för kompletta ansökningar (dagar före styrelsemötet)",
        description="Gäller när inget möte i beredningsgruppen är planerat före styrelsemötet.",
        validators=[
            InputRequired("Ange antal dagar."),
            NumberRange(min=1, max=120, message="Ange 1–120."),
        ],
    )
    forvaltningsratt = StringField(
        "Förvaltningsrätt",
        description="Dit ett överklagande (laglighetsprövning) ska skickas.",
        validators=[DataRequired("Ange förvaltningsrätten."), Length(max=200)],
    )
    minutes_kept_at = StringField(
        "Protokollet förvaras",
        validators=[DataRequired("Ange var protokollet förvaras."), Length(max=300)],
    )
    appeal_text = TextAreaField(
        "Hur man överklagar (i beslutsbrevet)",
        description="Platshållare: {forvaltningsratt}, {last_day} (sista dag), {anslag_up}.",
        validators=[DataRequired("Skriv texten."), Length(max=4000)],
        render_kw={"rows": 6},
    )
    next_steps_text = TextAreaField(
        "Vad händer sedan (i beslutsbrevet)",
        validators=[DataRequired("Skriv texten."), Length(max=4000)],
        render_kw={"rows": 5},
    )


def decision_form(years: list[int], prefix: str, kinds=tuple(DecisionKind), **kwargs) -> Form:
    """A decision form for one agenda item (or a delegationsbeslut: ``kinds``), with one
    amount field per year."""

    class DecisionForm(Form):
        kind = RadioField(
            "Beslut",
            choices=choices((k.value, k.label) for k in kinds),
            validators=[DataRequired("Välj ett beslut.")],
        )
        motivation = TextAreaField(
            "Motivering",
            description="Krävs för delvis bevilja, avslå och återremittera.",
            validators=[Optional(), Length(max=MAX_TEXT)],
            render_kw={"rows": 3},
        )
        villkor = TextAreaField(
            "Villkor",
            description="Valfritt. Bara vid beviljande beslut.",
            validators=[Optional(), Length(max=MAX_TEXT)],
            render_kw={"rows": 2},
        )

    for year in years:
        setattr(
            DecisionForm,
            f"amount_{year}",
            StringField(
                f"Beviljat belopp {year} (kr)",
                description="Hela kronor. Lämna tomt vid avslag, återremiss och bordläggning.",
                validators=[Optional(), Length(max=30)],
                render_kw={"inputmode": "numeric", "autocomplete": "off"},
            ),
        )
    return DecisionForm(prefix=prefix, **kwargs)


def delegation_order_form(areas: list[tuple[int, str]], delegates, **kwargs) -> Form:
    """A delegationsordning: the board's decision, the delegate, and per huvudområde the
    highest amount per case and per year (both empty: not delegated)."""

    class DelegationOrderForm(Form):
        adopted_by = StringField(
            "Styrelsens beslut",
            description="Till exempel: Styrelsen 2026-02-10, § 4.",
            validators=[DataRequired("Ange styrelsens beslut."), Length(max=200)],
        )
        adopted_on = DateField(
            "Beslutsdag",
            description="Till exempel 2026-02-10.",
            validators=[InputRequired("Ange dagen då styrelsen antog ordningen.")],
        )
        valid_from = DateField(
            "Gäller från",
            description="Till exempel 2026-03-01. Ordningen ersätter den som gällde före.",
            validators=[InputRequired("Ange från vilken dag ordningen gäller.")],
        )
        delegate_id = SelectField(
            "Delegat (förbundschef)",
            coerce=int,
            choices=choices(delegates),
            validators=[InputRequired("Välj delegaten.")],
        )

    for area_id, name in areas:
        setattr(
            DelegationOrderForm,
            f"case_{area_id}",
            MoneyField(f"{name}: högst per ärende (kr)", validators=[Optional()]),
        )
        setattr(
            DelegationOrderForm,
            f"year_{area_id}",
            MoneyField(f"{name}: högst per år (kr)", validators=[Optional()]),
        )
    return DelegationOrderForm(**kwargs)


def decided_amounts(form, years) -> dict[int, Decimal | None] | None:
    """The amount per year typed into a decision form, or None (with the field's message)
    when one is not a whole number of kronor."""
    amounts: dict[int, Decimal | None] = {}
    for year in years:
        field = getattr(form, f"amount_{year}")
        try:
            amounts[year] = parse_amount(field.data, whole_kronor=True)
        except InvalidAmount as exc:
            field.errors = [*field.errors, str(exc)]
            return None
    return amounts
