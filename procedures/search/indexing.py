"""Keeping the search index in step with the pages: one document per procedure, with the
words patients might use for it."""

from procedures.models import Procedure, SearchDocument, SearchWord
from procedures.text.readability import plain_text

from .backends import backend
from .query import WORD


def document_for(procedure):
    terms = []
    for condition in procedure.conditions.all():
        terms += [condition.name, *condition.also_known_as]
    terms += [area.name for area in procedure.body_areas.all()]
    terms += [specialty.name for specialty in procedure.specialties.all()]
    for term in procedure.glossary_terms.all():
        terms += [term.term, *term.also_matches]
    body = plain_text("".join(getattr(procedure, html) for _, html in procedure.markdown_fields))
    return {"title": procedure.title, "terms": " · ".join(terms), "summary": procedure.summary, "body": body}


def index(procedure):
    """Put one procedure (as it is now, with its conditions and terms) into the search index."""
    document = document_for(procedure)
    SearchDocument.objects.update_or_create(procedure=procedure, defaults=document)
    backend().store(procedure.pk, document)
    words = {word for text in document.values() for word in WORD.findall(text.lower()) if 3 <= len(word) <= 64}
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in words], ignore_conflicts=True)


def index_every_page():
    SearchWord.objects.all().delete()
    backend().clear()
    procedures = Procedure.objects.prefetch_related("conditions", "body_areas", "specialties", "glossary_terms")
    for procedure in procedures:
        index(procedure)
