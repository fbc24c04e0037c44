from django.conf import settings
from django.db import models
from django.utils import timezone

from .pages import Procedure


class AuditEntry(models.Model):
    """Who did what to a page, and when: published, withdrew, deleted, restored, changed its
    address, recorded a review. Written by procedures.publishing.audit; nobody can change it."""

    class Action(models.TextChoices):
        PUBLISHED = "published", "published"
        SCHEDULED = "scheduled", "scheduled"
        UNPUBLISHED = "unpublished", "unpublished"
        DELETED = "deleted", "deleted"
        RESTORED = "restored", "restored an earlier version"
        RECOVERED = "recovered", "restored the deleted page"
        ADDRESS_CHANGED = "address", "changed the address"
        REVIEWED = "reviewed", "recorded a medical review"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    who = models.CharField(max_length=150, help_text="The login's name, kept if the login is removed.")
    action = models.CharField(max_length=20, choices=Action)
    procedure = models.ForeignKey(Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries")
    page = models.CharField(max_length=150, help_text="The page's title at the time.")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.who} {self.get_action_display()} “{self.page}”"
