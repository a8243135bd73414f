"""Forms for comments, requests for more information and assessments."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from finsam_ansokan.applications.sections import SECTIONS as APPLICATION_SECTIONS
from finsam_ansokan.core.forms import Form, choices

from .models import AssessmentKind, AssessmentStage
from .services import MAX_COMMENT_LENGTH, MAX_MOTIVATION_LENGTH

#: The parts of the application a comment can be about: the whole, or one section.
SECTIONS = [("", "Hela ansökan")] + [(s.slug, s.title) for s in APPLICATION_SECTIONS]
SECTION_TITLES = dict(SECTIONS)


class CommentForm(Form):
    body = TextAreaField(
        "Kommentar",
        description=f"Vanlig text, högst {MAX_COMMENT_LENGTH} tecken.",
        validators=[
            DataRequired("Skriv en kommentar."),
            Length(max=MAX_COMMENT_LENGTH, message=f"Högst {MAX_COMMENT_LENGTH} tecken."),
        ],
        render_kw={"rows": 4},
    )
    section = SelectField("Gäller avsnitt", choices=choices(SECTIONS), validators=[Optional()])
    visibility = RadioField(
        "Vem ser kommentaren?",
        choices=choices(
            [
                ("synlig", "Kommentar – synlig för den sökande"),
                (
                    "intern",
                    "Intern anteckning – bara beredningsgrupp, kansli, styrelse och revisor",
                ),
            ]
        ),
        default="synlig",
        validators=[Optional()],
    )
    parent_id = HiddenField()


class ReplyForm(Form):
    body = TextAreaField(
        "Svar",
        validators=[
            DataRequired("Skriv ett svar."),
            Length(max=MAX_COMMENT_LENGTH, message=f"Högst {MAX_COMMENT_LENGTH} tecken."),
        ],
        render_kw={"rows": 2},
    )
    parent_id = HiddenField()


class RequestInformationForm(Form):
    message = TextAreaField(
        "Vad behöver kompletteras?",
        description="Texten skickas till den sökande.",
        validators=[
            DataRequired("Beskriv vad den sökande behöver komplettera."),
            Length(max=MAX_COMMENT_LENGTH),
        ],
        render_kw={"rows": 4},
    )


def assessment_form(stage: AssessmentStage, years: list[int], **kwargs) -> Form:
    """A recommendation or proposal form with one amount field per year of the application."""
    kinds = [AssessmentKind.BEVILJA, AssessmentKind.DELVIS_BEVILJA, AssessmentKind.AVSLA]
    if stage is AssessmentStage.RECOMMENDATION:
        kinds.append(AssessmentKind.KOMPLETTERING)

    class AssessmentForm(Form):
        kind = RadioField(
            "Rekommendation" if stage is AssessmentStage.RECOMMENDATION else "Förslag",
            choices=choices((k.value, k.label) for k in kinds),
            validators=[DataRequired("Välj ett alternativ.")],
        )
        motivation = TextAreaField(
            "Motivering",
            validators=[
                DataRequired("Skriv en motivering."),
                Length(max=MAX_MOTIVATION_LENGTH),
            ],
            render_kw={"rows": 5},
        )

    for year in years:
        setattr(
            AssessmentForm,
            f"amount_{year}",
            StringField(
                f"Belopp {year} (kr)",
                description="Hela kronor. Lämna tomt vid avslag.",
                validators=[Optional(), Length(max=30)],
                render_kw={"inputmode": "numeric", "autocomplete": "off"},
            ),
        )
    return AssessmentForm(**kwargs)
