"""Test data builders. Users share one precomputed password hash: scrypt is slow on purpose."""

from __future__ import annotations

import itertools
from decimal import Decimal
from functools import cache

from werkzeug.security import generate_password_hash

from finsam_ansokan.accounts.models import Forbund, Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.services import allocate_diarienummer
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget.models import BudgetYear, Huvudomrade, Ram
from finsam_ansokan.core.timeutil import today, utcnow
from finsam_ansokan.extensions import db

PASSWORD = "ett-bra-testlosenord"  # noqa: S105
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


class Factory:
    def forbund(self) -> Forbund:
        forbund = db.session.query(Forbund).first()
        if forbund is None:
            forbund = Forbund(
                name="Samordningsförbundet Testbygden", organisation_number="222000-0000"
            )
            db.session.add(forbund)
            db.session.flush()
        return forbund

    def organisation(
        self, name: str | None = None, kind: str = "kommun", population: int | None = 10_000
    ) -> Organisation:
        organisation = Organisation(
            name=name or f"Testkommun {next(_counter)}", kind=kind, population=population
        )
        db.session.add(organisation)
        db.session.flush()
        return organisation

    def user(
        self,
        *roles: Role | str,
        organisation: Organisation | None = None,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> User:
        roles = roles or (Role.SOKANDE,)
        n = next(_counter)
        if organisation is None and {Role(r) for r in roles} & {
            Role.SOKANDE,
            Role.BEREDNING,
            Role.STYRELSE,
        }:
            organisation = self.organisation()
        user = User(
            email=email or f"user{n}@test.example",
            name=name or f"Testperson {n}",
            organisation=organisation,
            active=active,
            password_hash=_password_hash(),
            session_token=1,
        )
        user.set_roles({Role(r) for r in roles})
        db.session.add(user)
        db.session.flush()
        return user

    def huvudomrade(self, name: str | None = None) -> Huvudomrade:
        area = Huvudomrade(name=name or f"Område {next(_counter)}")
        db.session.add(area)
        db.session.flush()
        return area

    def budget_year(
        self,
        year: int | None = None,
        *,
        frames: dict[Huvudomrade, str] | None = None,
        preliminary: bool = False,
    ) -> BudgetYear:
        budget_year = BudgetYear(year=year or today().year, preliminary=preliminary)
        db.session.add(budget_year)
        db.session.flush()
        for area, amount in (frames or {}).items():
            db.session.add(Ram(budget_year=budget_year, huvudomrade=area, amount=Decimal(amount)))
        db.session.flush()
        return budget_year

    def application(
        self,
        *,
        organisation: Organisation | None = None,
        created_by: User | None = None,
        status: Status | str = Status.UTKAST,
        title: str = "Steget vidare",
        **fields,
    ) -> Application:
        """An application in ``status``; past the draft it has a diarienummer."""
        status = Status(status)
        if organisation is None:
            organisation = created_by.organisation if created_by else self.organisation()
        if created_by is None:
            created_by = self.user(Role.SOKANDE, organisation=organisation)
        application = Application(
            organisation=organisation,
            created_by=created_by,
            status=status.value,
            title=title,
            **fields,
        )
        if status not in (Status.UTKAST, Status.ATERKALLAD):
            application.diarie_year, application.diarie_number = allocate_diarienummer()
            application.submitted_at = utcnow()
        db.session.add(application)
        db.session.flush()
        return application
