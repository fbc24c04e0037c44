"""What only a real browser can show: accessibility, layout on a phone, keyboard use, print."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_editor
from tests.images import picture_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]

WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}


def violations(page):
    results = Axe().run(page, options=WCAG_22_AA)
    return [(v["id"], v["help"], [node["target"] for node in v["nodes"]]) for v in results.response["violations"]]


@pytest.mark.parametrize(
    "path",
    [
        "/procedures/mesotherapy/",
        "/procedures/mesotherapy-for-hair-loss/",
        "/",
        "/procedures/",
        "/authors/anand-lakhkar/",
        "/glossary/",
        "/about-our-content/",
        "/disclaimer/",
        "/no-such-page/",
    ],
)
def test_pages_have_no_accessibility_violations_at_phone_width(live_site, phone, path):
    phone.goto(live_site + path)
    assert violations(phone) == []


def test_procedure_page_fits_a_phone_screen_without_sideways_scrolling(live_site, phone):
    phone.goto(live_site + "/procedures/mesotherapy/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_role("heading", level=1).inner_text() == "Mesotherapy"


def test_keyboard_users_can_skip_to_the_content(live_site, desktop):
    desktop.goto(live_site + "/procedures/mesotherapy/")
    desktop.keyboard.press("Tab")
    skip = desktop.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # it shows when focused
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "main"


def test_table_of_contents_jumps_to_the_section(live_site, desktop):
    desktop.goto(live_site + "/procedures/mesotherapy/")
    desktop.get_by_role("navigation", name="On this page").get_by_role("link", name="Risks and side effects").click()
    assert desktop.url.endswith("#risks-and-side-effects")
    assert desktop.get_by_role("heading", name="Risks and side effects").is_visible()


def test_the_page_reads_fully_without_javascript(live_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_site + "/procedures/mesotherapy/")
    for heading in ("What it is", "How it is done", "Risks and side effects", "Recovery and aftercare", "About the author"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert not page.get_by_role("button", name="Print this page").is_visible()
    context.close()


def test_printing_leaves_out_navigation_and_shows_link_addresses(live_site, desktop):
    desktop.goto(live_site + "/procedures/mesotherapy/")
    assert desktop.get_by_role("navigation", name="Main").is_visible()
    desktop.emulate_media(media="print")
    assert not desktop.get_by_role("navigation", name="Main").is_visible()
    assert not desktop.locator(".site-footer").is_visible()
    link = desktop.locator("#related-reading a").first
    after = link.evaluate("element => getComputedStyle(element, '::after').content")
    assert "/procedures/mesotherapy-for-hair-loss/" in after
    assert desktop.pdf(format="A4")[:4] == b"%PDF"


def log_in(page, live_site, username):
    page.goto(live_site + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_editor_changes_a_page_with_live_preview_and_an_uploaded_picture(live_site, desktop, tmp_path):
    make_editor(username="editor")
    log_in(desktop, live_site, "editor")
    desktop.get_by_role("link", name="Procedures").click()
    desktop.get_by_role("link", name="Mesotherapy", exact=True).click()

    recovery = desktop.locator("textarea[name=recovery]")
    recovery.fill("You can go home **straight away**.\n\n<script>alert('x')</script>")
    preview = desktop.get_by_role("region", name="Preview of recovery")
    expect(preview.locator("strong")).to_have_text("straight away")
    expect(preview.locator("script")).to_have_count(0)

    picture = tmp_path / "scalp.png"
    picture.write_bytes(picture_bytes(120, 80))
    recovery.press("End")
    desktop.locator(".field-recovery input[type=file]").set_input_files(picture)
    expect(desktop.locator(".field-recovery .editor-status")).to_contain_text("Picture added")
    expect(recovery).to_have_value(re.compile(r"!\[Describe this picture[^\]]*\]\(/media/images/[0-9a-f]{32}\.png\)"))
    recovery.fill(recovery.input_value().replace("Describe this picture for people who cannot see it", "A treated scalp"))
    expect(preview.locator("img")).to_have_attribute("alt", "A treated scalp")

    desktop.get_by_role("button", name="Save", exact=True).first.click()
    expect(desktop.locator(".messagelist")).to_contain_text("was changed successfully")

    desktop.goto(live_site + "/procedures/mesotherapy/#recovery-and-aftercare")
    section = desktop.locator("#recovery-and-aftercare")
    expect(section.locator("strong")).to_have_text("straight away")
    image = section.get_by_role("img", name="A treated scalp")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 120  # the uploaded file is served


def test_a_refused_upload_is_explained_to_the_editor(live_site, desktop, tmp_path):
    make_editor(username="editor")
    log_in(desktop, live_site, "editor")
    desktop.goto(live_site + "/admin/procedures/procedure/add/")
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture")
    desktop.locator(".field-what_it_is input[type=file]").set_input_files(fake)
    expect(desktop.locator(".field-what_it_is .editor-status")).to_contain_text("not a picture we can use")
    expect(desktop.locator("textarea[name=what_it_is]")).to_have_value("")


WCAG_ONLY = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.mark.parametrize("width", [390, 1280])
def test_the_editors_procedure_form_meets_wcag(live_site, browser, width):
    make_editor(username="editor")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_site, "editor")
    page.goto(live_site + "/admin/procedures/procedure/")
    page.get_by_role("link", name="Mesotherapy", exact=True).click()
    expect(page).to_have_url(re.compile(r"/change/$"))  # axe run before the form has loaded finds no document
    page.wait_for_load_state()
    results = Axe().run(page, options=WCAG_ONLY)
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]] == []
    context.close()
