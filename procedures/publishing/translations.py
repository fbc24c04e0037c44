"""Saving and deleting a page's translation: its Markdown rendered through the same sanitiser,
its provenance kept, and the page patients get in that language brought up to date (the
page's stored rendering and its cached answers, after commit)."""

from django.db import transaction

from procedures.models import ProcedureTranslation

from .pages import page_changed
from .rendering import render


@transaction.atomic
def save_translation(translated, *, started_from=None):
    """Save a translation. `started_from` is the edit_version the editor opened (a save over
    someone else's raises EditConflict). A translation that names a new version of the English
    page it was translated from has caught up: it is no longer out of date."""
    procedure = translated.procedure
    if translated.translated_from is None:
        translated.translated_from = procedure.edit_version
    if translated.translated_from == procedure.edit_version and translated.translated_from_date is None:
        translated.translated_from_date = procedure.last_updated  # the date patients see on the English page
    before = ProcedureTranslation.objects.filter(pk=translated.pk).values_list("translated_from", flat=True).first()
    if before is not None and translated.translated_from > before:  # caught up with a newer version
        translated.out_of_date_since = None
    render(translated)  # the same renderer and sanitiser as the page's own text (no glossary: it explains English words)
    translated.save(started_from=started_from)
    page_changed(procedure)
    return translated


@transaction.atomic
def delete_translation(translated):
    translated.delete()
    page_changed(translated.procedure)
