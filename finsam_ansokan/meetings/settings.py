"""The förbund's rules for meetings, justering, anslag and appeal: data the kansli edits.

Without a saved row the defaults below apply; they follow common practice in Swedish
kommunalförbund (beslutför when more than half of the ledamöter take part, justering
within 14 days, anslag up three weeks, laglighetsprövning at the förvaltningsrätt).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .models import MeetingSettings

DEFAULT_FORVALTNINGSRATT = "Förvaltningsrätten"
DEFAULT_MINUTES_KEPT_AT = "Samordningsförbundets kansli"
DEFAULT_APPEAL_TEXT = (
    "Den som är medlem i en av förbundets medlemskommuner eller i regionen kan överklaga "
    "beslutet genom laglighetsprövning enligt 13 kap. kommunallagen (2017:725). "
    "Överklagandet ska vara skriftligt och ges in till {forvaltningsratt}. Det ska ha kommit "
    "in senast den {last_day}, tre veckor från den dag då justeringen av protokollet "
    "tillkännagavs på förbundets digitala anslagstavla ({anslag_up}). Ange vilket beslut "
    "som överklagas och varför det strider mot lag."
)
DEFAULT_NEXT_STEPS_TEXT = (
    "Vid beviljat beslut skriver förbundet och projektägaren en överenskommelse om belopp "
    "per år, villkor och redovisning innan pengar betalas ut. Medel begärs sedan med "
    "rekvisition i systemet. Insatsen redovisar enligt rapportplanen nedan; outnyttjade "
    "medel återgår till förbundet när insatsen avslutas."
)


@dataclass(frozen=True)
class Rules:
    board_size: int | None
    quorum_percent: int
    justering_days: int
    anslag_days: int
    forvaltningsratt: str
    minutes_kept_at: str
    appeal_text: str
    next_steps_text: str
    #: Complete applications are due this many days before a board meeting (without a
    #: beredningsgrupp meeting before it or a deadline of its own).
    deadline_days: int = 21

    @cached_property
    def _ledamoter(self) -> int:
        if self.board_size:
            return self.board_size
        count = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.active.is_(True))
        )
        return max(count or 0, 1)

    def ledamoter(self) -> int:
        """The number of ledamöter: the setting, or one per active member organisation."""
        return self._ledamoter

    def quorum(self) -> int:
        """The fewest deciding members that make the board beslutför (more than the share)."""
        return self.ledamoter() * self.quorum_percent // 100 + 1

    def justering_deadline(self, meeting_date: date) -> date:
        return meeting_date + timedelta(days=self.justering_days)


DEFAULTS = Rules(
    board_size=None,
    quorum_percent=50,
    justering_days=14,
    anslag_days=21,
    forvaltningsratt=DEFAULT_FORVALTNINGSRATT,
    minutes_kept_at=DEFAULT_MINUTES_KEPT_AT,
    appeal_text=DEFAULT_APPEAL_TEXT,
    next_steps_text=DEFAULT_NEXT_STEPS_TEXT,
    deadline_days=21,
)
_FIELDS = tuple(Rules.__dataclass_fields__)


def _row() -> MeetingSettings | None:
    return db.session.scalars(select(MeetingSettings).order_by(MeetingSettings.id).limit(1)).first()


def current() -> Rules:
    row = _row()
    if row is None:
        return replace(DEFAULTS)  # a fresh copy: the count of ledamöter is read per request
    return Rules(**{name: getattr(row, name) for name in _FIELDS})


def save(data: Rules, *, actor: User) -> Rules:
    """Validate and store the rules (a Swedish message on the field that is wrong)."""
    if data.board_size is not None and not 1 <= data.board_size <= 99:
        raise DomainError("Ange antalet ledamöter (1–99) eller lämna tomt.", field="board_size")
    if not 1 <= data.quorum_percent <= 99:
        raise DomainError("Andelen ska vara mellan 1 och 99 procent.", field="quorum_percent")
    if not 1 <= data.justering_days <= 90:
        raise DomainError("Tiden för justering ska vara 1–90 dagar.", field="justering_days")
    if not 21 <= data.anslag_days <= 90:
        raise DomainError(
            "Anslaget ska sitta uppe minst tre veckor (21 dagar) och högst 90 dagar.",
            field="anslag_days",
        )
    if not 1 <= data.deadline_days <= 120:
        raise DomainError(
            "Sista dag för ansökningar ska vara 1–120 dagar före sammanträdet.",
            field="deadline_days",
        )
    texts = {}
    for name, limit in (
        ("forvaltningsratt", 200),
        ("minutes_kept_at", 300),
        ("appeal_text", 4000),
        ("next_steps_text", 4000),
    ):
        value = (getattr(data, name) or "").strip()
        if not value:
            raise DomainError("Fältet får inte vara tomt.", field=name)
        if len(value) > limit:
            raise DomainError(f"Texten får vara högst {limit} tecken.", field=name)
        texts[name] = value
    try:
        texts["appeal_text"].format(forvaltningsratt="", last_day="", anslag_up="")
    except (KeyError, IndexError, ValueError):
        raise DomainError(
            "Texten får bara innehålla platshållarna {forvaltningsratt}, {last_day} och "
            "{anslag_up}.",
            field="appeal_text",
        ) from None
    row = _row()
    if row is None:
        row = MeetingSettings()
        db.session.add(row)
    row.board_size = data.board_size
    row.quorum_percent = data.quorum_percent
    row.justering_days = data.justering_days
    row.anslag_days = data.anslag_days
    row.deadline_days = data.deadline_days
    for name, value in texts.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    record_event(
        "meeting_settings_updated",
        actor=actor,
        subject="meeting_settings",
        message="Förbundets inställningar för sammanträden ändrades.",
    )
    return current()
