"""The public pages that list and explain: home, A–Z, specialties, conditions and body areas,
search, authors, disclaimers, the glossary, pages about the site, robots.txt."""

import string
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Prefetch, Q, Subquery
from django.db.models.functions import Left, Upper
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext

from procedures.http.rate_limit import client_address, searches_limited_per_client
from procedures.models import (
    Author,
    BodyArea,
    Condition,
    Disclaimer,
    GlossaryTerm,
    Procedure,
    SitePage,
    Specialty,
    in_language,
    shown_in,
)
from procedures.publishing import structured_data
from procedures.search import record_unanswered, search

from .a_to_z import OTHER, Card, LanguageAToZ, letter_slugs, sort_key, translated
from .forms import SpecialtyFilterForm

# A long list is shown a page at a time: enough to scan, small for a phone (100 cards: ~6 KB compressed).
PROCEDURES_PER_PAGE = 100
CARDS_PER_SPECIALTY_ON_HOME = 12


def home(request):
    published = Procedure.objects.published().for_cards()
    first_cards = with_translations(published).order_by("title", "pk")[:CARDS_PER_SPECIALTY_ON_HOME]
    specialties = Specialty.objects.annotate(
        published_count=Count("procedures", filter=Q(procedures__in=published))
    ).prefetch_related(Prefetch("procedures", queryset=first_cards, to_attr="published_procedures"), "translations")
    specialties = in_page_language(specialties)
    for specialty in specialties:
        specialty.cards = as_cards(specialty.published_procedures)
    return render(request, "procedures/home.html", {"specialties": specialties})


def one_page_of(request, procedures, count=None):
    """The page of a long list that ?page= asks for (the first without it), in title order.
    A page that does not exist (0, past the end, not a number) is not found. Give `count` when
    the list has been counted already: on a large site each count reads many rows."""
    paginator = Paginator(procedures.order_by("title", "pk"), PROCEDURES_PER_PAGE)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404("This list has no such page.") from error


def one_page_of_list(request, items):
    """one_page_of() for a list already in order (the A–Z in another language: procedures.web.a_to_z)."""
    try:
        return Paginator(items, PROCEDURES_PER_PAGE).page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404("This list has no such page.") from error


def with_translations(procedures):
    """A list of procedures whose cards will be shown in the visitor's language where a page has
    a published translation in it (read in the same query)."""
    code = in_another_language()
    if code is None:
        return procedures
    return procedures.annotate(
        shown_title=Subquery(translated(code, "title")), shown_summary=Subquery(translated(code, "summary"))
    )


def as_cards(procedures):
    """The cards of a list from with_translations(): each page in the visitor's language, or in
    English marked as such."""
    code = in_another_language()
    return [Card.of(procedure, code) if code else Card(procedure) for procedure in procedures]


def first_of(procedures):
    """The first page's worth of a list, and how many there are in all (counted only when there
    are more than a page: most lists are short)."""
    shown = list(procedures.order_by("title", "pk")[: PROCEDURES_PER_PAGE + 1])
    return shown[:PROCEDURES_PER_PAGE], (len(shown) if len(shown) <= PROCEDURES_PER_PAGE else procedures.count())


# The A–Z ------------------------------------------------------------------------------------

A_TO_Z = frozenset(string.ascii_uppercase)
LETTER_SLUGS = {letter.lower(): letter for letter in string.ascii_uppercase} | {"other": OTHER}
FIRST_LETTER = Upper(Left("title", 1))  # in the database, as a_to_z() reads a title


def treatments_to_list(request):
    """The A–Z's published treatments, in the specialty chosen with ?specialty= if any."""
    form = SpecialtyFilterForm(request.GET)
    procedures = Procedure.objects.published().for_cards()
    specialty = None
    if form.is_valid():
        specialty = form.cleaned_data["specialty"]
        if specialty:
            procedures = procedures.filter(specialties=specialty)
    return form, specialty, procedures


def in_another_language():
    """The language of the A–Z when it is not the default (its titles and order are that
    language's: procedures.web.a_to_z), else None."""
    code = get_language()
    return code if code != settings.LANGUAGE_CODE else None


def procedure_index(request):
    form, specialty, procedures = treatments_to_list(request)
    code = in_another_language()
    listed = LanguageAToZ(procedures, code) if code else None
    counts = listed.counts() if code else letter_counts(procedures)
    count = sum(counts.values())
    context = {"form": form, "specialty": specialty, "count": count, "breadcrumbs": [(gettext("Treatments A–Z"), None)]}
    if count <= settings.A_TO_Z_ON_ONE_PAGE:
        context["letters"] = listed.by_letter() if code else a_to_z(procedures)
    else:  # too many for one page: each letter has a page of its own
        context["letter_pages"] = letter_pages(counts, specialty)
    return render(request, "procedures/procedure_index.html", context, status=200 if form.is_valid() else 400)


def a_to_z(procedures):
    """(letter, cards) for every letter A to Z, then any others ("#"), in title order."""
    by_letter = {}
    for procedure in procedures:
        first = procedure.title[:1].upper()
        by_letter.setdefault(first if first in A_TO_Z else OTHER, []).append(Card(procedure))
    letters = [(letter, by_letter.get(letter, [])) for letter in string.ascii_uppercase]
    return letters + ([(OTHER, by_letter[OTHER])] if OTHER in by_letter else [])


def starting_with(procedures, letter):
    """The procedures a_to_z() files under a letter, found by the database."""
    procedures = procedures.annotate(first_letter=FIRST_LETTER)
    if letter == OTHER:
        return procedures.exclude(first_letter__in=A_TO_Z)
    return procedures.filter(first_letter=letter)


def letter_counts(procedures):
    """{letter: how many procedures a_to_z() files under it} for A to Z, then "#" if any title
    starts with something else; counted by the database."""
    counts = dict.fromkeys(string.ascii_uppercase, 0)
    by_first = procedures.annotate(first_letter=FIRST_LETTER).order_by().values_list("first_letter")
    for first, count in by_first.annotate(Count("pk")):
        letter = first if first in A_TO_Z else OTHER
        counts[letter] = counts.get(letter, 0) + count
    return counts


def letter_pages(counts, specialty):
    """(letter, how many treatments, the address of its page) for the A–Z's letter index."""
    return [(letter, count, in_specialty(letter_address(letter), specialty)) for letter, count in counts.items()]


def letter_address(letter):
    return reverse("procedures:letter", args=["other" if letter == OTHER else letter.lower()])


def in_specialty(address, specialty):
    """An A–Z address that keeps the specialty a patient chose."""
    return f"{address}?{urlencode({'specialty': specialty.slug})}" if specialty else address


def procedures_by_letter(request, letter):
    """The treatments filed under one letter (/procedures/letters/m/), a page at a time."""
    code = in_another_language()
    slugs = letter_slugs(code) if code else LETTER_SLUGS
    if letter.lower() not in slugs:
        raise Http404("The A–Z has no such letter.")
    if letter != letter.lower():  # /letters/M/ is /letters/m/
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("procedures:letter", args=[letter.lower()]) + query, permanent=True)
    form, specialty, procedures = treatments_to_list(request)
    letter = slugs[letter]
    name = gettext("Numbers and other characters") if letter == OTHER else letter
    if code:
        listed = LanguageAToZ(procedures, code)
        counts = listed.counts()
        page = one_page_of_list(request, listed.starting_with(letter))
        cards = listed.cards(page.object_list)
    else:
        counts = letter_counts(procedures)
        page = one_page_of(request, starting_with(procedures, letter), count=counts.get(letter, 0))
        cards = [Card(procedure) for procedure in page.object_list]
    context = {
        "form": form,
        "specialty": specialty,
        "letter": letter,
        "letter_name": name,
        "letter_pages": letter_pages(counts, specialty),
        "cards": cards,
        "page_obj": page,
        "breadcrumbs": [(gettext("Treatments A–Z"), in_specialty(reverse("procedures:index"), specialty)), (name, None)],
    }
    return render(request, "procedures/procedures_by_letter.html", context, status=200 if form.is_valid() else 400)


def specialty_detail(request, slug):
    specialty = get_object_or_404(Specialty.objects.prefetch_related("translations"), slug=slug)
    page = one_page_of(request, with_translations(specialty.procedures.published().for_cards()))
    specialty, text_languages = shown_text(specialty)
    context = {
        "specialty": specialty,
        "text_languages": text_languages,
        "procedures": as_cards(page.object_list),
        "page_obj": page,
        "breadcrumbs": [(gettext("Treatments A–Z"), reverse("procedures:index")), (specialty.name, None)],
    }
    return render(request, "procedures/specialty_detail.html", context)


def conditions_index(request):
    context = {
        "conditions": in_page_language(Condition.objects.prefetch_related("translations")),
        "body_areas": in_page_language(BodyArea.objects.prefetch_related("translations")),
        "breadcrumbs": [(gettext("Conditions and body areas"), None)],
    }
    return render(request, "procedures/conditions_index.html", context)


@searches_limited_per_client
def search_page(request):
    query = request.GET.get("q", "")
    results = search(query)
    if results.searched and not results.count:
        record_unanswered(query, asked_by=client_address(request))
    context = {"results": results, "query": results.query, "breadcrumbs": [(gettext("Search"), None)]}
    return render(request, "procedures/search.html", context)


def author_detail(request, slug):
    author = get_object_or_404(Author.objects.prefetch_related("translations"), slug=slug)
    procedures, procedures_count = first_of(with_translations(by_author(author)))
    reviewed, reviewed_count = first_of(with_translations(by_author(author, reviewed=True)))
    shown, text_languages = shown_text(author)
    context = {
        "author": shown,
        "text_languages": text_languages,
        "procedures": as_cards(procedures),
        "procedures_count": procedures_count,
        "reviewed": as_cards(reviewed),
        "reviewed_count": reviewed_count,
        "structured_data": structured_data.author_page(author, request.build_absolute_uri),
        "breadcrumbs": [(author.name, None)],
    }
    return render(request, "procedures/author_detail.html", context)


def by_author(author, reviewed=False):
    # Not author.reviewed_procedures: Django would read each card's deferred reviewer_id to
    # attach the author to it, one query per card.
    procedures = Procedure.objects.published().for_cards()
    return procedures.filter(reviewer=author) if reviewed else procedures.filter(author=author)


def author_procedures(request, slug, reviewed=False):
    """Every page an author wrote, or medically reviewed, a page at a time (linked from the
    author's page when there are more than it shows)."""
    author = get_object_or_404(Author, slug=slug)
    page = one_page_of(request, with_translations(by_author(author, reviewed)))
    heading = (gettext("Pages medically reviewed by %(name)s") if reviewed else gettext("Pages by %(name)s")) % {
        "name": author.name
    }
    context = {
        "author": author,
        "heading": heading,
        "procedures": as_cards(page.object_list),
        "page_obj": page,
        "breadcrumbs": [(author.name, author.get_absolute_url()), (heading, None)],
    }
    return render(request, "procedures/author_procedures.html", context)


def disclaimer_detail(request, slug):
    return show_disclaimer(request, get_object_or_404(Disclaimer.objects.prefetch_related("translations"), slug=slug))


def site_disclaimer(request):
    disclaimer = Disclaimer.objects.prefetch_related("translations").filter(is_default=True).first()
    if disclaimer is None:
        raise Http404("No site disclaimer yet.")
    return show_disclaimer(request, disclaimer)


def show_disclaimer(request, disclaimer):
    disclaimer, text_languages = shown_text(disclaimer)
    context = {"disclaimer": disclaimer, "text_languages": text_languages, "breadcrumbs": [(disclaimer.title, None)]}
    return render(request, "procedures/disclaimer_detail.html", context)


def glossary(request):
    """Every word explained, in the visitor's language where its translation is reviewed and up to
    date (in English otherwise, marked so), in that language's alphabetical order."""
    terms = in_page_language(GlossaryTerm.objects.prefetch_related("translations"))
    code = in_another_language()
    context = {
        "terms": sorted(terms, key=lambda term: sort_key(term.term, code)) if code else terms,
        "text_languages": shown_in(terms),
        "breadcrumbs": [(gettext("Words explained"), None)],
    }
    return render(request, "procedures/glossary.html", context)


def site_page(request, slug):
    page, text_languages = shown_text(get_object_or_404(SitePage.objects.prefetch_related("translations"), slug=slug))
    context = {"page": page, "text_languages": text_languages, "breadcrumbs": [(page.title, None)]}
    return render(request, "procedures/site_page.html", context)


def shown_text(text):
    """One of the site's texts in the visitor's language where it has a reviewed, up-to-date
    translation there (models.text_translations), and the languages it is shown in."""
    return in_language(text, get_language()), shown_in([text])


def in_page_language(texts):
    return [in_language(text, get_language()) for text in texts]


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("procedures:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /editor/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def api_docs(request):
    context = {"rate_limit": rate_in_words(settings.API_RATE_LIMIT), "breadcrumbs": [(gettext("For clinics"), None)]}
    return render(request, "procedures/api_docs.html", context)


def rate_in_words(rate):
    """A rate limit as Django REST framework reads it ("100/minute", "5/s"), in words."""
    number, period = rate.split("/")
    count = int(number)
    in_words = {
        "s": ngettext("%(count)s request a second", "%(count)s requests a second", count),
        "m": ngettext("%(count)s request a minute", "%(count)s requests a minute", count),
        "h": ngettext("%(count)s request an hour", "%(count)s requests an hour", count),
        "d": ngettext("%(count)s request a day", "%(count)s requests a day", count),
    }
    return in_words[period[0]] % {"count": f"{count:,}"}


def conditions_crumb():
    return (gettext("Conditions and body areas"), reverse("procedures:conditions"))


def condition_detail(request, slug):
    condition = get_object_or_404(Condition.objects.prefetch_related("translations"), slug=slug)
    page = one_page_of(request, with_translations(condition.procedures.published().for_cards()))
    condition, text_languages = shown_text(condition)
    context = {
        "condition": condition,
        "text_languages": text_languages,
        "procedures": as_cards(page.object_list),
        "page_obj": page,
        "breadcrumbs": [conditions_crumb(), (condition.name, None)],
    }
    return render(request, "procedures/condition_detail.html", context)


def body_area_detail(request, slug):
    area = get_object_or_404(BodyArea.objects.prefetch_related("translations"), slug=slug)
    page = one_page_of(request, with_translations(area.procedures.published().for_cards()))
    area, text_languages = shown_text(area)
    context = {
        "area": area,
        "text_languages": text_languages,
        "procedures": as_cards(page.object_list),
        "page_obj": page,
        "breadcrumbs": [conditions_crumb(), (area.name, None)],
    }
    return render(request, "procedures/body_area_detail.html", context)
