"""How the API treats every client: a rate limit and paging (DRF settings point here)."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

# While the shared cache is failing, each process counts requests on its own: a looser limit
# (each process lets a client have its full rate) instead of an error or no limit at all.
COUNTS_IN_THIS_PROCESS = LocMemCache("api-rate-limit", {"OPTIONS": {"MAX_ENTRIES": 2000}})


class PerClientRateThrottle(AnonRateThrottle):
    """API_RATE_LIMIT requests per client address; then 429 with Retry-After."""

    scope = "api"

    @property
    def cache(self):
        # Our Redis cache says whether it is answering (procedures/http/cache_backends.py); other caches count as available.
        return shared_cache if getattr(shared_cache, "available", True) else COUNTS_IN_THIS_PROCESS

    def get_rate(self):
        return settings.API_RATE_LIMIT


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
    kept_in_links = ("page", "page_size", "specialty")  # what changes a list; the rest is dropped

    def get_next_link(self):
        return self.without_other_parameters(super().get_next_link())

    def get_previous_link(self):
        return self.without_other_parameters(super().get_previous_link())

    def without_other_parameters(self, link):
        """The answer is cached for everyone: its links carry nothing a first client's address
        may have added."""
        if link is None:
            return None
        parts = urlsplit(link)
        kept = [(name, value) for name, value in parse_qsl(parts.query) if name in self.kept_in_links]
        return urlunsplit(parts._replace(query=urlencode(kept)))

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is not None and not re.fullmatch(r"[1-9][0-9]{0,8}", value):
                raise ValidationError({name: f"Give a whole number from 1, e.g. ?{name}=2."})
        return super().paginate_queryset(queryset, request, view)
