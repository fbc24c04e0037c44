"""What search reads and remembers (the searching itself is procedures.search)."""

from urllib.parse import urlencode

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .base import ContentModel
from .pages import Procedure


class Synonym(ContentModel):
    """Words patients use and words pages use that mean the same, for search: "hair loss, alopecia"."""

    slug = models.SlugField(max_length=100, unique=True, help_text="A short name, used in content files.")
    words = models.CharField(
        max_length=300,
        unique=True,
        help_text="Words or phrases that mean the same, separated by commas, e.g. “hair loss, alopecia, balding”. "
        "Searching for any of them finds pages that use any of them.",
    )

    class Meta:
        ordering = ["words"]

    def __str__(self):
        return self.words

    def get_absolute_url(self):
        return f"{reverse('procedures:search')}?{urlencode({'q': self.phrases[0]})}" if self.phrases else None

    @property
    def phrases(self):
        return [" ".join(phrase.lower().split()) for phrase in self.words.split(",") if phrase.strip()]

    def clean(self):
        if len(self.phrases) < 2:
            raise ValidationError({"words": "Give at least two words or phrases, separated by commas."})
        self.words = ", ".join(self.phrases)


class UnansweredSearch(models.Model):
    """What patients searched for that found nothing: the words only, counted. No person, no address."""

    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    first_searched = models.DateField(default=timezone.localdate)
    last_searched = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-count", "query"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"

    def __str__(self):
        return self.query


class SearchDocument(models.Model):
    """What search reads for one procedure in one language: the page's own (English) text, or
    a published translation's. Kept in step by procedures.search.indexing."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="search_documents")
    language = models.CharField(max_length=10)
    title = models.TextField()
    terms = models.TextField(help_text="Conditions, body areas, specialties, glossary terms, synonyms.")
    summary = models.TextField()
    body = models.TextField()
    vector = SearchVectorField(null=True)  # PostgreSQL only; SQLite searches its FTS5 table

    class Meta:
        ordering = ["procedure", "language"]
        constraints = [models.UniqueConstraint(fields=["language", "procedure"], name="one_search_document_per_language")]

    def __str__(self):
        return f"{self.title} ({self.language})"


class SearchWord(models.Model):
    """The words search can correct a misspelling to."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.word
