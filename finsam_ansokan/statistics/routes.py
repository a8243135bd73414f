"""Statistik: a budget year in tables and charts (``?ar=2026&omrade=3``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from finsam_ansokan.core.permissions import require

from . import charts, services

bp = Blueprint("statistics", __name__, url_prefix="/statistik")


@bp.get("")
@require("view_statistics")
def index():
    choices = services.choices()
    year = request.args.get("ar", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = services.default_year(choices.years)
    area_id = request.args.get("omrade", type=int)
    if area_id not in {a.id for a in choices.huvudomraden}:
        area_id = None
    stats = services.statistics(year, choices.huvudomraden, area_id)
    return render_template(
        "statistics/index.html",
        stats=stats,
        choices=choices,
        years=sorted(set(choices.years) | {year}, reverse=True),
        money_chart=charts.money_chart(stats.money_areas, year),
        gender_chart=charts.gender_chart(stats.participant_areas, stats.total, year),
        budget_chart=charts.budget_use_chart(stats.months, stats.total.frame, year),
    )
