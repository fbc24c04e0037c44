"""Where a page belongs: specialties, the conditions it treats and the body areas it is done
on, and the codes clinics' record systems use for them."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .base import ContentModel, check_word_list


class Specialty(ContentModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in web addresses. Letters, numbers and hyphens.")
    description = models.TextField(blank=True, help_text="One or two plain sentences about what this specialty covers.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:specialty", args=[self.slug])


def squeezed(text):
    return re.sub(r"[^a-z0-9]", "", text.lower())


class CodeSystem(models.TextChoices):
    """Coding systems clinics' record systems use; values are their HL7 OIDs."""

    ICD10CM = "2.16.840.1.113883.6.90", "ICD-10-CM"
    ICD10 = "2.16.840.1.113883.6.3", "ICD-10 (WHO)"
    SNOMED = "2.16.840.1.113883.6.96", "SNOMED CT"
    CPT = "2.16.840.1.113883.6.12", "CPT"

    @classmethod
    def from_name(cls, value):
        """A system from its OID or its name, however written (ICD-10-CM, icd10cm, SNOMED CT,
        SNOMED-CT, ICD-10), or None."""
        wanted = (value or "").strip()
        for system in cls:
            names = {squeezed(system.label), squeezed(system.label.split(" (")[0]), squeezed(system.name)}
            if wanted == system.value or squeezed(wanted) in names:
                return system
        return None


class Code(models.Model):
    """A code from a coding system, e.g. ICD-10-CM L64.9."""

    system = models.CharField(max_length=40, choices=CodeSystem, default=CodeSystem.ICD10CM)
    code = models.CharField(max_length=40, help_text="As written in the coding system, e.g. L64.9.")

    class Meta:
        abstract = True
        ordering = ["system", "code"]

    def __str__(self):
        return f"{self.get_system_display()} {self.code}"

    def clean(self):
        self.code = self.code.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-]{0,39}", self.code):
            raise ValidationError({"code": "Write the code as the coding system does, e.g. L64.9 (letters, digits, dots)."})


class BodyArea(ContentModel):
    """A part of the body a procedure is done on, e.g. the scalp or the thighs."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Optional: one plain sentence, e.g. where it is.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:body-area", args=[self.slug])


class Condition(ContentModel):
    """Something patients come with (hair loss, cellulite, …) that procedures treat."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    also_known_as = models.JSONField(
        "other names", default=list, blank=True, help_text='Words patients or doctors also use, e.g. ["alopecia", "balding"].'
    )
    description = models.TextField(blank=True, help_text="One or two plain sentences, no Markdown.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:condition", args=[self.slug])

    def clean(self):
        check_word_list(self, "also_known_as")


class ConditionCode(Code):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="codes")

    class Meta(Code.Meta):
        constraints = [models.UniqueConstraint(fields=["condition", "system", "code"], name="unique_condition_code")]
