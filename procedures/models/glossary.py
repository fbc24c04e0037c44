from django.db import models
from django.urls import reverse

from procedures.text.markdown import Glossary

from .base import ContentModel, check_word_list


class GlossaryTerm(ContentModel):
    """A medical word explained in plain words, linked from its first use on every page."""

    term = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    also_matches = models.JSONField(
        "other forms",
        default=list,
        blank=True,
        help_text='Other spellings or plurals that mean the same, e.g. ["alopecias"].',
    )
    definition = models.TextField(max_length=300, help_text="One or two plain sentences, no Markdown.")

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return f"{reverse('procedures:glossary')}#term-{self.slug}"

    @classmethod
    def glossary(cls):
        return Glossary(
            [(slug, [term, *others]) for slug, term, others in cls.objects.values_list("slug", "term", "also_matches")]
        )

    def clean(self):
        check_word_list(self, "also_matches")
