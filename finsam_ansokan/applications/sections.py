"""The application form, declared once: its sections, their fields and what "complete" means.

The task list on the overview, the WTForms form of each section (``forms.section_form``),
the completeness check before submission (``services.completeness_problems``), the read-only
view and the comparison of versions all read this list, so a field is declared here only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

TEXT_LIMIT = 5000  # characters in a free-text answer: generous, and shown to the user
LINE_LIMIT = 200


class Kind(StrEnum):
    TEXT = "text"  # one line
    TEXTAREA = "textarea"
    EMAIL = "email"
    TEL = "tel"
    DATE = "date"
    CHOICE = "choice"  # radio buttons from FieldSpec.choices
    YESNO = "yesno"  # Ja / Nej, stored as a boolean
    COUNT = "count"  # a whole number ≥ 0
    HUVUDOMRADE = "huvudomrade"  # one of the förbund's active huvudområden
    YEAR = "year"  # one of the förbund's budget years
    PARTIES = "parties"  # medverkande parter: member organisations
    BUDGET = "budget"  # cost lines per year and category


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the Application attribute (PARTIES and BUDGET are special)
    label: str
    kind: Kind
    #: The message when the field is empty at submission; None means optional.
    missing: str | None
    hint: str | None = None
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def description(self) -> str | None:
        """The hint shown under the label, with the length limit when there is one."""
        parts = [self.hint] if self.hint else []
        if self.max_length:
            parts.append(f"Högst {self.max_length:,} tecken.".replace(",", "\u00a0"))
        return " ".join(parts) or None


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[FieldSpec, ...]
    intro: str | None = None
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(f.name for f in self.fields))


def _text(name: str, label: str, missing: str | None, hint: str | None = None) -> FieldSpec:
    return FieldSpec(name, label, Kind.TEXTAREA, missing, hint, TEXT_LIMIT)


def _line(name: str, label: str, missing: str | None, hint: str | None = None) -> FieldSpec:
    return FieldSpec(name, label, Kind.TEXT, missing, hint, LINE_LIMIT)


KINDS_OF_INSATS = (
    ("individinriktad", "Individinriktad"),
    ("strukturovergripande", "Strukturövergripande"),
)

BUDGET_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("personal", "Personal"),
    ("lokaler", "Lokaler"),
    ("ovrigt", "Övrigt"),
    ("medfinansiering", "Medfinansiering (avgår)"),
)
COST_CATEGORIES = ("personal", "lokaler", "ovrigt")
CO_FUNDING = "medfinansiering"

SECTIONS: tuple[Section, ...] = (
    Section(
        "sokande",
        "Sökande",
        (
            _line("contact_name", "Kontaktperson", "Ange kontaktperson."),
            FieldSpec(
                "contact_email",
                "Kontaktpersonens e-postadress",
                Kind.EMAIL,
                "Ange kontaktpersonens e-postadress.",
                max_length=254,
            ),
            FieldSpec(
                "contact_phone",
                "Kontaktpersonens telefonnummer",
                Kind.TEL,
                "Ange kontaktpersonens telefonnummer.",
                max_length=50,
            ),
            _line("project_leader", "Projektledare", "Ange projektledare."),
            FieldSpec(
                "parties",
                "Medverkande parter",
                Kind.PARTIES,
                "Välj de medverkande parterna.",
                hint="Insatsen ska rikta sig till målgrupper hos minst två av förbundets "
                "medlemmar. Flera kommuner räknas som en part.",
            ),
        ),
        intro="Sökande organisation är den du företräder; den kan inte ändras här.",
    ),
    Section(
        "insatsen",
        "Insatsen",
        (
            _line("title", "Insatsens namn", "Ange insatsens namn."),
            FieldSpec("huvudomrade_id", "Huvudområde", Kind.HUVUDOMRADE, "Välj huvudområde."),
            FieldSpec(
                "kind",
                "Typ av insats",
                Kind.CHOICE,
                "Välj om insatsen är individinriktad eller strukturövergripande.",
                choices=KINDS_OF_INSATS,
            ),
            _text("malgrupp", "Målgrupp", "Beskriv målgruppen."),
            FieldSpec(
                "start_date",
                "Startdatum",
                Kind.DATE,
                "Ange startdatum.",
                hint="Skriv som ÅÅÅÅ-MM-DD.",
            ),
            FieldSpec(
                "end_date", "Slutdatum", Kind.DATE, "Ange slutdatum.", hint="Skriv som ÅÅÅÅ-MM-DD."
            ),
            FieldSpec(
                "first_year",
                "Första budgetår",
                Kind.YEAR,
                "Välj första budgetår.",
                hint="Det första år ansökan gäller medel för.",
            ),
            FieldSpec(
                "last_year",
                "Sista budgetår",
                Kind.YEAR,
                "Välj sista budgetår.",
                hint="Tar du bort ett år ur ansökan tas budgeten för det året bort.",
            ),
        ),
    ),
    Section(
        "behov",
        "Behov och bakgrund",
        (
            _text("need", "Behov och bakgrund", "Beskriv behovet och bakgrunden."),
            _text(
                "not_ordinary_work",
                "Varför insatsen inte är ordinarie verksamhet",
                "Beskriv varför insatsen inte ingår i någon medlems ordinarie verksamhet.",
                hint="Förbundet får inte finansiera en medlems ordinarie uppdrag.",
            ),
        ),
    ),
    Section(
        "syfte",
        "Syfte och mål",
        (
            _text("purpose", "Syfte", "Beskriv insatsens syfte."),
            _text(
                "goals",
                "Mål",
                "Beskriv insatsens mätbara mål.",
                hint="Mätbara mål på kort och lång sikt.",
            ),
        ),
    ),
    Section(
        "genomforande",
        "Genomförande",
        (
            _text("activities", "Aktiviteter", "Beskriv insatsens aktiviteter."),
            _text("time_plan", "Tidsplan", "Beskriv tidsplanen."),
            _text(
                "steering",
                "Organisation och styrgrupp",
                "Beskriv hur insatsen organiseras och styrs.",
            ),
        ),
    ),
    Section(
        "budget",
        "Budget",
        (
            FieldSpec(
                "budget",
                "Budget per år",
                Kind.BUDGET,
                "Fyll i budgeten.",
                hint="Belopp i hela kronor. Sökt belopp räknas ut: personal + lokaler + övrigt "
                "− medfinansiering.",
            ),
        ),
    ),
    Section(
        "uppfoljning",
        "Plan för uppföljning och utvärdering",
        (
            _text(
                "followup_plan",
                "Hur målen följs upp och utvärderas",
                "Beskriv hur insatsen följs upp och utvärderas.",
                hint="Hur målen mäts och när rapporter lämnas.",
            ),
            _text("followup_indicators", "Indikatorer", "Ange vilka indikatorer som följs."),
            FieldSpec(
                "registers_in_sus",
                "Registreras deltagarna i SUS (Uppföljning Finsam)?",
                Kind.YESNO,
                "Svara om deltagarna registreras i SUS.",
            ),
        ),
    ),
    Section(
        "jamstalldhet",
        "Jämställdhet",
        (
            _text(
                "gender_composition",
                "Målgruppens sammansättning efter kön",
                "Beskriv målgruppens sammansättning efter kön.",
            ),
            _text(
                "gender_work",
                "Hur insatsen arbetar med jämställdhet",
                "Beskriv hur insatsen arbetar med jämställdhet.",
                hint="Utgå från förbundets handlingsplan för jämställdhetsintegrering.",
            ),
            FieldSpec(
                "gender_split_reporting",
                "Redovisas resultaten uppdelat på kön?",
                Kind.YESNO,
                "Svara om resultaten redovisas uppdelat på kön.",
                hint="Förbundet kräver att resultaten redovisas uppdelat på kön.",
            ),
        ),
    ),
    Section(
        "fortsattning",
        "Fortsatt finansiering och implementering",
        (
            _text(
                "continuation",
                "Fortsatt finansiering och implementering",
                "Beskriv hur arbetet fortsätter och finansieras efter projekttiden.",
                hint="Hur arbetet går vidare, och vem som betalar, om det ger goda resultat.",
            ),
        ),
    ),
    Section(
        "deltagare",
        "Förväntade deltagare",
        (
            FieldSpec(
                "expected_women", "Antal kvinnor", Kind.COUNT, "Ange förväntat antal kvinnor."
            ),
            FieldSpec("expected_men", "Antal män", Kind.COUNT, "Ange förväntat antal män."),
        ),
        intro="Ange antal, inga personuppgifter.",
    ),
)

SECTIONS_BY_SLUG: dict[str, Section] = {s.slug: s for s in SECTIONS}


def budget_field_id(year: int, category: str) -> str:
    """The form field (and HTML id) of one budget cell."""
    return f"budget-{year}-{category}"


def party_count(kinds: Iterable[str]) -> int:
    """How many parties a set of member organisations counts as: kommuner count as one.

    ``kinds`` holds the kind (``stat``, ``region``, ``kommun``) of each distinct organisation.
    """
    kinds = list(kinds)
    return sum(1 for k in kinds if k != "kommun") + (1 if "kommun" in kinds else 0)
