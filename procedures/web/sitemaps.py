from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from procedures.models import Author, BodyArea, Condition, Procedure, SitePage, Specialty


class ProcedureSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return Procedure.objects.published().only("slug", "last_updated").order_by("slug")

    def lastmod(self, procedure):
        return procedure.last_updated


class ContentSitemap(Sitemap):
    """Pages for one kind of content, dated by their last save."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def items(self):
        return self.model.objects.order_by("pk")

    def lastmod(self, obj):
        return obj.modified_at


class FixedPagesSitemap(Sitemap):
    def items(self):
        return [
            "procedures:home",
            "procedures:index",
            "procedures:conditions",
            "procedures:glossary",
            "procedures:site-disclaimer",
            "procedures:api-docs",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "procedures": ProcedureSitemap,
    "authors": ContentSitemap(Author),
    "specialties": ContentSitemap(Specialty),
    "conditions": ContentSitemap(Condition),
    "body-areas": ContentSitemap(BodyArea),
    "pages": ContentSitemap(SitePage),
    "site": FixedPagesSitemap,
}
