"""A shared draft: the beredningsgrupp comments on the budget and the applicant answers."""

from sqlalchemy import select

from finsam_ansokan.applications.models import Application

from .conftest import assert_accessible, login_as, logout


def _draft_id(live_app) -> int:
    with live_app.app_context():
        from finsam_ansokan.extensions import db

        return db.session.scalars(
            select(Application.id).where(Application.title.like("Unga vuxna%"))
        ).one()


def test_two_users_comment_on_a_shared_draft(page, live_app):
    draft = _draft_id(live_app)
    login_as(page, "sokande@varend.example")
    page.goto(f"/ansokningar/{draft}/kommentarer")
    # the demo's draft is shared already: the applicant stops sharing it and shares it again
    page.get_by_role("button", name="Sluta dela med beredningsgruppen").click()
    assert page.get_by_text("Utkastet är inte delat med beredningsgruppen").is_visible()
    page.get_by_role("button", name="Dela med beredningsgruppen", exact=True).click()
    assert page.get_by_text("Utkastet är delat med beredningsgruppen").first.is_visible()
    assert_accessible(page, "comments-shared-draft")
    logout(page)

    login_as(page, "beredning@varend.example")
    page.goto(f"/ansokningar/{draft}/kommentarer")
    page.get_by_label("Gäller avsnitt").select_option(label="Budget")
    page.get_by_label("Kommentar (obligatorisk)").fill("Lokalkostnaden saknas för andra året.")
    page.get_by_label("Kommentar – synlig för den sökande").check()
    page.get_by_role("button", name="Kommentera").click()
    page.get_by_label("Kommentar (obligatorisk)").fill("Internt: kolla med Region Kronoberg.")
    page.get_by_label(
        "Intern anteckning – bara beredningsgrupp, kansli, styrelse och revisor"
    ).check()
    page.get_by_role("button", name="Kommentera").click()
    assert page.get_by_text("Intern anteckning – syns inte för den sökande").is_visible()
    assert_accessible(page, "comments-reviewer")
    logout(page)

    login_as(page, "sokande@varend.example")
    page.goto(f"/ansokningar/{draft}/kommentarer")
    assert page.get_by_text("Lokalkostnaden saknas för andra året.").is_visible()
    assert page.get_by_text("kolla med Region Kronoberg").count() == 0
    comment = page.locator("article.comment", has_text="Lokalkostnaden saknas för andra året.")
    number = comment.get_attribute("id").removeprefix("kommentar-")
    reply = page.locator("form", has=page.locator(f"#svar-{number}"))
    reply.get_by_label("Svara Bertil Holm").fill("Tack, vi lägger till den.")
    reply.get_by_role("button", name="Svara").click()
    assert page.get_by_text("Tack, vi lägger till den.").is_visible()
    thread = page.locator("article.comment", has_text="Lokalkostnaden saknas för andra året.")
    thread.get_by_role("button", name="Markera som löst").click()
    assert page.get_by_text("Löst").first.is_visible()
    assert_accessible(page, "comments-applicant")
