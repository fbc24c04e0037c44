"""Which language a request is answered in: the one its address names (/es/…, /ar/…), or the
site's default for an address without a prefix. Never the browser's Accept-Language or a cookie:
an address always gives the same page, so links keep working, and caches (ours, a CDN's) need
no Vary."""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.utils import translation


def address_language(path):
    """The language an address is in: its prefix's, or the site's default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


class LanguageFromAddress:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = address_language(request.path_info)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


def default_language_only(view):
    """An address machines read (robots.txt, the sitemap, oEmbed) exists once, without a language
    prefix: /es/sitemap.xml is not found, rather than a second sitemap of the same pages."""

    @wraps(view)
    def only_unprefixed(request, *args, **kwargs):
        if translation.get_language_from_path(request.path_info):
            raise Http404("This address has no language versions.")
        return view(request, *args, **kwargs)

    return only_unprefixed
