"""Which files may be uploaded, and whether a file's content matches its extension.

The extension decides the type a file claims to be; the first bytes (and, for the
ZIP-based Office and OpenDocument formats, the entries inside) must agree. The content
type we store and send back comes from this table, never from the browser.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import puremagic

from finsam_ansokan.core.errors import DomainError

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/"}
#: Stream names inside an old binary Office file (OLE2), in UTF-16LE as stored.
_OLE_STREAMS = {
    "doc": ["WordDocument".encode("utf-16-le")],
    "xls": ["Workbook".encode("utf-16-le"), "Book".encode("utf-16-le")],
}


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    #: How the type is named in a message: "en PDF", "ett Word-dokument".
    noun: str


ALLOWED: dict[str, FileType] = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", "en PDF"),
        FileType("doc", "application/msword", "ett Word-dokument"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "ett Word-dokument",
        ),
        FileType("xls", "application/vnd.ms-excel", "ett Excel-dokument"),
        FileType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ett Excel-dokument",
        ),
        FileType("odt", _ODF_MIMETYPES["odt"], "ett OpenDocument-textdokument"),
        FileType("ods", _ODF_MIMETYPES["ods"], "ett OpenDocument-kalkylark"),
        FileType("odp", _ODF_MIMETYPES["odp"], "en OpenDocument-presentation"),
        FileType("png", "image/png", "en PNG-bild"),
        FileType("jpg", "image/jpeg", "en JPEG-bild"),
        FileType("jpeg", "image/jpeg", "en JPEG-bild"),
        FileType("csv", "text/csv", "en CSV-fil"),
        FileType("txt", "text/plain", "en textfil"),
    )
}

#: For hints and messages: ".pdf, .doc, …".
ALLOWED_LIST = ", ".join(f".{ext}" for ext in ALLOWED)


def extension_of(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def check_file(filename: str, data: bytes, *, field: str | None = None) -> FileType:
    """Return the allowed type of ``filename``, or raise a DomainError in Swedish.

    Refuses extensions not in :data:`ALLOWED` and files whose bytes do not look like the
    type their extension claims.
    """
    extension = extension_of(filename)
    filetype = ALLOWED.get(extension)
    if filetype is None:
        refused = (
            f"Filtypen .{extension} är inte tillåten."
            if extension
            else "Filer utan filändelse är inte tillåtna."
        )
        raise DomainError(f"{refused} Tillåtna är {ALLOWED_LIST}.", field=field)
    if not data:
        raise DomainError("Filen är tom.", field=field)
    if not _content_matches(extension, data):
        raise DomainError(
            f"Filen ser inte ut att vara {filetype.noun} trots filändelsen .{extension}. "
            "Kontrollera att du valt rätt fil, eller spara den i rätt format och försök igen.",
            field=field,
        )
    return filetype


def _content_matches(extension: str, data: bytes) -> bool:
    if extension in _OOXML_PARTS:
        return _is_ooxml(data, _OOXML_PARTS[extension])
    if extension in _ODF_MIMETYPES:
        return _is_odf(data, _ODF_MIMETYPES[extension])
    if extension in _OLE_STREAMS:
        return data.startswith(_OLE2) and any(name in data for name in _OLE_STREAMS[extension])
    if extension in ("csv", "txt"):
        return _is_text(data)
    return _magic_says(extension, data)


def _magic_says(extension: str, data: bytes) -> bool:
    try:
        matches = puremagic.magic_string(data[:8192])
    except puremagic.PureError:
        return False
    wanted = {"jpg", "jpeg", "jpe", "jfif"} if extension in ("jpg", "jpeg") else {extension}
    return any(m.extension.lstrip(".").lower() in wanted for m in matches)


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None


def _is_ooxml(data: bytes, part_prefix: str) -> bool:
    archive = _open_zip(data)
    if archive is None:
        return False
    with archive:
        names = archive.namelist()
    return "[Content_Types].xml" in names and any(n.startswith(part_prefix) for n in names)


def _is_odf(data: bytes, mimetype: str) -> bool:
    archive = _open_zip(data)
    if archive is None:
        return False
    with archive:
        try:
            info = archive.getinfo("mimetype")
        except KeyError:
            return False
        if info.file_size > 200:
            return False
        try:
            return archive.read(info).strip() == mimetype.encode("ascii")
        except (zipfile.BadZipFile, ValueError, NotImplementedError):
            return False


def _is_text(data: bytes) -> bool:
    """Plain text: no NUL bytes, and UTF-8 or Windows-1252 (what Excel writes)."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False
