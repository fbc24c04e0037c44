"""The public pages that list and explain: home, A–Z, specialties, conditions and body areas,
search, authors, disclaimers, the glossary, pages about the site, robots.txt."""

import string

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy

from procedures.models import Author, BodyArea, Condition, Disclaimer, GlossaryTerm, Procedure, SitePage, Specialty
from procedures.search import record_unanswered, search

from . import structured_data
from .forms import SpecialtyFilterForm


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


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("procedures:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /editor/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


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
