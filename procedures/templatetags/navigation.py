import re
from functools import cache, lru_cache
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils.translation import get_language, gettext, override

from procedures.http.languages import address_in_default_language
from procedures.http.page_cache import REMEMBERED_PATH_LENGTH
from procedures.http.policies import CACHED
from procedures.templatetags.structured_data import json_ld
from procedures.text.languages import language

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Home › … › this page, as links and as schema.org BreadcrumbList JSON-LD.

    Views give `breadcrumbs`: (name, address) pairs below home; the last is this page (address None).
    """
    request = context["request"]
    trail = [(gettext("Home"), link("procedures:home")), *context.get("breadcrumbs", [])]
    items = [
        {
            "@type": "ListItem",
            "position": position,
            "name": name,
            "item": request.build_absolute_uri(str(address) if address else request.path),
        }
        for position, (name, address) in enumerate(trail, start=1)
    ]
    data = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
    return {"trail": trail, "structured_data": json_ld(data)}


@register.simple_tag
def link(name):
    """The address of a page every page links to (header, footer), worked out once per process
    and language: `{% link "procedures:index" %}` is `{% url "procedures:index" %}` without its cost."""
    return address_in(name, get_language())


@register.simple_tag
def address_without_language(name, *args):
    """The one address of something with no language versions: what machines read (the sitemap,
    oEmbed) and the editors' admin. `{% address_without_language "procedures:sitemap" as sitemap_url %}`.
    Worked out once, in the default language whatever the page's, from a table of only the
    patterns of that name: not from the admin's whole table of addresses (about 2 MiB in every
    web worker, and again for each language)."""
    return address_in_default_language(name, *args)


@cache
def address_in(name, language):
    with override(language):
        return reverse(name)


# Pages in the site's own words (and lists of titles), which every language has, as have the
# error pages. Every other page shows editors' text, written in the default language until it
# is translated.
SITE_WORDS = {"home", "index", "letter", "conditions", "search", "api-docs"}


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each of the site's languages, for the language switcher and hreflang links:
    its address there (the query kept), whether it is the page shown, and whether the page's
    text exists in that language; the page's canonical address (the default language's when its
    text is not in the language shown), and whether it is shown untranslated, with the language
    it is written in. A view can say which languages its page's text is in (`text_languages`)."""
    request = context["request"]
    current = get_language()
    match = getattr(request, "resolver_match", None)
    text_languages = context.get("text_languages")
    error_page = is_error_page(context)
    if text_languages is None and not (match and match.url_name in SITE_WORDS or error_page):
        text_languages = [settings.LANGUAGE_CODE]
    here = addresses_in_each_language(request.path_info, request.path, current)
    query = kept_query(request, match)
    versions = []
    canonical_path = request.path
    for code, name in settings.LANGUAGES:
        path = here[code] if here else address_in("procedures:home", code)
        has_text = text_languages is None or code in text_languages
        versions.append(
            {**language(code), "code": code, "name": name, "url": path + query, "current": code == current, "has_text": has_text}
        )
        if code == current and here and not has_text:
            canonical_path = here[text_languages[0]]
    untranslated = text_languages is not None and current not in text_languages
    return {
        "versions": versions,
        "canonical_path": canonical_path,
        "untranslated": untranslated,
        "text_language": language(text_languages[0]) if untranslated else None,
        "error_page": error_page,  # no alternates for search engines
    }


def addresses_in_each_language(path_info, path, current):
    """{language: this address in it}, or None when the address has no language versions: a
    public page has one in each language; any other address (a page not there, an error page in
    the admin or the API) does not. Worked out once per address and language in each process
    (addresses of a usual length: a flood of long made-up ones is not kept)."""
    if len(path) > REMEMBERED_PATH_LENGTH:
        return versions_of(path_info, path, current)
    return remembered_versions_of(path_info, path, current)


def versions_of(path_info, path, current):
    with override(current):  # an address resolves in the language it is asked in
        try:
            has_versions = "procedures" in resolve(path_info).namespaces
        except Resolver404:
            return None
        return {code: translate_url(path, code) for code, _ in settings.LANGUAGES} if has_versions else None


remembered_versions_of = lru_cache(maxsize=1024)(versions_of)  # about 0.5 KB each


@receiver(setting_changed)
def settings_changed(**kwargs):  # in tests
    remembered_versions_of.cache_clear()


def is_error_page(context):
    """Whether the page is one of the error pages (404.html, 503.html, …): the site's own words."""
    return re.fullmatch(r"\d{3}\.html", context.template.origin.template_name or "") is not None


def kept_query(request, match):
    """The query a page's other language versions keep: on a cached page only the parameters
    that change it (a first visitor's ?utm_source=… must not be stored in links for everyone)."""
    policy = CACHED.get(match.view_name) if match else None
    params = request.GET.lists() if policy is None else [(key, request.GET.getlist(key)) for key in policy.query]
    query = urlencode([(key, values) for key, values in params if values], doseq=True)
    return f"?{query}" if query else ""
