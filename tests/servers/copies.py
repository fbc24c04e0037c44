"""Run inside the throwaway site (`manage.py shell -c`): more pages, so that re-rendering every
page is several batches of work for the background worker, not a moment's."""

from django.db import transaction

from procedures.models import Procedure
from procedures.publishing.pages import page_changed

TAGS = ("specialties", "conditions", "body_areas", "glossary_terms")


@transaction.atomic
def copy_page(slug, count):
    """`count` published copies of the page, text and tags, at /procedures/<slug>-copy-<n>/,
    stored as rendered and indexed as a save leaves a page (the Markdown is the original's, already
    rendered: writing the rows directly takes a second, saving each page many)."""
    original = Procedure.objects.get(slug=slug)
    copies = []
    for number in range(1, count + 1):
        copy = Procedure.objects.get(pk=original.pk)
        copy.pk = None
        copy.slug, copy.title = f"{slug}-copy-{number}", f"{original.title} (copy {number})"
        copies.append(copy)
    Procedure.objects.bulk_create(copies)
    for tag in TAGS:
        through = getattr(Procedure, tag).through
        column = f"{getattr(Procedure, tag).field.m2m_reverse_field_name()}_id"
        chosen = getattr(original, tag).values_list("pk", flat=True)
        through.objects.bulk_create([through(procedure_id=copy.pk, **{column: pk}) for copy in copies for pk in chosen])
    for copy in copies:
        page_changed(copy)
