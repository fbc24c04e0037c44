"""The site's other words in another language: disclaimers, glossary terms, pages about the
site, authors' biographies, and the names of specialties, conditions and body areas.

Each translation is a row of its own (one per text and language), with the same provenance
and the same review rule as a procedure page's translation (models.translations): it is
published only once a medical reviewer has checked it, enforced by the database, and it is
shown to patients only while it is up to date: once the English text changes, the English
text is shown again until the translator catches up. (A disclaimer or a definition that says
something the English no longer says must not reach a patient; the page around it says it
is shown in English.)
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation

from .base import EditableContent, PatientMarkdownField, check_word_list
from .disclaimers import Disclaimer
from .glossary import GlossaryTerm
from .people import Author, reviewer_field
from .site_pages import SitePage
from .taxonomy import BodyArea, Condition, Specialty
from .translations import Reviewed, TranslationState, translation_languages


class TextTranslationQuerySet(models.QuerySet):
    def in_state(self, state):
        if state == TranslationState.OUT_OF_DATE:
            return self.filter(out_of_date_since__isnull=False)
        status = TextTranslation.Status.PUBLISHED if state == TranslationState.REVIEWED else TextTranslation.Status.DRAFT
        return self.filter(out_of_date_since__isnull=True, status=status)

    def shown(self):
        """Translations patients are shown: reviewed and up to date with the English text."""
        return self.in_state(TranslationState.REVIEWED)


class TextTranslation(Reviewed, EditableContent):
    """What every translation of one of the site's texts records besides its words. Each kind
    names the text it translates (`source`) and the fields it translates, which have the same
    names as the source's own."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    translated_fields: tuple[str, ...] = ()

    language = models.CharField(max_length=10, choices=translation_languages)
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="A draft is never shown to patients. Publishing needs a recorded medical review.",
    )
    translated_by = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="+", verbose_name="translator")
    translated_from_date = models.DateField(
        "translated from the text of",
        null=True,
        blank=True,
        help_text="When the English text this translates was last changed. Leave empty for the English text as it is "
        "now: that is also how an out-of-date translation that has caught up is marked up to date.",
    )
    translated_at = models.DateField("translated on", default=timezone.localdate)
    reviewer = reviewer_field("+", help_text="Who checked this translation. Needed before publishing.")
    last_reviewed = models.DateField(null=True, blank=True, help_text="Needed before publishing.")
    out_of_date_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the English text changed after this was translated; patients see the English until then.",
    )

    objects = TextTranslationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["source", "language"]
        constraints = [
            models.UniqueConstraint(fields=["source", "language"], name="%(class)s_one_per_language"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reviewer__isnull=False, last_reviewed__isnull=False),
                name="%(class)s_is_reviewed",
                violation_error_message="A translation can only be published after a medical review has been recorded.",
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.get_language_display()})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return self.source.get_absolute_url()

    @property
    def is_shown(self):
        """Whether patients are shown it: reviewed, published and up to date."""
        return self.is_published and not self.is_out_of_date

    def clean(self):
        if errors := self.review_errors():
            raise ValidationError(errors)


class DisclaimerTranslation(TextTranslation):
    markdown_fields = (("body", "body_html"),)
    translated_fields = ("title", "body")

    source = models.ForeignKey(Disclaimer, on_delete=models.CASCADE, related_name="translations", verbose_name="disclaimer")
    title = models.CharField(max_length=150)
    body = PatientMarkdownField(help_text="The disclaimer in this language, in Markdown.")
    body_html = models.TextField(blank=True, editable=False)


class SitePageTranslation(TextTranslation):
    markdown_fields = (("body", "body_html"),)
    markdown_top_heading = SitePage.markdown_top_heading
    translated_fields = ("title", "body")

    source = models.ForeignKey(SitePage, on_delete=models.CASCADE, related_name="translations", verbose_name="page")
    title = models.CharField(max_length=150)
    body = PatientMarkdownField()
    body_html = models.TextField(blank=True, editable=False)


class AuthorTranslation(TextTranslation):
    """What is written about a person, in another language (their name stays as it is)."""

    markdown_fields = (("bio", "bio_html"),)
    translated_fields = ("role", "bio", "disclosure")

    source = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="translations", verbose_name="author")
    role = models.CharField("role or job title", max_length=150, blank=True)
    bio = PatientMarkdownField(blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    disclosure = models.TextField("conflicts of interest")


class GlossaryTermTranslation(TextTranslation):
    translated_fields = ("term", "also_matches", "definition")

    source = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="translations", verbose_name="term")
    term = models.CharField(max_length=100)
    also_matches = models.JSONField("other forms", default=list, blank=True, help_text='e.g. ["alergias"].')
    definition = models.TextField(max_length=300, help_text="One or two plain sentences, no Markdown.")

    def clean(self):
        super().clean()
        check_word_list(self, "also_matches")


class SpecialtyTranslation(TextTranslation):
    translated_fields = ("name", "description")

    source = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="translations", verbose_name="specialty")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)


class ConditionTranslation(TextTranslation):
    translated_fields = ("name", "also_known_as", "description")

    source = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="translations", verbose_name="condition")
    name = models.CharField(max_length=100)
    also_known_as = models.JSONField("other names", default=list, blank=True)
    description = models.TextField(blank=True)

    def clean(self):
        super().clean()
        check_word_list(self, "also_known_as")


class BodyAreaTranslation(TextTranslation):
    translated_fields = ("name", "description")

    source = models.ForeignKey(BodyArea, on_delete=models.CASCADE, related_name="translations", verbose_name="body area")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)


TEXT_TRANSLATIONS = (
    DisclaimerTranslation,
    SitePageTranslation,
    AuthorTranslation,
    GlossaryTermTranslation,
    SpecialtyTranslation,
    ConditionTranslation,
    BodyAreaTranslation,
)


class TranslatedText:
    """A text as patients are shown it in a language it has an up-to-date, reviewed translation
    in: the translation's words, everything else (slug, address, photo, codes) its own."""

    def __init__(self, source, translated):
        self._source = source
        self.translation = translated

    def __getattr__(self, name):
        if name in self.translation.translated_fields or name in self.translation.rendered_fields:
            return getattr(self.translation, name)
        return getattr(self._source, name)

    def __str__(self):
        return str(getattr(self, self.translation.translated_fields[0]))


def in_language(source, language):
    """`source` in `language`: its shown translation there, or itself. Reads `source.translations`
    (prefetched where many are shown at once), so it costs nothing in the default language."""
    translations = getattr(source, "translations", None)
    if translations is None or language not in dict(translation_languages()):
        return source
    for translated in translations.all():
        if translated.language == language and translated.is_shown:
            return TranslatedText(source, translated)
    return source


def shown_in(texts):
    """The languages every one of `texts` is shown in (the default's, and those all of them have
    a shown translation in), from their prefetched translations."""
    languages = [code for code, _ in translation_languages()]
    for text in texts:
        languages = [code for code in languages if any(t.language == code and t.is_shown for t in text.translations.all())]
    return [settings.LANGUAGE_CODE, *languages] if texts else [settings.LANGUAGE_CODE]
