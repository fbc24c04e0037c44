"""Staff accounts: sign-in lockout, two-factor sign-in, sessions that end, permissions that match the roles."""

import datetime
import io
import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from procedures.models import Procedure
from tests.factories import PASSWORD, ProcedureFactory, UserFactory, make_editor
from tests.html import page, text
from tests.images import upload
from tests.test_settings import PRODUCTION, manage

LOGIN = reverse("admin:login")
TWO_FACTOR = reverse("two-factor")
CODE = reverse("two-factor-code")
LOCKED = "Sign-in is locked for 15 minutes"
WRONG_PASSWORD = "Please enter the correct username and password"


def sign_in(client, username="sam", password=PASSWORD, next_page="/admin/"):
    return client.post(LOGIN, {"username": username, "password": password, "next": next_page})


def lock_out(client, username="sam"):
    """Wrong passwords until sign-in is locked: 5 are allowed, the 6th locks."""
    for _ in range(5):
        assert WRONG_PASSWORD in text(sign_in(client, username, "wrong"))
    response = sign_in(client, username, "wrong")
    assert response.status_code == 429
    return response


@pytest.fixture
def clock(monkeypatch):
    """The site's clock, moved on with `clock.forward(minutes=…)`."""

    class Clock:
        offset = datetime.timedelta()

        def forward(self, **delta):
            self.offset += datetime.timedelta(**delta)

    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    monkeypatch.setattr("axes.handlers.proxy.now", timezone.now)  # axes imported it by name
    return clock


@pytest.fixture
def sam(db):
    return make_editor(username="sam")


@pytest.fixture
def administrator(db):
    """A superuser, in a browser of their own (conftest's administrator shares `client`)."""
    browser = Client()
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))
    return browser


def code_from(key, steps_ahead=0):
    """What an authenticator app shows for this key (now, or that many 30-second steps on)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def sams_app(sam):
    """Sam has set up an authenticator app (the secret key the app holds is app.bin_key)."""
    return TOTPDevice.objects.create(user=sam, name="Authenticator app", confirmed=True)


def press(client, response, button, **typed):
    """Submit the form holding this button, as a browser would (its hidden fields, and what was typed)."""
    form = page(response).find("button", string=button).find_parent("form")
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    return client.post(
        response.wsgi_request.get_full_path(),
        {**data, "action": form.find("button", string=button)["value"], **typed},
        follow=True,
    )


def set_up_app(client, address=TWO_FACTOR):
    """Through the admin's pages, as a person would: start, read the key, type the app's code."""
    setting_up = press(client, client.get(address), "Set up an authenticator app")
    secret = page(setting_up).select_one(".two-factor-secret").get_text()
    key = b32decode("".join(secret.split()))
    response = press(client, setting_up, "Turn on two-factor sign-in", code=code_from(key))
    assert "Two-factor sign-in is on" in text(response)
    return key, response


# Lockout ---------------------------------------------------------------------------------


def test_wrong_passwords_lock_sign_in_and_the_login_page_says_so(client, sam):
    response = lock_out(client)
    assert LOCKED in text(response)
    assert page(response).select_one("#login-form input[name=password]")  # the login page, not an error page
    assert response["Retry-After"] == "900"
    response = sign_in(client)  # even the right password
    assert response.status_code == 429 and LOCKED in text(response)
    assert "_auth_user_id" not in client.session


def test_signing_in_clears_the_count_of_wrong_passwords(client, sam):
    for _ in range(5):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.logout()
    for _ in range(5):
        assert sign_in(client, password="wrong").status_code == 200
    assert sign_in(client).status_code == 302


def test_the_lockout_ends_by_itself_and_each_try_meanwhile_starts_it_again(client, sam, clock):
    lock_out(client)
    clock.forward(minutes=10)
    assert sign_in(client).status_code == 429
    clock.forward(minutes=10)  # 20 minutes after it began, 10 after the last try
    assert sign_in(client).status_code == 429
    clock.forward(minutes=16)
    assert sign_in(client).status_code == 302


def test_an_address_trying_many_accounts_is_locked_out_of_all_of_them(client, sam):
    for name in ["alex", "ann", "bob", "carla", "dev"]:
        assert sign_in(client, name, "guess").status_code == 200
    assert sign_in(client, "eve", "guess").status_code == 429
    assert sign_in(client).status_code == 429  # sam, from that address
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7")).status_code == 302  # sam, from elsewhere


def test_an_account_is_locked_whatever_address_the_tries_come_from(sam):
    for number in range(6):
        response = sign_in(Client(REMOTE_ADDR=f"198.51.100.{number}"), password="wrong")
    assert response.status_code == 429
    assert sign_in(Client(REMOTE_ADDR="203.0.113.9")).status_code == 429


def test_behind_our_proxy_the_address_is_the_one_the_proxy_saw(sam, settings, administrator):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # what API_PROXIES=1 sets
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for name in ["alex", "ann", "bob", "carla", "dev", "eve"]:
        response = sign_in(attacker, name, "guess")
    assert response.status_code == 429
    # Claiming another address does not help: our proxy adds the one it saw, and only that counts.
    assert sign_in(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")).status_code == 429
    assert sign_in(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")).status_code == 302  # a colleague
    log = text(administrator.get(reverse("admin:axes_accessfailurelog_changelist")))
    assert "203.0.113.5" in log and "10.0.0.1" not in log
    # A proxy passing on a header that is no address: the proxy's own address counts.
    assert sign_in(Client(**proxy, HTTP_X_FORWARDED_FOR="not-an-address"), "zed", "guess").status_code == 200


def test_without_proxies_of_our_own_forwarded_addresses_are_not_believed(sam):
    for number in range(6):
        client = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        response = sign_in(client, f"guess{number}", "wrong")
    assert response.status_code == 429


def test_an_administrator_unlocks_an_account_in_the_admin(client, sam, administrator):
    lock_out(client)
    attempts = administrator.get(reverse("admin:axes_accessattempt_changelist"))
    assert "sam" in text(attempts) and "Locked Out" in text(attempts)
    selected = [box["value"] for box in page(attempts).select("input[name=_selected_action]")]
    administrator.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )
    assert sign_in(client).status_code == 302


def test_an_administrator_unlocks_an_account_or_an_address_with_a_command(client, sam):
    lock_out(client)
    call_command("axes_reset_username", "sam", stdout=io.StringIO())
    assert sign_in(client).status_code == 302
    client.logout()
    for name in ["alex", "ann", "bob", "carla", "dev", "eve"]:
        sign_in(client, name, "guess")
    assert sign_in(client).status_code == 429
    call_command("axes_reset_ip", "127.0.0.1", stdout=io.StringIO())
    assert sign_in(client).status_code == 302


def test_sign_ins_and_failed_attempts_are_logged_for_administrators(client, sam, administrator):
    sign_in(client, password="wrong")
    sign_in(client, "nobody", "guess")
    sign_in(client)
    failures = administrator.get(reverse("admin:axes_accessfailurelog_changelist"))
    rows = [" ".join(row.get_text(" ").split()) for row in page(failures).select("#result_list tbody tr")]
    assert len(rows) == 2
    assert any("sam" in row and "127.0.0.1" in row for row in rows)
    assert any("nobody" in row for row in rows)
    sign_ins = text(administrator.get(reverse("admin:axes_accesslog_changelist")))
    assert "sam" in sign_ins and "127.0.0.1" in sign_ins
    editor = Client()
    editor.force_login(make_editor())
    for name in ["accessfailurelog", "accesslog"]:
        assert editor.get(reverse(f"admin:axes_{name}_changelist")).status_code == 403
    # Nobody changes or deletes the log.
    failure = page(failures).select_one("input[name=_selected_action]")
    assert (
        failure is None
        or administrator.get(reverse("admin:axes_accessfailurelog_delete", args=[failure["value"]])).status_code == 403
    )


# Two-factor sign-in ------------------------------------------------------------------------


def test_staff_set_up_an_authenticator_app_from_a_link_in_the_admin(editor_client, clock):
    link = page(editor_client.get(reverse("admin:index"))).find("a", string="Two-factor sign-in")
    assert link["href"] == TWO_FACTOR
    start = editor_client.get(TWO_FACTOR)
    assert page(start).find("button", string="Set up an authenticator app")
    editor_client.post(TWO_FACTOR, {"action": "start"})
    setting_up = page(editor_client.get(TWO_FACTOR))
    assert setting_up.select_one(".two-factor-qr svg title").get_text() == "QR code to scan with your authenticator app"
    secret = "".join(setting_up.select_one(".two-factor-secret").get_text().split())
    assert len(b32decode(secret)) == 20  # the key, as text, for people who cannot scan

    wrong = editor_client.post(TWO_FACTOR, {"action": "confirm", "code": "000000"})
    assert "That code did not work" in text(wrong)
    assert not TOTPDevice.objects.filter(confirmed=True).exists()

    clock.forward(seconds=2)  # django-otp's pause after a wrong code
    done = editor_client.post(TWO_FACTOR, {"action": "confirm", "code": code_from(b32decode(secret))}, follow=True)
    assert "Two-factor sign-in is on" in text(done)
    codes = [code.get_text() for code in page(done).select(".two-factor-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10


def test_opening_the_set_up_page_writes_nothing(editor_client):
    with CaptureQueriesContext(connection) as queries:
        assert editor_client.get(TWO_FACTOR).status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_with_an_app_signing_in_asks_for_a_code_before_anything_else(client, sams_app):
    draft = ProcedureFactory(status=Procedure.Status.DRAFT)
    response = sign_in(client, next_page="/admin/procedures/procedure/")
    assert response.status_code == 302
    response = client.get("/admin/procedures/procedure/")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE}?next=%2Fadmin%2Fprocedures%2Fprocedure%2F"
    # Until then, the session counts as signed out everywhere else.
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post("/editor/preview/", {"content": "hi"}).status_code == 403
    code_page = client.get(response["Location"])
    assert page(code_page).select_one("form input[name=code][autocomplete=one-time-code]")

    half_signed_in = client.session.session_key
    response = client.post(response["Location"], {"code": code_from(sams_app.bin_key), "next": "/admin/procedures/procedure/"})
    assert response["Location"] == "/admin/procedures/procedure/"
    assert client.session.session_key != half_signed_in
    assert client.get("/admin/procedures/procedure/").status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, sams_app, clock):
    sign_in(client)
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 200
    assert "That code did not work" in text(response)
    assert client.get("/admin/").status_code == 302
    clock.forward(seconds=2)  # django-otp's pause after a wrong code
    assert client.post(CODE, {"code": code_from(sams_app.bin_key)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_signs_in_once(client, sams_app):
    backup = StaticDevice.objects.create(user=sams_app.user, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    sign_in(client)
    assert client.post(CODE, {"code": "ABCD 2345"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    sign_in(client)
    assert "That code did not work" in text(client.post(CODE, {"code": "abcd2345"}))


def test_wrong_codes_count_towards_the_lockout_and_end_the_session(client, sams_app, administrator):
    sign_in(client)
    for _ in range(5):
        assert client.post(CODE, {"code": "135790"}).status_code == 200
    response = client.post(CODE, {"code": "135790"})
    assert response.status_code == 429 and LOCKED in text(response)
    assert client.get("/admin/")["Location"].startswith(LOGIN)  # signed out
    assert sign_in(client).status_code == 429
    log = text(administrator.get(reverse("admin:axes_accessfailurelog_changelist")))
    assert CODE in log
    attempts = page(administrator.get(reverse("admin:axes_accessattempt_changelist")))
    for row in attempts.select("input[name=_selected_action]"):
        attempt = administrator.get(reverse("admin:axes_accessattempt_change", args=[row["value"]]))
        assert "135790" not in attempt.content.decode()  # codes are not kept, as passwords are not


def test_with_require_2fa_staff_without_an_app_set_one_up_before_anything_else(client, sam, settings):
    settings.REQUIRE_2FA = True
    sign_in(client)
    for address in ["/admin/", "/admin/procedures/procedure/", reverse("admin:password_change"), CODE]:
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(TWO_FACTOR)
    response = client.get("/admin/procedures/procedure/", follow=True)
    assert "Your account needs two-factor sign-in" in text(response)
    _, done = set_up_app(client, response.redirect_chain[-1][0])
    assert page(done).find("a", string="Go on to the admin")["href"] == "/admin/procedures/procedure/"
    assert client.get("/admin/procedures/procedure/").status_code == 200


def test_a_new_editor_from_createeditor_sets_up_the_app_at_first_sign_in(client, db, settings, monkeypatch):
    settings.REQUIRE_2FA = True
    monkeypatch.setenv("EDITOR_PASSWORD", "a-good-long-passphrase")
    call_command("createeditor", "robin", stdout=io.StringIO())
    response = client.post(LOGIN, {"username": "robin", "password": "a-good-long-passphrase", "next": "/admin/"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(TWO_FACTOR)
    key, _ = set_up_app(client)
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.post(LOGIN, {"username": "robin", "password": "a-good-long-passphrase", "next": "/admin/"})
    assert client.post(CODE, {"code": code_from(key, steps_ahead=1)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_administrator_removes_a_lost_app_and_its_owner_sets_up_a_new_one(client, sams_app, settings, administrator):
    settings.REQUIRE_2FA = True
    device_page = administrator.get(reverse("admin:otp_totp_totpdevice_change", args=[sams_app.pk]))
    assert sams_app.key not in device_page.content.decode()  # administrators never see the secret
    administrator.post(reverse("admin:otp_totp_totpdevice_delete", args=[sams_app.pk]), {"post": "yes"})
    sign_in(client)
    assert client.get("/admin/")["Location"].startswith(TWO_FACTOR)


@pytest.mark.parametrize(
    "https, require_2fa, expected", [("true", None, "True"), ("false", None, "False"), ("true", "false", "False")]
)
def test_two_factor_is_required_by_default_behind_https_only(https, require_2fa, expected):
    env = {**PRODUCTION, "HTTPS": https, **({"REQUIRE_2FA": require_2fa} if require_2fa else {})}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.REQUIRE_2FA)", env=env)
    assert result.stdout.strip().endswith(expected), result.stderr


# Sessions ------------------------------------------------------------------------------


def test_an_idle_session_ends_and_the_login_page_says_why(client, sam, clock):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    clock.forward(minutes=31)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "You were signed out after 30 minutes without activity" in text(response)
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_going(client, sam, clock):
    sign_in(client)
    for _ in range(3):
        clock.forward(minutes=20)
        assert client.get("/admin/").status_code == 200
    clock.forward(minutes=31)
    assert client.get("/admin/").status_code == 302


def test_the_idle_time_is_a_setting(client, sam, clock, settings):
    settings.ADMIN_IDLE_MINUTES = 5
    sign_in(client)
    clock.forward(minutes=6)
    assert client.get("/admin/").status_code == 302


def test_browsing_the_admin_saves_the_session_only_every_few_minutes(editor_client, clock):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            editor_client.get("/admin/")
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    clock.forward(minutes=4)
    with CaptureQueriesContext(connection) as queries:
        editor_client.get("/admin/")
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and all("django_session" in sql for sql in writes)


def test_changing_the_password_signs_out_every_other_session(sam):
    laptop, phone = Client(), Client()
    sign_in(laptop)
    sign_in(phone)
    response = laptop.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/")["Location"].startswith(LOGIN)


def test_an_administrator_setting_a_new_password_signs_its_owner_out(client, sam, administrator):
    sign_in(client)
    response = administrator.post(
        reverse("admin:auth_user_password_change", args=[sam.pk]),
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith(LOGIN)


# Permissions that match the roles ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/editor/preview/", "/editor/upload/"])
def test_reviewer_only_accounts_cannot_preview_or_upload(reviewer_client, url):
    response = reviewer_client.post(url, {"content": "hi", "image": upload()})
    assert response.status_code == 403
    assert "you are not an editor" in response.content.decode()


def test_staff_who_may_change_any_page_text_may_preview_it(client, db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_sitepage"))
    client.force_login(user)
    assert client.post("/editor/preview/", {"content": "Hello"}).status_code == 200


def test_drafts_show_at_their_address_only_to_staff_who_may_change_pages(reviewer_client, editor_client, db):
    draft = ProcedureFactory(status=Procedure.Status.DRAFT, first_published=None)
    withdrawn = ProcedureFactory(status=Procedure.Status.DRAFT, first_published=datetime.date(2024, 1, 1))
    no_rights = Client()
    no_rights.force_login(UserFactory(is_staff=True))
    for visitor in (reviewer_client, no_rights):
        assert visitor.get(draft.get_absolute_url()).status_code == 404
        assert visitor.get(withdrawn.get_absolute_url()).status_code == 410
    assert editor_client.get(draft.get_absolute_url()).status_code == 200
    assert editor_client.get(withdrawn.get_absolute_url()).status_code == 200
