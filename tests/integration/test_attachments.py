"""Bilagor: applicants add and remove them while the application is editable; everyone who
may see the application may download them; nothing wrong is ever stored."""

from __future__ import annotations

import io

import pytest
from flask import current_app
from sqlalchemy import func, select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import attachments as service
from finsam_ansokan.applications.models import Application, Attachment
from finsam_ansokan.applications.services import record_version, snapshot
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.storage import StorageError
from finsam_ansokan.extensions import db
from tests import files_samples as samples


@pytest.fixture
def applicant(factory):
    return factory.user(Role.SOKANDE, organisation=factory.organisation("Växjö kommun"))


@pytest.fixture
def draft(factory, applicant):
    return factory.application(organisation=applicant.organisation, created_by=applicant)


def _upload(client, application, filename="projektplan.pdf", data=samples.PDF, **extra):
    return client.post(
        f"/ansokningar/{application.id}/bilagor",
        data={"file": (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    )


def _count(application: Application) -> int:
    return db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.application_id == application.id)
    )


def _download(client, url):
    """GET a download and close it (the response holds the stored file open)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _storage():
    return current_app.extensions["attachment_storage"]


def _attach(application, user, filename="projektplan.pdf", data=samples.PDF) -> Attachment:
    """Add an attachment through the service, as the applicant would."""
    from werkzeug.datastructures import FileStorage

    attachment = service.add_attachment(
        application, FileStorage(io.BytesIO(data), filename=filename), actor=user
    )
    db.session.commit()
    return attachment


def test_applicant_uploads_a_pdf_to_own_draft_and_downloads_it(client, login, draft, applicant):
    login(applicant)
    response = _upload(client, draft, next=f"/ansokningar/{draft.id}/bilagor")
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == "projektplan.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size_bytes == len(samples.PDF)
    assert len(attachment.sha256) == 64
    assert _storage().exists(attachment.storage_key)
    assert db.session.scalar(select(Event).where(Event.kind == "attachment_added")) is not None

    page = client.get(f"/ansokningar/{draft.id}/bilagor").get_data(as_text=True)
    assert "projektplan.pdf" in page
    assert "Bilagan projektplan.pdf är uppladdad." in page

    download = _download(client, f"/ansokningar/{draft.id}/bilagor/{attachment.id}")
    assert download.status_code == 200
    assert download.data == samples.PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "projektplan.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_upload_form_has_a_label_and_a_hint_with_types_and_size(
    client, login, draft, applicant
):
    login(applicant)
    page = client.get(f"/ansokningar/{draft.id}/bilagor").get_data(as_text=True)
    assert '<label for="file">Välj fil</label>' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'aria-describedby="file-hint"' in page
    assert ".pdf, .doc, .docx" in page
    assert "Högst 10 MB per fil." in page


def test_an_exe_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, login, draft, applicant
):
    login(applicant)
    response = _upload(client, draft, filename="program.exe", data=samples.EXE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Filtypen .exe är inte tillåten. Tillåtna är .pdf" in page
    assert 'href="#file"' in page  # the error summary links to the field
    assert _count(draft) == 0


def test_a_pdf_that_is_really_a_png_is_refused(client, login, draft, applicant):
    login(applicant)
    response = _upload(client, draft, filename="intyg.pdf", data=samples.png())
    assert response.status_code == 200
    assert "Filen ser inte ut att vara en PDF trots filändelsen .pdf" in response.get_data(
        as_text=True
    )
    assert _count(draft) == 0


def test_an_upload_without_a_file_asks_for_one(client, login, draft, applicant):
    login(applicant)
    response = client.post(
        f"/ansokningar/{draft.id}/bilagor", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "Välj en fil att ladda upp." in response.get_data(as_text=True)


def test_a_path_in_the_filename_is_dropped_and_the_bytes_get_a_generated_key(
    client, login, draft, applicant
):
    login(applicant)
    assert _upload(client, draft, filename="../../../etc/passwd.pdf").status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == "passwd.pdf"
    assert "/" not in attachment.storage_key and "passwd" not in attachment.storage_key
    root = _storage().root
    assert (root / attachment.storage_key[:2] / attachment.storage_key).is_file()


def test_a_file_over_the_attachment_limit_is_refused(client, login, draft, applicant, monkeypatch):
    monkeypatch.setitem(current_app.config, "MAX_ATTACHMENT_BYTES", 1024)
    login(applicant)
    response = _upload(client, draft, data=samples.PDF + b"%" * 2000)
    assert response.status_code == 200
    assert "är för stor. Största tillåtna storlek är 1 kB." in response.get_data(as_text=True)
    assert _count(draft) == 0


def test_a_request_over_max_content_length_gets_the_413_page(
    client, login, draft, applicant, monkeypatch
):
    monkeypatch.setitem(current_app.config, "MAX_CONTENT_LENGTH", 1024)
    login(applicant)
    response = _upload(client, draft, data=samples.PDF + b"%" * 5000)
    assert response.status_code == 413
    assert "För stor fil" in response.get_data(as_text=True)
    assert _count(draft) == 0


def test_applicant_of_another_organisation_gets_404_everywhere(client, login, factory, draft):
    stranger = factory.user(Role.SOKANDE)
    attachment = _attach(draft, draft.created_by)
    login(stranger)
    base = f"/ansokningar/{draft.id}/bilagor"
    assert _upload(client, draft).status_code == 404
    assert client.get(base).status_code == 404
    assert _download(client, f"{base}/{attachment.id}").status_code == 404
    assert client.post(f"{base}/{attachment.id}/ta-bort").status_code == 404
    assert _count(draft) == 1


def test_an_attachment_of_another_application_in_the_url_is_404(client, login, factory, draft):
    attachment = _attach(draft, draft.created_by)
    other = factory.application(organisation=draft.organisation, created_by=draft.created_by)
    login(draft.created_by)
    assert _download(client, f"/ansokningar/{other.id}/bilagor/{attachment.id}").status_code == 404
    assert client.post(f"/ansokningar/{other.id}/bilagor/{attachment.id}/ta-bort").status_code == (
        404
    )
    assert (
        _download(client, f"/ansokningar/{draft.id}/bilagor/{attachment.id + 999}").status_code
        == 404
    )


def test_a_submitted_application_is_read_only_for_the_applicant(client, login, factory, applicant):
    application = factory.application(
        organisation=applicant.organisation, created_by=applicant, status=Status.UTKAST
    )
    attachment = _attach(application, applicant)
    application.status = Status.INSKICKAD.value
    application.diarie_year, application.diarie_number = 2026, 901
    db.session.commit()
    login(applicant)
    base = f"/ansokningar/{application.id}/bilagor"
    assert _upload(client, application).status_code == 403
    assert client.post(f"{base}/{attachment.id}/ta-bort").status_code == 403
    assert _download(client, f"{base}/{attachment.id}").status_code == 200
    page = client.get(base).get_data(as_text=True)
    assert "Ladda upp bilaga" not in page and "Ta bort" not in page
    assert _count(application) == 1


@pytest.mark.parametrize("role", [Role.BEREDNING, Role.KANSLI, Role.STYRELSE, Role.REVISOR])
def test_readers_may_download_attachments_of_a_submitted_application(
    client, login, factory, applicant, role
):
    application = factory.application(organisation=applicant.organisation, created_by=applicant)
    attachment = _attach(application, applicant, "budget.xlsx", samples.xlsx())
    application.status = Status.INSKICKAD.value
    application.diarie_year, application.diarie_number = 2026, 902
    db.session.commit()
    login(factory.user(role))
    response = _download(client, f"/ansokningar/{application.id}/bilagor/{attachment.id}")
    assert response.status_code == 200
    assert response.data[:4] == b"PK\x03\x04"
    assert response.mimetype.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize("role", [Role.REVISOR, Role.KANSLI, Role.BEREDNING])
def test_readers_cannot_add_or_remove_attachments(client, login, factory, applicant, role):
    application = factory.application(
        organisation=applicant.organisation, created_by=applicant, status=Status.INSKICKAD
    )
    login(factory.user(role))
    assert _upload(client, application).status_code == 403
    assert _count(application) == 0


def test_beredning_does_not_see_attachments_of_an_unshared_draft(client, login, factory, draft):
    attachment = _attach(draft, draft.created_by)
    login(factory.user(Role.BEREDNING))
    assert _download(client, f"/ansokningar/{draft.id}/bilagor/{attachment.id}").status_code == 404
    draft.shared_for_comments = True
    db.session.commit()
    assert _download(client, f"/ansokningar/{draft.id}/bilagor/{attachment.id}").status_code == 200


def test_removing_an_attachment_from_a_draft_deletes_row_and_bytes(client, login, draft):
    attachment = _attach(draft, draft.created_by)
    key = attachment.storage_key
    login(draft.created_by)
    response = client.post(f"/ansokningar/{draft.id}/bilagor/{attachment.id}/ta-bort")
    assert response.status_code == 302
    assert _count(draft) == 0
    assert not _storage().exists(key)
    event = db.session.scalar(select(Event).where(Event.kind == "attachment_removed"))
    assert event.data["filename"] == "projektplan.pdf"


def test_an_attachment_in_a_submitted_version_is_kept_when_removed_during_komplettering(
    client, login, factory, applicant
):
    application = factory.application(organisation=applicant.organisation, created_by=applicant)
    attachment = _attach(application, applicant)
    application.status = Status.KOMPLETTERING_BEGARD.value
    application.diarie_year, application.diarie_number = 2026, 903
    version = record_version(application, actor=applicant)
    db.session.commit()
    assert [a["sha256"] for a in version.content["attachments"]] == [attachment.sha256]

    login(applicant)
    assert client.post(
        f"/ansokningar/{application.id}/bilagor/{attachment.id}/ta-bort"
    ).status_code == (302)
    db.session.refresh(attachment)
    assert attachment.removed is True
    assert _storage().exists(attachment.storage_key)
    assert service.current_attachments(application) == []
    assert snapshot(application)["attachments"] == []
    # still downloadable: the submitted version refers to it
    assert (
        _download(client, f"/ansokningar/{application.id}/bilagor/{attachment.id}").status_code
        == 200
    )


def test_bytes_saved_in_a_transaction_that_rolls_back_are_deleted(draft):
    from werkzeug.datastructures import FileStorage

    attachment = service.add_attachment(
        draft, FileStorage(io.BytesIO(samples.PDF), filename="a.pdf"), actor=draft.created_by
    )
    key = attachment.storage_key
    assert _storage().exists(key)
    db.session.rollback()
    assert not _storage().exists(key)


class _RefusingStore:
    """A store whose disk is full (or whose object store is down): every write fails."""

    def __init__(self, error: Exception):
        self.error = error
        self.deleted: list[str] = []

    def save(self, key, stream):
        raise self.error

    def delete(self, key):
        self.deleted.append(key)

    def exists(self, key):
        return False

    def open(self, key):
        raise StorageError(key)


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), StorageError("could not store: bucket is gone")],
    ids=["disk-full", "object-store-down"],
)
def test_a_store_that_refuses_the_file_says_so_and_nothing_is_saved(
    app, client, login, draft, applicant, monkeypatch, error
):
    store = _RefusingStore(error)
    monkeypatch.setitem(app.extensions, "attachment_storage", store)
    login(applicant)
    events_before = db.session.scalar(select(func.count(Event.id)))
    response = _upload(client, draft)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Filen projektplan.pdf kunde inte sparas. Ingenting har sparats." in page
    assert "Något gick fel" not in page
    assert _count(draft) == 0  # no attachment row
    assert db.session.scalar(select(func.count(Event.id))) == events_before  # no event either
    assert len(store.deleted) == 1  # and whatever half an object the store kept is removed
