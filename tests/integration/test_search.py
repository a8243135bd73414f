"""Free-text search of the application list: diarienummer, title word, organisation, contact,
within what the user may see, on SQLite (FTS5) and PostgreSQL (Swedish full-text search)."""

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import queries
from finsam_ansokan.applications.status import Status
from finsam_ansokan.extensions import db


@pytest.fixture
def cases(factory):
    vaxjo = factory.organisation("Växjö kommun")
    alvesta = factory.organisation("Alvesta kommun")
    owner = factory.user(Role.SOKANDE, organisation=vaxjo)
    return {
        "unga": factory.application(
            owner,
            title="Ungdomar i arbete",
            status=Status.INSKICKAD,
            contact_name="Maja Kontaktsson",
        ),
        "kaa": factory.application(
            factory.user(Role.SOKANDE, organisation=alvesta),
            title="Förstärkt KAA",
            status=Status.UNDER_BEREDNING,
        ),
        "draft": factory.application(owner, title="Ungdomar i hemligt utkast"),
    }


def _titles(user, q):
    return {a.title for a in queries.search(user, queries.Filters(q=q), per_page=50).items}


def test_a_diarienummer_finds_its_case(factory, cases):
    kansli = factory.user(Role.KANSLI)
    case = cases["kaa"]
    assert _titles(kansli, case.diarienummer) == {"Förstärkt KAA"}
    assert _titles(kansli, f" {case.diarie_year} / {case.diarie_number} ") == {"Förstärkt KAA"}


def test_a_title_word_an_organisation_or_a_contact_finds_the_case(factory, cases):
    kansli = factory.user(Role.KANSLI)
    assert _titles(kansli, "ungdomar") == {"Ungdomar i arbete"}
    assert _titles(kansli, "Ungdom") == {"Ungdomar i arbete"}  # the start of a word
    assert _titles(kansli, "alvesta") == {"Förstärkt KAA"}
    assert _titles(kansli, "Växjö ungdomar") == {"Ungdomar i arbete"}
    assert _titles(kansli, "Kontaktsson") == {"Ungdomar i arbete"}
    assert _titles(kansli, "ingenting sådant") == set()


def test_search_respects_who_may_see_what(factory, cases):
    # the unshared draft is found by its own organisation only
    assert "Ungdomar i hemligt utkast" not in _titles(factory.user(Role.KANSLI), "ungdomar")
    owner = cases["draft"].created_by
    assert "Ungdomar i hemligt utkast" in _titles(owner, "ungdomar")


def test_the_search_follows_a_renamed_organisation_and_title(factory, cases):
    kansli = factory.user(Role.KANSLI)
    cases["kaa"].title = "Arbetsträning för vuxna"
    cases["kaa"].organisation.name = "Alvesta kommunförvaltning"
    db.session.flush()
    assert _titles(kansli, "arbetsträning") == {"Arbetsträning för vuxna"}
    assert _titles(kansli, "kommunförvaltning") == {"Arbetsträning för vuxna"}


def test_the_list_page_searches_and_keeps_its_filters(client, factory, login, cases):
    login(factory.user(Role.KANSLI))
    page = client.get("/ansokningar?q=ungdomar&status=inskickad").text
    assert "Ungdomar i arbete" in page
    assert "Förstärkt KAA" not in page
    assert 'value="ungdomar"' in page
    # the export honours the search
    export = client.get("/ansokningar/export.csv?q=alvesta").text
    assert "Förstärkt KAA" in export and "Ungdomar i arbete" not in export
    # nonsense is no error
    assert client.get("/ansokningar?q=%22%28*%29OR%20NEAR").status_code == 200
