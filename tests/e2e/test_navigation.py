"""The main menu on a phone and on a laptop, with and without JavaScript; the focus ring.

The menu is a ``<details>`` disclosure: on a narrow screen it is one *Meny* button, on a
wide one a row of links; administration sits under one *Administration* entry; the page's
own area is marked with ``aria-current``.
"""

from __future__ import annotations

import re

import pytest

from .conftest import assert_accessible, login_as

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}


def _relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(…)`` colours."""
    la, lb = (_relative_luminance(tuple(int(n) for n in re.findall(r"\d+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.fixture
def kansli_page(browser, live_server):
    def open_page(viewport, javascript=True):
        context = browser.new_context(
            base_url=live_server, locale="sv-SE", viewport=viewport, java_script_enabled=javascript
        )
        page = context.new_page()
        login_as(page, "kansli@varend.example")
        contexts.append(context)
        return page

    contexts = []
    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["med-js", "utan-js"])
def test_on_a_phone_the_menu_is_one_button_that_opens_the_areas(kansli_page, javascript):
    page = kansli_page(NARROW, javascript)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    budget = menu.get_by_role("link", name="Budget")
    assert not budget.is_visible()
    menu.get_by_text("Meny", exact=True).click()
    assert budget.is_visible()
    budget.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Budget")
    current = page.get_by_role("navigation", name="Huvudmeny").locator("[aria-current]")
    assert [t.strip() for t in current.all_text_contents()] == ["Budget"]
    if javascript:  # measuring and axe need script; the page is the same without it
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        assert_accessible(page, "nav-phone")


@pytest.mark.parametrize("javascript", [True, False], ids=["med-js", "utan-js"])
def test_on_a_laptop_the_areas_are_links_and_administration_is_one_entry(kansli_page, javascript):
    page = kansli_page(WIDE, javascript)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    assert not menu.get_by_text("Meny", exact=True).is_visible()
    areas = ["Start", "Ansökningar", "Sammanträden", "Budget", "Uppföljning", "Statistik"]
    for name in areas:
        assert menu.get_by_role("link", name=name, exact=True).is_visible(), name
    users = menu.get_by_role("link", name="Användare")
    assert not users.is_visible()
    menu.get_by_text("Administration").click()
    assert users.is_visible()
    users.click()
    page.wait_for_load_state()
    menu = page.get_by_role("navigation", name="Huvudmeny")
    assert menu.locator("a[aria-current=page]").get_attribute("href") == "/admin/anvandare"
    assert "is-current" in (menu.get_by_text("Administration").get_attribute("class") or "")


def test_escape_closes_the_administration_group_and_returns_focus(kansli_page):
    page = kansli_page(WIDE)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    summary = menu.get_by_text("Administration")
    summary.focus()
    page.keyboard.press("Enter")
    assert menu.get_by_role("link", name="Utkorg").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert not menu.get_by_role("link", name="Utkorg").is_visible()
    assert page.evaluate("document.activeElement.textContent").strip() == "Administration"


def test_a_page_inside_an_area_marks_the_area(kansli_page):
    page = kansli_page(WIDE)
    page.goto("/budget/huvudomraden")
    current = page.get_by_role("navigation", name="Huvudmeny").locator("[aria-current]")
    assert [t.strip() for t in current.all_text_contents()] == ["Budget"]
    assert current.get_attribute("aria-current") == "true"


FOCUS_STYLE_JS = """
element => {
  const style = getComputedStyle(element);
  let node = element, background = "rgba(0, 0, 0, 0)";
  while (node && /rgba\\(0, 0, 0, 0\\)|transparent/.test(background)) {
    background = getComputedStyle(node).backgroundColor;
    node = node.parentElement;
  }
  return {outline: style.outlineColor, width: parseFloat(style.outlineWidth),
          shadow: style.boxShadow, background};
}
"""


@pytest.mark.parametrize("where", ["header", "menu", "page"])
def test_the_focus_ring_stands_out_3_to_1_in_the_dark_header_and_on_the_page(kansli_page, where):
    page = kansli_page(WIDE)
    target = {
        "header": page.locator(".site-header__brand"),
        "menu": page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Budget"),
        "page": page.get_by_role("main").get_by_role("link").first,
    }[where]
    target.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = target.evaluate(FOCUS_STYLE_JS)
    assert style["width"] >= 2
    ring = re.search(r"rgb\([^)]*\)", style["shadow"])
    assert ring, style
    # the outer ring against what surrounds the element, or the inner ring against the outer
    best = max(
        contrast(ring.group(0), style["background"]),
        contrast(style["outline"], style["background"]),
    )
    assert best >= 3, style
    assert contrast(ring.group(0), style["outline"]) >= 3, style


#: WCAG 2.1 1.4.12 Text Spacing: what a reader's own style sheet may set.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: .12em !important;
    word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }
"""


@pytest.mark.parametrize(
    "url", ["/", "/ansokningar", "/budget/", "/sammantraden/", "/statistik", "/uppfoljning"]
)
def test_wider_text_spacing_does_not_push_a_page_sideways_at_320_px(browser, live_server, url):
    context = browser.new_context(
        base_url=live_server, locale="sv-SE", viewport=NARROW, bypass_csp=True
    )
    page = context.new_page()
    login_as(page, "kansli@varend.example")
    page.goto(url)
    page.add_style_tag(content=TEXT_SPACING)
    page.get_by_role("navigation", name="Huvudmeny").get_by_text("Meny", exact=True).click()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= NARROW["width"], f"{url}: {width}px"
