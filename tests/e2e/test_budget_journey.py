"""The kansli follows the budget: the overview, a reallocation with a reason, the log."""

from __future__ import annotations

from finsam_ansokan.core.timeutil import today

from .conftest import assert_accessible, login_as


def test_kansli_reads_the_overview_reallocates_money_and_sees_the_log(page):
    year = today().year
    login_as(page, "kansli@varend.example")
    page.get_by_role("navigation").get_by_role("link", name="Budget").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Budget {year}"
    table = page.get_by_role("table", name="Ram, föreslaget")
    assert "1\u00a0405\u00a0560\u00a0kr" in table.inner_text()
    assert page.get_by_text("Varning: det beräknade egna kapitalet").is_visible()
    assert_accessible(page, "budget-overview")

    page.get_by_role("link", name="Omfördela mellan ramar").click()
    assert_accessible(page, "budget-reallocate-empty")
    page.get_by_role("button", name="Omfördela").click()
    assert page.get_by_role("alert").filter(has_text="Ange skälet").is_visible()
    assert_accessible(page, "budget-reallocate-errors")

    source = page.get_by_label("Från ram")
    source.select_option(label=source.locator("option", has_text="Pilotprojekt").inner_text())
    page.get_by_label("Till ram").select_option(index=2)
    page.get_by_label("Belopp").fill("105 560")
    page.get_by_label("Skäl").fill("Styrelsens beslut § 14: mer till kompetensutveckling")
    page.get_by_role("button", name="Omfördela").click()

    assert page.get_by_role("heading", level=1).inner_text() == f"Omfördelningar {year}"
    assert (
        page.get_by_role("status").filter(has_text="105\u00a0560\u00a0kr är flyttat").is_visible()
    )
    log = page.get_by_role("table").inner_text()
    assert "Styrelsens beslut § 14: mer till kompetensutveckling" in log
    assert "Karin Ek" in log
    assert_accessible(page, "budget-reallocations")

    page.get_by_role("link", name=f"Budgetöversikten {year}").click()
    assert (
        "1\u00a0300\u00a0000\u00a0kr"
        in page.get_by_role("table", name="Ram, föreslaget").inner_text()
    )


def test_kansli_splits_the_contributions_by_the_finsam_shares_in_the_budget_form(page):
    year = today().year
    login_as(page, "kansli@varend.example")
    page.goto(f"/budget/{year}/andra")
    page.get_by_label("Medlemsinsatser totalt").fill("4 262 000")
    page.get_by_role("button", name="Fördela enligt Finsam-andelarna").click()
    assert page.get_by_label("Försäkringskassan").input_value() == "2\u00a0131\u00a0000"
    assert page.get_by_label("Region Kronoberg").input_value() == "1\u00a0065\u00a0500"
    assert_accessible(page, "budget-year-form")
