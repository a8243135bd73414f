"""An applicant adds a bilaga to a draft in the browser, meets a clear error, and removes it."""

from __future__ import annotations

from tests import files_samples as samples

from .conftest import assert_accessible, login_as


def _open_own_draft_attachments(page) -> str:
    for application_id in range(1, 10):
        page.goto(f"/ansokningar/{application_id}/bilagor")
        if page.get_by_role("button", name="Ladda upp bilaga").count():
            return f"/ansokningar/{application_id}/bilagor"
    raise AssertionError("the demo applicant has no editable application")


def test_applicant_uploads_is_refused_an_exe_and_removes_a_bilaga(page):
    login_as(page, "sokande@varend.example")
    url = _open_own_draft_attachments(page)
    assert page.get_by_role("heading", name="Bilagor").is_visible()
    assert "Högst 10 MB per fil" in page.locator("#file-hint").inner_text()
    assert_accessible(page, "attachments")

    page.get_by_label("Välj fil").set_input_files(
        {"name": "program.exe", "mimeType": "application/octet-stream", "buffer": samples.EXE}
    )
    page.get_by_role("button", name="Ladda upp bilaga").click()
    summary = page.locator("[data-error-summary]")
    assert "Filtypen .exe är inte tillåten" in summary.inner_text()
    assert_accessible(page, "attachments-error")

    page.get_by_label("Välj fil").set_input_files(
        {"name": "Projektplan Växjö.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}
    )
    page.get_by_role("button", name="Ladda upp bilaga").click()
    assert page.url.endswith(url)
    assert page.get_by_role("link", name="Projektplan Växjö.pdf").is_visible()
    assert_accessible(page, "attachments-uploaded")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ta bort Projektplan Växjö.pdf").click()
    assert page.get_by_text("Bilagan Projektplan Växjö.pdf är borttagen.").is_visible()
    assert page.get_by_role("link", name="Projektplan Växjö.pdf").count() == 0
    assert page.console_errors == []
