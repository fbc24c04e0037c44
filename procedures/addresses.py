"""Procedure addresses that keep working: current, former (301) and gone (410)."""

from functools import wraps

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from .models import FormerSlug, Procedure


class Moved(Exception):
    def __init__(self, procedure):
        self.procedure = procedure


class Gone(Exception):
    """The page was public once, and is not any more (unpublished or deleted)."""

    def __init__(self, title, procedure=None):
        self.title = title
        self.procedure = procedure


def find_procedure(request, slug, queryset=None, *, staff_preview=True):
    """The procedure whose page is at this slug, for this visitor.

    Raises Moved (the page has a new address), Gone (it was withdrawn or deleted) or Http404.
    Staff see drafts (their preview); everyone else only published pages.
    """
    queryset = queryset if queryset is not None else Procedure.objects.all()
    procedure = queryset.filter(slug=slug).first()
    if procedure is not None:
        if procedure.is_published or (staff_preview and request.user.is_staff):
            return procedure
        if procedure.was_public:
            raise Gone(procedure.title, procedure)
        raise Http404("No such page.")
    former = FormerSlug.objects.select_related("procedure").filter(slug=slug).first()
    if former is None:
        raise Http404("No such page.")
    if former.procedure is None:
        raise Gone(former.title)
    if former.procedure.is_published or (staff_preview and request.user.is_staff):
        raise Moved(former.procedure)
    raise Gone(former.title, former.procedure)


def follows_moves(view):
    """For views taking a procedure slug: former addresses answer 301 to the current one (in one
    hop, the query string kept); withdrawn and deleted pages answer 410 with a helpful page."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        try:
            return view(request, slug, *args, **kwargs)
        except Moved as moved:
            target = reverse(request.resolver_match.view_name, args=[moved.procedure.slug])
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        except Gone as gone:
            return gone_page(request, gone)

    return wrapper


def gone_page(request, gone):
    related = Procedure.objects.published().for_cards()
    if gone.procedure is not None:
        related = related.filter(specialties__in=gone.procedure.specialties.all()).exclude(pk=gone.procedure.pk).distinct()
    context = {"title": gone.title, "related": related[:6]}
    return render(request, "410.html", context, status=410)
