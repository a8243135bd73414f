"""The history page's words: a Swedish sentence for each event of a case.

The sentences themselves are ``core.events.EVENT_TEXTS`` (``record_event`` refuses a kind
without one); this module fills in what an event carries: the statuses, the section, how many
saves in a row.
"""

from __future__ import annotations

from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.events import EVENT_TEXTS, SHOWN_MESSAGES, Event


def _label(value: str | None) -> str:
    try:
        return Status(value).label
    except ValueError:
        return "–"


def describe(event: Event, times: int = 1) -> str:
    """A Swedish sentence for the history page (never the machine name).

    ``times`` is how many like events in a row the sentence stands for (a run of saves).
    """
    data = event.data or {}
    if event.kind == "status_changed":
        source = data.get("from_label") or _label(event.from_status)
        target = data.get("to_label") or _label(event.to_status)
        return f"Status ändrades från {source.lower()} till {target.lower()}."
    if event.kind == "version_recorded" and data.get("number"):
        return f"Version {data['number']} av ansökan registrerades."
    if event.kind == "application_saved" and data.get("section_title"):
        suffix = f" ({times} gånger)" if times > 1 else ""
        return f"Avsnittet {data['section_title']} sparades{suffix}."
    if times > 1:
        return f"{EVENT_TEXTS.get(event.kind, 'Händelse.')[:-1]} ({times} gånger)."
    return EVENT_TEXTS.get(event.kind, "Händelse.")


def detail(event: Event) -> str | None:
    """The event's message when it is written for the reader, else None."""
    return event.message if event.kind in SHOWN_MESSAGES and event.message else None
