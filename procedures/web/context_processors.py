from django.core.cache import cache

from procedures.models import SitePage
from procedures.models.freshness import SITE, stamps


def site_root(request):
    """The site's own address, e.g. https://mesocare.example, for absolute links in pages."""
    return {"site_root": lambda: request.build_absolute_uri("/").rstrip("/")}


def site_pages(request):
    """The pages about the site that every footer links to (cached until content changes)."""

    def load():
        key = f"footer-pages:{stamps([SITE])[SITE].version}"
        return cache.get_or_set(key, lambda: list(SitePage.objects.values("title", "slug")), timeout=None)

    return {"site_pages": load}
