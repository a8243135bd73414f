"""Statistik: a budget year in tables and charts (``?ar=2026&omrade=3``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from finsam_ansokan.core.permissions import require

from . import charts, services

bp = Blueprint("statistics", __name__, url_prefix="/statistik")


@bp.get("")
@require("view_statistics")
def index():
    chosen = services.selection(request.args)
    stats = services.statistics_for(chosen)
    year = chosen.year
    return render_template(
        "statistics/index.html",
        stats=stats,
        choices=chosen.choices,
        years=sorted(set(chosen.choices.years) | {year}, reverse=True),
        money_chart=charts.money_chart(stats.money_areas, year),
        gender_chart=charts.gender_chart(stats.participant_areas, stats.total, year),
        budget_chart=charts.budget_use_chart(stats.months, stats.total.frame, year),
    )
