"""Nobody misses a step: what was asked of me shows on the case, comments show with their
section and count as unread until read, and the history reads as Swedish sentences."""

import re

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.events import EVENT_TEXTS
from finsam_ansokan.extensions import db


@pytest.fixture
def people(factory):
    applicant = factory.user(Role.SOKANDE, name="Sara Sökande")
    return {
        "applicant": applicant,
        "beredning": factory.user(Role.BEREDNING, name="Bo Beredare"),
        "kansli": factory.user(Role.KANSLI, name="Kim Kansli"),
    }


def _comment(client, application, body, **extra):
    response = client.post(
        f"/ansokningar/{application.id}/kommentarer", data={"body": body, **extra}
    )
    assert response.status_code == 302, response.text
    return response


def test_the_applicant_sees_the_komplettering_text_and_who_asked_at_the_top_of_the_case(
    client, factory, login, people
):
    application = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    response = client.post(
        f"/ansokningar/{application.id}/beredning/komplettering",
        data={"message": "Beskriv hur arbetsförmedlingen deltar i styrgruppen."},
    )
    assert response.status_code == 302, response.text

    login(people["applicant"])
    page = client.get(f"/ansokningar/{application.id}").text
    top = page[: page.index('<dl class="facts"')]
    assert "Till dig" in top
    assert "Komplettering begärd" in top
    assert "Beskriv hur arbetsförmedlingen deltar i styrgruppen." in top
    assert "Bo Beredare" in top


def test_nobody_but_the_applicant_is_told_the_komplettering_is_for_them(
    client, factory, login, people
):
    application = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    client.post(
        f"/ansokningar/{application.id}/beredning/komplettering",
        data={"message": "Fyll i budgeten."},
    )
    login(people["kansli"])
    assert "Till dig" not in client.get(f"/ansokningar/{application.id}").text


def test_a_comment_shows_on_the_section_it_is_about_and_is_unread_until_opened(
    client, factory, login, people
):
    draft = factory.application(people["applicant"], shared=True)
    login(people["beredning"])
    _comment(client, draft, "Lokalkostnaderna saknas för 2027.", section="budget")

    login(people["applicant"])
    overview = client.get(f"/ansokningar/{draft.id}").text
    assert "Kommentarer (1 oläst)" in overview
    assert "1 oläst kommentar" in overview  # in the task list, beside Budget

    section = client.get(f"/ansokningar/{draft.id}/avsnitt/budget").text
    assert "Lokalkostnaderna saknas för 2027." in section
    assert "Kommentarer om budget" in section
    # another section does not show it
    assert (
        "Lokalkostnaderna saknas" not in client.get(f"/ansokningar/{draft.id}/avsnitt/syfte").text
    )

    overview = client.get(f"/ansokningar/{draft.id}").text
    assert "oläst" not in overview


def test_the_read_only_view_of_a_section_shows_its_comments(client, factory, login, people):
    application = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    _comment(client, application, "Målen behöver mätbara indikatorer.", section="syfte")
    login(people["kansli"])
    page = client.get(f"/ansokningar/{application.id}/avsnitt/syfte").text
    assert "Målen behöver mätbara indikatorer." in page


def test_opening_kommentarer_marks_every_comment_read(client, factory, login, people):
    application = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    _comment(client, application, "En fråga om budgeten.", section="budget")
    _comment(client, application, "En fråga om helheten.")
    login(people["kansli"])
    assert "Kommentarer (2 olästa)" in client.get(f"/ansokningar/{application.id}").text
    client.get(f"/ansokningar/{application.id}/kommentarer")
    assert "olästa" not in client.get(f"/ansokningar/{application.id}").text
    # one's own comment is never unread
    _comment(client, application, "Kansliets svar.")
    assert "oläst" not in client.get(f"/ansokningar/{application.id}").text


def test_an_internal_note_is_never_counted_for_the_applicant(client, factory, login, people):
    application = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    _comment(client, application, "Bara för oss.", section="budget", visibility="intern")
    login(people["applicant"])
    page = client.get(f"/ansokningar/{application.id}").text
    assert "oläst" not in page
    assert "Bara för oss." not in client.get(f"/ansokningar/{application.id}/avsnitt/budget").text


def test_the_history_shows_no_machine_names(client, factory, login, people):
    draft = factory.application(people["applicant"])
    login(people["applicant"])
    for _ in range(3):
        client.post(
            f"/ansokningar/{draft.id}/avsnitt/insatsen",
            data={"title": "Ny titel", "lock_version": str(draft.lock_version)},
        )
        db.session.refresh(draft)
    client.post(f"/ansokningar/{draft.id}/delning", data={"shared": "1"})
    page = client.get(f"/ansokningar/{draft.id}/historik").text
    for kind in EVENT_TEXTS:
        assert kind not in page
    words = re.sub(r"<[^>]+>", " ", page[page.index("<h2>Historik") :])
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", words)
    assert "Avsnittet Insatsen sparades (3 gånger)." in page
    assert "Utkastet delades med beredningsgruppen." in page
