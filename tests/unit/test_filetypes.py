"""Which uploads are accepted: the extension must be allowed and the content must match it."""

from __future__ import annotations

import pytest

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.filetypes import check_file
from tests import files_samples as samples


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("projektplan.pdf", samples.PDF, "application/pdf"),
        ("Logga.PNG", samples.png(), "image/png"),
        ("foto.jpg", samples.jpeg(), "image/jpeg"),
        ("foto.jpeg", samples.jpeg(), "image/jpeg"),
        (
            "beskrivning.docx",
            samples.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "budget.xlsx",
            samples.xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("text.odt", samples.odf(), "application/vnd.oasis.opendocument.text"),
        (
            "kalkyl.ods",
            samples.odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("gammal.doc", samples.ole("WordDocument"), "application/msword"),
        ("gammal.xls", samples.ole("Workbook"), "application/vnd.ms-excel"),
        ("budget.csv", "År;Belopp\n2026;1 065 500\n".encode(), "text/csv"),
        ("anteckning.txt", "Åtgärder för ökad närvaro".encode("cp1252"), "text/plain"),
    ],
)
def test_allowed_files_are_accepted_with_the_type_from_our_table(filename, data, content_type):
    assert check_file(filename, data).content_type == content_type


def test_an_exe_is_refused_with_the_list_of_allowed_types():
    with pytest.raises(DomainError) as refused:
        check_file("installera.exe", samples.EXE)
    assert refused.value.message.startswith("Filtypen .exe är inte tillåten. Tillåtna är .pdf,")


def test_a_file_without_extension_is_refused():
    with pytest.raises(DomainError, match="Filer utan filändelse är inte tillåtna"):
        check_file("README", b"hej")


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("faktura.pdf", samples.png(), "Filen ser inte ut att vara en PDF trots filändelsen .pdf"),
        ("faktura.pdf", samples.EXE, "Filen ser inte ut att vara en PDF trots filändelsen .pdf"),
        ("bild.png", samples.PDF, "ser inte ut att vara en PNG-bild"),
        ("budget.xlsx", samples.docx(), "ser inte ut att vara ett Excel-dokument"),
        ("text.docx", samples.xlsx(), "ser inte ut att vara ett Word-dokument"),
        ("text.docx", samples.plain_zip(), "ser inte ut att vara ett Word-dokument"),
        ("text.odt", samples.odf("application/vnd.oasis.opendocument.spreadsheet"), ".odt"),
        ("text.odt", samples.docx(), ".odt"),
        ("gammal.doc", samples.ole("Workbook"), "ett Word-dokument"),
        ("gammal.doc", samples.EXE, "ett Word-dokument"),
        ("lista.txt", b"MZ\x00\x00binary", "ser inte ut att vara en textfil"),
        ("trasig.docx", b"PK\x03\x04 not really a zip", "ett Word-dokument"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(filename, data, expected):
    with pytest.raises(DomainError) as refused:
        check_file(filename, data, field="file")
    assert expected in refused.value.message
    assert refused.value.field == "file"


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError, match="Filen är tom"):
        check_file("tom.pdf", b"")
