"""Two-factor sign-in for staff (django-otp): an authenticator app (TOTP) and backup codes.

Signing in is two steps: the admin's own login page (password, with the lockout of accounts.py),
then, for staff with an app set up, a code from it (or a backup code). With REQUIRE_2FA, staff
without an app are sent to set one up before anything else. Until that step is done a session
reaches only that step: the rest of the admin redirects to it, and everywhere else (the editor's
endpoints, drafts on the public site) it counts as signed out.
"""

from base64 import b32encode
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from procedures.http.languages import address_in_default_language

from .accounts import locked_out

BACKUP_CODES = 10
WRONG_CODE = gettext_lazy(
    "That code did not work. Type the code your app shows now (it changes every 30 seconds; after a "
    "wrong one, wait a few seconds), or one of your backup codes."
)
VERIFY, ENROL = "verify", "enrol"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("The 6 digits your authenticator app shows for mesocare, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def step_pending(user):
    """VERIFY (a code is due), ENROL (an app must be set up first) or None (nothing to do)."""
    if not (user.is_authenticated and user.is_staff) or user.is_verified():
        return None
    if user_has_device(user):
        return VERIFY
    return ENROL if settings.REQUIRE_2FA else None


def is_admin_path(path):
    return path.startswith(address_in_default_language("admin:index"))


class SecondFactorRequired:
    """Keeps a session that still owes its second step to that step (after django-otp's middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            if is_admin_path(request.path):
                step = step_pending(request.user)
                if step and request.path not in (step_url(step), reverse("admin:logout")):
                    return redirect(f"{step_url(step)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
            else:
                user = request.user
                request.user = SimpleLazyObject(lambda: signed_out() if step_pending(user) else user)
        return self.get_response(request)


def step_url(step):
    return reverse("two-factor-code" if step == VERIFY else "two-factor")


def signed_out():
    user = AnonymousUser()
    user.otp_device = None
    user.is_verified = lambda: False
    return user


def next_page(request):
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("admin:index")


@sensitive_post_parameters("code")
def code_view(request):
    """The second step of signing in: a code from the app, or a backup code (used up once used).

    Wrong codes count as failed sign-ins, towards the lockout, as wrong passwords do.
    """
    user, after = request.user, next_page(request)
    if step_pending(user) != VERIFY:
        return redirect(after)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            logout(request)
            return locked_out(request)
        device = device_for_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()  # signed in fully now: a new session key, as at any sign-in
            return redirect(after)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        form.add_error("code", WRONG_CODE)
    context = {**admin.site.each_context(request), "title": gettext("Two-factor sign-in"), "form": form, "next": after}
    return TemplateResponse(request, "admin/two_factor/code.html", context)


def device_for_code(user, code):
    """The device this code is from, if it is right: 6 digits are the app's, anything else a backup code."""
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in kind.objects.devices_for_user(user, confirmed=True):
        if verified := verify_token(user, device.persistent_id, code):
            return verified
    return None


@sensitive_post_parameters("code")
def enrol_view(request):
    """Set up an authenticator app (and get backup codes), or see and renew the backup codes.

    Each change is a POST, answered with a redirect here: opening the page writes nothing.
    """
    user, after = request.user, next_page(request)
    app = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    form = CodeForm()
    action = request.POST.get("action") if request.method == "POST" else None
    here = f"{reverse('two-factor')}?{urlencode({REDIRECT_FIELD_NAME: after})}"
    if action == "start":
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        return redirect(here)
    if action == "new-backup-codes" and app is not None:
        make_backup_codes(user)
        messages.success(request, gettext("You have new backup codes; the old ones no longer work."))
        return redirect(here)
    if action == "confirm" and pending is not None:
        form = CodeForm(request.POST)
        if form.is_valid() and pending.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user).exclude(pk=pending.pk).delete()  # the app it replaces
                if not StaticToken.objects.filter(device__user=user).exists():
                    make_backup_codes(user)
            otp_login(request, pending)
            messages.success(request, gettext("Two-factor sign-in is on. Keep your backup codes somewhere safe."))
            return redirect(here)
        form.add_error("code", WRONG_CODE)
    elif action is not None:
        return redirect(here)  # a form from an older state of this page
    context = {
        **admin.site.each_context(request),
        "title": gettext("Two-factor sign-in"),
        "app": app,
        "pending": pending,
        "form": form,
        "next": after,
        "required": settings.REQUIRE_2FA,
        "backup_codes": StaticToken.objects.filter(device__user=user).order_by("pk").values_list("token", flat=True),
    }
    if pending is not None:
        context["qr_code"] = qr_code(pending)
        secret = b32encode(pending.bin_key).decode().rstrip("=")
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return TemplateResponse(request, "admin/two_factor/enrol.html", context)


def make_backup_codes(user):
    """BACKUP_CODES new codes, each good for one sign-in; the old ones stop working."""
    device = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(user=user, name="Backup codes")
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=StaticToken.random_token()) for _ in range(BACKUP_CODES))


def qr_code(device):
    """The app's set-up address as a QR code, inline SVG (no image request; dark on white in either theme)."""
    import segno  # noqa: PLC0415 (about 0.6 MiB, for setting up an app only)

    code = segno.make(device.config_url, error="m")
    svg = code.svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=gettext("QR code to scan with your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 (segno's own drawing of our own address: no outside text in it)
