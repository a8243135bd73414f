"""The minutes (protokoll) and the decision letter (utdrag ur protokollet) as view models.

The templates ``meetings/protokoll_pdf.html`` and ``meetings/beslutsbrev_pdf.html`` turn
these into PDF/A through :mod:`finsam_ansokan.core.pdf`. A decision's paragraph reads the
background and proposal the decision fixed when it was recorded, so signed minutes read the
same however the application is handled later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finsam_ansokan.accounts.services import current_forbund
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.timeutil import format_date, format_datetime
from finsam_ansokan.followup import services as followup
from finsam_ansokan.review.models import Assessment, AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from . import delegation, services
from . import settings as meeting_settings
from .models import AgendaItem, Decision, DelegationDecision, Meeting, Signatory


@dataclass
class Paragraph:
    number: int | None
    heading: str
    diarienummer: str | None = None
    texts: list[tuple[str | None, str]] = field(default_factory=list)  # (label, text)
    jav: list[str] = field(default_factory=list)
    decision: str | None = None  # "Styrelsen beslutar att …"
    after: list[tuple[str, str]] = field(default_factory=list)  # villkor, motivering
    mark: str | None = None  # instead of the §: a delegationsbeslut's number

    @property
    def label(self) -> str:
        if self.mark:
            return self.mark
        return f"§ {self.number}" if self.number is not None else "§ –"


@dataclass
class Person:
    name: str
    detail: str


@dataclass
class Signature:
    role: str
    name: str
    #: "Justerat digitalt 2026-11-25 14:02" / "Justerat på papper …" / "Ej justerat"
    text: str


def signature(signatory: Signatory) -> Signature:
    if signatory.signed_at is None:
        text = "Ej justerat"
    elif signatory.digital:
        text = f"Justerat digitalt {format_datetime(signatory.signed_at)}"
    else:
        recorder = signatory.signed_by.name if signatory.signed_by else "kansliet"
        text = (
            f"Justerat på papper, registrerat {format_datetime(signatory.signed_at)} av {recorder}"
        )
    return Signature(signatory.role_enum.label, signatory.display_name, text)


@dataclass
class Anslag:
    up: str
    down: str
    kept_at: str
    last_day: str


def anslag_of(meeting: Meeting) -> Anslag | None:
    if meeting.anslag_up_on is None:
        return None
    return Anslag(
        up=format_date(meeting.anslag_up_on),
        down=format_date(meeting.anslag_down_on),
        kept_at=meeting_settings.current().minutes_kept_at,
        last_day=format_date(services.appeal_last_day(meeting)),
    )


@dataclass
class MinutesDocument:
    forbund: str
    meeting: Meeting
    title: str
    when: str
    place: str
    beslutande: list[Person]
    ovriga: list[Person]
    paragraphs: list[Paragraph]
    signed: bool
    signed_date: str | None
    signatures: list[Signature] = field(default_factory=list)
    justerare: str = ""
    anslag: Anslag | None = None

    @property
    def paragraph_range(self) -> str:
        numbers = [p.number for p in self.paragraphs if p.number is not None]
        if not numbers:
            return "–"
        if len(numbers) == 1:
            return f"§ {numbers[0]}"
        return f"§§ {min(numbers)}–{max(numbers)}"

    @property
    def file_stem(self) -> str:
        return f"protokoll-{format_date(self.meeting.date)}"


def forbund_name() -> str:
    forbund = current_forbund()
    return forbund.name if forbund else "Samordningsförbundet"


def meeting_when(meeting: Meeting) -> str:
    text = format_date(meeting.date)
    if meeting.start_time:
        text += f", kl. {meeting.start_time.strftime('%H.%M')}"
        if meeting.end_time:
            text += f"–{meeting.end_time.strftime('%H.%M')}"
    return text


def _person(attendance) -> Person:
    parts = []
    if attendance.organisation is not None:
        parts.append(attendance.organisation.name)
    if attendance.role_enum.value == "tjanstgorande_ersattare":
        parts.append("tjänstgörande ersättare")
    elif attendance.role_enum.value == "ersattare":
        parts.append("ersättare")
    if attendance.note:
        parts.append(attendance.note)
    return Person(attendance.display_name, ", ".join(parts))


def proposal_sentence(proposal: Assessment) -> str:
    amounts = " och ".join(
        f"{format_money(a.amount)} för {a.year}" for a in proposal.amounts if a.amount
    )
    kind = proposal.kind
    if kind == "avsla":
        return "Kansliet föreslår att styrelsen avslår ansökan."
    if kind == "delvis_bevilja":
        return f"Kansliet föreslår att styrelsen delvis beviljar ansökan med {amounts}."
    return f"Kansliet föreslår att styrelsen beviljar ansökan med {amounts}."


def case_paragraph(item: AgendaItem, number: int | None = None) -> Paragraph:
    application = item.application
    decision: Decision | None = item.decision
    paragraph = Paragraph(
        number=item.paragraph or number,
        heading=f"Ansökan om medel: {application.display_title}",
        diarienummer=application.diarienummer,
    )
    background = (
        decision.background
        if decision is not None and decision.background
        else services.background_text(application, requested_by_year(application))
    )
    paragraph.texts.append(("Bakgrund", background))
    proposal = (
        decision.proposal
        if decision is not None
        else latest_assessment(application, AssessmentStage.PROPOSAL)
    )
    if proposal is not None:
        text = proposal_sentence(proposal)
        if proposal.motivation:
            text += f" {proposal.motivation.strip()}"
        paragraph.texts.append(("Förslag till beslut", text))
    paragraph.jav = [services.jav_sentence(j) for j in item.jav]
    if decision is None:
        paragraph.decision = None
        return paragraph
    paragraph.decision = f"Styrelsen beslutar {services.decision_sentence(decision)}."
    paragraph.after.extend(_conditions(decision))
    return paragraph


def _conditions(decision: Decision | DelegationDecision) -> list[tuple[str, str]]:
    """What follows a decision's sentence: its villkor and its motivering."""
    return [
        (label, text)
        for label, text in (("Villkor", decision.villkor), ("Motivering", decision.motivation))
        if text
    ]


def _other_paragraph(item: AgendaItem, number: int | None = None) -> Paragraph:
    paragraph = Paragraph(number=item.paragraph or number, heading=item.title or "Övrigt")
    if item.notes:
        paragraph.texts.append((None, item.notes))
    if item.delegation_decisions:
        paragraph.texts.append(
            (None, "Följande beslut har fattats på delegation från styrelsen och anmäls.")
        )
        paragraph.texts.extend((None, delegation.report_line(d)) for d in item.delegation_decisions)
        paragraph.decision = delegation.REPORT_DECISION
        return paragraph
    paragraph.decision = "Styrelsen beslutar att lägga informationen till handlingarna."
    return paragraph


def minutes_document(meeting: Meeting) -> MinutesDocument:
    """The minutes; before justering the §§ are the preliminary numbers (the draft says so)."""
    first = services.first_paragraph(meeting)
    justerare = meeting.justerare_names or "…"
    opening = [
        Paragraph(number=first + offset, heading=heading, decision=text.format(justerare=justerare))
        for offset, (heading, text) in enumerate(services.OPENING_PARAGRAPHS)
    ]
    numbers = services.item_numbers(meeting)
    items = [
        case_paragraph(i, numbers[i.id]) if i.is_case else _other_paragraph(i, numbers[i.id])
        for i in meeting.items
    ]
    present = [a for a in meeting.attendance if a.present]
    return MinutesDocument(
        forbund=forbund_name(),
        meeting=meeting,
        title="Sammanträdesprotokoll",
        when=meeting_when(meeting),
        place=meeting.place,
        beslutande=[_person(a) for a in present if a.role_enum.decides],
        ovriga=[_person(a) for a in present if not a.role_enum.decides],
        paragraphs=opening + items,
        signed=meeting.is_signed,
        signed_date=format_date(meeting.signed_at) if meeting.signed_at else None,
        signatures=[signature(s) for s in meeting.signatories],
        justerare=meeting.justerare_names,
        anslag=anslag_of(meeting),
    )


@dataclass
class LetterDocument:
    forbund: str
    meeting: Meeting
    when: str
    recipient: str
    contact: str | None
    paragraph: Paragraph
    signed_date: str | None
    signatures: list[Signature]
    anslag: Anslag | None
    appeal: str
    next_steps: str
    reports: list[tuple[str, str]]  # (kind, due date)

    @property
    def file_stem(self) -> str:
        dnr = (self.paragraph.diarienummer or "beslut").replace("/", "-")
        return f"beslutsbrev-{dnr}"


def _reports(decision: Decision | DelegationDecision) -> list[tuple[str, str]]:
    """The reports the project owes: its schedule, or the default one from its dates."""
    if not decision.kind_enum.grants:
        return []
    return [
        (kind, format_date(due))
        for kind, due, _start, _end in followup.planned_reports(decision.application)
    ]


def letter_document(decision: Decision) -> LetterDocument:
    """Beslutsbrevet: the certified extract (utdrag) of the §, how to appeal by when, and
    what happens next. Only for justerade minutes (the routes and the archive ask)."""
    item = decision.agenda_item
    meeting = item.meeting
    application = decision.application
    rules = meeting_settings.current()
    anslag = anslag_of(meeting)
    appeal = rules.appeal_text.format(
        forvaltningsratt=rules.forvaltningsratt,
        last_day=anslag.last_day if anslag else "…",
        anslag_up=anslag.up if anslag else "…",
    )
    return LetterDocument(
        forbund=forbund_name(),
        meeting=meeting,
        when=meeting_when(meeting),
        recipient=application.organisation.name,
        contact=application.contact_name,
        paragraph=case_paragraph(item),
        signed_date=format_date(meeting.signed_at) if meeting.signed_at else None,
        signatures=[signature(s) for s in meeting.signatories],
        anslag=anslag,
        appeal=appeal,
        next_steps=rules.next_steps_text if decision.kind_enum.grants else "",
        reports=_reports(decision),
    )


@dataclass
class DelegationLetter:
    """The letter of a delegationsbeslut: the decision, its basis in the delegationsordning,
    the anmälan to the board and what happens next."""

    forbund: str
    decision: DelegationDecision
    recipient: str
    contact: str | None
    paragraph: Paragraph
    basis: str
    reported: str
    appeal: str
    next_steps: str
    reports: list[tuple[str, str]]

    @property
    def file_stem(self) -> str:
        return f"delegationsbeslut-{self.decision.year}-{self.decision.number}"


def delegation_letter_document(decision: DelegationDecision) -> DelegationLetter:
    application = decision.application
    rules = meeting_settings.current()
    order = decision.limit.order
    paragraph = Paragraph(
        number=None,
        heading=f"Ansökan om medel: {application.display_title}",
        diarienummer=application.diarienummer,
        mark=decision.label,
    )
    if decision.background:
        paragraph.texts.append(("Bakgrund", decision.background))
    if decision.proposal is not None:
        paragraph.texts.append(("Förslag till beslut", proposal_sentence(decision.proposal)))
    paragraph.decision = (
        f"{decision.decided_by.name} beslutar {services.decision_sentence(decision)}."
    )
    paragraph.after.extend(_conditions(decision))
    item = decision.reported_item
    reported = (
        f"Beslutet anmäls till styrelsen vid sammanträdet {format_date(item.meeting.date)}."
        if item is not None
        else "Beslutet anmäls till styrelsen vid nästa sammanträde."
    )
    return DelegationLetter(
        forbund=forbund_name(),
        decision=decision,
        recipient=application.organisation.name,
        contact=application.contact_name,
        paragraph=paragraph,
        basis=f"Beslutet är fattat på delegation från styrelsen enligt delegationsordningen "
        f"antagen av {order.adopted_by}, gällande från {format_date(order.valid_from)}.",
        reported=reported,
        appeal=(
            "Ett delegationsbeslut kan överklagas genom laglighetsprövning hos "
            f"{rules.forvaltningsratt} av den som är medlem i någon av förbundets kommuner. "
            "Tiden för överklagande räknas från den dag då protokollet från det sammanträde "
            "där beslutet anmäls har tillkännagetts på förbundets anslagstavla."
        ),
        next_steps=rules.next_steps_text if decision.kind_enum.grants else "",
        reports=_reports(decision),
    )
