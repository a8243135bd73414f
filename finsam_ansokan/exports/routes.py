"""Downloads: the budget overview and the application list as Excel and CSV, the statistics
as Excel, and the yearly archive package (built in the background, see ``archive.py``).

An export is another format of a page, so it needs the page's capability and shows the
same rows: the list export goes through ``queries.visible_to`` like the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask import request as flask_request
from flask_login import current_user

from finsam_ansokan.applications import queries
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import services as budget_services
from finsam_ansokan.core import jobs
from finsam_ansokan.core.permissions import require
from finsam_ansokan.core.routing import int_arg
from finsam_ansokan.core.storage import StorageError
from finsam_ansokan.core.text import single_line
from finsam_ansokan.statistics import services as statistics

from . import archive, csvfile, datasets, xlsx
from .forms import ArchiveRequestForm
from .tables import Table

bp = Blueprint("exports", __name__)

SORTS = {"diarienummer", "andrad", "titel", "belopp"}
#: A build still queued after this long: the page says the worker may not be running.
QUEUED_TOO_LONG = timedelta(minutes=10)


def _download(data: bytes, mimetype: str, filename: str):
    response = make_response(data)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _xlsx(tables: list[Table], filename: str):
    return _download(xlsx.workbook_bytes(*tables), xlsx.MIMETYPE, filename)


def _csv(table: Table, filename: str):
    # a text/* mimetype gets its "; charset=utf-8" from werkzeug: once, not twice
    return _download(csvfile.csv_bytes(table), csvfile.MIMETYPE, filename)


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


def list_filters(args: Mapping[str, str]) -> queries.Filters:
    """The list's filters from its query string (``status``, ``ar``, ``omrade``,
    ``organisation``, ``sortera``); unknown values are dropped, as on the list page."""
    status = args.get("status")
    sort = args.get("sortera")
    return queries.Filters(
        status=status if status in {s.value for s in Status} else None,
        year=int_arg(args.get("ar")),
        huvudomrade_id=int_arg(args.get("omrade")),
        organisation_id=int_arg(args.get("organisation")),
        sort=sort if sort in SORTS else "diarienummer",
        shared=bool(args.get("delade")),
        q=single_line(args.get("q") or "").strip()[:200] or None,
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
# Built by the background worker (core/jobs.py): the page queues the build and shows how far
# it has come; the download serves the latest finished package.


def _archive_year(year: int) -> int:
    if year not in archive.YEARS:
        abort(404)
    return year


@bp.get("/arkiv/<int:year>")
@require("export_archive")
def archive_page(year: int):
    _archive_year(year)
    job = archive.latest_job(year)
    ready = job if job is not None and job.result_key else archive.latest_job(year, done=True)
    return render_template(
        "exports/archive.html",
        year=year,
        job=job,
        ready=ready,
        form=ArchiveRequestForm(),
        waiting_long=job is not None and job.queued_longer_than(QUEUED_TOO_LONG),
    )


@bp.post("/arkiv/<int:year>")
@require("export_archive")
def request_archive(year: int):
    _archive_year(year)
    if not ArchiveRequestForm().validate_on_submit():
        abort(400)
    job = archive.request_build(year, actor=current_user)
    flash(
        f"Arkivpaketet för {year} skapas nu i bakgrunden ({job.status_label.lower()}). "
        "Du kan lämna sidan och komma tillbaka.",
        "success",
    )
    return redirect(url_for(".archive_page", year=year), 303)


@bp.get("/arkiv/<int:year>.zip")
@require("export_archive")
def archive_zip(year: int):
    _archive_year(year)
    job = archive.latest_job(year, done=True)
    if job is None:
        abort(404)
    try:
        stream = jobs.open_result(job)
    except StorageError:
        current_app.logger.error("archive job %s: the stored package is missing", job.id)
        abort(404)
    response = send_file(
        stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=job.result_name or archive.filename(year),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
