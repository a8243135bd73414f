"""Sign-in with an organisation's own identity provider (OpenID Connect), through Authlib.

Authlib runs the authorization-code flow with PKCE (S256), keeps state, nonce and the code
verifier in the session, and validates the ID token (signature against the provider's
keys, issuer, audience, expiry, nonce). Nothing here reads a token by hand. The provider
proves who someone is; which roles they have is the förbund's decision alone.
"""

from __future__ import annotations

import hashlib

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session, url_for
from sqlalchemy import select

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.extensions import db

from .models import OidcIdentity, OidcProvider, Organisation, User
from .roles import Role

oauth = OAuth()
NEXT_KEY = "_oidc_next"
REAUTH_KEY = "_oidc_reauth"
OIDC_LEEWAY_SECONDS = 30
FAILED_MESSAGE = "Inloggningen via din organisation misslyckades. Försök igen."


def init_app(app: Flask) -> None:
    oauth.init_app(app)


def providers_for_login() -> list[OidcProvider]:
    return list(
        db.session.scalars(
            select(OidcProvider).where(OidcProvider.active.is_(True)).order_by(OidcProvider.name)
        )
    )


def active_provider(provider_id: int) -> OidcProvider | None:
    provider = db.session.get(OidcProvider, provider_id)
    return provider if provider is not None and provider.active else None


def client_for(provider: OidcProvider):
    """The Authlib client for ``provider``; a changed configuration gets a new client."""
    fingerprint = hashlib.sha256(
        "\n".join([provider.issuer, provider.client_id, provider.client_secret]).encode()
    ).hexdigest()[:12]
    name = f"oidc{provider.id}_{fingerprint}"
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "timeout": current_app.config.get("OIDC_TIMEOUT_SECONDS", 10),
            },
        )
    return client


def callback_url(provider: OidcProvider) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for("auth.oidc_callback", provider_id=provider.id)


def reauthenticate_redirect(next_url: str):
    """A user without a password proves it is them again at their provider."""
    identity = None
    from flask_login import current_user

    identity = db.session.scalars(
        select(OidcIdentity).where(OidcIdentity.user_id == current_user.id)
    ).first()
    provider = active_provider(identity.provider_id) if identity else None
    if provider is None:
        raise DomainError("Ditt konto kan inte bekräftas just nu. Kontakta förbundets kansli.")
    session[NEXT_KEY] = next_url
    session[REAUTH_KEY] = True
    return client_for(provider).authorize_redirect(callback_url(provider), prompt="login")


def user_for_claims(provider: OidcProvider, claims: dict) -> User:
    """The user the provider vouches for, bound to its subject at the first sign-in.

    An unknown address: a new account (with the role the förbund configured for this
    provider) if the provider may create them, else a refusal. Roles are never read from
    the provider's claims.
    """
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip().lower()
    if not subject:
        raise DomainError(FAILED_MESSAGE)
    identity = db.session.scalars(
        select(OidcIdentity).where(
            OidcIdentity.provider_id == provider.id, OidcIdentity.subject == subject
        )
    ).first()
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        if not email or "@" not in email or claims.get("email_verified") is False:
            raise DomainError(
                "Din organisation lämnade ingen bekräftad e-postadress. Kontakta förbundets kansli."
            )
        if not provider.serves(email):
            raise DomainError(
                f"{provider.name} används inte för adresser som {email}. "
                "Logga in med lösenord eller med din egen organisation."
            )
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            if not provider.create_users:
                raise DomainError(
                    f"Det finns inget konto för {email}. Be förbundets kansli att lägga upp "
                    "dig, och logga sedan in igen."
                )
            user = _create_user(provider, email, claims)
        db.session.add(OidcIdentity(provider_id=provider.id, subject=subject, user_id=user.id))
        record_event(
            "oidc_identity_bound",
            actor=user,
            subject=f"user:{user.id}",
            data={"provider": provider.id},
        )
    if user is None or not user.active or user.anonymised_at is not None:
        raise DomainError("Kontot är inaktiverat. Kontakta förbundets kansli.")
    db.session.flush()
    return user


def _create_user(provider: OidcProvider, email: str, claims: dict) -> User:
    from .services import UserData, create_user

    name = str(claims.get("name") or "").strip() or email.split("@")[0]
    role = Role(provider.new_user_role or Role.SOKANDE.value)
    organisation = (
        db.session.get(Organisation, provider.organisation_id) if provider.organisation_id else None
    )
    user = create_user(
        UserData(email=email, name=name[:200], roles=[role], organisation=organisation),
        password=None,
        invite=False,
    )
    return user


def save_provider(
    provider: OidcProvider | None,
    *,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    email_domains: str,
    create_users: bool,
    new_user_role: str | None,
    organisation: Organisation | None,
    active: bool,
    actor: User | None,
) -> OidcProvider:
    name, issuer, client_id = name.strip(), issuer.strip().rstrip("/"), client_id.strip()
    if not name:
        raise DomainError("Ange ett namn.", field="name")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise DomainError("Utfärdaren måste vara en https-adress.", field="issuer")
    if not client_id:
        raise DomainError("Ange klient-id.", field="client_id")
    if provider is None and not client_secret:
        raise DomainError("Ange klienthemligheten.", field="client_secret")
    role = None
    if create_users:
        try:
            role = Role(new_user_role or "").value
        except ValueError:
            raise DomainError("Välj vilken roll nya konton får.", field="new_user_role") from None
        if Role(role) in {Role.KANSLI, Role.ADMIN}:
            raise DomainError(
                "Nya konton kan inte automatiskt bli kansli eller administratör.",
                field="new_user_role",
            )
        if Role(role) in {Role.SOKANDE, Role.BEREDNING} and organisation is None:
            raise DomainError(
                "Välj vilken medlemsorganisation nya konton hör till.", field="organisation_id"
            )
    clash = db.session.scalars(select(OidcProvider).where(OidcProvider.name == name)).first()
    if clash is not None and clash is not provider:
        raise DomainError("Det finns redan en inloggningstjänst med det namnet.", field="name")
    created = provider is None
    if provider is None:
        provider = OidcProvider()
        db.session.add(provider)
    provider.name = name
    provider.issuer = issuer
    provider.client_id = client_id
    if client_secret:
        provider.client_secret = client_secret
    provider.email_domains = " ".join(d.strip().lower().lstrip("@") for d in email_domains.split())
    provider.create_users = create_users
    provider.new_user_role = role
    provider.organisation_id = organisation.id if organisation is not None else None
    provider.active = active
    db.session.flush()
    record_event(
        "oidc_provider_created" if created else "oidc_provider_updated",
        actor=actor,
        subject=f"oidc_provider:{provider.id}",
        message=name,
    )
    return provider


def start_sign_in(provider: OidcProvider, next_url: str):
    session[NEXT_KEY] = next_url
    session.pop(REAUTH_KEY, None)
    return client_for(provider).authorize_redirect(callback_url(provider))


def finish_sign_in(provider: OidcProvider) -> tuple[User, str, bool]:
    """Exchange the code and validate the ID token (Authlib); any failure is a refusal."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    client = client_for(provider)
    try:
        # a little leeway for clocks that disagree, not Authlib's default two minutes
        token = client.authorize_access_token(leeway=OIDC_LEEWAY_SECONDS)
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as exc:
        current_app.logger.warning("OIDC sign-in via %s refused: %s", provider.name, exc)
        raise DomainError(FAILED_MESSAGE) from None
    claims = token.get("userinfo")
    if not claims:
        raise DomainError(FAILED_MESSAGE)
    user = user_for_claims(provider, dict(claims))
    return user, str(session.pop(NEXT_KEY, "") or ""), bool(session.pop(REAUTH_KEY, False))
