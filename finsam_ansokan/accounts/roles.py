"""The roles a user can hold (defined in ``core.roles``, where permissions need them) and
the kinds of member organisation."""

from __future__ import annotations

from enum import StrEnum

from finsam_ansokan.core.roles import ROLE_LABELS, Role

__all__ = ["ROLE_LABELS", "OrganisationKind", "Role"]


class OrganisationKind(StrEnum):
    STAT = "stat"
    REGION = "region"
    KOMMUN = "kommun"

    @property
    def label(self) -> str:
        return {"stat": "Stat", "region": "Region", "kommun": "Kommun"}[self.value]
