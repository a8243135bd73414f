"""Forms for budget years, huvudområden and reallocation: the shape of input only."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.core.forms import Form, MoneyField

from .models import Huvudomrade


class HuvudomradeForm(Form):
    name = StringField(
        "Namn",
        validators=[
            DataRequired("Ange huvudområdets namn."),
            Length(max=120, message="Högst 120 tecken."),
        ],
    )
    description = TextAreaField(
        "Beskrivning",
        description="Visas för sökande när de väljer huvudområde.",
        validators=[Optional(), Length(max=2000, message="Högst 2 000 tecken.")],
    )
    sort_order = IntegerField(
        "Ordning i listor",
        description="Lägre tal visas först.",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=999, message="Ange ett tal 0–999.")],
    )
    active = BooleanField(
        "Aktivt (kan väljas i nya ansökningar)",
        default=True,
        description="Ett inaktivt huvudområde behåller sina ramar och sin historik.",
    )


class BudgetYearForm(Form):
    """The fixed part of the budget-year form; contributions and frames are added per
    member and huvudområde by :func:`budget_year_form`."""

    year = IntegerField(
        "År",
        validators=[
            InputRequired("Ange år."),
            NumberRange(min=2000, max=2100, message="Ange ett år mellan 2000 och 2100."),
        ],
    )
    preliminary = BooleanField(
        "Preliminär budget", description="Till exempel nästa års budget innan den är fastställd."
    )
    equity_carried_over = MoneyField(
        "Eget kapital från föregående år", description="I kronor, till exempel 2 030 000."
    )
    administration_costs = MoneyField(
        "Styrelse, ledning och administration", description="Årets kostnad i kronor."
    )
    notes = TextAreaField("Anteckningar", validators=[Optional(), Length(max=4000)])
    contributions_total = MoneyField(
        "Medlemsinsatser totalt",
        description=(
            "Fyll i och tryck på ”Fördela enligt Finsam-andelarna”: staten 50 %, regionen 25 % "
            "och kommunerna 25 % efter invånarantal. Inget sparas förrän du sparar budgeten."
        ),
    )


def budget_year_form(
    organisations: Sequence[Organisation],
    areas: Sequence[Huvudomrade],
    *,
    with_year: bool,
    **kwargs,
) -> BudgetYearForm:
    """A budget-year form with one contribution field per member and one frame field per
    huvudområde (named ``contribution_<id>`` and ``frame_<id>``)."""

    class _Form(BudgetYearForm):
        pass

    for organisation in organisations:
        setattr(_Form, f"contribution_{organisation.id}", MoneyField(organisation.name))
    for area in areas:
        label = area.name if area.active else f"{area.name} (inaktivt)"
        setattr(_Form, f"frame_{area.id}", MoneyField(label))
    if not with_year:
        _Form.year = None  # the year is fixed once the budget year exists
    form = _Form(**kwargs)
    form.contribution_fields = [form[f"contribution_{o.id}"] for o in organisations]
    form.frame_fields = [form[f"frame_{a.id}"] for a in areas]
    return form


class ReallocationForm(Form):
    from_ram_id = SelectField("Från ram", coerce=int, validators=[InputRequired("Välj ram.")])
    to_ram_id = SelectField("Till ram", coerce=int, validators=[InputRequired("Välj ram.")])
    amount = MoneyField(
        "Belopp",
        description="I kronor, till exempel 100 000.",
        validators=[InputRequired("Ange belopp.")],
    )
    reason = TextAreaField(
        "Skäl",
        description="Till exempel styrelsens beslut med datum och paragraf.",
        validators=[
            DataRequired("Ange skälet till omfördelningen."),
            Length(max=2000, message="Högst 2 000 tecken."),
        ],
    )

    def validate_from_ram_id(self, field):
        if not field.data:
            raise ValidationError("Välj ramen pengarna ska flyttas från.")

    def validate_to_ram_id(self, field):
        if not field.data:
            raise ValidationError("Välj ramen pengarna ska flyttas till.")
