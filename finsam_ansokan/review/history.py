"""The history page's words: a Swedish sentence for each event of a case."""

from __future__ import annotations

from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.events import Event

_EVENT_TEXTS = {
    "application_created": "Ansökan skapades.",
    "draft_shared": "Utkastet delades med beredningsgruppen.",
    "draft_unshared": "Utkastet delas inte längre med beredningsgruppen.",
    "comment_added": "Ny kommentar.",
    "internal_note_added": "Ny intern anteckning.",
    "comment_resolved": "En kommentar markerades som löst.",
    "comment_reopened": "En kommentar öppnades igen.",
    "rekommendation_recorded": "Beredningsgruppen lämnade en rekommendation.",
    "forslag_recorded": "Kansliet skrev ett förslag till beslut.",
}


def describe(event: Event) -> str:
    """A Swedish sentence for the history page."""
    if event.kind == "status_changed":

        def label(value: str | None) -> str:
            try:
                return Status(value).label.lower()
            except ValueError:
                return value or "–"

        return f"Status ändrades från {label(event.from_status)} till {label(event.to_status)}."
    if event.kind == "version_recorded":
        return f"Version {(event.data or {}).get('number', '')} av ansökan registrerades."
    return _EVENT_TEXTS.get(event.kind) or event.message or event.kind
