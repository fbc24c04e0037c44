"""How the API treats every client: a rate limit and paging (DRF settings point here)."""

import re

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle


class PerClientRateThrottle(AnonRateThrottle):
    """API_RATE_LIMIT requests per client address; then 429 with Retry-After."""

    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is not None and not re.fullmatch(r"[1-9][0-9]{0,8}", value):
                raise ValidationError({name: f"Give a whole number from 1, e.g. ?{name}=2."})
        return super().paginate_queryset(queryset, request, view)
