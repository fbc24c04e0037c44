"""A procedure page's text in another of the site's languages, with its own provenance and its
own medical review.

Why a model of our own, one row per (page, language), rather than django-parler or
django-modeltranslation: those keep a page's languages as extra columns or rows of the same
object, sharing its one status and its one history. A translation here has a life of its own:
it is a draft until a medical reviewer has checked it (the database refuses to publish it
otherwise), it says who translated it from which version of the English page, it falls out of
date when the English page changes what patients read, and it is edited in its own admin
form, with the same protection against silent overwrites and the same revisions as a page.
A row per (page, language) with those fields is exactly that; everything not written in words
(people, tags, pictures, references, dates) stays the page's own.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from .base import EditableContent
from .glossary import GlossaryTerm
from .pages import Procedure
from .people import Author, reviewer_field


def translation_languages():
    """The languages a page can be translated into: the site's, except the default one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def section_field(name):
    """The same Markdown field (limits, label, help) as the procedure's section."""
    return Procedure._meta.get_field(name).clone()


class TranslationState(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    REVIEWED = "reviewed", gettext_lazy("Published, medically reviewed")
    OUT_OF_DATE = "out-of-date", gettext_lazy("Out of date")


class TranslationQuerySet(models.QuerySet):
    def published(self):
        """Translations patients may see (on a page they may see)."""
        return self.filter(status=ProcedureTranslation.Status.PUBLISHED)

    def in_state(self, state):
        """Translations in a state (TranslationState): the one definition `state` reads too."""
        if state == TranslationState.OUT_OF_DATE:
            return self.filter(out_of_date_since__isnull=False)
        status = Procedure.Status.PUBLISHED if state == TranslationState.REVIEWED else Procedure.Status.DRAFT
        return self.filter(out_of_date_since__isnull=True, status=status)


class Reviewed:
    """What a translation's status, review and out-of-date mark mean, for a page's translation
    and for the site's other texts' (models.text_translations)."""

    @property
    def is_published(self):
        return self.status == "published"

    @property
    def is_out_of_date(self):
        return self.out_of_date_since is not None

    @property
    def state(self):
        if self.is_out_of_date:
            return TranslationState.OUT_OF_DATE
        return TranslationState.REVIEWED if self.is_published else TranslationState.DRAFT

    def review_errors(self):
        """What stops the translation being saved as it is: publishing without a recorded
        medical review, or a review dated in the future."""
        errors = {}
        if self.is_published and not (self.reviewer_id and self.last_reviewed):
            errors["status"] = gettext(
                "This translation has not had a medical review yet, so it cannot be published. "
                "Keep it as a draft, or give the medical reviewer and the date they checked it."
            )
        if self.last_reviewed and self.last_reviewed > timezone.localdate():
            errors["last_reviewed"] = gettext("A review cannot be recorded for a date in the future.")
        return errors


class ProcedureTranslation(Reviewed, EditableContent):
    Status = Procedure.Status

    SECTIONS = Procedure.SECTIONS
    SECTIONS_NEEDED_TO_PUBLISH = Procedure.SECTIONS_NEEDED_TO_PUBLISH
    TRANSLATED_FIELDS = ("title", "summary", *(field for field, _, _ in SECTIONS))
    markdown_fields = Procedure.markdown_fields

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, choices=translation_languages)
    title = models.CharField(max_length=150)
    summary = models.CharField(
        max_length=200,
        help_text="One or two plain sentences (no Markdown), at most 200 characters.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)

    what_it_is = section_field("what_it_is")
    who_it_is_for = section_field("who_it_is_for")
    preparation = section_field("preparation")
    how_it_is_done = section_field("how_it_is_done")
    risks = section_field("risks")
    recovery = section_field("recovery")
    what_it_is_html = models.TextField(blank=True, editable=False)
    who_it_is_for_html = models.TextField(blank=True, editable=False)
    preparation_html = models.TextField(blank=True, editable=False)
    how_it_is_done_html = models.TextField(blank=True, editable=False)
    risks_html = models.TextField(blank=True, editable=False)
    recovery_html = models.TextField(blank=True, editable=False)

    # Provenance: who translated it, from which version of the page, and when.
    translated_by = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="translated_pages", verbose_name="translator"
    )
    translated_from = models.PositiveIntegerField(
        "translated from version",
        null=True,
        blank=True,
        help_text="The version of the English page this text was translated from. "
        "Leave empty for the page as it is now. Setting the version you caught up with clears “out of date”.",
    )
    translated_from_date = models.DateField(
        "date of that version", null=True, blank=True, help_text="Filled in when the version is the page as it is now."
    )
    translated_at = models.DateField("translated on", default=timezone.localdate)
    reviewer = reviewer_field(
        "reviewed_translations", help_text="Who checked this translation medically. Needed before publishing."
    )
    last_reviewed = models.DateField(null=True, blank=True, help_text="Needed before publishing.")
    out_of_date_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the English page changed what patients read after this was translated.",
    )

    objects = TranslationQuerySet.as_manager()

    class Meta:
        ordering = ["procedure__title", "language"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "language"], name="one_translation_per_language"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reviewer__isnull=False, last_reviewed__isnull=False),
                name="published_translation_is_reviewed",
                violation_error_message="A translation can only be published after a medical review has been recorded.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(what_it_is="") & ~Q(risks="")),
                name="published_translation_is_complete",
                violation_error_message='A published translation needs its "What it is" and "Risks and side effects" sections.',
            ),
        ]

    def __str__(self):
        return f"{self.procedure} ({self.get_language_display()})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("procedures:detail", args=[self.procedure.slug])

    sections = Procedure.sections  # the same sections, from this translation's text

    def as_page(self):
        """The procedure page in this language, as patients are shown it."""
        return TranslatedPage(self.procedure, self)

    def clean(self):
        errors = self.review_errors()
        if self.is_published:
            for field, title, _ in self.SECTIONS:
                if field in self.SECTIONS_NEEDED_TO_PUBLISH and not getattr(self, field).strip():
                    errors[field] = gettext(
                        "Write the “%(section)s” section before publishing, or keep the translation as a draft."
                    ) % {"section": gettext(title)}
        if errors:
            raise ValidationError(errors)


TERM_LINK = re.compile(r'href="#term-([a-z0-9-]+)"')  # as procedures.text.markdown links a glossary term


class TranslatedPage:
    """A procedure page shown in a translation's language: the translation's words (title,
    summary, sections) and its own medical review (reviewer and date), and everything else
    (author, tags, picture, references, other dates) the page's own. The glossary explains
    English words; a translation links the terms translated into its language."""

    def __init__(self, procedure, translated):
        self._procedure = procedure
        self.translation = translated

    # The translation's own medical review: its reviewer checked these words.
    OWN = {*ProcedureTranslation.TRANSLATED_FIELDS, "reviewer", "reviewer_id", "last_reviewed"}

    def __getattr__(self, name):
        if name in self.OWN or name.endswith("_html"):
            return getattr(self.translation, name)
        return getattr(self._procedure, name)

    def __str__(self):
        return self.translation.title

    def sections(self):
        return self.translation.sections()

    @property
    def glossary_terms(self):
        """The terms the translation links (to the page's "Words explained", #term-<slug>): those
        whose translation into its language is reviewed and up to date when it was rendered."""
        html = "".join(getattr(self.translation, field) for _, field in self.translation.markdown_fields)
        return GlossaryTerm.objects.filter(slug__in=set(TERM_LINK.findall(html))).prefetch_related("translations")
