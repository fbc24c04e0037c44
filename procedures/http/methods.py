"""The HTTP methods public pages answer. Patients' pages are read, never written to: GET and
HEAD (as GET, without the body) are served, OPTIONS says so in `Allow`, and anything else
(POST, PUT, PATCH, DELETE, …) is a 405 with `Allow` — not the 403 "CSRF verification failed"
page that a POST would otherwise meet, and never the page itself.

Public pages are the views of procedures.web (the `procedures` URL namespace) and uploaded
files. The admin, the editor's endpoints and the API answer for themselves (the API through
Django REST framework, cross-origin preflight through django-cors-headers before this)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext

READ_ONLY = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(READ_ONLY)


def is_public(request):
    """A public page or an uploaded file; anything else (the admin and its two-factor pages, the
    editor's endpoints, the API) is left to answer for itself."""
    match = request.resolver_match
    return "procedures" in match.namespaces or (not match.namespaces and request.path.startswith(settings.MEDIA_URL))


def allowed_methods(status):
    response = HttpResponse(status=status)
    response["Allow"] = ALLOW
    return response


class ReadOnlyPublicPagesMiddleware:
    """Place before CsrfViewMiddleware: a refused method is answered before the CSRF check,
    and before the view does any work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and getattr(request, "is_public_page", False):
            response.content = b""  # Content-Length stays the GET's
        return response

    def process_view(self, request, view, args, kwargs):
        if not is_public(request):
            return None
        request.is_public_page = True
        if request.method == "OPTIONS":
            return allowed_methods(200)
        if request.method not in READ_ONLY:
            response = allowed_methods(405)
            response.content = (gettext("This address can only be read (%(methods)s).") % {"methods": ALLOW} + "\n").encode()
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        return None
