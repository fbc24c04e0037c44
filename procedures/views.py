import string
from urllib.parse import urlencode, urlsplit

import segno
from csp.decorators import csp_replace
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.http.request import validate_host
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from . import structured_data
from .addresses import Gone, Moved, find_procedure, follows_moves
from .forms import OEmbedForm, SpecialtyFilterForm
from .models import Author, BodyArea, Condition, Disclaimer, GlossaryTerm, Procedure, SitePage, Specialty, content_version
from .search import record_unanswered, search


def home(request):
    published = Procedure.objects.published().for_cards()
    specialties = Specialty.objects.prefetch_related(Prefetch("procedures", queryset=published, to_attr="published_procedures"))
    return render(request, "procedures/home.html", {"specialties": specialties})


def procedure_index(request):
    form = SpecialtyFilterForm(request.GET)
    procedures = Procedure.objects.published().for_cards()
    specialty = None
    if form.is_valid():
        specialty = form.cleaned_data["specialty"]
        if specialty:
            procedures = procedures.filter(specialties=specialty)
    context = {
        "form": form,
        "specialty": specialty,
        "letters": a_to_z(procedures),
        "count": len(procedures),
        "breadcrumbs": [("Treatments A–Z", None)],
    }
    return render(request, "procedures/procedure_index.html", context, status=200 if form.is_valid() else 400)


def a_to_z(procedures):
    """(letter, procedures) for every letter A to Z, then any others ("#"), in title order."""
    by_letter = {}
    for procedure in procedures:
        first = procedure.title[:1].upper()
        by_letter.setdefault(first if "A" <= first <= "Z" else "#", []).append(procedure)
    letters = [(letter, by_letter.get(letter, [])) for letter in string.ascii_uppercase]
    return letters + ([("#", by_letter["#"])] if "#" in by_letter else [])


def specialty_detail(request, slug):
    specialty = get_object_or_404(Specialty, slug=slug)
    context = {
        "specialty": specialty,
        "procedures": specialty.procedures.published().for_cards(),
        "breadcrumbs": [("Treatments A–Z", reverse("procedures:index")), (specialty.name, None)],
    }
    return render(request, "procedures/specialty_detail.html", context)


def conditions_index(request):
    context = {
        "conditions": Condition.objects.all(),
        "body_areas": BodyArea.objects.all(),
        "breadcrumbs": [("Conditions and body areas", None)],
    }
    return render(request, "procedures/conditions_index.html", context)


def search_page(request):
    query = request.GET.get("q", "")
    results = search(query)
    if results.searched and not results.count:
        record_unanswered(query)
    context = {"results": results, "query": results.query, "breadcrumbs": [("Search", None)]}
    return render(request, "procedures/search.html", context)


@follows_moves
def procedure_detail(request, slug):
    procedure = find_procedure(request, slug, Procedure.objects.for_page())
    return render(request, "procedures/procedure_detail.html", procedure_page_context(request, procedure))


def procedure_page_context(request, procedure):
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
        "cache_key": (procedure.pk, content_version(), timezone.localdate(), request.get_host()),
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
    }


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    context = {
        "author": author,
        "procedures": author.procedures.published().for_cards(),
        "reviewed": author.reviewed_procedures.published().for_cards(),
        "structured_data": structured_data.author_page(author, request),
        "breadcrumbs": [(author.name, None)],
    }
    return render(request, "procedures/author_detail.html", context)


def disclaimer_detail(request, slug):
    disclaimer = get_object_or_404(Disclaimer, slug=slug)
    return render(
        request, "procedures/disclaimer_detail.html", {"disclaimer": disclaimer, "breadcrumbs": [(disclaimer.title, None)]}
    )


def site_disclaimer(request):
    disclaimer = Disclaimer.site_default()
    if disclaimer is None:
        raise Http404("No site disclaimer yet.")
    return render(
        request, "procedures/disclaimer_detail.html", {"disclaimer": disclaimer, "breadcrumbs": [(disclaimer.title, None)]}
    )


def glossary(request):
    context = {"terms": GlossaryTerm.objects.all(), "breadcrumbs": [("Words explained", None)]}
    return render(request, "procedures/glossary.html", context)


def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    return render(request, "procedures/site_page.html", {"page": page, "breadcrumbs": [(page.title, None)]})


@follows_moves
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def procedure_embed(request, slug):
    """A small card other sites may frame: no cookies, no scripts, links open in the top window."""
    procedure = find_procedure(request, slug, Procedure.objects.for_page(), staff_preview=False)
    return render(request, "procedures/embed.html", {"procedure": procedure})


@follows_moves
def procedure_handout(request, slug):
    """The page as a clean A4 handout for a patient, with a QR code to the page."""
    procedure = find_procedure(request, slug, Procedure.objects.for_page())
    address = request.build_absolute_uri(procedure.get_absolute_url())
    qr_code = segno.make(address, error="m").svg_data_uri(scale=4, border=2, dark="#000")
    return render(request, "procedures/handout.html", {"procedure": procedure, "address": address, "qr_code": qr_code})


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("procedures:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /editor/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


OEMBED_SIZE = (480, 320)  # width, height of the embedded card


def oembed(request):
    """oEmbed (https://oembed.com) for procedure pages: paste our address, get the embed card."""
    form = OEmbedForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    if form.cleaned_data["format"] != "json":
        return JsonResponse({"error": "Only format=json is offered."}, status=501)
    procedure = procedure_for_address(request, form.cleaned_data["url"])
    width = min(OEMBED_SIZE[0], form.cleaned_data["maxwidth"] or OEMBED_SIZE[0])
    height = min(OEMBED_SIZE[1], form.cleaned_data["maxheight"] or OEMBED_SIZE[1])
    embed = request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug]))
    html = render_to_string(
        "procedures/_embed_iframe.html", {"src": embed, "procedure": procedure, "width": width, "height": height}
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": procedure.title,
            "author_name": procedure.author.name,
            "author_url": request.build_absolute_uri(procedure.author.get_absolute_url()),
            "provider_name": "mesocare",
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": 86400,
            "html": html.strip(),
            "width": width,
            "height": height,
        }
    )


def procedure_for_address(request, address):
    """The published procedure an address on this site points to (page, embed or handout), or 404."""
    try:
        parts = urlsplit(address)
        hostname = parts.hostname
    except ValueError:  # e.g. a broken IPv6 address
        raise Http404("Not an address on this site.") from None
    if parts.scheme not in {"http", "https"} or not hostname:
        raise Http404("Not an address on this site.")
    hosts = {request.get_host().split(":")[0], *settings.ALLOWED_HOSTS, urlsplit(settings.SITE_URL).hostname}
    if not validate_host(hostname, list(hosts)):
        raise Http404("Not an address on this site.")
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise Http404("No page at that address.") from None
    if match.view_name not in {"procedures:detail", "procedures:embed", "procedures:handout"}:
        raise Http404("Only procedure pages can be embedded.")
    try:
        return find_procedure(request, match.kwargs["slug"], Procedure.objects.for_page(), staff_preview=False)
    except Moved as moved:
        return moved.procedure
    except Gone:
        raise Http404("That page was withdrawn or removed.") from None


def api_docs(request):
    number, period = settings.API_RATE_LIMIT.split("/")
    context = {"rate_limit": f"{number} requests a {period}", "breadcrumbs": [("For clinics", None)]}
    return render(request, "procedures/api_docs.html", context)


CONDITIONS_CRUMB = ("Conditions and body areas", reverse_lazy("procedures:conditions"))


def condition_detail(request, slug):
    condition = get_object_or_404(Condition, slug=slug)
    context = {
        "condition": condition,
        "procedures": condition.procedures.published().for_cards(),
        "breadcrumbs": [CONDITIONS_CRUMB, (condition.name, None)],
    }
    return render(request, "procedures/condition_detail.html", context)


def body_area_detail(request, slug):
    area = get_object_or_404(BodyArea, slug=slug)
    context = {
        "area": area,
        "procedures": area.procedures.published().for_cards(),
        "breadcrumbs": [CONDITIONS_CRUMB, (area.name, None)],
    }
    return render(request, "procedures/body_area_detail.html", context)
