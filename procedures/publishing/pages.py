"""Saving and deleting a procedure page, with everything that goes with it: its Markdown
rendered, its glossary terms linked, its old addresses kept, its publishing audited, and
(once the change commits) the search index and cached pages brought up to date."""

from django.db import transaction
from django.utils import timezone

from procedures.models import AuditEntry, ChangeNote, Procedure

from . import addresses, audit, freshness
from .indexing import index_after_commit
from .patient_page import store_rendering
from .rendering import link_glossary_terms, render


@transaction.atomic
def save_page(procedure, *, started_from=None, change_note="", before=None):
    """Save a procedure page. `started_from` is the edit_version the editor opened (a save over
    someone else's raises EditConflict); a `change_note` says what changed for patients: it moves
    "last updated" to today and, on a published page, goes into the page's public history."""
    if change_note:
        procedure.last_updated = timezone.localdate()
    if procedure.status == Procedure.Status.PUBLISHED and not procedure.first_published:
        procedure.first_published = procedure.goes_live_on
    before = before or audit.audited_values(procedure)  # a restore gives it: the row is already reverted
    used = render(procedure)
    procedure.save(started_from=started_from)
    link_glossary_terms(procedure, used)
    audit.record_publishing(procedure, before)
    addresses.page_readdressed(procedure, before["slug"])
    if change_note and procedure.is_published:
        ChangeNote.objects.create(procedure=procedure, date=procedure.last_updated, note=change_note.strip())
    if change_note:
        translations_fall_behind(procedure)
    page_changed(procedure, old_slug=before["slug"])
    return procedure


def translations_fall_behind(procedure):
    """The page changed what patients read: each of its translations is out of date (since now,
    unless it already was) until its translator catches up (publishing.translations)."""
    procedure.translations.filter(out_of_date_since__isnull=True).update(out_of_date_since=timezone.now())


def page_changed(procedure, old_slug=None):
    """The page, or a row or tag belonging to it, changed: the page is rendered as patients will
    see it, cached answers showing it are left behind, and after commit search follows."""
    store_rendering(procedure)
    freshness.page_changed(procedure, old_slug)
    index_after_commit(procedure)


@transaction.atomic
def rerender_page(procedure, glossary=None):
    """Render a page again from what it and the things it names say now (after the glossary,
    a tag's name or a person changed), and refresh what follows from it: its glossary links,
    reading level, search entry and cached answers. The editor's text is not touched."""
    used = render(procedure, glossary)
    procedure.save(update_fields=procedure.rendered_fields)  # not modified_at: no editor changed the page
    link_glossary_terms(procedure, used)
    for translated in procedure.translations.all():  # each links the glossary of its own language
        render(translated)
        translated.save(update_fields=translated.rendered_fields)
    page_changed(procedure)


@transaction.atomic
def delete_page(procedure):
    # The page's row first, as a save takes it: a save and a delete never wait on each other in turn.
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    addresses.page_removed(procedure)
    audit.record(AuditEntry.Action.DELETED, procedure)
    freshness.page_removed(procedure.slug)
    procedure.delete()
