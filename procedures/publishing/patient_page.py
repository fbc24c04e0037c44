"""What a procedure page shows a patient: shared by the public page and the editors' preview,
so that a preview is exactly the page patients will get.

The page's <article> is rendered when the page, or anything it names, is saved
(`store_rendering`, called by procedures.publishing.pages) and kept in RenderedPage. Only
what cannot be known then is worked out at each visit, filled into holes the stored
rendering leaves: the review-due notice (it depends on the day), related treatments (they
depend on other pages) and the link kit (it carries the site's own address).
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from procedures.models import RenderedPage

from . import release, structured_data

HOLES = ("review_notice", "related_treatments", "link_kit")


def hole(name):
    return f"<!--mesocare:{name}-->"  # editors' text can hold no comments: the sanitiser strips them


def rendering(procedure):
    """The parts of the page that depend on nothing but what is stored."""
    holes = {name: mark_safe(hole(name)) for name in HOLES}  # noqa: S308 (fixed markers)
    return {
        "release": release.fingerprint(),
        "article": render_to_string("procedures/_article.html", {"procedure": procedure, "holes": holes}),
        "structured_data": structured_data.procedure_page(procedure),
    }


def store_rendering(procedure):
    RenderedPage.objects.update_or_create(procedure=procedure, defaults={"parts": rendering(procedure)})


def stored_parts(procedure):
    """The stored rendering, or one made now if there is none for this release of the code."""
    stored = getattr(procedure, "rendered", None) if procedure.pk else None
    if stored is not None and stored.parts.get("release") == release.fingerprint():
        return stored.parts
    return rendering(procedure)


def page_context(request, procedure, *, preview=False):
    parts = rendering(procedure) if preview else stored_parts(procedure)
    page_url = request.build_absolute_uri(procedure.get_absolute_url())
    embed_url = request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug]))
    visit = {"procedure": procedure, "page_url": page_url, "embed_url": embed_url}
    filled = {
        "review_notice": render_to_string("procedures/_review_notice.html", visit) if procedure.is_due_for_review else "",
        "related_treatments": render_to_string("procedures/_related_treatments.html", visit),
        "link_kit": render_to_string("procedures/_link_kit.html", visit),
    }
    article = parts["article"]
    for name, html in filled.items():
        article = article.replace(hole(name), html)
    return {
        **visit,
        "preview": preview,
        "article": mark_safe(article),  # noqa: S308 (rendered by our templates from sanitised text)
        "structured_data": structured_data.absolutize(parts["structured_data"], request.build_absolute_uri),
        "breadcrumbs": [("Treatments A–Z", reverse("procedures:index")), (procedure.title, None)],
        "oembed_url": request.build_absolute_uri(
            f"{reverse('procedures:oembed')}?{urlencode({'url': page_url, 'format': 'json'})}"
        ),
    }
