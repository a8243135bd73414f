"""The roles a user can hold. One person can hold several."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SOKANDE = "sokande"
    BEREDNING = "beredning"
    KANSLI = "kansli"
    STYRELSE = "styrelse"
    REVISOR = "revisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SOKANDE: "Sökande / projektägare",
    Role.BEREDNING: "Beredningsgrupp",
    Role.KANSLI: "Kansli",
    Role.STYRELSE: "Styrelse",
    Role.REVISOR: "Revisor",
    Role.ADMIN: "Administratör",
}

#: Roles that belong to a member organisation rather than to the förbund itself.
ORGANISATION_ROLES = frozenset({Role.SOKANDE, Role.BEREDNING, Role.STYRELSE})


class OrganisationKind(StrEnum):
    STAT = "stat"
    REGION = "region"
    KOMMUN = "kommun"

    @property
    def label(self) -> str:
        return {"stat": "Stat", "region": "Region", "kommun": "Kommun"}[self.value]
