"""Command line: ``flask --app finsam_ansokan users create …`` and ``… demo``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from finsam_ansokan.accounts import services as account_services
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db

users_cli = AppGroup("users", help="Hantera användare.")


def _fail(message: str) -> None:
    click.echo(f"Fel: {message}", err=True)
    raise SystemExit(1)


@users_cli.command("create")
@click.option("--email", required=True, help="E-postadress (inloggningsnamn).")
@click.option("--name", required=True, help="Fullständigt namn.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help=f"Roll, kan anges flera gånger: {', '.join(r.value for r in Role)}.",
)
@click.option("--organisation", default=None, help="Namnet på en befintlig medlemsorganisation.")
@click.option(
    "--password",
    prompt="Lösenord",
    hide_input=True,
    confirmation_prompt="Upprepa lösenordet",
    help="Lösenord (minst 12 tecken). Utelämnas det frågar kommandot.",
)
def create_user(
    email: str, name: str, roles: tuple[str, ...], organisation: str | None, password: str
) -> None:
    """Skapa en användare."""
    valid = {r.value for r in Role}
    bad = [r for r in roles if r not in valid]
    if bad:
        _fail(f"okänd roll {', '.join(bad)}. Giltiga roller: {', '.join(sorted(valid))}.")
    org = None
    if organisation:
        org = account_services.find_organisation(organisation)
        if org is None:
            _fail(f"det finns ingen medlemsorganisation som heter {organisation!r}.")
    try:
        user = account_services.create_user(
            account_services.UserData(email=email, name=name, roles=roles, organisation=org),
            password=password,
        )
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
        return
    db.session.commit()
    click.echo(f"Skapade {user.name} <{user.email}> med roller: {', '.join(sorted(roles))}.")


@click.command("demo")
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=None,
    help="Lägg dessutom till N ansökningar med allt som hör till (för prestandamätning).",
)
def demo_command(scale: int | None) -> None:
    """Läs in demoförbundet Samordningsförbundet Värend (gör ingenting om det redan finns)."""
    from finsam_ansokan.demo import load_demo

    if scale is not None:
        _scale_demo(scale)
        return
    created = load_demo()
    db.session.commit()
    if created:
        click.echo("Demodata inläst.")
    else:
        click.echo("Demodata finns redan; ingenting ändrat.")


def _scale_demo(n: int) -> None:
    import time

    try:  # the benchmark's seeding lives beside the package, not in it
        from benchmarks.seed import load_scale
    except ImportError:
        _fail("--scale behöver katalogen benchmarks/ (kör kommandot i projektets katalog).")
        return

    started = time.perf_counter()
    counts = load_scale(n)
    db.session.commit()
    # after a bulk load the planner's statistics (and on PostgreSQL the visibility map that
    # index-only scans need) are stale until autovacuum comes round: refresh them now, as
    # any bulk import should
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    click.echo(
        f"Lade till {counts['applications']} ansökningar, {counts['comments']} kommentarer, "
        f"{counts['meetings']} sammanträden och {counts['decisions']} beslut "
        f"på {time.perf_counter() - started:.1f} s."
    )


mail_cli = AppGroup("mail", help="Skicka e-post från utkorgen.")


@mail_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Högst så många meddelanden.")
def send_mail(limit: int) -> None:
    """Skicka väntande meddelanden (körs från cron eller en systemd-timer)."""
    from finsam_ansokan.notifications import services as notifications

    if not notifications.mail_configured():
        click.echo("MAIL_SERVER är inte satt: meddelandena stannar i utkorgen.")
        return
    # each message is committed as soon as it is marked: a crash never sends one twice
    result = notifications.send_pending(limit=limit, after_each=db.session.commit)
    click.echo(
        f"Skickade {result.sent}, misslyckades {result.failed} (försöker igen senare), "
        f"gav upp {result.given_up}."
    )


jobs_cli = AppGroup("jobs", help="Bakgrundsjobb (arkivpaket).")


@jobs_cli.command("run")
@click.option("--limit", default=10, show_default=True, help="Högst så många jobb.")
def run_jobs(limit: int) -> None:
    """Gör de beställda bakgrundsjobben, äldst först (körs från cron eller en systemd-timer;
    flera samtidiga körningar tar aldrig samma jobb)."""
    from finsam_ansokan.core import jobs

    result = jobs.run_pending(limit=limit)
    click.echo(
        f"Klara {result.done}, misslyckades {result.failed}, "
        f"åter i kön efter avbrott {result.requeued}."
    )


reminders_cli = AppGroup("reminders", help="Påminnelser om rapporter.")


@reminders_cli.command("send")
@click.option(
    "--today",
    "today_",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD); normalt i dag.",
)
def send_reminders(today_) -> None:
    """Lägg påminnelser i utkorgen om rapporter som snart ska lämnas eller är försenade
    (körs dagligen från cron). Varje rapport påminns högst en gång före och en gång efter."""
    from finsam_ansokan.followup import services as followup

    result = followup.send_reminders(today_.date() if today_ else None)
    db.session.commit()
    click.echo(
        f"Påminnelser: {result.due_soon} om rapporter som snart ska lämnas, "
        f"{result.overdue} om försenade rapporter."
    )


@click.command("demo-code")
def demo_code_command() -> None:
    """Visa engångskoden för demoanvändarna kansli och admin (bara demohemligheten)."""
    from finsam_ansokan.demo import demo_code

    click.echo(demo_code("kansli@varend.example"))  # the same for anyone who asks


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(reminders_cli)
    from finsam_ansokan.exports.cli import archive_cli

    app.cli.add_command(archive_cli)
    from finsam_ansokan.accounts.cli import register as register_accounts

    register_accounts(app)
