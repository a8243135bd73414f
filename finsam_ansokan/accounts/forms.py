"""Forms for login, own account and user/organisation administration."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from finsam_ansokan.core.forms import Form, MultiCheckboxField, choices

from .roles import ROLE_LABELS, OrganisationKind


class LoginForm(Form):
    email = EmailField(
        "E-postadress",
        validators=[DataRequired("Ange din e-postadress."), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Lösenord",
        validators=[DataRequired("Ange ditt lösenord."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Logga in")


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Nuvarande lösenord",
        validators=[DataRequired("Ange ditt nuvarande lösenord."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "Nytt lösenord",
        description="Minst 12 tecken. En fras av flera ord fungerar bra.",
        validators=[DataRequired("Ange ett nytt lösenord."), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Upprepa nytt lösenord",
        validators=[DataRequired("Upprepa det nya lösenordet."), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Byt lösenord")

    def validate_confirm(self, field):
        from wtforms.validators import ValidationError

        if field.data != self.password.data:
            raise ValidationError("Lösenorden är inte lika.")


class ForgotPasswordForm(Form):
    email = EmailField(
        "E-postadress",
        validators=[DataRequired("Ange din e-postadress."), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField("Skicka länk")


class SetPasswordForm(Form):
    """Choosing a password from an invitation or a reset link."""

    password = PasswordField(
        "Nytt lösenord",
        description="Minst 12 tecken. En fras av flera ord fungerar bra.",
        validators=[DataRequired("Ange ett lösenord."), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Upprepa lösenordet",
        validators=[DataRequired("Upprepa lösenordet."), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Spara lösenordet")

    def validate_confirm(self, field):
        from wtforms.validators import ValidationError

        if field.data != self.password.data:
            raise ValidationError("Lösenorden är inte lika.")


class CodeForm(Form):
    code = StringField(
        "Engångskod",
        description="Sex siffror från appen.",
        validators=[DataRequired("Ange koden."), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField("Fortsätt")


class ReauthenticateForm(Form):
    password = PasswordField(
        "Lösenord",
        validators=[DataRequired("Ange ditt lösenord."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "Engångskod",
        description="Sex siffror från appen, eller en reservkod.",
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField("Bekräfta")


class UserForm(Form):
    name = StringField(
        "Namn",
        validators=[DataRequired("Ange namn."), Length(max=200, message="Högst 200 tecken.")],
    )
    email = EmailField(
        "E-postadress",
        validators=[
            DataRequired("Ange e-postadress."),
            Email("Ange en giltig e-postadress.", check_deliverability=False),
            Length(max=254),
        ],
    )
    title = StringField("Titel eller uppdrag", validators=[Optional(), Length(max=200)])
    organisation_id = SelectField("Medlemsorganisation", coerce=int, validators=[Optional()])
    roles = MultiCheckboxField(
        "Roller",
        choices=choices((role.value, label) for role, label in ROLE_LABELS.items()),
        validators=[DataRequired("Välj minst en roll.")],
    )
    active = BooleanField("Kontot är aktivt", default=True)
    submit = SubmitField("Spara användare")


class UserImportForm(Form):
    file = FileField(
        "CSV-fil",
        description="Rubriker på första raden: namn;e-post;organisation;roller. "
        "Flera roller skiljs med kommatecken, t.ex. sokande,beredning.",
        validators=[Optional()],
    )
    #: the checked file, carried from the preview to the confirmation
    content = HiddenField()
    submit = SubmitField("Förhandsgranska")


class OrganisationForm(Form):
    name = StringField(
        "Namn",
        validators=[DataRequired("Ange namn."), Length(max=200, message="Högst 200 tecken.")],
    )
    kind = SelectField(
        "Typ av medlem",
        choices=choices((k.value, k.label) for k in OrganisationKind),
        validators=[DataRequired("Välj typ av medlem.")],
    )
    population = IntegerField(
        "Invånare (för kommuner, används för att fördela medlemsinsatsen)",
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000_000, message="Ange ett rimligt antal."),
        ],
    )
    active = BooleanField("Aktiv medlem", default=True)
    signatory_id = SelectField(
        "Firmatecknare (godkänner överenskommelser om beviljade medel)",
        coerce=int,
        validators=[Optional()],
        description="En användare i organisationen med rollen sökande.",
    )
    submit = SubmitField("Spara organisation")


class ForbundForm(Form):
    forbundschef_id = SelectField(
        "Förbundschef (godkänner överenskommelser för förbundet)",
        coerce=int,
        validators=[Optional()],
        description="En användare med rollen kansli. Utan förbundschef kan vem som helst i "
        "kansliet godkänna.",
    )
    submit = SubmitField("Spara")


class ConfirmForm(Form):
    """An empty form: a CSRF-protected POST button."""

    submit = SubmitField("Bekräfta")
