"""Downloads: the budget overview and the application list as Excel and CSV, the statistics
as Excel, and the yearly archive package.

An export is another format of a page, so it needs the page's capability and shows the
same rows: the list export goes through ``queries.visible_to`` like the list.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from typing import IO

from flask import Blueprint, Response, abort, make_response
from flask import request as flask_request
from flask_login import current_user

from finsam_ansokan.applications import queries
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.core.permissions import require
from finsam_ansokan.statistics import services as statistics

from . import archive, csvfile, datasets, xlsx
from .tables import Table

bp = Blueprint("exports", __name__)

SORTS = {"diarienummer", "andrad", "titel", "belopp"}
#: The archive stays in memory up to this size, then spills to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 256 * 1024


def _download(data: bytes, mimetype: str, filename: str):
    response = make_response(data)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _xlsx(tables: list[Table], filename: str):
    return _download(xlsx.workbook_bytes(*tables), xlsx.MIMETYPE, filename)


def _csv(table: Table, filename: str):
    return _download(csvfile.csv_bytes(table), f"{csvfile.MIMETYPE}; charset=utf-8", filename)


# --- the budget overview -----------------------------------------------------------------------


def _budget_tables(year: int) -> list[Table]:
    budget_year = budget_services.budget_year_for(year)
    if budget_year is None:
        abort(404)
    return datasets.budget_tables(budget_year)


@bp.get("/budget/<int:year>/export.xlsx")
@require("view_budget")
def budget_xlsx(year: int):
    return _xlsx(_budget_tables(year), f"budget-{year}.xlsx")


@bp.get("/budget/<int:year>/export.csv")
@require("view_budget")
def budget_csv(year: int):
    return _csv(_budget_tables(year)[0], f"budget-{year}.csv")


# --- the application list ------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def list_filters(args: Mapping[str, str]) -> queries.Filters:
    """The list's filters from its query string (``status``, ``ar``, ``omrade``,
    ``organisation``, ``sortera``); unknown values are dropped, as on the list page."""
    status = args.get("status")
    sort = args.get("sortera")
    return queries.Filters(
        status=status if status in {s.value for s in Status} else None,
        year=_int(args.get("ar")),
        huvudomrade_id=_int(args.get("omrade")),
        organisation_id=_int(args.get("organisation")),
        sort=sort if sort in SORTS else "diarienummer",
        shared=bool(args.get("delade")),
        q=(args.get("q") or "").strip()[:200] or None,
    )


def _applications_table() -> Table:
    return datasets.applications_table(current_user, list_filters(flask_request.args))


@bp.get("/ansokningar/export.xlsx")
@require("view_application")
def applications_xlsx():
    return _xlsx([_applications_table()], "ansokningar.xlsx")


@bp.get("/ansokningar/export.csv")
@require("view_application")
def applications_csv():
    return _csv(_applications_table(), "ansokningar.csv")


# --- the statistics ------------------------------------------------------------------------------


@bp.get("/statistik/export.xlsx")
@require("view_statistics")
def statistics_xlsx():
    chosen = statistics.selection(flask_request.args)
    suffix = f"-omrade-{chosen.area_id}" if chosen.area_id else ""
    return _xlsx(
        datasets.statistics_tables(statistics.statistics_for(chosen)),
        f"statistik-{chosen.year}{suffix}.xlsx",
    )


# --- the yearly archive ---------------------------------------------------------------------------


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    """The file in pieces; closed (and deleted) when read to the end or abandoned."""
    try:
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


@bp.get("/arkiv/<int:year>.zip")
@require("export_archive")
def archive_zip(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by _chunks)
    try:
        archive.build(year, spool)
        size = spool.tell()
    except BaseException:
        spool.close()
        raise
    response = Response(_chunks(spool), mimetype="application/zip")
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="arkiv-{year}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
