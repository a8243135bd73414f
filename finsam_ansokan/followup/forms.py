"""Forms for reports, the schedule and payment requests: the shape of input only."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from finsam_ansokan.core.forms import Form, MoneyField, choices

from .services import MAX_PARTICIPANTS, MAX_TEXT

_DATE_MESSAGE = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-23."
_COUNT = [
    Optional(),
    NumberRange(min=0, max=MAX_PARTICIPANTS, message="Ange ett antal från 0 och uppåt."),
]
_TEXT = [Optional(), Length(max=MAX_TEXT, message=f"Högst {MAX_TEXT} tecken.")]


class SwedishDateField(DateField):
    """A date as ``2026-11-23``, with a Swedish message for anything else."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_DATE_MESSAGE) from None
        if self.data is None and valuelist and valuelist[0].strip():
            raise ValueError(_DATE_MESSAGE)


class ReportForm(Form):
    lock_version = HiddenField()
    period_start = SwedishDateField("Perioden börjar", validators=[Optional()])
    period_end = SwedishDateField("Perioden slutar", validators=[Optional()])
    participants_women = IntegerField(
        "Kvinnor",
        description="Antal kvinnor som deltagit under perioden. Bara antal, inga namn.",
        validators=_COUNT,
        render_kw={"inputmode": "numeric"},
    )
    participants_men = IntegerField(
        "Män",
        description="Antal män som deltagit under perioden.",
        validators=_COUNT,
        render_kw={"inputmode": "numeric"},
    )
    goal_fulfilment = TextAreaField(
        "Måluppfyllelse",
        description="Hur väl har insatsens mål uppfyllts, mätt enligt planen för uppföljning?",
        validators=_TEXT,
        render_kw={"rows": 6},
    )
    gender_work = TextAreaField(
        "Arbetet med jämställdhet",
        description="Hur har arbetet med jämställdhet gått? Vad visar den könsuppdelade "
        "redovisningen?",
        validators=_TEXT,
        render_kw={"rows": 5},
    )
    implementation_status = TextAreaField(
        "Implementering",
        description="Hur går arbetet med att föra in insatsen i ordinarie verksamhet?",
        validators=_TEXT,
        render_kw={"rows": 5},
    )


def report_form(years: Iterable[int], **kwargs) -> ReportForm:
    """The report form with one 'money used' field per granted year."""

    class _Form(ReportForm):
        pass

    for year in years:
        setattr(
            _Form,
            f"cost_{year}",
            MoneyField(
                f"Förbrukat {year}",
                description=f"Medel för {year} som har använts till och med periodens slut.",
            ),
        )
    return _Form(**kwargs)


class DueDateForm(Form):
    due_date = SwedishDateField("Ska lämnas senast", validators=[InputRequired("Ange ett datum.")])


class MessageForm(Form):
    message = TextAreaField(
        "Meddelande till projektägaren",
        validators=[
            InputRequired("Skriv ett meddelande."),
            Length(max=MAX_TEXT, message=f"Högst {MAX_TEXT} tecken."),
        ],
        render_kw={"rows": 4},
    )


class PaidForm(Form):
    paid_on = SwedishDateField("Utbetald den", validators=[InputRequired("Ange ett datum.")])


class PaymentRequestForm(Form):
    year = SelectField("År", coerce=int, validators=[InputRequired("Välj år.")])
    period_start = SwedishDateField(
        "Perioden börjar", validators=[InputRequired("Ange när perioden börjar.")]
    )
    period_end = SwedishDateField(
        "Perioden slutar", validators=[InputRequired("Ange när perioden slutar.")]
    )
    amount = MoneyField(
        "Begärt belopp",
        description="I kronor, till exempel 150 000.",
        validators=[InputRequired("Ange beloppet.")],
    )
    costs_incurred = TextAreaField(
        "Kostnader under perioden",
        description="De kostnader ni faktiskt har haft: personal, lokaler, övrigt.",
        validators=[
            InputRequired("Beskriv kostnaderna."),
            Length(max=MAX_TEXT, message=f"Högst {MAX_TEXT} tecken."),
        ],
        render_kw={"rows": 5},
    )


def payment_request_form(years: Iterable[int], **kwargs) -> PaymentRequestForm:
    form = PaymentRequestForm(**kwargs)
    form.year.choices = choices((y, str(y)) for y in years)
    return form
