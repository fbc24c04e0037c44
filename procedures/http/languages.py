"""Which language a request is answered in: the one its address names (/es/…, /ar/…), or the
site's default for an address without a prefix. Never the browser's Accept-Language or a cookie:
an address always gives the same page, so links keep working, and caches (ours, a CDN's) need
no Vary."""

from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404
from django.urls import get_resolver, get_script_prefix, reverse
from django.urls.resolvers import RegexPattern, RoutePattern, URLPattern, URLResolver
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
    """Addresses with no translated part (the admin, the API). Their table of addresses
    (the admin's, with the copy reverse() makes of it, is about 2 MiB) is worked out only when
    an address is asked for by name, and once, in the default language, not again for each
    language a page is asked in. Pages that link to one (every page's footer links to the
    admin) go through address(), which works out a table of only the patterns of that name."""

    def _populate(self):
        """Not when the table of the URLconf that includes it is worked out: reverse() finds
        an address in a namespace from a table of its own (get_ns_resolver), not from this."""

    def _populate_in_default_language(self):
        if not self._populated:
            with translation.override(settings.LANGUAGE_CODE):
                super()._populate()

    @property
    def reverse_dict(self):
        self._populate_in_default_language()
        with translation.override(settings.LANGUAGE_CODE):
            return super().reverse_dict

    @property
    def namespace_dict(self):
        self._populate_in_default_language()
        with translation.override(settings.LANGUAGE_CODE):
            return super().namespace_dict

    @property
    def app_dict(self):
        self._populate_in_default_language()
        with translation.override(settings.LANGUAGE_CODE):
            return super().app_dict

    def address(self, name, *args):
        """reverse() of one of its own names (no namespace), from the patterns of that name."""
        named = URLResolver(self.pattern, patterns_named(name, self.url_patterns))
        return URLResolver(RegexPattern(r"^/"), [named])._reverse_with_prefix(name, get_script_prefix(), *args)


def patterns_named(name, patterns):
    """The patterns of that name among these, within the includes (with no namespace) they are in."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == name:
            found.append(pattern)
        elif isinstance(pattern, URLResolver) and not pattern.namespace and (inner := patterns_named(name, pattern.url_patterns)):
            found.append(URLResolver(pattern.pattern, inner, pattern.default_kwargs))
    return found


@lru_cache(maxsize=256)
def address_in_default_language(name, *args):
    """reverse() for an address with no language versions (the admin's, what machines read),
    whatever language the request is in: in another, Django would build the admin's table of
    addresses again for it. Worked out once per process; an address in the admin or the API
    from a table of only the patterns of its name (SameInEveryLanguage.address)."""
    namespace, _, own_name = name.rpartition(":")
    with translation.override(settings.LANGUAGE_CODE):
        for included in get_resolver().url_patterns:
            if isinstance(included, SameInEveryLanguage) and included.namespace == namespace:
                return included.address(own_name, *args)
        return reverse(name, args=args)


def untranslated(route, included):
    """path(route, include(…)) for addresses the same in every language (SameInEveryLanguage)."""
    urlconf, app_name, namespace = included
    return SameInEveryLanguage(RoutePattern(route), urlconf, app_name=app_name, namespace=namespace)
