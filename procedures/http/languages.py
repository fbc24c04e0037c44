"""Which language a request is answered in: the one its address names (/es/…, /ar/…), or the
site's default for an address without a prefix. Never the browser's Accept-Language or a cookie:
an address always gives the same page, so links keep working, and caches (ours, a CDN's) need
no Vary."""

from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.urls.resolvers import RoutePattern, URLResolver
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


class SameInEveryLanguage(URLResolver):
    """Addresses with no translated part (the admin, the API): the table reverse() writes them
    from is worked out once, in the default language, instead of once for each language a page
    is asked in (the admin's alone is about 1 MiB a language in every web worker)."""

    def _populate(self):
        if not self._populated:
            with translation.override(settings.LANGUAGE_CODE):
                super()._populate()

    @property
    def reverse_dict(self):
        with translation.override(settings.LANGUAGE_CODE):
            return super().reverse_dict

    @property
    def namespace_dict(self):
        with translation.override(settings.LANGUAGE_CODE):
            return super().namespace_dict

    @property
    def app_dict(self):
        with translation.override(settings.LANGUAGE_CODE):
            return super().app_dict


@lru_cache(maxsize=256)
def address_in_default_language(name, *args):
    """reverse() for an address with no language versions (the admin's, what machines read),
    whatever language the request is in: in another, Django would build the admin's table of
    addresses again for it (about 1 MiB in every web worker). Worked out once per process."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def untranslated(route, included):
    """path(route, include(…)) for addresses the same in every language (SameInEveryLanguage)."""
    urlconf, app_name, namespace = included
    return SameInEveryLanguage(RoutePattern(route), urlconf, app_name=app_name, namespace=namespace)
