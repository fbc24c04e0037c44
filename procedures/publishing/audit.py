"""The audit log: who published, withdrew, deleted, restored or re-addressed a page (or one of
its translations), and when."""

import reversion
from django.utils import timezone
from django.utils.formats import date_format

from procedures.models import AuditEntry, Procedure

AUDITED_FIELDS = ("slug", "status", "publish_at", "unpublish_at")
NEVER_SAVED = {"slug": None, "status": Procedure.Status.DRAFT, "publish_at": None, "unpublish_at": None}


def record(action, procedure, detail="", user=None):
    user = user or (reversion.get_user() if reversion.is_active() else None)
    who = user.get_username() if user else "the site (content files or a command)"
    return AuditEntry.objects.create(
        user=user, who=who, action=action, procedure=procedure, page=procedure.title, detail=detail[:300]
    )


def audited_values(procedure):
    """What the audit compares, as the database has it before a save."""
    if procedure.pk is None:
        return NEVER_SAVED
    return Procedure.objects.filter(pk=procedure.pk).values(*AUDITED_FIELDS).first() or NEVER_SAVED


def when(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i")


def record_publishing(procedure, before):
    """Log publishing, withdrawing, scheduling and address changes made by a save."""
    published = Procedure.Status.PUBLISHED
    schedule_changed = (before["publish_at"], before["unpublish_at"]) != (procedure.publish_at, procedure.unpublish_at)
    if procedure.status == published and (before["status"] != published or schedule_changed):
        if procedure.is_scheduled:
            record(AuditEntry.Action.SCHEDULED, procedure, f"goes live {when(procedure.publish_at)}")
        else:
            detail = f"withdraws {when(procedure.unpublish_at)}" if procedure.unpublish_at else ""
            record(AuditEntry.Action.PUBLISHED, procedure, detail)
    elif before["status"] == published and procedure.status != published:
        record(AuditEntry.Action.UNPUBLISHED, procedure)
    if before["slug"] and before["slug"] != procedure.slug:
        record(AuditEntry.Action.ADDRESS_CHANGED, procedure, f"/procedures/{before['slug']}/ → /procedures/{procedure.slug}/")


# A page's translations are audited on the page, naming their language.


def translation_detail(translated, more=""):
    return f"the {translated.get_language_display()} translation{more}"


def translation_status(translated):
    """A translation's status as the database has it before a save (a draft, if never saved)."""
    if translated is None or translated.pk is None:
        return Procedure.Status.DRAFT
    saved = type(translated).objects.filter(pk=translated.pk).values_list("status", flat=True).first()
    return saved or Procedure.Status.DRAFT


def record_translation_publishing(translated, before, user=None):
    """Log a translation published or withdrawn (set back to a draft) by a save."""
    if translated.status == before:
        return
    published = translated.status == Procedure.Status.PUBLISHED
    action = AuditEntry.Action.PUBLISHED if published else AuditEntry.Action.UNPUBLISHED
    record(action, translated.procedure, translation_detail(translated), user=user)
