"""Builders for application tests: a draft, and one complete enough to submit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import services
from finsam_ansokan.applications.models import Application, ApplicationParty, BudgetLine
from finsam_ansokan.budget.models import BudgetYear
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db

YEAR = today().year

COMPLETE = dict(
    contact_name="Kim Kontakt",
    contact_email="kim@test.example",
    contact_phone="0470-100 00",
    project_leader="Pia Projekt",
    title="Samverkan för unga",
    kind="individinriktad",
    malgrupp="Unga vuxna som varken arbetar eller studerar.",
    start_date=date(YEAR, 3, 1),
    end_date=date(YEAR, 12, 31),
    need="Insatserna hänger inte ihop.",
    not_ordinary_work="Ingen part har uppdraget ensam.",
    purpose="Fler når arbete eller studier.",
    goals="40 deltagare; 40 % till arbete eller studier.",
    activities="Gemensamt team.",
    time_plan="Mars–december.",
    steering="Styrgrupp med en chef per part.",
    followup_plan="Kvartalsvis uppföljning.",
    followup_indicators="Andel till arbete eller studier.",
    registers_in_sus=True,
    gender_composition="Ungefär lika många kvinnor som män.",
    gender_work="Enligt handlingsplanen för jämställdhetsintegrering.",
    gender_split_reporting=True,
    continuation="Kommunen tar över arbetsformen.",
    expected_women=20,
    expected_men=20,
)


def ensure_budget_year(factory, year: int = YEAR) -> BudgetYear:
    existing = db.session.query(BudgetYear).filter_by(year=year).one_or_none()
    return existing or factory.budget_year(year)


def applicant(factory):
    return factory.user(Role.SOKANDE)


def draft(factory, owner=None, **fields) -> Application:
    owner = owner or applicant(factory)
    ensure_budget_year(factory)
    area = factory.huvudomrade()
    application = services.create_application(
        actor=owner, huvudomrade_id=area.id, first_year=YEAR, last_year=YEAR
    )
    for name, value in fields.items():
        setattr(application, name, value)
    db.session.flush()
    return application


def complete(factory, owner=None, **overrides) -> Application:
    """A draft that passes every completeness rule."""
    owner = owner or applicant(factory)
    application = draft(factory, owner, **{**COMPLETE, **overrides})
    state = Organisation(name=f"Försäkringskassan {application.id}", kind="stat")
    db.session.add(state)
    db.session.flush()
    application.parties.append(ApplicationParty(organisation_id=state.id))
    for category, amount in (("personal", "300000"), ("lokaler", "50000")):
        application.budget_lines.append(
            BudgetLine(year=YEAR, category=category, amount=Decimal(amount))
        )
    db.session.flush()
    return application
