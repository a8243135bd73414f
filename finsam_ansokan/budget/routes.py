"""Budget pages: the overview per year, budget years, huvudområden, reallocation.

Every route: capability → form → service → redirect; the request commits once afterwards
(``core/transaction``). A form the service refused is shown again after ``refused_form``
has rolled the request back.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.forms import choices
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.permissions import require
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.core.transaction import refused_form
from finsam_ansokan.extensions import db

from . import ledger, services
from .forms import HuvudomradeForm, ReallocationForm, budget_year_form
from .models import BudgetYear, Contribution, Huvudomrade, Ram

bp = Blueprint("budget", __name__, url_prefix="/budget")


def _budget_year_or_404(year: int) -> BudgetYear:
    budget_year = services.budget_year_for(year)
    if budget_year is None:
        abort(404)
    return budget_year


# --- Overview ------------------------------------------------------------------------------


@bp.route("/")
@require("view_budget")
def index():
    """The overview of the chosen year (``?ar=``), by default this year's."""
    years = [b.year for b in services.budget_years()]
    wanted = request.args.get("ar", type=int)
    if wanted in years:
        return redirect(url_for("budget.overview", year=wanted))
    if years:
        default = today().year if today().year in years else max(years)
        return redirect(url_for("budget.overview", year=default))
    return render_template("budget/overview.html", budget_year=None, years=years)


@bp.route("/<int:year>")
@require("view_budget")
def overview(year: int):
    budget_year = _budget_year_or_404(year)

    def figures_html(overview: budget_overview.Overview) -> Markup:
        return Markup(  # noqa: S704  (rendered by the autoescaping template below)
            render_template(
                "budget/_overview_figures.html", overview=overview, by=overview.budget_year
            )
        )

    return render_template(
        "budget/overview.html",
        budget_year=budget_year,
        years=[b.year for b in services.budget_years()],
        # the tables show the year's figures only: kept with them (finsam_ansokan/figures.py)
        figures_html=budget_overview.page(budget_year, request.script_root, figures_html),
    )


# --- Budget years -------------------------------------------------------------------------


def _form_subjects(budget_year: BudgetYear | None):
    """The members and huvudområden the form asks about: the active ones, and those the
    year already has a contribution or frame for."""
    year_id = budget_year.id if budget_year else -1
    organisations = db.session.scalars(
        select(Organisation)
        .where(
            or_(
                Organisation.active.is_(True),
                Organisation.id.in_(
                    select(Contribution.organisation_id).where(
                        Contribution.budget_year_id == year_id
                    )
                ),
            )
        )
        .order_by(Organisation.kind.desc(), Organisation.name)
    ).all()
    areas = db.session.scalars(
        select(Huvudomrade)
        .where(
            or_(
                Huvudomrade.active.is_(True),
                Huvudomrade.id.in_(select(Ram.huvudomrade_id).where(Ram.budget_year_id == year_id)),
            )
        )
        .order_by(Huvudomrade.sort_order, Huvudomrade.name)
    ).all()
    return organisations, areas


@bp.route("/ar/ny", methods=["GET", "POST"])
@require("manage_budget")
def new_year():
    return _budget_year_form(None)


@bp.route("/<int:year>/andra", methods=["GET", "POST"])
@require("manage_budget")
def edit_year(year: int):
    return _budget_year_form(_budget_year_or_404(year))


def _budget_year_form(budget_year: BudgetYear | None):
    organisations, areas = _form_subjects(budget_year)
    form = budget_year_form(organisations, areas, with_year=budget_year is None, obj=budget_year)
    if request.method == "GET":
        if budget_year is None:
            taken = {b.year for b in services.budget_years()}
            form.year.data = next(y for y in range(today().year, 2101) if y not in taken)
        else:
            amounts = {c.organisation_id: c.amount for c in budget_year.contributions}
            for organisation in organisations:
                form[f"contribution_{organisation.id}"].data = amounts.get(organisation.id)
            frames = {r.huvudomrade_id: r.amount for r in budget_year.frames}
            for area in areas:
                form[f"frame_{area.id}"].data = frames.get(area.id)
    elif request.form.get("action") == "fordela":
        _split_into_form(form, organisations)
    elif form.validate_on_submit():
        data = services.BudgetYearData(
            preliminary=form.preliminary.data,
            equity_carried_over=form.equity_carried_over.data,
            administration_costs=form.administration_costs.data,
            notes=form.notes.data,
            contributions={o.id: form[f"contribution_{o.id}"].data for o in organisations},
            frames={a.id: form[f"frame_{a.id}"].data for a in areas},
        )
        try:
            if budget_year is None:
                saved = services.create_budget_year(form.year.data, data, actor=current_user)
            else:
                saved = services.update_budget_year(budget_year, data, actor=current_user)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(f"Budgeten för {saved.year} är sparad.", "success")
            return redirect(url_for("budget.overview", year=saved.year))
    return render_template("budget/year_form.html", form=form, budget_year=budget_year)


def _split_into_form(form, organisations) -> None:
    """Fördela: fill the contribution fields from the total; nothing is stored."""
    field = form.contributions_total
    if field.process_errors:
        field.errors = list(field.process_errors)
        return
    if field.data is None:
        field.errors = ["Ange medlemsinsatserna totalt för att fördela dem."]
        return
    try:
        shares = services.split_contributions(field.data, organisations)
    except DomainError as exc:
        field.errors = [exc.message]
        return
    for organisation in organisations:
        target = form[f"contribution_{organisation.id}"]
        target.data = shares.get(organisation.id)
        target.raw_data = None
    flash(
        f"{format_money(field.data)} är fördelat enligt Finsam-andelarna. "
        "Kontrollera beloppen och spara budgeten.",
        "success",
    )


# --- Huvudområden -------------------------------------------------------------------------


@bp.route("/huvudomraden")
@require("manage_budget")
def areas():
    rows = db.session.scalars(
        select(Huvudomrade).order_by(
            Huvudomrade.active.desc(), Huvudomrade.sort_order, Huvudomrade.name
        )
    ).all()
    return render_template("budget/areas.html", areas=rows)


@bp.route("/huvudomraden/ny", methods=["GET", "POST"])
@require("manage_budget")
def new_area():
    return _area_form(None)


@bp.route("/huvudomraden/<int:huvudomrade_id>", methods=["GET", "POST"])
@require("manage_budget")
def edit_area(huvudomrade_id: int):
    return _area_form(db.get_or_404(Huvudomrade, huvudomrade_id))


def _area_form(area: Huvudomrade | None):
    form = HuvudomradeForm(obj=area)
    if form.validate_on_submit():
        values = {
            "name": form.name.data,
            "description": form.description.data,
            "active": form.active.data,
            "sort_order": form.sort_order.data or 0,
            "actor": current_user,
        }
        try:
            if area is None:
                saved = services.create_huvudomrade(**values)
            else:
                saved = services.update_huvudomrade(area, **values)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(f"Huvudområdet {saved.name} är sparat.", "success")
            return redirect(url_for("budget.areas"))
    return render_template("budget/area_form.html", form=form, area=area)


# --- Reallocation -------------------------------------------------------------------------


@bp.route("/<int:year>/omfordelningar")
@require("view_budget")
def reallocations(year: int):
    budget_year = _budget_year_or_404(year)
    return render_template(
        "budget/reallocations.html",
        budget_year=budget_year,
        moves=ledger.reallocations(budget_year),
    )


@bp.route("/<int:year>/omfordela", methods=["GET", "POST"])
@require("manage_budget")
def reallocate(year: int):
    budget_year = _budget_year_or_404(year)
    frames = budget_overview.frame_rows(budget_year.year)
    form = ReallocationForm()
    options = [(0, "Välj ram")] + [
        (r.ram_id, f"{r.huvudomrade} (ej beviljat {format_money(r.remaining)})") for r in frames
    ]
    form.from_ram_id.choices = choices(options)
    form.to_ram_id.choices = choices(options)
    if form.validate_on_submit():
        source = _frame_of(budget_year, form.from_ram_id.data)
        target = _frame_of(budget_year, form.to_ram_id.data)
        try:
            if source is None:
                raise DomainError("Välj ramen pengarna ska flyttas från.", field="from_ram_id")
            if target is None:
                raise DomainError("Välj ramen pengarna ska flyttas till.", field="to_ram_id")
            move = ledger.reallocate(
                source, target, form.amount.data, form.reason.data, actor=current_user
            )
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(
                f"{format_money(move.amount)} är flyttat från {move.from_ram.huvudomrade.name} "
                f"till {move.to_ram.huvudomrade.name}.",
                "success",
            )
            return redirect(url_for("budget.reallocations", year=year))
    return render_template(
        "budget/reallocate.html", form=form, budget_year=budget_year, frames=frames
    )


def _frame_of(budget_year: BudgetYear, ram_id: int | None) -> Ram | None:
    if not ram_id:
        return None
    return db.session.scalar(
        select(Ram).where(Ram.id == ram_id, Ram.budget_year_id == budget_year.id)
    )
