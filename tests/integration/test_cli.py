from sqlalchemy import func, select

from finsam_ansokan.accounts.models import Forbund, Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget.models import BudgetYear, Ram
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db


def test_users_create_makes_a_user_with_several_roles(runner, factory):
    factory.organisation("Tingsryd kommun")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Lena@Tingsryd.example",
            "--name",
            "Lena Ek",
            "--role",
            "sokande",
            "--role",
            "beredning",
            "--organisation",
            "tingsryd kommun",
            "--password",
            "en lång och bra lösenfras",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "lena@tingsryd.example")).one()
    assert user.roles == {Role.SOKANDE, Role.BEREDNING}
    assert user.organisation.name == "Tingsryd kommun"


def test_users_create_prompts_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "rev@test.example",
            "--name",
            "Rev",
            "--role",
            "revisor",
        ],
        input="en lång och bra lösenfras\nen lång och bra lösenfras\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.email == "rev@test.example")).one()


def test_an_unknown_role_is_an_error_with_exit_status_1(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@test.example",
            "--name",
            "X",
            "--role",
            "kung",
            "--password",
            "en lång och bra lösenfras",
        ]
    )
    assert result.exit_code == 1
    assert "okänd roll kung" in result.output


def test_an_unknown_organisation_is_an_error_with_exit_status_1(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@test.example",
            "--name",
            "X",
            "--role",
            "sokande",
            "--organisation",
            "Atlantis kommun",
            "--password",
            "en lång och bra lösenfras",
        ]
    )
    assert result.exit_code == 1
    assert "Atlantis kommun" in result.output


def test_demo_loads_varend_and_running_it_twice_changes_nothing(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Forbund, Organisation, User, BudgetYear, Ram, Application)
    }
    second = runner.invoke(args=["demo"])
    assert "ingenting ändrat" in second.output
    assert counts == {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Forbund, Organisation, User, BudgetYear, Ram, Application)
    }
    assert counts["Organisation"] == 8
    assert counts["User"] == 6
    years = db.session.scalars(select(BudgetYear).order_by(BudgetYear.year)).all()
    assert [(y.year, y.preliminary) for y in years] == [
        (today().year, False),
        (today().year + 1, True),
    ]
    frames = sum(r.amount for r in years[0].frames)
    assert frames == 712729 + 530064 + 1405560 + 504708
    assert sum(c.amount for c in years[0].contributions) == 4262000
    statuses = set(db.session.scalars(select(Application.status)))
    assert {"utkast", "inskickad", "under_beredning", "klar_for_beslut"} <= statuses
