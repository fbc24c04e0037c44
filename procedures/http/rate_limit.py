"""Per-client rate limits: the API's (DRF's throttles, also counted for API answers served from
the cache) and search's (SEARCH_RATE_LIMIT), both keyed by the client's address as DRF finds it
(API_PROXIES proxies of our own in front)."""

import math
from functools import wraps
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from django.shortcuts import render
from django.utils.translation import gettext
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def allows(request):
    """Whether the API's per-client rate limit lets this request through, counting it if so:
    the same throttles the API's views apply, for answers served without reaching them."""
    client = SimpleNamespace(META=request.META, headers=request.headers, user=None)  # the API knows no logins
    return all(throttle().allow_request(client, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)


class PerClientThrottle(SimpleRateThrottle):
    """A limit per client address, set by the setting `rate_setting` (empty: no limit). While the
    shared cache is failing, each process counts on its own (`counted_here`): a looser limit
    instead of an error or no limit at all."""

    rate_setting = None
    counted_here = None

    @property
    def cache(self):
        # Our Redis cache says whether it is answering (procedures/http/cache_backends.py); other caches count as available.
        return shared_cache if getattr(shared_cache, "available", True) else self.counted_here

    def get_rate(self):
        return getattr(settings, self.rate_setting) or None


class SearchRateThrottle(PerClientThrottle):
    """SEARCH_RATE_LIMIT searches per client address."""

    scope = "search"
    rate_setting = "SEARCH_RATE_LIMIT"
    counted_here = LocMemCache("search-rate-limit", {"OPTIONS": {"MAX_ENTRIES": 2000}})

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def client_address(request):
    """The client's address as the rate limits count it (API_PROXIES proxies of our own in front)."""
    return SearchRateThrottle().get_ident(request)


def searches_limited_per_client(view):
    """A search view answers a client past SEARCH_RATE_LIMIT with a friendly 429 page and
    Retry-After, without searching (or counting what found nothing). Only searches count: the
    empty search page does not."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.GET.get("q", "").strip():
            throttle = SearchRateThrottle()
            if not throttle.allow_request(request, None):
                return too_many_searches(request, math.ceil(throttle.wait() or 1))
        return view(request, *args, **kwargs)

    return limited


def too_many_searches(request, seconds):
    context = {"seconds": seconds, "breadcrumbs": [(gettext("Search"), None)]}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
