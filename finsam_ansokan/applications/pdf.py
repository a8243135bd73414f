"""The application as a PDF/A document, for the diarium and the archive.

One path renders both the live application and a submitted version: each is first turned
into the same plain content dict (:func:`services.snapshot` for the live one, the stored
JSON for a version), then into a :class:`PdfDocument` view model, then through the
template ``applications/pdf.html`` and WeasyPrint. A version's PDF therefore depends only
on what was stored when it was submitted, and never changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finsam_ansokan.accounts.services import current_forbund
from finsam_ansokan.core import pdf as core_pdf
from finsam_ansokan.core.money import ZERO, to_decimal
from finsam_ansokan.core.timeutil import format_date, today

from .models import Application, ApplicationVersion
from .requested import requested_by_year
from .sections import CO_FUNDING
from .services import snapshot
from .status import Status

PDF_VARIANT = core_pdf.PDF_VARIANT

KIND_LABELS = {"individinriktad": "Individinriktad", "strukturovergripande": "Strukturövergripande"}
COST_CATEGORIES = {"personal": "Personal", "lokaler": "Lokaler", "ovrigt": "Övrigt"}

#: The sections of the form, in order: (heading, [(content key, question), …]).
#: Budget, parties, participants and attachments have their own layout in the template.
SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Insatsen",
        [
            ("malgrupp", "Målgrupp"),
        ],
    ),
    (
        "Behov och bakgrund",
        [
            ("need", "Behov"),
            ("not_ordinary_work", "Varför insatsen ligger utanför medlemmarnas ordinarie arbete"),
        ],
    ),
    (
        "Syfte och mål",
        [("purpose", "Syfte"), ("goals", "Mätbara mål på kort och lång sikt")],
    ),
    (
        "Genomförande",
        [
            ("activities", "Aktiviteter"),
            ("time_plan", "Tidsplan"),
            ("steering", "Organisation och styrgrupp"),
        ],
    ),
    (
        "Plan för uppföljning och utvärdering",
        [
            ("followup_plan", "Hur målen följs upp och mäts"),
            ("followup_indicators", "Indikatorer och när rapporter lämnas"),
            ("registers_in_sus", "Deltagarna registreras i SUS / Uppföljning Finsam"),
        ],
    ),
    (
        "Jämställdhet",
        [
            ("gender_composition", "Målgruppens sammansättning"),
            ("gender_work", "Arbete enligt handlingsplanen för jämställdhetsintegrering"),
            ("gender_split_reporting", "Resultat redovisas uppdelat på kön"),
        ],
    ),
    (
        "Fortsatt finansiering och implementering",
        [("continuation", "Hur arbetet fortsätter och finansieras efter projekttiden")],
    ),
]


@dataclass
class Answer:
    question: str
    text: str | None  # None: not answered


@dataclass
class Section:
    heading: str
    answers: list[Answer]


@dataclass
class BudgetYearTable:
    year: int
    costs: list[tuple[str, Decimal, str | None]]
    total_costs: Decimal
    cofunding: Decimal
    cofunding_note: str | None
    requested: Decimal


@dataclass
class PdfDocument:
    """Everything the PDF shows, as plain values."""

    forbund: str | None
    diarienummer: str | None
    title: str
    organisation: str | None
    status_label: str
    is_draft: bool
    #: "Version 2, inskickad 2026-05-04" or "Utkast, utskrivet 2026-05-04".
    version_line: str
    facts: list[tuple[str, str]]
    parties: list[str]
    sections: list[Section]
    budget: list[BudgetYearTable]
    requested_total: Decimal
    expected_women: int | None
    expected_men: int | None
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def expected_total(self) -> int | None:
        if self.expected_women is None and self.expected_men is None:
            return None
        return (self.expected_women or 0) + (self.expected_men or 0)

    @property
    def file_stem(self) -> str:
        if self.diarienummer:
            return "ansokan-" + self.diarienummer.replace("/", "-")
        return "ansokan-utkast"


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    return str(value).strip()


def _date(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def _budget(lines: list[dict[str, Any]]) -> list[BudgetYearTable]:
    requested = requested_by_year(lines)
    by_year: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for line in lines:
        by_year[int(line["year"])][line["category"]] = line
    tables = []
    for year in sorted(by_year):
        lines_of_year = by_year[year]
        costs = [
            (
                label,
                to_decimal(lines_of_year.get(key, {}).get("amount") or ZERO),
                _text(lines_of_year.get(key, {}).get("note")),
            )
            for key, label in COST_CATEGORIES.items()
        ]
        total = sum((amount for _, amount, _ in costs), ZERO)
        cofunding_line = lines_of_year.get(CO_FUNDING, {})
        cofunding = to_decimal(cofunding_line.get("amount") or ZERO)
        tables.append(
            BudgetYearTable(
                year=year,
                costs=costs,
                total_costs=total,
                cofunding=cofunding,
                cofunding_note=_text(cofunding_line.get("note")),
                requested=requested[year],
            )
        )
    return tables


def document_from_content(
    content: dict[str, Any],
    *,
    status: Status | str,
    version_line: str,
    forbund: str | None,
) -> PdfDocument:
    """Build the view model from snapshot content (live or stored)."""
    status = Status(status)
    diarienummer = (
        f"{content['diarie_year']}/{content['diarie_number']}"
        if content.get("diarie_number") is not None
        else None
    )
    start, end = _date(content.get("start_date")), _date(content.get("end_date"))
    budget = _budget(content.get("budget_lines") or [])
    requested_total = sum((t.requested for t in budget), ZERO)
    facts = [
        ("Diarienummer", diarienummer or "Ej diariefört"),
        ("Sökande organisation", _text(content.get("organisation")) or "–"),
        ("Kontaktperson", _text(content.get("contact_name")) or "–"),
        ("E-post", _text(content.get("contact_email")) or "–"),
        ("Telefon", _text(content.get("contact_phone")) or "–"),
        ("Projektledare", _text(content.get("project_leader")) or "–"),
        ("Huvudområde", _text(content.get("huvudomrade")) or "–"),
        ("Typ av insats", KIND_LABELS.get(content.get("kind") or "", "–")),
        ("Period", f"{start or '…'} – {end or '…'}" if start or end else "–"),
        ("Status", status.label),
    ]
    sections = [
        Section(heading, [Answer(question, _text(content.get(key))) for key, question in fields])
        for heading, fields in SECTIONS
    ]
    return PdfDocument(
        forbund=forbund,
        diarienummer=diarienummer,
        title=_text(content.get("title")) or "Namnlös ansökan",
        organisation=_text(content.get("organisation")),
        status_label=status.label,
        is_draft=status == Status.UTKAST,
        version_line=version_line,
        facts=facts,
        parties=list(content.get("parties") or []),
        sections=sections,
        budget=budget,
        requested_total=requested_total,
        expected_women=content.get("expected_women"),
        expected_men=content.get("expected_men"),
        attachments=list(content.get("attachments") or []),
    )


def _forbund_name() -> str | None:
    forbund = current_forbund()
    return forbund.name if forbund else None


def document_for_application(application: Application) -> PdfDocument:
    """The application as it is now; a draft is marked as such."""
    status = Status(application.status)
    printed = today().isoformat()
    if status == Status.UTKAST:
        version_line = f"Utkast, utskrivet {printed}"
    else:
        latest = application.versions[-1] if application.versions else None
        version_line = (
            f"Aktuell lydelse, utskriven {printed} (senast inskickad version {latest.number})"
            if latest
            else f"Aktuell lydelse, utskriven {printed}"
        )
    return document_from_content(
        snapshot(application), status=status, version_line=version_line, forbund=_forbund_name()
    )


def document_for_version(version: ApplicationVersion) -> PdfDocument:
    """A submitted version, from its stored content only: the PDF never changes."""
    submitted = format_date(version.submitted_at)
    return document_from_content(
        version.content,
        status=Status.INSKICKAD,
        version_line=f"Version {version.number}, inskickad {submitted}",
        forbund=_forbund_name(),
    )


def render_pdf(document: PdfDocument) -> bytes:
    """The document as PDF/A-3b bytes."""
    return core_pdf.render_pdf("applications/pdf.html", doc=document)
