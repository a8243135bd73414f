"""The yearly archive package: areas contribute the documents they own.

The archive (``exports/archive.py``) knows nothing about meetings or decisions; each area
registers an *archive contributor*, a function ``contributor(year)`` that yields
:class:`ArchiveDocument` s for the year. A document's bytes are rendered only when the
archive writes it (``render()``), one at a time, so a large year never sits in memory.

An area registers its contributor once, when the app is created::

    from finsam_ansokan.core import archive
    archive.register("protokoll", minutes_documents)

Registering the same name again replaces the contributor (tests create many apps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ArchiveDocument:
    """One file in the archive.

    ``path`` is the file's name inside the zip (``ansokningar/2026-14/version-1.pdf``);
    ``application_id`` ties it to an application's row in ``index.csv``; a document of its
    own (a meeting's minutes) has none and gets a row of its own, titled ``title``.
    """

    path: str
    render: Callable[[], bytes]
    application_id: int | None = None
    title: str | None = None
    #: The document's own date (the decision, the justering, the version) for ``index.csv``.
    date: date | None = None


Contributor = Callable[[int], Iterable[ArchiveDocument]]


def application_folder(diarie_year: int, diarie_number: int) -> str:
    """The folder of one case in the zip: ``ansokningar/2026-0014``."""
    return f"ansokningar/{diarie_year}-{diarie_number:04d}"


_contributors: dict[str, Contributor] = {}


def register(name: str, contributor: Contributor) -> None:
    """Add (or replace) the contributor called ``name``."""
    _contributors[name] = contributor


def contributors() -> list[tuple[str, Contributor]]:
    """The registered contributors, in the order they were first registered."""
    return list(_contributors.items())
