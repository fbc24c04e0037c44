"""A procedure page and the ways clinics reuse it: the page itself, the embeddable card, the
printable handout and oEmbed."""

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, JsonResponse
from django.http.request import validate_host
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt

from procedures.http.languages import address_language
from procedures.models import Procedure
from procedures.publishing.addresses import Gone, Moved, find_procedure
from procedures.publishing.patient_page import as_shown, page_context, text_language

from .forms import OEmbedForm
from .redirects import follows_moves


@follows_moves
def procedure_detail(request, slug):
    procedure = find_procedure(request, slug, Procedure.objects.with_rendering())
    return render(request, "procedures/procedure_detail.html", page_context(request, procedure))


@follows_moves
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def procedure_embed(request, slug):
    """A small card other sites may frame: no cookies, no scripts, links open in the top window."""
    procedure = find_procedure(request, slug, Procedure.objects.for_page(), staff_preview=False)
    with translation.override(text_language(procedure)):  # the card is in the page's own language
        return render(request, "procedures/embed.html", {"procedure": as_shown(procedure)})


@follows_moves
def procedure_handout(request, slug):
    """The page as a clean A4 handout for a patient, with a QR code to the page."""
    procedure = find_procedure(request, slug, Procedure.objects.for_page())
    with translation.override(text_language(procedure)):  # printed in the page's own language
        address = request.build_absolute_uri(procedure.get_absolute_url())
        import segno  # noqa: PLC0415 (about 0.6 MiB, for handouts only)

        qr_code = qr_code_svg(segno.make(address, error="m"), gettext("QR code for %(address)s") % {"address": address})
        context = {"procedure": as_shown(procedure), "address": address, "qr_code": qr_code}
        return render(request, "procedures/handout.html", context)


def qr_code_svg(qr, label):
    """The QR code as an inline <svg> (no data: address for the Content-Security-Policy to allow),
    named for screen readers by its <title>, which segno escapes."""
    svg = qr.svg_inline(scale=4, border=2, dark="#000", omitsize=True, svgclass="handout__qr", title=label)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (made by segno from escaped text)


OEMBED_SIZE = (480, 320)  # width, height of the embedded card


def oembed(request):
    """oEmbed (https://oembed.com) for procedure pages: paste our address, get the embed card."""
    form = OEmbedForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    if form.cleaned_data["format"] != "json":
        return JsonResponse({"error": "Only format=json is offered."}, status=501)
    procedure, language = procedure_for_address(request, form.cleaned_data["url"])
    width = min(OEMBED_SIZE[0], form.cleaned_data["maxwidth"] or OEMBED_SIZE[0])
    height = min(OEMBED_SIZE[1], form.cleaned_data["maxheight"] or OEMBED_SIZE[1])
    with translation.override(language):  # the card of the address's language, titled as it shows the page
        shown = as_shown(procedure)
        embed = request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug]))
        author_url = request.build_absolute_uri(procedure.author.get_absolute_url())
    html = render_to_string("procedures/_embed_iframe.html", {"src": embed, "procedure": shown, "width": width, "height": height})
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": shown.title,
            "author_name": procedure.author.name,
            "author_url": author_url,
            "provider_name": "mesocare",
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": 86400,
            "html": html.strip(),
            "width": width,
            "height": height,
        }
    )


def procedure_for_address(request, address):
    """The published procedure an address on this site points to (page, embed or handout), and
    the language of the address; or 404."""
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
    language = address_language(parts.path or "/")
    try:
        with translation.override(language):
            match = resolve(parts.path or "/")  # a page's address in any of the site's languages
    except Resolver404:
        raise Http404("No page at that address.") from None
    if match.view_name not in {"procedures:detail", "procedures:embed", "procedures:handout"}:
        raise Http404("Only procedure pages can be embedded.")
    try:
        return find_procedure(request, match.kwargs["slug"], Procedure.objects.for_page(), staff_preview=False), language
    except Moved as moved:
        return moved.procedure, language
    except Gone:
        raise Http404("That page was withdrawn or removed.") from None
