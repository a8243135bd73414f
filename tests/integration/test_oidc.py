"""Sign-in with the organisation's identity provider, end to end against a real OpenID
provider (oidc-provider-mock, a standards-compliant server built on Authlib) that the
test starts on this machine: authorization code with PKCE, state and nonce checked, a
tampered or expired ID token refused, an unknown address handled as configured, and
roles only ever from the förbund."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from finsam_ansokan.accounts import oidc
from finsam_ansokan.accounts.models import OidcIdentity, User, UserSession
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db
from tests.oidc_provider import provider_process


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    with provider_process() as url:
        yield url


@pytest.fixture
def provider(provider_url, factory):
    alvesta = factory.organisation("Alvesta kommun")
    return oidc.save_provider(
        None,
        name="Alvesta kommun",
        issuer=provider_url,
        client_id="finsam",
        client_secret="hemlig-klienthemlighet",
        email_domains="alvesta.se",
        create_users=False,
        new_user_role="sokande",
        organisation=alvesta,
        active=True,
        actor=None,
    )


def _sign_in_at_provider(client, provider, subject: str) -> str:
    """Press *Logga in med …*, sign in at the provider as ``subject``; return the
    callback path (with code and state) the provider sends the browser back to."""
    response = client.get(f"/logga-in/org/{provider.id}")
    assert response.status_code == 302
    authorize = response.headers["Location"]
    assert authorize.startswith(provider.issuer)
    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split()
    back = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    return f"{callback.path}?{callback.query}"


def test_a_kommun_employee_signs_in_with_the_kommuns_provider_and_keeps_the_forbunds_roles(
    client, factory, provider
):
    anna = factory.user(Role.BEREDNING, email="anna@alvesta.se", name="Anna Andersson")
    callback = _sign_in_at_provider(client, provider, "anna-123")
    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Välkommen, Anna Andersson" in client.get("/").text
    db.session.refresh(anna)
    assert anna.roles == {Role.BEREDNING}  # never "admin" from the provider's claims
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == anna.id)).one()
    assert row.method == "oidc"
    assert db.session.scalars(select(OidcIdentity).where(OidcIdentity.user_id == anna.id)).one()
    # the second time, the bound subject finds her
    client.post("/logga-ut")
    assert client.get(_sign_in_at_provider(client, provider, "anna-123")).status_code == 302
    assert client.get("/").status_code == 200


def test_the_kansli_signing_in_through_the_provider_is_not_asked_to_enrol(
    client, factory, provider
):
    factory.user(Role.KANSLI, email="anna@alvesta.se")
    client.get(_sign_in_at_provider(client, provider, "anna-123"))
    assert client.get("/").status_code == 200  # the provider's own MFA stands


def test_an_unknown_address_is_refused_when_the_provider_may_not_create_accounts(client, provider):
    response = client.get(_sign_in_at_provider(client, provider, "ny-456"), follow_redirects=True)
    assert "Det finns inget konto för ny@alvesta.se" in response.text
    assert db.session.scalars(select(User).where(User.email == "ny@alvesta.se")).first() is None
    assert client.get("/").status_code == 302


def test_an_unknown_address_gets_an_account_with_the_configured_role_when_allowed(client, provider):
    provider.create_users = True
    db.session.flush()
    response = client.get(_sign_in_at_provider(client, provider, "ny-456"))
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "ny@alvesta.se")).one()
    assert user.roles == {Role.SOKANDE}
    assert user.organisation.name == "Alvesta kommun"
    assert user.name == "Nora Ny" and not user.has_password
    assert not user.invitation_pending  # no invitation: they sign in through the provider


def test_an_address_outside_the_providers_domains_is_refused(client, factory, provider):
    factory.user(Role.SOKANDE, email="someone@elsewhere.example")
    response = client.get(_sign_in_at_provider(client, provider, "fel-789"), follow_redirects=True)
    assert "används inte för adresser som someone@elsewhere.example" in response.text
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_sign_in_through_the_provider(client, factory, provider):
    factory.user(Role.SOKANDE, email="anna@alvesta.se", active=False)
    response = client.get(_sign_in_at_provider(client, provider, "anna-123"), follow_redirects=True)
    assert "inaktiverat" in response.text
    assert client.get("/").status_code == 302


def test_a_forged_state_is_refused(client, factory, provider):
    factory.user(Role.SOKANDE, email="anna@alvesta.se")
    callback = _sign_in_at_provider(client, provider, "anna-123")
    forged = callback.replace("state=", "state=x")
    response = client.get(forged, follow_redirects=True)
    assert "Inloggningen via din organisation misslyckades" in response.text
    assert client.get("/").status_code == 302


def test_a_nonce_that_does_not_match_is_refused(client, factory, provider):
    factory.user(Role.SOKANDE, email="anna@alvesta.se")
    callback = _sign_in_at_provider(client, provider, "anna-123")
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_"):
                value["data"]["nonce"] = "an-other-nonce"
        session.modified = True
    response = client.get(callback, follow_redirects=True)
    assert "Inloggningen via din organisation misslyckades" in response.text
    assert client.get("/").status_code == 302


def test_a_tampered_id_token_is_refused(client, factory, provider, monkeypatch):
    from authlib.integrations.requests_client import OAuth2Session

    factory.user(Role.SOKANDE, email="anna@alvesta.se")
    real = OAuth2Session.fetch_token

    def tampered(self, *args, **kwargs):
        token = real(self, *args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        token["id_token"] = ".".join([header, payload, signature[::-1]])
        return token

    monkeypatch.setattr(OAuth2Session, "fetch_token", tampered)
    response = client.get(_sign_in_at_provider(client, provider, "anna-123"), follow_redirects=True)
    assert "Inloggningen via din organisation misslyckades" in response.text
    assert client.get("/").status_code == 302


def test_an_expired_id_token_is_refused(client, factory):
    factory.user(Role.SOKANDE, email="anna@alvesta.se")
    # a provider whose tokens expired ten minutes before they were issued
    with provider_process(token_max_age=-600) as url:
        expired = oidc.save_provider(
            None,
            name="Utgången",
            issuer=url,
            client_id="finsam",
            client_secret="hemlig",
            email_domains="",
            create_users=False,
            new_user_role=None,
            organisation=None,
            active=True,
            actor=None,
        )
        response = client.get(
            _sign_in_at_provider(client, expired, "anna-123"), follow_redirects=True
        )
    assert "Inloggningen via din organisation misslyckades" in response.text
    assert client.get("/").status_code == 302


def test_the_login_page_offers_the_active_providers(client, provider):
    page = client.get("/logga-in").text
    assert "Logga in med Alvesta kommun" in page
    provider.active = False
    db.session.flush()
    assert "Logga in med Alvesta kommun" not in client.get("/logga-in").text


def test_a_provider_cannot_hand_out_kansli_or_admin(app_ctx, provider_url):
    with pytest.raises(Exception, match="kansli eller administratör"):
        oidc.save_provider(
            None,
            name="Farlig",
            issuer=provider_url,
            client_id="x",
            client_secret="y",
            email_domains="",
            create_users=True,
            new_user_role="admin",
            organisation=None,
            active=True,
            actor=None,
        )
    assert (
        db.session.scalars(select(Event).where(Event.kind == "oidc_provider_created")).all() == []
    )
