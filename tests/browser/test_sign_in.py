"""Signing in to the admin in a real browser: without JavaScript, and for everyone (axe)."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_browser import violations
from tests.factories import PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def code_from(key, steps_ahead=0):
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def log_in(page, live_site, password=PASSWORD):
    page.goto(live_site + "/admin/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def no_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_signing_in_with_a_code_works_without_javascript(live_site, no_javascript):
    app = TOTPDevice.objects.create(user=make_editor(username="sam"), name="Authenticator app", confirmed=True)
    log_in(no_javascript, live_site)
    expect(no_javascript.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    no_javascript.get_by_label("Code").fill(code_from(app.bin_key))
    no_javascript.get_by_role("button", name="Sign in").click()
    expect(no_javascript.get_by_role("heading", name="Patient pages")).to_be_visible()


def test_setting_up_an_app_works_without_javascript(live_site, no_javascript):
    make_editor(username="sam")
    log_in(no_javascript, live_site)
    no_javascript.get_by_role("link", name="Two-factor sign-in").click()
    no_javascript.get_by_role("button", name="Set up an authenticator app").click()
    expect(no_javascript.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    key = b32decode("".join(no_javascript.locator(".two-factor-secret").inner_text().split()))
    no_javascript.get_by_label("Code").fill(code_from(key))
    no_javascript.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(no_javascript.locator(".messagelist")).to_contain_text("Two-factor sign-in is on")
    expect(no_javascript.locator(".two-factor-codes li")).to_have_count(10)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_sign_in_pages_have_no_accessibility_violations(live_site, browser, width):
    app = TOTPDevice.objects.create(user=make_editor(username="sam"), name="Authenticator app", confirmed=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}

    # Each check waits for what the step shows first: axe run while the next page loads finds no document.
    page.goto(live_site + "/admin/")
    found["login"] = violations(page)
    log_in(page, live_site, password="wrong")
    expect(page.locator(".errornote")).to_be_visible()
    found["wrong password"] = violations(page)
    log_in(page, live_site)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    found["code"] = violations(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".errornote")).to_be_visible()
    found["wrong code"] = violations(page)
    time.sleep(1.1)  # django-otp's pause after a wrong code
    page.get_by_label("Code").fill(code_from(app.bin_key))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_role("button", name="Set up a different app")).to_be_visible()
    found["backup codes"] = violations(page)
    page.get_by_role("button", name="Set up a different app").click()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    found["setting up"] = violations(page)
    page.get_by_role("button", name="Log out").click()
    for _ in range(6):
        log_in(page, live_site, password="wrong")
    expect(page.get_by_text("Sign-in is locked")).to_be_visible()
    found["locked"] = violations(page)

    assert found == dict.fromkeys(found, [])
    context.close()
