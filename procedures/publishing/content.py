"""Saving and deleting what editors write, from the admin, content/ files or a restore: the
one way in, so that rendering, search and cached pages always follow."""

from django.db import transaction
from django.utils.text import capfirst

from procedures.models import (
    ChangeNote,
    EditableContent,
    GlossaryTermTranslation,
    Procedure,
    ProcedureCode,
    ProcedureTranslation,
    Reference,
    RelatedLink,
    TextTranslation,
)

from .background import pages_showing, pages_showing_now, rerender_pages_later
from .freshness import content_changed
from .pages import delete_page, page_changed, save_page
from .rendering import render
from .text_translations import save_text_translation, translated_words, translations_fall_behind
from .translations import delete_translation, save_translation

PAGE_PARTS = (RelatedLink, Reference, ChangeNote, ProcedureCode)  # rows shown on one page


@transaction.atomic
def save_content(obj, *, started_from=None, change_note="", before=None):
    """`before`: for a procedure, its addresses and publishing state before this change, when
    the database no longer has them (a restore has already written the old row back)."""
    if isinstance(obj, Procedure):
        return save_page(obj, started_from=started_from, change_note=change_note, before=before)
    if isinstance(obj, ProcedureTranslation):
        return save_translation(obj, started_from=started_from)
    if isinstance(obj, TextTranslation):
        was_shown = shown_before(obj)
        save_text_translation(obj, started_from=started_from)
        text_changed(obj.source, "translated")
        translated_glossary_changed(obj, was_shown or obj.is_shown)
        return obj
    words_before = translated_words(obj)
    render(obj)
    if isinstance(obj, EditableContent):
        obj.save(started_from=started_from)
    else:
        obj.save()
    translations_fall_behind(obj, words_before)
    text_changed(obj, "changed")
    return obj


def text_changed(text, what):
    """Whatever shows a text follows its change: cached answers now, pages in the background."""
    changed(text)
    pages_follow(text, what, pages_showing(text))


def changed(obj):
    if isinstance(obj, PAGE_PARTS):
        page_changed(obj.procedure)
    else:
        content_changed()


def content_rows_saved(obj):
    """The rows and tags saved with an object (a page's references, a condition's codes, …)."""
    if isinstance(obj, Procedure):
        page_changed(obj)
    elif isinstance(obj, ProcedureTranslation):
        page_changed(obj.procedure)
    else:
        content_changed()


@transaction.atomic
def delete_content(obj):
    if isinstance(obj, Procedure):
        return delete_page(obj)
    if isinstance(obj, ProcedureTranslation):
        return delete_translation(obj)
    if isinstance(obj, TextTranslation):
        was_shown = shown_before(obj)
        obj.delete()
        text_changed(obj.source, "translation deleted")
        return translated_glossary_changed(obj, was_shown)
    pages = pages_showing_now(obj)  # before its tags go with it
    obj.delete()
    changed(obj)
    pages_follow(obj, "deleted", pages)


def pages_follow(obj, what, pages):
    """Pages show the names of their tags, people and disclaimer (and search finds them by
    them): those pages are re-rendered, in the background. Returns the job, if any."""
    if pages is not None:
        return rerender_pages_later(f"{capfirst(obj._meta.verbose_name)} “{obj}” {what}", pages=pages)
    return None


def shown_before(translated):
    saved = type(translated).objects.filter(pk=translated.pk).first() if translated.pk else None
    return saved is not None and saved.is_shown


def translated_glossary_changed(translated, shown):
    """A glossary term's translation patients are (or were) shown changed: translated pages link
    it, so every page is rendered again in the background."""
    if shown and isinstance(translated, GlossaryTermTranslation):
        glossary_changed(f"Glossary term “{translated.source}” translation changed")


def glossary_changed(reason="The glossary changed", *, by=None):
    """Every page links its glossary terms, so a change to the glossary renders every page again,
    in the background. Returns the job, if any."""
    return rerender_pages_later(reason, pages={}, by=by)
