"""The roles a user can hold (one person can hold several): the vocabulary of
``core.permissions``, so it lives in core; ``accounts`` assigns them to users."""

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
