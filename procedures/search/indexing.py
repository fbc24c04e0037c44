"""Keeping the search index in step with the pages: one document per procedure and language —
the page's own text, and each published translation's — with the words patients might use
for it. Drafts of translations are never indexed."""

from django.db.models import Prefetch

from procedures.models import Procedure, ProcedureTranslation, SearchDocument, SearchWord
from procedures.text.readability import plain_text

from .backends import backend
from .languages import default_language
from .query import WORD


def terms_for(procedure):
    """The names the page is filed under. They are English for now, in every language's document."""
    terms = []
    for condition in procedure.conditions.all():
        terms += [condition.name, *condition.also_known_as]
    terms += [area.name for area in procedure.body_areas.all()]
    terms += [specialty.name for specialty in procedure.specialties.all()]
    for term in procedure.glossary_terms.all():
        terms += [term.term, *term.also_matches]
    return " · ".join(terms)


def document_for(text, terms):
    """The document of a page (or of its translation: the same fields, in its language)."""
    body = plain_text("".join(getattr(text, html) for _, html in text.markdown_fields))
    return {"title": text.title, "terms": terms, "summary": text.summary, "body": body}


def documents_for(procedure):
    """{language: document}: the page's own, and one for each of its published translations."""
    terms = terms_for(procedure)
    documents = {default_language(): document_for(procedure, terms)}
    for translated in procedure.translations.all():
        if translated.is_published:
            documents[translated.language] = document_for(translated, terms)
    return documents


def index(procedure):
    """Put one procedure (as it is now, with its conditions, terms and published translations)
    into the search index, and take out its documents in languages it is no longer published in."""
    documents = documents_for(procedure)
    gone = SearchDocument.objects.filter(procedure=procedure).exclude(language__in=documents)
    backend().remove(list(gone.values_list("pk", flat=True)))
    gone.delete()
    for language, fields in documents.items():
        document, _ = SearchDocument.objects.update_or_create(procedure=procedure, language=language, defaults=fields)
        backend().store(document)
    words = {word for fields in documents.values() for text in fields.values() for word in WORD.findall(text.lower())}
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in words if 3 <= len(word) <= 64], ignore_conflicts=True)


def index_every_page():
    SearchWord.objects.all().delete()
    backend().clear()
    procedures = Procedure.objects.prefetch_related(
        "conditions",
        "body_areas",
        "specialties",
        "glossary_terms",
        Prefetch("translations", queryset=ProcedureTranslation.objects.published()),
    )
    for procedure in procedures:
        index(procedure)
