"""The yearly archive package for the diarium: a zip of the year's public records.

For every application registered in the year (diarienummer ``YEAR/n``) the zip holds each
submitted version as PDF/A; other areas add their documents (decisions, minutes) through
the contributor registry in :mod:`finsam_ansokan.core.archive`. ``index.csv`` lists every
application (diarienummer, title, organisation, huvudområde, status, sökt, beviljat) with
its files, and every document that belongs to no application.

Comments and internal notes are never part of the archive: the version PDFs show only
the submitted content, and no contributor reads the beredning's comments.

The zip is written to a temporary file, one PDF at a time, so a large year never sits in
memory; :func:`build` writes to any binary file object. A year of a hundred cases takes
longer than a web request may, so the page queues a background job
(:mod:`finsam_ansokan.core.jobs`, kind ``archive``) that the worker builds, reporting each
file written; ``flask archive build`` builds one directly.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from finsam_ansokan.applications import finality, pdf
from finsam_ansokan.applications.models import Application, ApplicationVersion
from finsam_ansokan.applications.queries import with_requested
from finsam_ansokan.budget import ledger
from finsam_ansokan.core import archive as registry
from finsam_ansokan.core import jobs
from finsam_ansokan.core.archive import ArchiveDocument
from finsam_ansokan.core.timeutil import as_local
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements

from . import csvfile
from .tables import Column, Kind, Table

INDEX_NAME = "index.csv"
INDEX_COLUMNS = [
    Column("Diarienummer"),
    Column("Datum", Kind.DATE),
    Column("Dokument"),
    Column("Fil"),
    Column("Titel"),
    Column("Organisation"),
    Column("Huvudområde"),
    Column("Status"),
    Column("Sökt belopp", Kind.MONEY),
    Column("Beviljat belopp", Kind.MONEY),
]
application_folder = registry.application_folder


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
            ApplicationVersion.submitted_at,
        )
        .join(Application, Application.id == ApplicationVersion.application_id)
        .where(Application.diarie_year == year)
        .order_by(Application.diarie_number, ApplicationVersion.number)
    ).all()
    for version_id, number, application_id, diarie_year, diarie_number, submitted in rows:
        yield ArchiveDocument(
            path=f"{application_folder(diarie_year, diarie_number)}/"
            f"ansokan-{diarie_year}-{diarie_number}-version-{number}.pdf",
            render=lambda version_id=version_id: _render_version(version_id),
            application_id=application_id,
            title=f"Ansökan, version {number}",
            date=as_local(submitted).date() if submitted else None,
        )


def register_contributors() -> None:
    """The applications' versions, the meetings' minutes and decision letters, and the
    överenskommelser."""
    from finsam_ansokan.meetings import archive as meetings_archive

    registry.register("ansokningar", application_versions)
    meetings_archive.register()
    registry.register("overenskommelser", agreements.archive_documents)


def documents(year: int) -> list[ArchiveDocument]:
    """Every registered contributor's documents for ``year`` (not yet rendered)."""
    found: list[ArchiveDocument] = []
    for _name, contributor in registry.contributors():
        found.extend(contributor(year))
    return found


def index_table(year: int, docs: list[ArchiveDocument]) -> Table:
    """``index.csv``: one row per document, with its diarienummer and date and the case it
    belongs to (title, organisation, huvudområde, status, sökt, beviljat). One query.

    Status and beviljat are as anyone may read them (``applications.finality``): a case whose
    minutes are not justerade shows as decided-pending, without the amount."""
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
    cases = {application.id: (application, granted) for application, granted in rows}
    order = {application.id: position for position, (application, _g) in enumerate(rows)}
    table = Table(title=f"Arkiv {year}", columns=INDEX_COLUMNS)
    ordered = sorted(
        docs,
        key=lambda d: (d.application_id is None, order.get(d.application_id, 0), d.path),
    )
    for doc in ordered:
        case = cases.get(doc.application_id) if doc.application_id is not None else None
        if case is None:
            table.rows.append(
                ["", doc.date, doc.title or doc.path, doc.path, "", "", "", "", None, None]
            )
            continue
        application, granted = case
        table.rows.append(
            [
                application.diarienummer,
                doc.date,
                doc.title or doc.path,
                doc.path,
                application.display_title,
                application.organisation.name,
                application.huvudomrade.name if application.huvudomrade else "",
                application.status_label,
                application.requested,
                granted if finality.outcome_visible(None, application) else None,
            ]
        )
    return table


def build(year: int, out: IO[bytes], progress: jobs.Progress | None = None) -> int:
    """Write the archive of ``year`` as a zip to ``out``; return the number of files.
    ``progress(done, total)`` is told after each file."""
    docs = documents(year)
    total = len(docs) + 1
    report = progress or (lambda _done, _total: None)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(INDEX_NAME, csvfile.csv_bytes(index_table(year, docs)))
        report(1, total)
        for done, doc in enumerate(docs, start=2):
            zf.writestr(doc.path, doc.render())
            report(done, total)
    return total


# --- built in the background ------------------------------------------------------------------

JOB_KIND = "archive"
YEARS = range(2000, 2101)


def filename(year: int) -> str:
    return f"arkiv-{year}.zip"


def _build_job(params: dict, out: IO[bytes], progress: jobs.Progress) -> str:
    year = int(params["year"])
    build(year, out, progress)
    return filename(year)


def register_job() -> None:
    """The worker builds the archive (``flask jobs run``)."""
    jobs.register(jobs.JobKind(JOB_KIND, _build_job, "application/zip"))


def request_build(year: int, *, actor) -> jobs.Job:
    """Queue the archive of ``year`` (or the build already waiting for it)."""
    return jobs.enqueue(JOB_KIND, str(year), {"year": year}, actor=actor)


def latest_job(year: int, *, done: bool = False) -> jobs.Job | None:
    return jobs.latest(JOB_KIND, str(year), done=done)
