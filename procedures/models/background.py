from django.conf import settings
from django.db import models
from django.utils import timezone


class RenderJob(models.Model):
    """Pages being rendered again in the background because something they all show changed
    (a glossary term, a condition's name, an author): its progress, for editors to see.
    Run by procedures.publishing.background; nobody edits it."""

    class Status(models.TextChoices):
        WAITING = "waiting", "waiting for the background worker"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"
        REPLACED = "replaced", "replaced by a newer update of the same pages"

    reason = models.CharField(max_length=300, help_text="What changed, in words.")
    pages = models.JSONField(default=dict, blank=True, help_text="Which pages (a filter on procedures); empty: all of them.")
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    cursor = models.PositiveBigIntegerField(default=0, help_text="The last page done, by id.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task running it now.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "background update of pages"
        verbose_name_plural = "background updates of pages"
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return f"{self.reason}: {self.done} of {self.total} pages"
