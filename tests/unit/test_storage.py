"""The attachment stores, local directory and S3, keep one contract: bytes in and out under
generated keys, never a key written twice, nothing outside the store.

Every contract test runs against both stores; S3 against moto's in-process mock.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from finsam_ansokan import create_app
from finsam_ansokan.applications.attachments import display_filename
from finsam_ansokan.config import ConfigurationError
from finsam_ansokan.core.storage import LocalStorage, S3Storage, StorageError, new_key

BUCKET = "finsam-bilagor"


@pytest.fixture
def aws(monkeypatch) -> Iterator[None]:
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def _s3(region: str = "eu-north-1") -> S3Storage:
    storage = S3Storage(BUCKET, region=region)
    storage.client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region}
    )
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    request.getfixturevalue("aws")
    return _s3()


def test_saved_bytes_can_be_read_back_and_deleted(storage):
    key = new_key()
    assert storage.save(key, io.BytesIO(b"bilaga")) == 6
    assert storage.exists(key)
    with storage.open(key) as stream:
        assert stream.read() == b"bilaga"
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting twice is harmless


def test_a_key_is_never_written_twice(storage):
    key = new_key()
    storage.save(key, io.BytesIO(b"first"))
    with pytest.raises(StorageError):
        storage.save(key, io.BytesIO(b"second"))
    with storage.open(key) as stream:
        assert stream.read() == b"first"


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "..", "a/b/c/d/e/f/g", "/etc/passwd", "abc", "ABCDEFGH1", ""]
)
def test_keys_that_could_leave_the_root_are_refused(storage, tmp_path, key):
    with pytest.raises(StorageError):
        storage.save(key, io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        storage.open(key)
    with pytest.raises(StorageError):
        storage.exists(key)
    assert not (tmp_path / "passwd").exists()


def test_opening_a_missing_object_is_a_storage_error(storage):
    with pytest.raises(StorageError):
        storage.open(new_key())
    assert not storage.exists(new_key())


def test_large_objects_arrive_whole(storage):
    data = bytes(range(256)) * 40_000  # 10 MB: several chunks, a multipart upload on S3
    key = new_key()
    assert storage.save(key, io.BytesIO(data)) == len(data)
    with storage.open(key) as stream:
        assert stream.read() == data


def test_the_store_is_chosen_by_configuration(aws, tmp_path):
    _s3()
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3",
        "ATTACHMENT_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_REGION": "eu-north-1",
    }
    store = create_app(config).extensions["attachment_storage"]
    assert isinstance(store, S3Storage) and store.bucket == BUCKET
    with pytest.raises(ConfigurationError, match="S3_BUCKET"):
        create_app({**config, "S3_BUCKET": None})
    with pytest.raises(ConfigurationError, match="stöds inte"):
        create_app({**config, "ATTACHMENT_STORAGE": "ftp"})


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
