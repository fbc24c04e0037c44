from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import structured_data
from .forms import SpecialtyFilterForm
from .models import Author, Disclaimer, GlossaryTerm, Procedure, SitePage, Specialty, content_version


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


def procedure_detail(request, slug):
    # Staff preview is the one exception to "public views start from published()".
    procedures = Procedure.objects.all() if request.user.is_staff else Procedure.objects.published()
    procedure = get_object_or_404(procedures.for_page(), slug=slug)
    context = {
        "procedure": procedure,
        # The page is cached until content changes, or the day changes (a review may fall due).
        "cache_key": (procedure.pk, content_version(), timezone.localdate()),
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
