from urllib.parse import urlencode, urlsplit

import segno
from csp.decorators import csp_replace
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.http.request import validate_host
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from . import structured_data
from .addresses import Gone, Moved, find_procedure, follows_moves
from .forms import OEmbedForm, SpecialtyFilterForm
from .models import Author, BodyArea, Condition, Disclaimer, GlossaryTerm, Procedure, SitePage, Specialty, content_version


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
    context = {"form": form, "procedures": procedures, "specialty": specialty}
    return render(request, "procedures/procedure_index.html", context, status=200 if form.is_valid() else 400)


@follows_moves
def procedure_detail(request, slug):
    procedure = find_procedure(request, slug, Procedure.objects.for_page())
    page_url = request.build_absolute_uri(procedure.get_absolute_url())
    context = {
        "procedure": procedure,
        "site_root": request.build_absolute_uri("/").rstrip("/"),
        "page_url": page_url,
        "embed_url": request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug])),
        "oembed_url": request.build_absolute_uri(
            f"{reverse('procedures:oembed')}?{urlencode({'url': page_url, 'format': 'json'})}"
        ),
        # The page is cached until content changes, or the day changes (a review may fall due).
        "cache_key": (procedure.pk, content_version(), timezone.localdate(), request.get_host()),
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
    }
    return render(request, "procedures/procedure_detail.html", context)


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    context = {
        "author": author,
        "procedures": author.procedures.published().for_cards(),
        "reviewed": author.reviewed_procedures.published().for_cards(),
        "structured_data": structured_data.author_page(author, request),
    }
    return render(request, "procedures/author_detail.html", context)


def disclaimer_detail(request, slug):
    disclaimer = get_object_or_404(Disclaimer, slug=slug)
    return render(request, "procedures/disclaimer_detail.html", {"disclaimer": disclaimer})


def site_disclaimer(request):
    disclaimer = Disclaimer.site_default()
    if disclaimer is None:
        raise Http404("No site disclaimer yet.")
    return render(request, "procedures/disclaimer_detail.html", {"disclaimer": disclaimer})


def glossary(request):
    return render(request, "procedures/glossary.html", {"terms": GlossaryTerm.objects.all()})


def site_page(request, slug):
    return render(request, "procedures/site_page.html", {"page": get_object_or_404(SitePage, slug=slug)})


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
    parts = urlsplit(address)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Http404("Not an address on this site.")
    hosts = {request.get_host().split(":")[0], *settings.ALLOWED_HOSTS, urlsplit(settings.SITE_URL).hostname}
    if not validate_host(parts.hostname, list(hosts)):
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
    return render(request, "procedures/api_docs.html", {"rate_limit": f"{number} requests a {period}"})


def condition_detail(request, slug):
    condition = get_object_or_404(Condition.objects.prefetch_related("codes"), slug=slug)
    procedures = condition.procedures.published().for_cards()
    return render(request, "procedures/condition_detail.html", {"condition": condition, "procedures": procedures})


def body_area_detail(request, slug):
    area = get_object_or_404(BodyArea, slug=slug)
    procedures = area.procedures.published().for_cards()
    return render(request, "procedures/body_area_detail.html", {"area": area, "procedures": procedures})
