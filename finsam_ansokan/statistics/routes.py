"""Statistik: a budget year in tables and charts (``?ar=2026&omrade=3``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup

from finsam_ansokan.core.permissions import require
from finsam_ansokan.figures import cached

from . import charts, services

bp = Blueprint("statistics", __name__, url_prefix="/statistik")


@bp.get("")
@require("view_statistics")
def index():
    chosen = services.selection(request.args)
    year = chosen.year

    def figures_html() -> Markup:
        stats = services.statistics_for(chosen)
        return Markup(  # noqa: S704  (rendered by the autoescaping template below)
            render_template(
                "statistics/_figures.html",
                stats=stats,
                money_chart=charts.money_chart(stats.money_areas, year),
                gender_chart=charts.gender_chart(stats.participant_areas, stats.total, year),
                budget_chart=charts.budget_use_chart(stats.months, stats.total.frame, year),
            )
        )

    # The tables and charts are the same for every user who may see them: kept with the
    # year's figures (finsam_ansokan/figures.py), with what else they depend on: the
    # months shown (today) and the links' root.
    key = (chosen.area_id, services.last_month_shown(year), request.script_root)
    return render_template(
        "statistics/index.html",
        year=year,
        chosen_area=next((a for a in chosen.choices.huvudomraden if a.id == chosen.area_id), None),
        choices=chosen.choices,
        years=sorted(set(chosen.choices.years) | {year}, reverse=True),
        figures_html=cached("statistics page", year, key, figures_html),
    )
