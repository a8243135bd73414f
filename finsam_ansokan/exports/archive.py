"""The yearly archive package for the diarium: a zip of the year's public records.

For every application registered in the year (diarienummer ``YEAR/n``) the zip holds each
submitted version as PDF/A; other areas add their documents (decisions, minutes) through
the contributor registry in :mod:`finsam_ansokan.core.archive`. ``index.csv`` lists every
application (diarienummer, title, organisation, huvudområde, status, sökt, beviljat) with
its files, and every document that belongs to no application.

Comments and internal notes are never part of the archive: the version PDFs show only
the submitted content, and no contributor reads the beredning's comments.

The zip is written to a temporary file, one PDF at a time, so a large year never sits in
memory; :func:`build` writes to any binary file object.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from finsam_ansokan.applications import pdf
from finsam_ansokan.applications.models import Application, ApplicationVersion
from finsam_ansokan.applications.queries import with_requested
from finsam_ansokan.budget import ledger
from finsam_ansokan.core import archive as registry
from finsam_ansokan.core.archive import ArchiveDocument
from finsam_ansokan.extensions import db

from . import csvfile
from .tables import Column, Kind, Table

INDEX_NAME = "index.csv"
INDEX_COLUMNS = [
    Column("Diarienummer"),
    Column("Titel"),
    Column("Organisation"),
    Column("Huvudområde"),
    Column("Status"),
    Column("Sökt belopp", Kind.MONEY),
    Column("Beviljat belopp", Kind.MONEY),
    Column("Filer"),
]


def application_folder(diarie_year: int, diarie_number: int) -> str:
    return f"ansokningar/{diarie_year}-{diarie_number:04d}"


def _render_version(version_id: int) -> bytes:
    version = db.session.get(ApplicationVersion, version_id)
    return pdf.render_pdf(pdf.document_for_version(version))


def application_versions(year: int) -> Iterator[ArchiveDocument]:
    """Every submitted version of the applications registered in ``year``, as PDF/A."""
    rows = db.session.execute(
        select(
            ApplicationVersion.id,
            ApplicationVersion.number,
            Application.id,
            Application.diarie_year,
            Application.diarie_number,
        )
        .join(Application, Application.id == ApplicationVersion.application_id)
        .where(Application.diarie_year == year)
        .order_by(Application.diarie_number, ApplicationVersion.number)
    ).all()
    for version_id, number, application_id, diarie_year, diarie_number in rows:
        yield ArchiveDocument(
            path=f"{application_folder(diarie_year, diarie_number)}/"
            f"ansokan-{diarie_year}-{diarie_number}-version-{number}.pdf",
            render=lambda version_id=version_id: _render_version(version_id),
            application_id=application_id,
        )


def register_contributors() -> None:
    """The applications' versions, and the meetings' minutes and decision letters."""
    from finsam_ansokan.meetings import archive as meetings_archive

    registry.register("ansokningar", application_versions)
    registry.register("protokoll", meetings_archive.contributor)


def documents(year: int) -> list[ArchiveDocument]:
    """Every registered contributor's documents for ``year`` (not yet rendered)."""
    found: list[ArchiveDocument] = []
    for _name, contributor in registry.contributors():
        found.extend(contributor(year))
    return found


def index_table(year: int, docs: list[ArchiveDocument]) -> Table:
    """``index.csv``: one row per application registered in ``year``, then one per
    document that belongs to no application. One query."""
    files: dict[int, list[str]] = defaultdict(list)
    for doc in docs:
        if doc.application_id is not None:
            files[doc.application_id].append(doc.path)
    rows = db.session.execute(
        select(Application, ledger.granted_sql(Application.id))
        .options(
            joinedload(Application.organisation),
            joinedload(Application.huvudomrade),
            with_requested(),
        )
        .where(Application.diarie_year == year)
        .order_by(Application.diarie_number)
    ).all()
    table = Table(title=f"Arkiv {year}", columns=INDEX_COLUMNS)
    for application, granted in rows:
        table.rows.append(
            [
                application.diarienummer,
                application.display_title,
                application.organisation.name,
                application.huvudomrade.name if application.huvudomrade else "",
                application.status_label,
                application.requested,
                granted,
                " | ".join(files.get(application.id, [])),
            ]
        )
    for doc in docs:
        if doc.application_id is None:
            table.rows.append(["", doc.title or doc.path, "", "", "", None, None, doc.path])
    return table


def build(year: int, out: IO[bytes]) -> int:
    """Write the archive of ``year`` as a zip to ``out``; return the number of files."""
    docs = documents(year)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(INDEX_NAME, csvfile.csv_bytes(index_table(year, docs)))
        for doc in docs:
            zf.writestr(doc.path, doc.render())
    return len(docs) + 1
