"""Every field of every content object, named by slugs rather than database ids: what a backup
must bring back. Compare it before and after a round trip through content/ files."""

from django.db import models

from procedures.contentfiles import KINDS
from procedures.models import ChangeNote, ConditionCode, FormerSlug, ProcedureCode, Reference, RelatedLink

ROWS = (RelatedLink, Reference, ChangeNote, ProcedureCode, ConditionCode, FormerSlug)  # rows belonging to one object

# Bookkeeping, not content: when and how often something was saved, when a reminder e-mail went
# out, which login an author has (logins are not part of content/), when and under which title an
# address was given up. Positions are compared as the order of the list (what patients see and
# what [^N] counts), and loading numbers them 1, 2, 3 …
NOT_CONTENT = {
    "id",
    "modified_at",
    "edit_version",
    "review_reminder_sent",
    "user",
    "position",
    "retired_at",
    "deleted_procedure_id",
    "translated_from",  # the version number of the page a translation translates: each database's own
}
FORMER_ADDRESS_BOOKKEEPING = {"title"}


def every_field():
    """Every object by slug, and every translation by "<slug>.<language>", as its file is named."""
    kinds = [*KINDS, *(kind.translations for kind in KINDS if kind.translations)]
    return {
        kind.model.__name__: {kind.file_name(obj).removesuffix(".md"): fields_of(obj) for obj in kind.all()} for kind in kinds
    }


def fields_of(obj, parent=None):
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in NOT_CONTENT or field.name == parent:
            continue
        if isinstance(obj, FormerSlug) and field.name in FORMER_ADDRESS_BOOKKEEPING:
            continue
        value = getattr(obj, field.name)
        if field.is_relation:
            value = getattr(value, "slug", None)
        elif isinstance(field, models.FileField):
            value = value.name
        values[field.name] = value
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("slug", flat=True))
    for relation in obj._meta.related_objects:
        if relation.related_model in ROWS:
            rows = getattr(obj, relation.get_accessor_name()).all()
            values[relation.get_accessor_name()] = [fields_of(row, parent=relation.field.name) for row in rows]
    return values
