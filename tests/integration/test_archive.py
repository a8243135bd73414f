"""The yearly archive package for the diarium: every submitted version as PDF, the
documents other areas contribute, and an index, in one zip, built by the background worker
(the page queues it, ``flask jobs run`` builds it, the page offers the download)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from pypdf import PdfReader

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.services import record_version
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core import archive as registry
from finsam_ansokan.core import jobs
from finsam_ansokan.core.archive import ArchiveDocument
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Comment


@pytest.fixture
def registered(factory):
    """Two applications registered this year (one with a second version), a draft."""
    factory.forbund()
    area = factory.huvudomrade("Processutveckling")
    owner = factory.user(Role.SOKANDE, organisation=factory.organisation("Växjö kommun"))
    first = factory.application(
        owner, title="Förstärkt KAA", status=Status.UNDER_BEREDNING, huvudomrade=area,
        amounts={2026: "450000"},
    )  # fmt: skip
    first.goals = "Nytt mål efter kompletteringen."
    record_version(first, actor=owner)
    second = factory.granted_project(owner, title="Steg mot arbete", grants={2026: "300000"})
    draft = factory.application(owner, title="Ett utkast som inte hör till arkivet")
    db.session.add(
        Comment(application_id=first.id, author=owner, internal=True, body="HEMLIG ANTECKNING")
    )
    db.session.flush()
    return first, second, draft


def _archive(client, year: int):
    """Ask for the year's package on its page, let the worker build it, download it."""
    asked = client.post(f"/arkiv/{year}")
    assert asked.status_code == 303, asked.status_code
    jobs.run_pending()
    response = client.get(f"/arkiv/{year}.zip")
    response.get_data()
    response.close()  # the download holds the stored file open
    return response


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _index(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    text = archive.read("index.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ").split())


def test_the_archive_holds_every_submitted_version_and_an_index(registered, factory, login):
    first, second, _draft = registered
    year = today().year
    archive = _zip(_archive(login(factory.user(Role.KANSLI)), year))

    index = _index(archive)
    assert {row["Diarienummer"] for row in index} == {first.diarienummer, second.diarienummer}
    assert all(row["Datum"] for row in index), "every document has its date"
    assert {row["Fil"] for row in index} | {"index.csv"} == set(archive.namelist())
    row = next(r for r in index if r["Diarienummer"] == first.diarienummer)
    assert (row["Titel"], row["Organisation"], row["Huvudområde"], row["Status"]) == (
        "Förstärkt KAA",
        "Växjö kommun",
        "Processutveckling",
        "Under beredning",
    )
    assert (row["Sökt belopp"], row["Beviljat belopp"]) == ("450000", "0")
    assert {r["Beviljat belopp"] for r in index if r["Diarienummer"] == second.diarienummer} == {
        "300000"
    }

    files = [
        r["Fil"]
        for r in index
        if r["Diarienummer"] == first.diarienummer and r["Fil"].endswith(".pdf")
    ]
    assert len(files) == 2  # both versions
    for name in archive.namelist():
        if name.endswith(".csv"):
            assert "HEMLIG ANTECKNING" not in archive.read(name).decode("utf-8-sig")
    for name in archive.namelist():
        if name.endswith(".pdf"):
            text = _pdf_text(archive.read(name))
            assert "HEMLIG ANTECKNING" not in text
    assert "Version 1" in _pdf_text(archive.read(files[0]))
    latest = _pdf_text(archive.read(files[1]))
    assert "Version 2" in latest and "Nytt mål efter kompletteringen." in latest
    assert first.diarienummer in latest


def test_documents_other_areas_contribute_are_included(registered, factory, login, monkeypatch):
    first, _second, _draft = registered

    def minutes(year):
        yield ArchiveDocument(
            path=f"protokoll/{year}-03-12.pdf",
            render=lambda: b"%PDF-1.7 protokoll",
            title="Protokoll 2026-03-12",
        )
        yield ArchiveDocument(
            path=f"beslut/{first.diarienummer.replace('/', '-')}.pdf",
            render=lambda: b"%PDF-1.7 utdrag",
            application_id=first.id,
        )

    monkeypatch.setitem(registry._contributors, "protokoll", minutes)
    year = today().year
    archive = _zip(_archive(login(factory.user(Role.REVISOR)), year))
    assert archive.read(f"protokoll/{year}-03-12.pdf") == b"%PDF-1.7 protokoll"
    index = _index(archive)
    assert index[-1]["Dokument"] == "Protokoll 2026-03-12"
    assert index[-1]["Fil"] == f"protokoll/{year}-03-12.pdf"
    assert any(
        r["Fil"].startswith("beslut/") and r["Diarienummer"] == first.diarienummer for r in index
    )


def test_an_empty_year_gives_an_index_only(factory, login):
    archive = _zip(_archive(login(factory.user(Role.KANSLI)), 2003))
    assert archive.namelist() == ["index.csv"]
    assert _index(archive) == []


@pytest.mark.parametrize("role", [Role.SOKANDE, Role.BEREDNING, Role.STYRELSE, Role.ADMIN])
def test_only_the_kansli_and_the_auditors_download_the_archive(factory, login, role):
    client = login(factory.user(role))
    assert client.get("/arkiv/2026").status_code == 403
    assert client.post("/arkiv/2026").status_code == 403
    assert client.get("/arkiv/2026.zip").status_code == 403


def test_the_archive_is_built_from_the_command_line(registered, runner, tmp_path):
    out = tmp_path / "arkiv.zip"
    result = runner.invoke(args=["archive", "build", str(today().year), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # three versions, five CSV files of each of the two cases, the granted one's
    # överenskommelse, and the index
    assert "15 filer" in result.output
    with zipfile.ZipFile(out) as archive:
        assert len(_index(archive)) == 14
    assert not (tmp_path / "arkiv.zip.part").exists()


def test_signed_minutes_and_decision_letters_are_in_the_archive(factory, login, client):
    """The meetings contribute their signed minutes and each decision's letter (utdrag)."""
    from decimal import Decimal as D

    from finsam_ansokan.meetings import services as meetings

    from .meetings_helpers import YEAR, justera_all, meeting_with_board, prepared_case

    area = factory.huvudomrade("Arkivområde")
    factory.budget_year(YEAR, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI)
    meeting, chair = meeting_with_board(factory, kansli)
    application = prepared_case(factory, area)
    item = meetings.add_case(meeting, application, actor=kansli)
    meetings.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    justera_all(meeting, kansli)
    db.session.commit()

    login(kansli)
    response = _archive(client, application.diarie_year)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        minutes = [n for n in names if n.startswith("protokoll/")]
        letters = [n for n in names if "/beslutsbrev-paragraf-" in n]
        assert len(minutes) == 1 and len(letters) == 1
        minutes_text = _pdf_text(archive.read(minutes[0]))
        assert "Sammanträdesprotokoll" in minutes_text
        assert f"§ {item.paragraph}" in minutes_text
        assert "Utdragsbestyrkande" in _pdf_text(archive.read(letters[0]))
        assert "Sista dag att överklaga" in _pdf_text(archive.read(letters[0]))
        assert "anslagstavla" in minutes_text
        index = archive.read("index.csv").decode("utf-8-sig")
        assert letters[0] in index
        folder = letters[0].rsplit("/", 1)[0]
        for name in ("forslag-till-beslut", "kommentarer", "rapporter", "rekvisitioner"):
            assert f"{folder}/{name}.csv" in names
        [agreement] = [n for n in names if n.startswith(f"{folder}/overenskommelse-")]
        assert "Överenskommelse" in _pdf_text(archive.read(agreement))
        assert agreement in index
        history = archive.read(f"{folder}/historik.csv").decode("utf-8-sig")
        assert "protokollet justerades" in history.lower()


def test_the_archive_holds_nothing_of_minutes_not_yet_justerade(factory, login):
    from decimal import Decimal as D

    from finsam_ansokan.meetings import services as meetings

    from .meetings_helpers import YEAR, meeting_with_board, prepared_case

    area = factory.huvudomrade("Arkivområde")
    factory.budget_year(YEAR, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI)
    meeting, chair = meeting_with_board(factory, kansli)
    application = prepared_case(factory, area)
    item = meetings.add_case(meeting, application, actor=kansli)
    meetings.declare_jav(item, meeting.attendance[1], "Närstående", actor=kansli)
    meetings.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    archive = _zip(_archive(login(kansli), application.diarie_year))
    names = archive.namelist()
    assert not [n for n in names if n.startswith("protokoll/") or "beslutsbrev" in n]
    everything = " ".join(archive.read(n).decode("utf-8-sig") for n in names if n.endswith(".csv"))
    assert "Beslutad vid sammanträde, protokollet ej justerat" in everything
    for secret in ("Beviljad", "jäv", "§"):
        assert secret not in everything, secret
    assert {r["Beviljat belopp"] for r in _index(archive)} == {""}
