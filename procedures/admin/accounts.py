"""Signing in to the admin: wrong passwords lock sign-in for a while (django-axes), sign-ins and
failed attempts are logged for administrators, and sessions end after a spell without activity.

Two-factor sign-in is in two_factor.py.
"""

import ipaddress

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.backends import AxesStandaloneBackend
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from rest_framework.throttling import BaseThrottle

from procedures.http.languages import address_in_default_language

from .lists import ReadOnlyAdmin

LAST_SEEN = "last_seen"  # in the session: when its person last asked for anything (Unix time)


def client_address(request):
    """The address a sign-in comes from, found as the API's rate limit finds it (Django REST
    framework's rule): the one that reached us or, behind API_PROXIES proxies of our own, the one
    the first of them saw (that many entries from the end of X-Forwarded-For; a client can put
    anything before them). Not an IP address (a proxy passing on a forged header): the one that
    reached us."""
    for address in (BaseThrottle().get_ident(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            continue
    return None


class SignInLimits(AxesStandaloneBackend):
    """django-axes' check before a password is tried: refused while the account or address is locked.

    A password checked outside a web request (a command, the shell) has no address to count, so it
    is not limited; axes would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def locked_out_for(minutes):
    return ngettext(
        "Too many failed sign-in attempts for this account or from this address. Sign-in is locked for "
        "%(minutes)d minute, and each try meanwhile starts the %(minutes)d minute again. An administrator "
        "can unlock it sooner.",
        "Too many failed sign-in attempts for this account or from this address. Sign-in is locked for "
        "%(minutes)d minutes, and each try meanwhile starts the %(minutes)d minutes again. An administrator "
        "can unlock it sooner.",
        minutes,
    ) % {"minutes": minutes}


def signed_out_after(minutes):
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Sign in again to go on.",
        "You were signed out after %(minutes)d minutes without activity. Sign in again to go on.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(request, response=None, credentials=None):
    """What a locked-out sign-in gets: the login page, saying so (429, with Retry-After)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    next_page = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_page, allowed_hosts={request.get_host()}):
        next_page = ""
    context = {
        **admin.site.each_context(request),
        "title": gettext("Log in"),
        "app_path": reverse("admin:login"),
        "form": AdminAuthenticationForm(request),
        "locked_out": locked_out_for(minutes),
        REDIRECT_FIELD_NAME: next_page or reverse("admin:index"),
    }
    answer = render(request, "admin/login.html", context, status=429)
    answer["Retry-After"] = str(minutes * 60)
    return answer


class SignInLogAdmin(ReadOnlyAdmin):
    """Sign-ins and failed attempts, as django-axes records them: for administrators to read; only
    `manage.py axes_reset_logs` / `axes_reset_failure_logs` prune them."""


for model, model_admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (SignInLogAdmin, model_admin), {}))


# Sessions that end after a spell without activity --------------------------------------


def idle_seconds():
    return settings.ADMIN_IDLE_MINUTES * 60


def keep_alive(session):
    """Mark the session as in use now; it ends ADMIN_IDLE_MINUTES from now unless used again."""
    session[LAST_SEEN] = timezone.now().timestamp()
    session.set_expiry(idle_seconds())


@receiver(user_logged_in, dispatch_uid="admin-session-starts-its-idle-clock")
def session_starts(sender, request, user, **kwargs):
    keep_alive(request.session)


class IdleSessionsEnd:
    """Signs a person out after ADMIN_IDLE_MINUTES without a request.

    Activity moves the end on, but the session is saved again only once a tenth of that time (at
    most five minutes) has passed since it last was: browsing the admin writes nothing on most
    requests. So a session ends between 90% and 100% of ADMIN_IDLE_MINUTES after the last request.
    The database and the cookie forget the session by then too (its expiry is set to match).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Visitors without a session cookie are not looked at (that would add `Vary: Cookie`).
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            if SESSION_KEY in session:
                quiet_for = timezone.now().timestamp() - session.get(LAST_SEEN, 0)
                if quiet_for > idle_seconds():
                    logout(request)
                    self.say_why(request)
                elif quiet_for > min(idle_seconds() / 10, 300):
                    keep_alive(session)
            elif session.session_key is None:  # the cookie's session has expired (and is forgotten)
                self.say_why(request)
        return self.get_response(request)

    def say_why(self, request):
        if request.path.startswith(address_in_default_language("admin:index")):
            messages.info(request, signed_out_after(settings.ADMIN_IDLE_MINUTES))
