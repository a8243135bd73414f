"""Printed from the browser, an application and a meeting look like documents: the förbund and
the diarienummer on top, page numbers, and no menu, tabs, buttons or forms."""

from __future__ import annotations

import io

from pypdf import PdfReader

from .conftest import ARTIFACTS, login_as

SCREEN_ONLY = ["Meny", "Logga ut", "Kommentarer", "Historik", "Tillgänglighetsredogörelse"]


def _printed(page, name: str) -> tuple[str, int]:
    """The page printed by Chromium (print styles, A4); its text, and the PDF kept to look at."""
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"print-{name}.pdf").write_bytes(pdf)
    page.screenshot(path=str(ARTIFACTS / f"print-{name}.png"), full_page=True)
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def test_a_printed_application_has_the_forbund_the_diarienummer_and_page_numbers(page):
    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Förstärkt KAA").first.click()
    page.wait_for_load_state()
    diarienummer = page.locator(".facts dd").first.inner_text()
    assert "/" in diarienummer  # a submitted case: YYYY/N
    text, pages = _printed(page, "application")
    assert "Samordningsförbundet Värend" in text
    assert f"Diarienummer {diarienummer}" in text
    assert "Förstärkt KAA" in text
    assert f"Sida 1 av {pages}" in text
    for word in SCREEN_ONLY + ["Skicka in ansökan", "Ta upp för beredning"]:
        assert word not in text, word


def test_a_printed_meeting_page_has_no_forms_or_buttons(page):
    login_as(page, "kansli@varend.example")
    page.goto("/sammantraden/")
    page.get_by_role("main").get_by_role("table").first.get_by_role("link").first.click()
    page.wait_for_load_state()
    text, pages = _printed(page, "meeting")
    assert "Samordningsförbundet Värend" in text
    assert "Styrelsens sammanträde" in text
    assert f"Sida {pages} av {pages}" in text
    for word in [*SCREEN_ONLY, "Lägg till", "Protokoll (PDF)"]:
        assert word not in text, word
