"""Procedure addresses that keep working: which page an address shows to whom, and the
bookkeeping that makes a former address answer 301, and a removed page's addresses 410."""

from django.http import Http404
from django.utils import timezone

from procedures.models import AuditEntry, FormerSlug, Procedure

from . import audit


class Moved(Exception):
    def __init__(self, procedure):
        self.procedure = procedure


class Gone(Exception):
    """The page was public once, and is not any more (unpublished or deleted)."""

    def __init__(self, title, procedure=None):
        self.title = title
        self.procedure = procedure


def find_procedure(request, slug, queryset=None, *, staff_preview=True):
    """The procedure whose page is at this slug, for this visitor.

    Raises Moved (the page has a new address), Gone (it was withdrawn or deleted) or Http404.
    Staff who may change pages see drafts (their preview); everyone else only published pages.
    """
    queryset = queryset if queryset is not None else Procedure.objects.all()
    procedure = queryset.filter(slug=slug).first()
    if procedure is not None:
        if procedure.is_published or (staff_preview and sees_drafts(request.user)):
            return procedure
        if procedure.was_public:
            raise Gone(procedure.title, procedure)
        raise Http404("No such page.")
    former = FormerSlug.objects.select_related("procedure").filter(slug=slug).first()
    if former is None:
        raise Http404("No such page.")
    if former.procedure is None:
        raise Gone(former.title)
    if former.procedure.is_published or (staff_preview and sees_drafts(request.user)):
        raise Moved(former.procedure)
    raise Gone(former.title, former.procedure)


def sees_drafts(user):
    """Drafts show at their public address only to staff who may change pages (not reviewer-only accounts)."""
    return user.is_staff and user.has_perm("procedures.change_procedure")


def page_readdressed(procedure, old_slug):
    """After a save: links people saved keep working (the old address now answers 301 to this
    one), a deleted page that is back takes its old addresses back, and the page's own address
    is its own again."""
    if old_slug and old_slug != procedure.slug:
        FormerSlug.objects.update_or_create(
            slug=old_slug, defaults={"procedure": procedure, "title": procedure.title, "retired_at": timezone.now()}
        )
    if FormerSlug.objects.filter(deleted_procedure_id=procedure.pk).update(procedure=procedure, deleted_procedure_id=None):
        audit.record(AuditEntry.Action.RECOVERED, procedure)
    FormerSlug.objects.filter(slug=procedure.slug).delete()


def page_removed(procedure):
    """Before a delete: the page's addresses answer 410 Gone from now on (and come back if it is restored)."""
    FormerSlug.objects.filter(procedure=procedure).update(deleted_procedure_id=procedure.pk)
    FormerSlug.objects.update_or_create(
        slug=procedure.slug,
        defaults={
            "procedure": None,
            "deleted_procedure_id": procedure.pk,
            "title": procedure.title,
            "retired_at": timezone.now(),
        },
    )
