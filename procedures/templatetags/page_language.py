"""The site's texts (a disclaimer, a glossary term, a person's role, the name of a condition)
in the language of the page being rendered: `{% with disclaimer=disclaimer|in_page_language %}`.
A text is shown in that language when it has a reviewed, up-to-date translation there
(models.text_translations), and as written otherwise. Likewise the cards of other pages:
`{% for card in procedures|as_cards_in_page_language %}`."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

from procedures.models import ProcedureTranslation, in_language
from procedures.web.a_to_z import Card

register = template.Library()


@register.filter
def in_page_language(text):
    return in_language(text, get_language()) if text else text


@register.filter
def as_cards_in_page_language(procedures):
    """Cards of a few procedures: each in the page's language where it has a published
    translation there (one query for them all), else in English, marked as such."""
    code = get_language()
    if code == settings.LANGUAGE_CODE or not procedures:
        return [Card(procedure) for procedure in procedures]
    translated = ProcedureTranslation.objects.published().filter(procedure__in=procedures, language=code)
    words = {row.procedure_id: row for row in translated.only("procedure_id", "title", "summary")}
    for procedure in procedures:
        found = words.get(procedure.pk)
        procedure.shown_title, procedure.shown_summary = (found.title, found.summary) if found else (None, None)
    return [Card.of(procedure, code) for procedure in procedures]
