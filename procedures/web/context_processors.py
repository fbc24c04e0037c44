from django.core.cache import cache
from django.urls import reverse

from procedures.models import SitePage
from procedures.models.freshness import SITE, stamps


def site_root(request):
    """The site's own address, e.g. https://mesocare.example, for absolute links in pages."""
    return {"site_root": lambda: request.build_absolute_uri("/").rstrip("/")}


def site_pages(request):
    """The pages about the site that every footer links to (cached until content changes)."""

    def footer_pages():
        return [
            {**page, "url": reverse("procedures:page", args=[page["slug"]])} for page in SitePage.objects.values("title", "slug")
        ]

    def load():
        return cache.get_or_set(f"footer-pages:{stamps([SITE])[SITE].version}", footer_pages, timeout=24 * 60 * 60)

    return {"site_pages": load}
