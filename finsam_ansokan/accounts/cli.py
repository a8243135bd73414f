"""Command line for accounts: identity providers, the förbund's sign-in settings, the demo
code. ``flask --app finsam_ansokan oidc add …``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db

from . import oidc, services
from .models import OidcProvider

oidc_cli = AppGroup(
    "oidc", help="Inloggning med organisationens identitetstjänst (OpenID Connect)."
)


@oidc_cli.command("add")
@click.option("--name", required=True, help='Visas som "Logga in med NAMN".')
@click.option("--issuer", required=True, help="Utfärdarens adress (https://…).")
@click.option("--client-id", required=True)
@click.option("--client-secret", prompt=True, hide_input=True)
@click.option(
    "--domains", default="", help="E-postdomäner som tjänsten gäller, mellanslag emellan."
)
@click.option("--create-users/--existing-users-only", default=False)
@click.option("--role", default=None, help="Rollen nya konton får (med --create-users).")
@click.option("--organisation", default=None, help="Medlemsorganisationen nya konton hör till.")
def add_provider(
    name, issuer, client_id, client_secret, domains, create_users, role, organisation
) -> None:
    """Lägg till en identitetstjänst."""
    org = services.find_organisation(organisation) if organisation else None
    if organisation and org is None:
        raise click.ClickException(
            f"det finns ingen medlemsorganisation som heter {organisation!r}."
        )
    try:
        provider = oidc.save_provider(
            None,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            email_domains=domains,
            create_users=create_users,
            new_user_role=role,
            organisation=org,
            active=True,
            actor=None,
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Lade till {provider.name} (id {provider.id}).")


@oidc_cli.command("list")
def list_providers() -> None:
    """Visa identitetstjänsterna."""
    for p in db.session.scalars(select(OidcProvider).order_by(OidcProvider.id)):
        state = "aktiv" if p.active else "avstängd"
        new = f"nya konton: {p.new_user_role}" if p.create_users else "bara befintliga konton"
        click.echo(f"{p.id}\t{p.name}\t{p.issuer}\t{p.email_domains or '*'}\t{new}\t{state}")


@oidc_cli.command("disable")
@click.argument("provider_id", type=int)
def disable_provider(provider_id: int) -> None:
    """Stäng av en identitetstjänst."""
    provider = db.session.get(OidcProvider, provider_id)
    if provider is None:
        raise click.ClickException("ingen sådan identitetstjänst")
    provider.active = False
    db.session.commit()
    click.echo(f"{provider.name} är avstängd.")


@click.command("signin-settings")
@click.option("--totp-for-styrelse/--no-totp-for-styrelse", default=None)
@click.option("--anonymise-after-days", type=click.IntRange(min=0, max=36500), default=None)
def signin_settings(totp_for_styrelse, anonymise_after_days) -> None:
    """Förbundets inställningar: tvåstegsverifiering för styrelsen, gallringstid."""
    forbund = services.current_forbund()
    if forbund is None:
        raise click.ClickException("inget förbund finns ännu")
    if totp_for_styrelse is not None:
        forbund.totp_for_styrelse = totp_for_styrelse
    if anonymise_after_days is not None:
        forbund.anonymise_after_days = anonymise_after_days
    db.session.commit()
    click.echo(
        f"Tvåstegsverifiering för styrelsen: {'ja' if forbund.totp_for_styrelse else 'nej'}; "
        f"anonymisering tidigast {forbund.anonymise_after_days} dagar efter inaktivering."
    )


def register(app) -> None:
    app.cli.add_command(oidc_cli)
    app.cli.add_command(signin_settings)
