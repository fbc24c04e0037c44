"""Saving and deleting translations of the site's other texts (models.text_translations), and
what follows when the English text they translate changes: they fall out of date, and the
English is shown again until their translator catches up."""

from django.db import transaction
from django.utils import timezone

from procedures.models import TEXT_TRANSLATIONS

from .rendering import render

TRANSLATIONS_OF = {model.source.field.related_model: model for model in TEXT_TRANSLATIONS}


def translated_words(text):
    """What a text's translations translate, as stored now (None for a text nobody translates)."""
    model = TRANSLATIONS_OF.get(type(text))
    if model is None or text.pk is None:
        return None
    return type(text).objects.filter(pk=text.pk).values(*model.translated_fields).first()


def translations_fall_behind(text, words_before):
    """After a text is saved: if it changed words its translations translate, they are out of date
    (since now, unless they already were)."""
    if words_before is None:
        return
    words_now = {field: getattr(text, field) for field in words_before}
    if words_now != words_before:
        text.translations.filter(out_of_date_since__isnull=True).update(out_of_date_since=timezone.now())


@transaction.atomic
def save_text_translation(translated, *, started_from=None):
    """Save a translation. Without a date for the English text it translates, it translates the
    text as it is now: it is up to date (again)."""
    if translated.translated_from_date is None:
        translated.translated_from_date = timezone.localdate(translated.source.modified_at)
        translated.out_of_date_since = None
    render(translated)
    translated.save(started_from=started_from)
    return translated
