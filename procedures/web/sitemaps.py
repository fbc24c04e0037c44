"""sitemap.xml: every public page, for search engines. The protocol allows SITEMAP_MAX_URLS
(50,000) addresses a file; past that, sitemap.xml becomes a sitemap index of numbered
section sitemaps (/sitemap-procedures.xml?p=2), each within the limit."""

from functools import cached_property, partial

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse

from procedures.models import Author, BodyArea, Condition, Procedure, SitePage, Specialty


class LimitedSitemap(Sitemap):
    @property
    def limit(self):
        return settings.SITEMAP_MAX_URLS

    @cached_property
    def paginator(self):
        # Once per sitemap, so its addresses are counted once (Django's makes a new one each time).
        return Paginator(self._items(), self.limit)


class ProcedureSitemap(LimitedSitemap):
    priority = 0.8

    def items(self):
        return Procedure.objects.published().only("slug", "last_updated").order_by("slug")

    def lastmod(self, procedure):
        return procedure.last_updated

    def get_latest_lastmod(self):
        # For the index: asked of the database, not by reading every page.
        return self.items().aggregate(latest=Max("last_updated"))["latest"]


class ContentSitemap(LimitedSitemap):
    """Pages for one kind of content, dated by their last save."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def items(self):
        return self.model.objects.order_by("pk")

    def lastmod(self, obj):
        return obj.modified_at

    def get_latest_lastmod(self):
        return self.model.objects.aggregate(latest=Max("modified_at"))["latest"]


class FixedPagesSitemap(LimitedSitemap):
    """The pages at fixed addresses whose text is written by editors (in the default language)."""

    names = ["procedures:glossary", "procedures:site-disclaimer"]

    def items(self):
        return self.names

    def location(self, name):
        return reverse(name)


class SiteWordsSitemap(FixedPagesSitemap):
    """The pages in the site's own words, which every language has: each language's address,
    with the others as hreflang alternates."""

    names = ["procedures:home", "procedures:index", "procedures:conditions", "procedures:api-docs"]
    i18n = True
    alternates = True
    x_default = True


# Each made afresh for each request: a sitemap keeps state while it writes its addresses.
SITEMAPS = {
    "procedures": ProcedureSitemap,
    "authors": partial(ContentSitemap, Author),
    "specialties": partial(ContentSitemap, Specialty),
    "conditions": partial(ContentSitemap, Condition),
    "body-areas": partial(ContentSitemap, BodyArea),
    "pages": partial(ContentSitemap, SitePage),
    "site": FixedPagesSitemap,
    "site-words": SiteWordsSitemap,
}


def sitemap_or_index(request):
    """One sitemap with every address while they fit in one file; past that, an index of the
    section sitemaps (each paged within the limit by Django)."""
    sections = {name: make() for name, make in SITEMAPS.items()}
    if sum(section.paginator.count for section in sections.values()) <= settings.SITEMAP_MAX_URLS:
        return sitemap(request, sections)
    return index(request, sections, sitemap_url_name="procedures:sitemap-section")
