"""Test data builders. Users share one precomputed password hash: scrypt is slow on purpose."""

from __future__ import annotations

import itertools
from datetime import datetime
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

    def granted_project(
        self,
        owner: User | None = None,
        *,
        grants: dict[int, str] | None = None,
        huvudomrade: Huvudomrade | None = None,
        frame: str = "1000000",
        start: bool = True,
        schedule: bool = False,
        granted_at: datetime | None = None,
        agreement: bool = True,
        **fields,
    ) -> Application:
        """A granted application with money taken from each year's frame (``grants``, e.g.
        ``{2026: "300000"}``), started (Pågående) unless ``start=False``. Budget years and
        frames of ``frame`` kr are created when missing. Unless ``agreement=False`` it has
        an överenskommelse accepted by both parties, so money can be requested."""
        from datetime import date

        from finsam_ansokan.applications.services import transition
        from finsam_ansokan.applications.status import Action
        from finsam_ansokan.budget import ledger
        from finsam_ansokan.budget import services as budget_services
        from finsam_ansokan.followup import services as followup_services

        grants = grants or {2026: "300000"}
        area = huvudomrade or self.huvudomrade()
        for year in grants:
            budget_year = budget_services.budget_year_for(year) or self.budget_year(year)
            if not any(r.huvudomrade_id == area.id for r in budget_year.frames):
                db.session.add(
                    Ram(budget_year=budget_year, huvudomrade=area, amount=Decimal(frame))
                )
        db.session.flush()
        fields.setdefault("start_date", date(min(grants), 1, 1))
        fields.setdefault("end_date", date(max(grants), 12, 31))
        fields.setdefault("goals", "Fler deltagare i arbete eller studier.")
        fields.setdefault("followup_plan", "Uppföljning Finsam (SUS), könsuppdelat.")
        application = self.application(
            owner, status=Status.KLAR_FOR_BESLUT, amounts=grants, huvudomrade=area, **fields
        )
        ledger.grant_many(
            {(year, area.id): Decimal(amount) for year, amount in grants.items()},
            actor=None,
            application=application,
            at=granted_at,
        )
        transition(application, Action.DECIDE, actor=None)
        transition(application, Action.GRANT, actor=None)
        if start:
            transition(application, Action.START, actor=None)
        if schedule:
            followup_services.create_schedule(application, actor=None)
        if agreement:
            self.agreement(application)
        db.session.flush()
        return application

    def agreement(
        self,
        application: Application,
        *,
        accepted: bool = True,
        reference: str | None = None,
        amounts: dict[int, str] | None = None,
        villkor: str | None = None,
    ):
        """An överenskommelse of ``application`` (amounts: what the ledger granted), accepted
        by both parties unless ``accepted=False``; written directly, without the events and
        e-mail of ``followup.agreements.draw_up``."""
        from finsam_ansokan.budget.ledger import granted_by_year
        from finsam_ansokan.followup.agreements import content_for
        from finsam_ansokan.followup.models import Agreement

        granted = amounts or {y: str(a) for y, a in granted_by_year(application).items()}
        now = utcnow() if accepted else None
        row = Agreement(
            application_id=application.id,
            reference=reference or f"Styrelsen {today().isoformat()}, § {next(_counter)}",
            decided_on=today(),
            amounts={str(y): str(Decimal(a)) for y, a in sorted(granted.items())},
            villkor=villkor,
            content=content_for(application, db.session.query(Forbund).first()),
            applicant_accepted_at=now,
            applicant_accepted_name="Firmatecknare (test)" if accepted else None,
            forbund_accepted_at=now,
            forbund_accepted_name="Förbundschef (test)" if accepted else None,
        )
        db.session.add(row)
        db.session.flush()
        return row

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
