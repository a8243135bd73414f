"""The tabs of an application's pages (Ansökan, Kommentarer, Beredning, Beslut, Uppföljning,
Historik): which the user sees is decided here, from the status and the capabilities, so
``applications/_tabs.html`` only shows them. Every page with the case header passes
``tabs=tabs_for(user, application)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from finsam_ansokan.core.permissions import can

from .status import is_decided, is_granted


@dataclass(frozen=True)
class Tab:
    endpoint: str
    label: str
    #: The tab is the current one for every endpoint that starts so (a whole area's pages).
    area: str | None = None

    def is_current(self, endpoint: str | None) -> bool:
        endpoint = endpoint or ""
        return endpoint.startswith(self.area) if self.area else endpoint == self.endpoint


def tabs_for(user: Any, application: Any) -> list[Tab]:
    tabs = [Tab("applications.show", "Ansökan"), Tab("review.comments", "Kommentarer")]
    if can("view_review", user) and application.diarienummer:
        tabs.append(Tab("review.review", "Beredning"))
    if is_decided(application.status):
        tabs.append(Tab("decisions.show_decision", "Beslut"))
    if is_granted(application.status) and can("view_followup", user):
        tabs.append(Tab("followup.show", "Uppföljning", area="followup."))
    tabs.append(Tab("review.history", "Historik"))
    return tabs
