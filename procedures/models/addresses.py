from django.db import models
from django.urls import reverse
from django.utils import timezone

from .pages import Procedure


class FormerSlug(models.Model):
    """An address a procedure page used to have. It answers 301 to the page's address now,
    or 410 Gone once the page was deleted (procedure empty)."""

    slug = models.SlugField(max_length=150, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="former_slugs")
    title = models.CharField(max_length=150, help_text="The page's title when it had this address.")
    retired_at = models.DateTimeField(default=timezone.now)
    deleted_procedure_id = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False, help_text="The deleted page it belonged to, so a restore can take it back."
    )

    class Meta:
        ordering = ["-retired_at"]

    def __str__(self):
        return f"/procedures/{self.slug}/"

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.slug])
