"""The audit log: who published, withdrew, deleted, restored or re-addressed a page, and when."""

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
