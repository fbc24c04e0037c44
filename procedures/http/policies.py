"""Which public answers are cached whole, and what each one shows: the freshness scopes it
depends on (procedures.models.freshness) and the query parameters that change it. Anything
not listed here is never cached by the site."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header

from procedures.models.freshness import SITE, page_scope


def whole_site(kwargs):
    return [SITE]


def one_page(kwargs):
    """A procedure's own page and its other forms; like every answer, it also shows the site
    (lists of related treatments, the footer, names of people and tags)."""
    return [SITE, page_scope(kwargs["slug"])]


@dataclass(frozen=True)
class Policy:
    shows: Callable = whole_site
    query: tuple = ()  # the query parameters that change the answer; any others are ignored
    kept: bool = True  # False: fresh headers and 304s, but not stored (addresses without bound)
    counted: bool = False  # counts towards the API's per-client rate limit, even when cached
    language: Callable | None = None  # the language the request chooses, when not its address (the API)


def language_asked_for(request):
    """The site's language an API request asks for: ?lang= wins, then the best of Accept-Language.
    A language the site does not have, or none, gives the default: never an error."""
    asked = request.GET.get("lang", "").strip().lower()
    wanted = [asked] if asked else [code for code, _ in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    for code in wanted:
        if code == "*":
            break
        if language_code_re.search(code):
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


PAGES = ("page",)
API_PAGES = ("page", "page_size")
CACHED = {
    "procedures:home": Policy(),
    "procedures:index": Policy(query=("specialty",)),
    "procedures:letter": Policy(query=("specialty", *PAGES)),
    "procedures:detail": Policy(one_page),
    "procedures:embed": Policy(one_page),
    "procedures:handout": Policy(one_page),
    "procedures:oembed": Policy(query=("url", "format", "maxwidth", "maxheight"), kept=False),
    "procedures:feed": Policy(),
    "procedures:sitemap": Policy(query=("p",)),
    "procedures:sitemap-section": Policy(query=("p",)),
    "procedures:robots": Policy(),
    "procedures:api-docs": Policy(),
    "procedures:specialty": Policy(query=PAGES),
    "procedures:conditions": Policy(),
    "procedures:condition": Policy(query=PAGES),
    "procedures:body-area": Policy(query=PAGES),
    "procedures:author": Policy(query=PAGES),
    "procedures:author-pages": Policy(query=PAGES),
    "procedures:author-reviewed": Policy(query=PAGES),
    "procedures:site-disclaimer": Policy(),
    "procedures:disclaimer": Policy(),
    "procedures:glossary": Policy(),
    "procedures:page": Policy(),
    "api:procedure-list": Policy(query=("specialty", *API_PAGES), counted=True, language=language_asked_for),
    "api:procedure-detail": Policy(one_page, counted=True, language=language_asked_for),
    "api:author-list": Policy(query=API_PAGES, counted=True),
    "api:author-detail": Policy(counted=True),
    "api:specialty-list": Policy(query=API_PAGES, counted=True),
    "api:specialty-detail": Policy(counted=True),
    "api:lookup": Policy(
        query=("code", "system", "mainSearchCriteria.v.c", "mainSearchCriteria.v.cs"),
        kept=False,
        counted=True,
        language=language_asked_for,
    ),
}
