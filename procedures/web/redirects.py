"""Procedure addresses that keep working, over HTTP: a former address answers 301 to the
current one, a withdrawn or deleted page 410 with a helpful page (the rules are
procedures.publishing.addresses)."""

from functools import wraps

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from procedures.models import Procedure
from procedures.publishing.addresses import Gone, Moved


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
