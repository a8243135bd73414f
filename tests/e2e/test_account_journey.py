"""A new member is invited and working within minutes without anyone knowing their
password; they turn on two-factor, forget the password, reset it and sign in with the
second factor. A kommun employee signs in with the kommun's own identity provider."""

from __future__ import annotations

import re

from sqlalchemy import select

from finsam_ansokan.accounts import oidc
from finsam_ansokan.accounts.services import find_organisation
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications.models import OutboxMessage
from tests.oidc_provider import provider_process

from .conftest import assert_accessible, field, login_as, logout, totp_code

LINK = re.compile(r"https?://\S+?(/(?:inbjudan|aterstall-losenord)/\S+)")


def _last_link_to(live_app, email: str) -> str:
    with live_app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_email == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no e-mail to {email}"
        match = LINK.search(message.body)
        assert match, message.body
        return match.group(1)


def test_an_invited_member_sets_a_password_enrols_totp_forgets_and_resets_it(
    page, live_app, browser, live_server
):
    email = "ulla.ny@alvesta.example"
    login_as(page, "kansli@varend.example")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_text("Administration").click()
    menu.get_by_role("link", name="Användare").click()
    page.get_by_role("link", name="Ny användare").click()
    field(page, "Namn").fill("Ulla Ny")
    field(page, "E-postadress").fill(email)
    page.get_by_label("Medlemsorganisation").select_option(label="Alvesta kommun")
    page.get_by_label("Beredningsgrupp").check()
    page.get_by_role("button", name="Spara användare").click()
    assert page.get_by_role("status").filter(has_text="En inbjudan har skickats").is_visible()
    logout(page)

    # Ulla opens the link in the e-mail and chooses her own password
    page.goto(_last_link_to(live_app, email))
    assert page.get_by_role("heading", name="Välkommen, Ulla Ny").is_visible()
    assert_accessible(page, "invitation")
    page.get_by_label("Nytt lösenord").fill("kort")
    page.get_by_label("Upprepa lösenordet").fill("kort")
    page.get_by_role("button", name="Spara lösenordet").click()
    assert page.locator("[data-error-summary]").filter(has_text="minst 12 tecken").is_visible()
    page.get_by_label("Nytt lösenord").fill("ullas egen långa lösenfras")
    page.get_by_label("Upprepa lösenordet").fill("ullas egen långa lösenfras")
    page.get_by_role("button", name="Spara lösenordet").click()
    login_as(page, email, "ullas egen långa lösenfras")
    assert page.get_by_role("heading", name="Välkommen, Ulla Ny").is_visible()

    # she turns on two-factor from her account page
    page.get_by_role("link", name="Mitt konto").click()
    page.get_by_role("link", name="Tvåstegsverifiering").click()
    assert page.get_by_role("img", name=re.compile("QR-kod")).is_visible()
    assert_accessible(page, "totp-enrol")
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Engångskod").fill(totp_code(email, secret))
    page.get_by_role("button", name="Slå på").click()
    assert page.get_by_role("heading", name="Tvåstegsverifieringen är på").is_visible()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    assert_accessible(page, "recovery-codes")
    page.get_by_role("link", name="Jag har sparat koderna").click()
    logout(page)

    # she forgets the password: the answer says nothing about whether the address exists
    page.get_by_role("link", name="Glömt lösenordet?").click()
    assert_accessible(page, "forgot-password")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_role("button", name="Skicka länk").click()
    assert page.get_by_text("Om adressen hör till ett konto").is_visible()
    page.goto(_last_link_to(live_app, email))
    page.get_by_label("Nytt lösenord").fill("ett helt nytt lösenord för ulla")
    page.get_by_label("Upprepa lösenordet").fill("ett helt nytt lösenord för ulla")
    page.get_by_role("button", name="Spara lösenordet").click()
    assert page.get_by_text("Ditt lösenord är sparat").is_visible()

    # and signs in with the new password and the second factor
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill("ett helt nytt lösenord för ulla")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("heading", name="Ange engångskoden").is_visible()
    assert_accessible(page, "second-factor")
    page.get_by_label("Engångskod").fill("000000")
    page.get_by_role("button", name="Logga in").click()
    assert page.locator("[data-error-summary]").filter(has_text="stämmer inte").is_visible()
    page.get_by_label("Engångskod").fill(totp_code(email, secret))
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("heading", name="Välkommen, Ulla Ny").is_visible()

    # her own sessions, and Logga ut överallt
    page.get_by_role("link", name="Mitt konto").click()
    page.get_by_role("link", name=re.compile("Dina inloggningar")).click()
    assert page.get_by_text("– den här").is_visible()
    assert_accessible(page, "own-sessions")
    page.get_by_role("button", name="Logga ut överallt").click()
    assert page.get_by_role("heading", name="Logga in").is_visible()
    # the refused forms answered 422 (the browser logs that); nothing else went wrong
    assert [e for e in page.console_errors if "status of 422" not in e] == []


def test_a_kommun_employee_signs_in_with_the_kommuns_identity_provider(page, live_app, live_server):
    saved = live_app.config["PUBLIC_BASE_URL"]
    live_app.config["PUBLIC_BASE_URL"] = live_server
    try:
        with provider_process() as issuer:
            with live_app.app_context():
                oidc.save_provider(
                    None,
                    name="Alvesta kommun",
                    issuer=issuer,
                    client_id="finsam",
                    client_secret="hemlig-klienthemlighet",
                    email_domains="alvesta.se",
                    create_users=True,
                    new_user_role="sokande",
                    organisation=find_organisation("Alvesta kommun"),
                    active=True,
                    actor=None,
                )
                db.session.commit()
            page.goto("/logga-in")
            assert_accessible(page, "login-with-providers")
            page.get_by_role("link", name="Logga in med Alvesta kommun").click()
            page.get_by_role("button", name="anna-123").click()  # at the kommun's provider
            page.wait_for_load_state()
            assert page.get_by_role("heading", name="Välkommen, Anna Alvesta").is_visible()
            assert page.get_by_role("heading", name="Alvesta kommuns ansökningar").is_visible()
            logout(page)
    finally:
        live_app.config["PUBLIC_BASE_URL"] = saved
        with live_app.app_context():
            from finsam_ansokan.accounts.models import OidcProvider

            for row in db.session.scalars(select(OidcProvider)):
                row.active = False
            db.session.commit()
