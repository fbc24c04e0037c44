"""The site's texts (a disclaimer, a glossary term, a person's role, the name of a condition)
in the language of the page being rendered: `{% with disclaimer=disclaimer|in_page_language %}`.
A text is shown in that language when it has a reviewed, up-to-date translation there
(models.text_translations), and as written otherwise."""

from django import template
from django.utils.translation import get_language

from procedures.models import in_language

register = template.Library()


@register.filter
def in_page_language(text):
    return in_language(text, get_language()) if text else text
