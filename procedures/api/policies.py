"""How the API treats every client: a rate limit and paging (DRF settings point here)."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

from procedures.http.policies import language_asked_for
from procedures.http.rate_limit import PerClientThrottle


class PerClientRateThrottle(PerClientThrottle, AnonRateThrottle):
    """API_RATE_LIMIT requests per client address; then 429 with Retry-After."""

    scope = "api"
    rate_setting = "API_RATE_LIMIT"
    counted_here = LocMemCache("api-rate-limit", {"OPTIONS": {"MAX_ENTRIES": 2000}})


# ?page= and ?page_size= are whole numbers from 1 to this (nine digits at most: a longer
# number is refused before it reaches the database); the schema says so too.
LARGEST_NUMBER = 999_999_999
WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


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
        language = language_asked_for(self.request)  # as the answer is keyed: the language, however asked for
        if language != settings.LANGUAGE_CODE:
            kept.append(("lang", language))
        return urlunsplit(parts._replace(query=urlencode(kept)))

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is not None and not WHOLE_NUMBER.fullmatch(value):
                raise ValidationError({name: f"Give a whole number from 1, e.g. ?{name}=2."})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        number = {"type": "integer", "minimum": 1, "maximum": LARGEST_NUMBER}
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "Which page of results, from 1. A page beyond the last answers 404.",
                "schema": {**number, "default": 1},
                "example": 2,
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Results a page, from 1 to {self.max_page_size}; a larger number gives {self.max_page_size}.",
                "schema": {**number, "default": self.page_size},
                "example": self.max_page_size,
            },
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "How many there are in all pages.", "example": 25},
                "next": {
                    **link,
                    "description": "The next page; null on the last.",
                    "example": "https://mesocare.example/api/v1/procedures/?page=3",
                },
                "previous": {
                    **link,
                    "description": "The page before; null on the first.",
                    "example": "https://mesocare.example/api/v1/procedures/",
                },
                "results": schema,
            },
        }
