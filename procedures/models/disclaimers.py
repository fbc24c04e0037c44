from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from .base import EditableContent, PatientMarkdownField


class Disclaimer(EditableContent):
    markdown_fields = (("body", "body_html"),)

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=100, unique=True, help_text="A short name used in content files.")
    body = PatientMarkdownField(help_text="The disclaimer text in Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    is_default = models.BooleanField(
        "is the site default",
        default=False,
        help_text="Shown on every procedure page that does not name its own disclaimer. "
        "Exactly one disclaimer is the site default: ticking this one unticks the old one.",
    )

    class Meta:
        ordering = ["-is_default", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_site_default_disclaimer",
                violation_error_message="Only one disclaimer can be the site default.",
            ),
        ]

    def __str__(self):
        return f"{self.title} (site default)" if self.is_default else self.title

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.is_default:
            Disclaimer.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.is_default:
            return reverse("procedures:site-disclaimer")
        return reverse("procedures:disclaimer", args=[self.slug])

    @classmethod
    def site_default(cls):
        return cls.objects.filter(is_default=True).first()

    def validate_constraints(self, exclude=None):
        # Ticking "site default" here is how an editor moves it: save() unticks the old one.
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})

    def clean(self):
        was_default = self.pk and Disclaimer.objects.filter(pk=self.pk, is_default=True).exists()
        if was_default and not self.is_default:
            raise ValidationError(
                {"is_default": "The site must always have a default disclaimer. Make another one the default instead."}
            )
