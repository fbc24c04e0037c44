from types import SimpleNamespace

from rest_framework.settings import api_settings


def allows(request):
    """Whether the API's per-client rate limit lets this request through, counting it if so:
    the same throttles the API's views apply, for answers served without reaching them."""
    client = SimpleNamespace(META=request.META, headers=request.headers, user=None)  # the API knows no logins
    return all(throttle().allow_request(client, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)
