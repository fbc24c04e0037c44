from django import template
from django.http import QueryDict
from django.utils.translation import gettext

register = template.Library()

KEPT_IN_LINKS = ("specialty",)  # what a list is filtered by; anything else in the address is dropped


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page):
    """Links to the other pages of a long list: previous, next, and the numbers around this one
    (1 … 4 5 6 7 8 … 20). Each keeps the list's filter (?specialty=), and nothing else a first
    visitor's address may have carried: the page is kept in the cache for everyone."""
    request = context["request"]

    def address(number):
        query = QueryDict(mutable=True)
        for name in KEPT_IN_LINKS:
            if values := request.GET.getlist(name):
                query.setlist(name, values)
        if number > 1:  # the first page is the list's own address
            query["page"] = str(number)
        return f"{request.path}?{query.urlencode()}" if query else request.path

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "page": page,
        "previous": address(page.previous_page_number()) if page.has_previous() else None,
        "next": address(page.next_page_number()) if page.has_next() else None,
        "numbers": [(number, address(number) if isinstance(number, int) else None) for number in numbers],
    }


@register.filter
def page_of(page):
    """ ", page 2 of 3" for a page's title, when its list has more than one page."""
    if page and page.has_other_pages():
        return gettext(", page %(number)s of %(count)s") % {"number": page.number, "count": page.paginator.num_pages}
    return ""
