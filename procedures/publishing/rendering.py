"""Turning what editors wrote into what patients read: every Markdown field is rendered and
sanitised once, when it is saved (procedures.text.markdown), and again for every page when
something all pages use changes (the glossary, the sanitiser)."""

from django.db import transaction

from procedures.models import (
    TEXT_TRANSLATIONS,
    Author,
    Disclaimer,
    GlossaryTerm,
    GlossaryTermTranslation,
    Procedure,
    ProcedureTranslation,
    SitePage,
)
from procedures.text.markdown import Glossary, render_markdown
from procedures.text.readability import measure

from .freshness import content_changed
from .indexing import index_every_page_after_commit
from .patient_page import store_rendering


def render(obj, glossary=None):
    """Fill an object's hidden HTML fields from its Markdown. A procedure page also links the
    first use of each glossary term and measures its reading level. Returns the slugs of the
    glossary terms the text uses, in order of first use. A page's translation links the terms
    whose translation into its language patients are shown (reviewed and up to date)."""
    if isinstance(obj, ProcedureTranslation):
        glossary = glossary_in(obj.language)
        for source, html in obj.markdown_fields:
            setattr(obj, html, render_markdown(getattr(obj, source), glossary))
        return glossary.used
    if not isinstance(obj, Procedure):
        for source, html in obj.markdown_fields:
            setattr(obj, html, render_markdown(getattr(obj, source), top_heading=obj.markdown_top_heading))
        return []
    glossary = glossary or GlossaryTerm.glossary()
    for source, html in obj.markdown_fields:  # in page order: a term is linked where the page first uses it
        setattr(obj, html, render_markdown(getattr(obj, source), glossary))
    found = measure("".join(getattr(obj, html) for _, html in obj.markdown_fields))
    obj.reading_grade, obj.smog_grade = found.grade, found.smog
    obj.word_count, obj.reading_minutes = found.words, found.minutes
    return glossary.used


def glossary_in(language):
    """The glossary of a language: its terms' shown translations, each with its other forms."""
    shown = GlossaryTermTranslation.objects.shown().filter(language=language).select_related("source")
    return Glossary([(translated.source.slug, [translated.term, *translated.also_matches]) for translated in shown])


def link_glossary_terms(procedure, used):
    procedure.glossary_terms.set(GlossaryTerm.objects.filter(slug__in=used))


@transaction.atomic
def render_every_page():
    """Render every page's Markdown again, e.g. after the glossary or the sanitiser changed."""
    count = 0
    written = [model for model in TEXT_TRANSLATIONS if model.markdown_fields]
    for model in (Author, Disclaimer, SitePage, *written, ProcedureTranslation, Procedure):  # a page's translations first
        for obj in model.objects.all():
            used = render(obj)
            obj.save(update_fields=obj.rendered_fields)  # not modified_at: no editor changed anything
            if isinstance(obj, Procedure):
                link_glossary_terms(obj, used)
                store_rendering(obj)
            count += 1
    content_changed()
    index_every_page_after_commit()
    return count
