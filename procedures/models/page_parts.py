"""Rows belonging to a procedure page, edited inside its form: related reading, references
and the public history of changes."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from .base import LIST_POSITION_HELP, ContentModel, validate_link_target
from .pages import Procedure


class RelatedLink(ContentModel):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="related_reading")
    title = models.CharField("link text", max_length=200)
    url = models.CharField(
        "address",
        max_length=500,
        validators=[validate_link_target],
        help_text="A full web address (https://…) or a page on this site (/procedures/…).",
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text=LIST_POSITION_HELP)

    class Meta:
        ordering = [F("position").asc(nulls_last=True), "pk"]
        verbose_name = "related reading link"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url


class Reference(ContentModel):
    """A source the page relies on, cited from the text as [^N] (N = its number in the list)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    publisher = models.CharField("publisher or journal", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)])
    url = models.CharField("web address", max_length=500, blank=True, validators=[validate_link_target])
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1111/j.1524-4725.2006.32100.x")],
        help_text="For journal articles, e.g. 10.1111/j.1524-4725.2006.32100.x",
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text=LIST_POSITION_HELP)

    class Meta:
        ordering = [F("position").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.link

    @property
    def link(self):
        return self.url or (f"https://doi.org/{self.doi}" if self.doi else "")


class ChangeNote(ContentModel):
    """One line in a page's public history: what changed for patients, and when."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(default=timezone.localdate)
    note = models.CharField("what changed", max_length=200)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{date_format(self.date, 'j M Y')}: {self.note}"

    def get_absolute_url(self):
        return f"{self.procedure.get_absolute_url()}#page-history"
