"""What a procedure page shows a patient: shared by the public page and the editors' preview,
so that a preview is exactly the page patients will get."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procedures.models.freshness import SITE, page_scope, stamps


def page_context(request, procedure):
    page_url = request.build_absolute_uri(procedure.get_absolute_url())
    return {
        "procedure": procedure,
        "breadcrumbs": [("Treatments A–Z", reverse("procedures:index")), (procedure.title, None)],
        "page_url": page_url,
        "embed_url": request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug])),
        "oembed_url": request.build_absolute_uri(
            f"{reverse('procedures:oembed')}?{urlencode({'url': page_url, 'format': 'json'})}"
        ),
        # The page is cached until content changes, or the day changes (a review may fall due).
        "cache_key": (
            procedure.pk,
            *(stamp.version for stamp in stamps([SITE, page_scope(procedure.slug)]).values()),
            timezone.localdate(),
            request.get_host(),
        ),
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
    }
