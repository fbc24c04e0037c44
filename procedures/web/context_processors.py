from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import get_language

from procedures.models import SitePage
from procedures.models.freshness import SITE, stamps
from procedures.text.languages import direction, language_tag


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
        key = f"footer-pages:{get_language()}:{stamps([SITE])[SITE].version}"  # the addresses are the language's
        return cache.get_or_set(key, footer_pages, timeout=24 * 60 * 60)

    return {"site_pages": load}


def languages(request):
    """The page's language, for <html lang dir>: its code as a language tag (en-GB) and its direction."""
    return {"language_tag": language_tag(get_language()), "language_direction": direction(get_language())}
