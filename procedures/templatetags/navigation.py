from functools import cache

from django import template
from django.urls import reverse

from procedures.templatetags.structured_data import json_ld

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Home › … › this page, as links and as schema.org BreadcrumbList JSON-LD.

    Views give `breadcrumbs`: (name, address) pairs below home; the last is this page (address None).
    """
    request = context["request"]
    trail = [("Home", "/"), *context.get("breadcrumbs", [])]
    items = [
        {
            "@type": "ListItem",
            "position": position,
            "name": name,
            "item": request.build_absolute_uri(str(address) if address else request.path),
        }
        for position, (name, address) in enumerate(trail, start=1)
    ]
    data = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
    return {"trail": trail, "structured_data": json_ld(data)}


@register.simple_tag
@cache
def link(name):
    """The address of a page every page links to (header, footer), worked out once per process:
    `{% link "procedures:index" %}` is `{% url "procedures:index" %}` without its cost."""
    return reverse(name)
