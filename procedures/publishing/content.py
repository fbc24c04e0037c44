"""Saving and deleting what editors write, from the admin, content/ files or a restore: the
one way in, so that rendering, search and cached pages always follow."""

from django.db import transaction

from procedures.models import (
    BodyArea,
    ChangeNote,
    Condition,
    EditableContent,
    Procedure,
    ProcedureCode,
    Reference,
    RelatedLink,
    Specialty,
)

from .freshness import content_changed
from .indexing import index_every_page_after_commit
from .pages import delete_page, page_changed, save_page
from .rendering import render, render_every_page

SEARCH_TERMS = (Condition, BodyArea, Specialty)  # their names are in every page's search document
PAGE_PARTS = (RelatedLink, Reference, ChangeNote, ProcedureCode)  # rows shown on one page


@transaction.atomic
def save_content(obj, *, started_from=None, change_note=""):
    if isinstance(obj, Procedure):
        return save_page(obj, started_from=started_from, change_note=change_note)
    render(obj)
    if isinstance(obj, EditableContent):
        obj.save(started_from=started_from)
    else:
        obj.save()
    changed(obj)
    return obj


def changed(obj):
    if isinstance(obj, PAGE_PARTS):
        page_changed(obj.procedure)
    else:
        content_changed()


def content_rows_saved(obj):
    """The rows and tags saved with an object (a page's references, a condition's codes, …)."""
    if isinstance(obj, Procedure):
        page_changed(obj)
    else:
        content_changed()
    if isinstance(obj, SEARCH_TERMS):
        index_every_page_after_commit()


@transaction.atomic
def delete_content(obj):
    if isinstance(obj, Procedure):
        return delete_page(obj)
    obj.delete()
    changed(obj)
    if isinstance(obj, SEARCH_TERMS):
        index_every_page_after_commit()


def glossary_changed():
    """Every page links its glossary terms, so a change to the glossary renders every page again."""
    render_every_page()
