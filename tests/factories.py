"""Test data builders. Users share one precomputed password hash: scrypt is slow on purpose."""

from __future__ import annotations

import itertools
from decimal import Decimal
from functools import cache

from werkzeug.security import generate_password_hash

from finsam_ansokan.accounts.models import Forbund, Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.applications.services import allocate_diarienummer, record_version
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

    def application(
        self,
        owner: User | None = None,
        *,
        organisation: Organisation | None = None,
        created_by: User | None = None,
        title: str = "Samverkan för unga vuxna",
        status: Status | str = Status.UTKAST,
        huvudomrade: Huvudomrade | None = None,
        amounts: dict[int, str] | None = None,
        shared: bool = False,
        **fields,
    ) -> Application:
        """An application with personal costs per year (``amounts``, e.g. ``{2026: "1000"}``).

        Past the draft it has a diarienummer and a submitted version, as if submitted.
        """
        status = Status(status)
        owner = owner or created_by
        if owner is None:
            owner = self.user(Role.SOKANDE, organisation=organisation)
        application = Application(
            organisation=organisation or owner.organisation,
            created_by=owner,
            title=title,
            huvudomrade=huvudomrade,
            shared_for_comments=shared,
            **fields,
        )
        for year, amount in (amounts or {}).items():
            application.budget_lines.append(
                BudgetLine(year=year, category="personal", amount=Decimal(amount))
            )
        db.session.add(application)
        db.session.flush()
        if status not in (Status.UTKAST, Status.ATERKALLAD):
            self.submit(application, status=status)
        elif status is Status.ATERKALLAD:
            application.status = status.value
            db.session.flush()
        return application

    def submit(self, application: Application, *, status: Status | str = Status.INSKICKAD) -> None:
        """Give a draft a diarienummer, a status and a submitted version of what it holds."""
        application.diarie_year, application.diarie_number = allocate_diarienummer()
        application.submitted_at = utcnow()
        application.status = Status(status).value
        db.session.flush()
        record_version(application, actor=application.created_by)
        db.session.flush()

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
