"""The local attachment store: bytes in and out under generated keys, nothing outside its root."""

from __future__ import annotations

import io

import pytest

from finsam_ansokan.applications.attachments import display_filename
from finsam_ansokan.core.storage import LocalStorage, StorageError, new_key


def test_saved_bytes_can_be_read_back_and_deleted(tmp_path):
    storage = LocalStorage(tmp_path)
    key = new_key()
    assert storage.save(key, io.BytesIO(b"bilaga")) == 6
    assert storage.exists(key)
    with storage.open(key) as stream:
        assert stream.read() == b"bilaga"
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting twice is harmless


def test_a_key_is_never_written_twice(tmp_path):
    storage = LocalStorage(tmp_path)
    key = new_key()
    storage.save(key, io.BytesIO(b"first"))
    with pytest.raises(StorageError):
        storage.save(key, io.BytesIO(b"second"))
    with storage.open(key) as stream:
        assert stream.read() == b"first"


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "..", "a/b/c/d/e/f/g", "/etc/passwd", "abc", "ABCDEFGH1", ""]
)
def test_keys_that_could_leave_the_root_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path / "uploads")
    with pytest.raises(StorageError):
        storage.save(key, io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        storage.open(key)
    assert not (tmp_path / "passwd").exists()


def test_opening_a_missing_object_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).open(new_key())


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\anna\\Budget 2026.xlsx", "Budget 2026.xlsx"),
        ("faktura\u202efdp.exe", "fakturafdp.exe"),  # no right-to-left override
        ("  rad\tbrytning\n.pdf ", "rad brytning .pdf"),
        ("Projektplan – Växjö.pdf", "Projektplan – Växjö.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_display_names_keep_only_a_safe_last_component(raw, shown):
    assert display_filename(raw) == shown
