"""A newcomer logs in as each demo role and sees that role's start page."""

import pytest

from finsam_ansokan.demo import DEMO_PASSWORD, USERS

from .conftest import assert_accessible, login_as, logout


def test_the_login_page_is_accessible_and_rejects_a_wrong_password(page):
    page.goto("/logga-in")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_accessible(page, "login")
    login_as(page, "sokande@varend.example", "fel lösenord helt")
    assert (
        page.get_by_role("alert").filter(has_text="Fel e-postadress eller lösenord.").is_visible()
    )
    assert page.get_by_label("E-postadress").input_value() == "sokande@varend.example"
    assert_accessible(page, "login-error")


def test_the_second_step_of_a_sign_in_reflows_at_320_px_and_says_what_went_wrong(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill("kansli@varend.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.url.endswith("/logga-in/kod")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "second-factor")
    page.get_by_label("Engångskod").fill("000000")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "second-factor-error")


@pytest.mark.parametrize(
    ("email", "name", "roles", "organisation"), USERS, ids=[u[0].split("@")[0] for u in USERS]
)
def test_each_demo_role_logs_in_and_sees_its_start_page(page, email, name, roles, organisation):
    login_as(page, email)
    assert page.get_by_role("heading", level=1).inner_text() == f"Välkommen, {name}"
    assert page.get_by_role("link", name="Tillgänglighetsredogörelse").is_visible()
    role = roles[0].value
    expected_heading = {
        "sokande": "Växjö kommuns ansökningar",
        "beredning": "Att göra",
        "kansli": "Att göra",
        "styrelse": "Att göra",
        "revisor": "Ansökningar per status",
        "admin": "Ansökningar per status",
    }[role]
    assert page.get_by_role("heading", name=expected_heading).is_visible()
    assert_accessible(page, f"start-{role}")
    logout(page)
    assert page.get_by_role("heading", name="Logga in").is_visible()
    assert page.console_errors == []


def test_kansli_administers_users_with_the_keyboard_and_sees_clear_errors(page):
    login_as(page, "kansli@varend.example")
    page.get_by_role("navigation").get_by_text("Administration").click()
    page.get_by_role("link", name="Användare").click()
    assert_accessible(page, "admin-users")
    page.get_by_role("link", name="Ny användare").click()
    page.get_by_label("Namn (obligatorisk)").fill("Olle Test")
    page.get_by_role("button", name="Spara användare").click()
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "Ange e-postadress." in summary.inner_text()
    assert page.get_by_label("Namn (obligatorisk)").input_value() == "Olle Test"
    assert_accessible(page, "admin-user-errors")
    page.get_by_label("E-postadress (obligatorisk)").fill("olle@alvesta.example")
    page.get_by_label("Medlemsorganisation").select_option(label="Alvesta kommun")
    page.get_by_label("Sökande / projektägare").check()
    page.get_by_role("button", name="Spara användare").click()
    assert page.get_by_role("status").filter(has_text="Olle Test är skapad").is_visible()
    assert page.get_by_text("Inbjuden, inte accepterad").is_visible()


def test_the_accessibility_statement_is_public_and_accessible(page):
    page.goto("/tillganglighet")
    assert page.get_by_role("heading", name="Tillgänglighetsredogörelse").is_visible()
    assert page.get_by_text("Rapportera brister").is_visible()
    assert_accessible(page, "accessibility-statement")
