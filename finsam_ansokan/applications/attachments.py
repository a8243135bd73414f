"""Bilagor: upload, list and remove an application's attachments.

The bytes go to the attachment store (:mod:`finsam_ansokan.core.storage`) under a
generated key; the row keeps the display name, type, size and SHA-256. The store is not
part of the database transaction, so the session hooks at the bottom tie the two
together: bytes saved in a transaction that rolls back are deleted again, and bytes are
only deleted once the removal of their row is committed.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from contextlib import suppress
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from finsam_ansokan.core.errors import DomainError, NotAllowed, StorageUnavailable
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.filetypes import check_file
from finsam_ansokan.core.storage import Storage, StorageError, attachment_storage, new_key
from finsam_ansokan.extensions import db

from .models import Application, ApplicationVersion, Attachment
from .policy import can_edit

FIELD = "file"
_MAX_NAME = 200
STORE_FAILED = (
    "Filen {filename} kunde inte sparas. Ingenting har sparats. Försök igen om en stund; "
    "fortsätter felet, kontakta kansliet."
)


def display_filename(raw: str | None) -> str:
    """The user's file name, made safe to show and to send back in a download header.

    Only the last path component is kept, control and direction-override characters are
    dropped, whitespace is collapsed, and the name is shortened keeping its extension.
    It is never used as a path: the bytes are stored under a generated key.
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())  # tabs and line breaks become single spaces
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: _MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:_MAX_NAME]
    return name


def format_size(size: int) -> str:
    """``2_400_000`` → ``"2,3 MB"``; ``10 MiB`` → ``"10 MB"``; ``900`` → ``"1 kB"``."""
    if size >= 1024 * 1024:
        text = f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
        return f"{text} MB"
    return f"{max(1, round(size / 1024))} kB"


def max_bytes() -> int:
    return int(current_app.config["MAX_ATTACHMENT_BYTES"])


def current_attachments(application: Application) -> list[Attachment]:
    """The attachments the application has now (not those removed from the draft)."""
    if application.id is None:
        return []
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.application_id == application.id, Attachment.removed.is_(False))
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    )


def add_attachment(application: Application, file: FileStorage | None, *, actor: Any) -> Attachment:
    """Check and store an uploaded file as a bilaga of ``application``."""
    if not can_edit(actor, application):
        raise NotAllowed("Ansökan kan inte ändras just nu, så bilagor kan inte läggas till.")
    filename = display_filename(file.filename if file else None)
    if file is None or not filename:
        raise DomainError("Välj en fil att ladda upp.", field=FIELD)
    limit = max_bytes()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            f"Filen {filename} är för stor. Största tillåtna storlek är {format_size(limit)}.",
            field=FIELD,
        )
    filetype = check_file(filename, data, field=FIELD)

    storage = attachment_storage()
    key = new_key()
    try:
        storage.save(key, io.BytesIO(data))
    except (StorageError, OSError) as error:
        current_app.logger.error("attachment store refused %s: %s", key, error)
        with suppress(StorageError, OSError):  # half an object in the store, if any
            storage.delete(key)
        raise StorageUnavailable(STORE_FAILED.format(filename=filename), field=FIELD) from error
    _pending(db.session, _SAVED).append((storage, key))

    attachment = Attachment(
        application_id=application.id,
        filename=filename,
        content_type=filetype.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    record_event(
        "attachment_added",
        actor=actor,
        application=application,
        message=f"Bilaga tillagd: {filename}",
        data={"attachment_id": attachment.id, "filename": filename, "sha256": attachment.sha256},
    )
    return attachment


def is_in_submitted_version(attachment: Attachment) -> bool:
    """True if a submitted version of the application lists this attachment."""
    contents = db.session.scalars(
        select(ApplicationVersion.content).where(
            ApplicationVersion.application_id == attachment.application_id
        )
    )
    return any(
        attachment.id == item.get("id")
        for content in contents
        for item in (content or {}).get("attachments", [])
    )


def remove_attachment(attachment: Attachment, *, actor: Any) -> None:
    """Remove a bilaga from the application while it can be edited.

    An attachment that a submitted version lists is part of a public record: its row and
    bytes stay (marked removed); any other attachment is deleted for good.
    """
    application = attachment.application
    if not can_edit(actor, application):
        raise NotAllowed("Ansökan kan inte ändras just nu, så bilagor kan inte tas bort.")
    if attachment.removed:
        raise DomainError(f"Bilagan {attachment.filename} är redan borttagen.")
    kept = is_in_submitted_version(attachment)
    record_event(
        "attachment_removed",
        actor=actor,
        application=application,
        message=f"Bilaga borttagen: {attachment.filename}",
        data={"attachment_id": attachment.id, "filename": attachment.filename, "kept": kept},
    )
    if kept:
        attachment.removed = True
    else:
        _pending(db.session, _DELETE_AFTER_COMMIT).append(
            (attachment_storage(), attachment.storage_key)
        )
        db.session.delete(attachment)
    db.session.flush()


def open_attachment(attachment: Attachment):
    """A readable stream of the attachment's bytes."""
    return attachment_storage().open(attachment.storage_key)


# --- keeping the store in step with the database transaction ------------------------

_SAVED = "attachments_saved"
_DELETE_AFTER_COMMIT = "attachments_delete_after_commit"


def _pending(session: Any, name: str) -> list[tuple[Storage, str]]:
    return session.info.setdefault(name, [])


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_SAVED, None)
    for storage, key in session.info.pop(_DELETE_AFTER_COMMIT, []):
        storage.delete(key)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer one may still commit
        return
    session.info.pop(_DELETE_AFTER_COMMIT, None)
    for storage, key in session.info.pop(_SAVED, []):
        storage.delete(key)
