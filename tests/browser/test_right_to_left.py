"""Arabic pages read right to left: the layout mirrors, while text in another script keeps its own
direction. Measured from the boxes the browser lays out (no screenshots)."""

import pytest

from tests.browser.test_browser import violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]

PROCEDURE = "/procedures/mesotherapy/"
ARABIC_PAGES = ["/ar/", "/ar/procedures/", "/ar" + PROCEDURE, "/ar/search/?q=hair+loss"]


def direction(page, selector=":root"):
    return page.locator(selector).first.evaluate("element => getComputedStyle(element).direction")


def middle(page, selector):
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2


def side_borders(page, selector):
    """The widths of a box's left and right borders."""
    box = page.locator(selector)
    return [box.evaluate(f"box => getComputedStyle(box).border{side}Width") for side in ("Left", "Right")]


def sticking_out(page):
    """Scrolling sideways, and boxes past either edge of the window: under rtl, what sticks out on
    the right cannot even be scrolled to."""
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            boxes: [...document.body.querySelectorAll("*")]
                .filter(element => {
                    const box = element.getBoundingClientRect();
                    return box.width > 1 && (box.left < -0.5 || box.right > innerWidth + 0.5);
                })
                .map(element => element.outerHTML.slice(0, 80)),
        })"""
    )


@pytest.mark.parametrize("path", ARABIC_PAGES)
def test_arabic_pages_lay_out_right_to_left_on_a_phone(live_site, phone, path):
    phone.goto(live_site + path)
    width = phone.viewport_size["width"]
    assert direction(phone) == "rtl"
    assert phone.locator("main").evaluate("main => getComputedStyle(main).textAlign") in {"start", "right"}
    assert middle(phone, ".site-name") > width / 2  # the logo starts the header, on the right
    assert sticking_out(phone) == {"scrollWidth": width, "boxes": []}
    if path != "/ar/":
        crumbs = phone.locator(".breadcrumbs li")
        assert crumbs.nth(0).bounding_box()["x"] > crumbs.nth(1).bounding_box()["x"]


@pytest.mark.parametrize("path", ["/ar/", "/ar" + PROCEDURE])
def test_arabic_pages_have_no_accessibility_violations(live_site, phone, path):
    phone.goto(live_site + path)
    assert violations(phone) == []


def test_a_page_shown_in_english_on_the_arabic_site_keeps_its_own_direction(live_site, desktop):
    desktop.goto(live_site + "/ar" + PROCEDURE)
    assert direction(desktop, "main") == "rtl"
    assert direction(desktop, "article") == "ltr"  # the page's text, in English until translated
    assert desktop.locator("article p").first.evaluate("p => getComputedStyle(p).textAlign") == "start"
    assert side_borders(desktop, ".toc") == ["4px", "0px"]
    crumbs = desktop.locator(".breadcrumbs li")
    assert crumbs.nth(0).bounding_box()["x"] > crumbs.nth(1).bounding_box()["x"]
    assert middle(desktop, ".site-name") > 640


def test_the_english_page_stays_left_to_right(live_site, desktop):
    desktop.goto(live_site + PROCEDURE)
    assert direction(desktop) == "ltr"
    assert middle(desktop, ".site-name") < 640
    crumbs = desktop.locator(".breadcrumbs li")
    assert crumbs.nth(0).bounding_box()["x"] < crumbs.nth(1).bounding_box()["x"]
    assert side_borders(desktop, ".toc") == ["4px", "0px"]


def test_the_skip_link_shows_on_the_right(live_site, desktop):
    desktop.goto(live_site + "/ar/")
    desktop.keyboard.press("Tab")
    skip = desktop.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0
    assert box["x"] + box["width"] > 1280 - 16


def test_printing_an_arabic_page_reads_right_to_left(live_site, desktop):
    desktop.goto(live_site + "/ar/procedures/")
    desktop.emulate_media(media="print")
    assert direction(desktop) == "rtl"
    assert middle(desktop, ".site-name") > 640
    crumbs = desktop.locator(".breadcrumbs li")
    assert crumbs.nth(0).bounding_box()["x"] > crumbs.nth(1).bounding_box()["x"]
    # A link's address, printed after it, is isolated (U+2068 … U+2069): it reads left to right whole.
    after = desktop.locator("main a[href^='/']").first.evaluate("a => getComputedStyle(a, '::after').content")
    assert "\u2068(/ar/" in after and after.endswith(')\u2069"')
    assert not desktop.locator(".language-switcher").is_visible()
    assert desktop.pdf(format="A4")[:4] == b"%PDF"


def test_the_handout_lays_out_right_to_left(live_site, desktop):
    # A handout is printed in the language of the page's text; no page has an Arabic text yet, so
    # the Arabic address gives the English handout, and the test turns it right to left as an
    # Arabic text will be.
    desktop.goto(live_site + "/ar" + PROCEDURE + "print/")
    assert direction(desktop) == "ltr"
    desktop.evaluate("document.documentElement.lang = 'ar'; document.documentElement.dir = 'rtl'")
    desktop.emulate_media(media="print")
    assert direction(desktop) == "rtl"
    assert desktop.locator("h1").evaluate("h1 => getComputedStyle(h1).textAlign") == "start"
    assert middle(desktop, ".handout__qr") > middle(desktop, ".handout__footer p")  # the QR code starts the footer
    assert direction(desktop, ".handout__address") == "ltr"  # the web address still reads left to right
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280
    assert desktop.pdf(format="A4")[:4] == b"%PDF"


def test_the_language_switcher_fits_a_small_phone_with_large_enough_targets(live_site, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    for path in ("/ar" + PROCEDURE, PROCEDURE):
        page.goto(live_site + path)
        assert sticking_out(page) == {"scrollWidth": 320, "boxes": []}
        links = page.locator(".language-switcher a")  # its name is in the page's language
        assert links.count() == 3
        for box in (links.nth(number).bounding_box() for number in range(3)):
            assert box["width"] >= 24 and box["height"] >= 24
    context.close()


def test_the_language_switcher_shows_keyboard_focus(live_site, desktop):
    desktop.goto(live_site + "/ar/")
    desktop.keyboard.press("Tab")  # the skip link
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate(
        """() => {
            const element = document.activeElement, style = getComputedStyle(element);
            return [element.closest("nav")?.className, style.outlineStyle, style.outlineWidth, style.boxShadow !== "none"];
        }"""
    )
    assert focused == ["language-switcher", "solid", "3px", True]
