"""``comment_unread``: what each user has not read, kept where comments are written and read,
and shown on the start page only for cases the user may see."""

import pytest
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db
from finsam_ansokan.review import services as review
from finsam_ansokan.review.models import CommentUnread

UNREAD = "Ansökningar med kommentarer du inte har läst"


@pytest.fixture
def people(factory):
    applicant = factory.user(Role.SOKANDE, name="Sara Sökande")
    return {
        "applicant": applicant,
        "colleague": factory.user(Role.SOKANDE, organisation=applicant.organisation),
        "other_applicant": factory.user(Role.SOKANDE),
        "beredning": factory.user(Role.BEREDNING, name="Bo Beredare"),
        "kansli": factory.user(Role.KANSLI, name="Kim Kansli"),
        "styrelse": factory.user(Role.STYRELSE),
    }


def _comment(client, application, body, **extra):
    response = client.post(
        f"/ansokningar/{application.id}/kommentarer", data={"body": body, **extra}
    )
    assert response.status_code == 302, response.text


def _unread(user, application):
    row = db.session.get(CommentUnread, (user.id, application.id))
    return None if row is None else (row.unread, row.unread_public, row.is_open)


def _recounted(user, application) -> int:
    """The unread comments as the case page counts them (``unread_counts``)."""
    return sum(review.unread_counts(application, user).values())


def test_a_comment_is_unread_for_every_other_reader_and_never_for_its_author(
    client, factory, login, people
):
    case = factory.application(people["applicant"], status=Status.UNDER_BEREDNING, title="Ett")
    login(people["beredning"])
    _comment(client, case, "Lokalkostnaderna saknas.", section="budget")

    assert _unread(people["beredning"], case) is None
    for reader in ("applicant", "colleague", "kansli", "styrelse"):
        assert _unread(people[reader], case) == (1, 1, True)
    # another organisation's applicant is no reader of this case
    assert _unread(people["other_applicant"], case) is None

    login(people["kansli"])
    page = client.get("/").text
    assert f"{UNREAD} (1)" in page
    assert 'Ett</a> <span class="muted">· 1 oläst kommentar</span>' in page


def test_reading_a_section_or_kommentarer_marks_it_read(client, factory, login, people):
    case = factory.application(people["applicant"], status=Status.UNDER_BEREDNING)
    login(people["beredning"])
    _comment(client, case, "Om budgeten.", section="budget")
    _comment(client, case, "Om helheten.")
    assert _unread(people["applicant"], case) == (2, 2, True)

    login(people["applicant"])
    client.get(f"/ansokningar/{case.id}/avsnitt/budget")
    assert _unread(people["applicant"], case) == (1, 1, True)
    assert _recounted(people["applicant"], case) == 1
    client.get(f"/ansokningar/{case.id}/kommentarer")
    assert _unread(people["applicant"], case) is None
    assert UNREAD not in client.get("/").text
    # the others have still not read them
    assert _unread(people["kansli"], case) == (2, 2, True)

    # a new comment after reading is unread again, for everyone but its author
    _comment(client, case, "Vi har lagt till lokalerna.", section="budget")
    assert _unread(people["applicant"], case) is None
    assert _unread(people["beredning"], case) == (1, 1, True)
    assert _unread(people["kansli"], case) == (3, 3, True)


def test_an_internal_note_counts_only_for_those_who_may_read_it(client, factory, login, people):
    case = factory.application(people["applicant"], status=Status.UNDER_BEREDNING, title="Två")
    login(people["beredning"])
    _comment(client, case, "Bara för oss.", visibility="intern")
    assert _unread(people["kansli"], case) == (1, 0, True)
    assert _unread(people["applicant"], case) == (1, 0, True)

    login(people["applicant"])
    assert UNREAD not in client.get("/").text
    login(people["kansli"])
    assert f"{UNREAD} (1)" in client.get("/").text


def test_nobody_sees_counts_for_a_case_they_may_not_see(client, factory, login, people):
    draft = factory.application(people["applicant"], shared=True, title="Delat utkast")
    login(people["beredning"])
    _comment(client, draft, "Vad kostar lokalerna?")
    # the board reads no drafts: it has a row, but the start page never shows it
    assert _unread(people["styrelse"], draft) == (1, 1, True)
    login(people["styrelse"])
    page = client.get("/").text
    assert UNREAD not in page
    assert "Delat utkast" not in page
    # a draft no longer shared is no longer the kansli's to see
    login(people["kansli"])
    assert f"{UNREAD} (1)" in client.get("/").text
    draft.shared_for_comments = False
    db.session.flush()
    assert UNREAD not in client.get("/").text
    login(people["other_applicant"])
    assert UNREAD not in client.get("/").text


def test_a_case_that_leaves_the_open_statuses_and_comes_back_follows(
    client, factory, login, people
):
    case = factory.application(people["applicant"], status=Status.KLAR_FOR_BESLUT, title="Tre")
    login(people["beredning"])
    _comment(client, case, "Inför beslutet.")
    login(people["kansli"])
    assert f"{UNREAD} (1)" in client.get("/").text

    case.status = Status.BESLUTAD.value  # the trigger on applications follows the status
    db.session.flush()
    assert _unread(people["kansli"], case) == (1, 1, False)
    assert UNREAD not in client.get("/").text

    case.status = Status.KLAR_FOR_BESLUT.value  # bordlagt: back on the list of open cases
    db.session.flush()
    assert _unread(people["kansli"], case) == (1, 1, True)
    assert f"{UNREAD} (1)" in client.get("/").text


def test_the_rows_are_what_the_case_page_counts(client, factory, login, people):
    cases = [
        factory.application(people["applicant"], status=Status.UNDER_BEREDNING),
        factory.application(people["applicant"], status=Status.INSKICKAD),
    ]
    login(people["beredning"])
    for case in cases:
        _comment(client, case, "Ett.", section="budget")
        _comment(client, case, "Två.", visibility="intern")
    login(people["applicant"])
    _comment(client, cases[0], "Svar.")
    client.get(f"/ansokningar/{cases[1].id}/avsnitt/budget")
    login(people["kansli"])
    _comment(client, cases[1], "Kansliet.")
    client.get(f"/ansokningar/{cases[0].id}/kommentarer")

    before = {
        (row.user_id, row.application_id): (row.unread, row.unread_public)
        for row in db.session.scalars(select(CommentUnread))
    }
    review.refresh_unread()  # a full recount, as the migration and the seed make it
    after = {
        (row.user_id, row.application_id): (row.unread, row.unread_public)
        for row in db.session.scalars(select(CommentUnread))
    }
    assert before == after
    for user in people.values():
        for case in cases:
            counted = after.get((user.id, case.id))
            expected = _recounted(user, case)
            if user.roles & {Role.BEREDNING, Role.KANSLI, Role.STYRELSE}:
                assert (counted[0] if counted else 0) == expected
            elif user.organisation_id == case.organisation_id:
                assert (counted[1] if counted else 0) == expected
            else:
                assert counted is None
