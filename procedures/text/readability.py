"""How easy a page is to read, measured on the text patients actually get, in its language.

English: Flesch–Kincaid grade and SMOG (the measure recommended for health materials).
Spanish: Fernández Huerta (Flesch's reading ease adapted to Spanish) and Szigriszt-Pazos read
on the INFLESZ scale (made for Spanish health information). Both come from textstat. For a
language textstat has no sound measure for (Arabic: its Osman index counts syllables from
vowel marks, which Arabic text is written without), only the words and reading time are
given, and `has_measure` says so: never an English score for text in another language.

Lists and headings have no full stops, so each block of the rendered page (paragraph, list
item, heading, table cell) counts as its own sentence; otherwise a bulleted list would read as
one enormous sentence.
"""

import html
import math
import re
from dataclasses import dataclass

from django.conf import settings

BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|dt|dd|blockquote|caption)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
WORDS_PER_MINUTE = 200

# Reading-ease measures per language: (name, textstat's method, the lowest score on target).
# Fernández Huerta 60–70 is "normal", school years 7 and 8; INFLESZ 55–65 is "normal", the
# least that health information for the public should reach (Barrio-Cantalejo et al., 2008).
EASE_MEASURES = {
    "es": (("Fernández Huerta", "fernandez_huerta", 60), ("Szigriszt-Pazos (INFLESZ)", "szigriszt_pazos", 55)),
}


@dataclass(frozen=True)
class Readability:
    grade: float  # Flesch–Kincaid grade level
    smog: float
    words: int
    minutes: int

    @property
    def level(self):
        """The harder of the two measures: what is compared with the target."""
        return max(self.grade, self.smog)

    @property
    def above_target(self):
        return self.words > 0 and self.level > settings.READING_GRADE_TARGET


@dataclass(frozen=True)
class Ease:
    """One reading-ease score (0–100, higher is easier) and the lowest score on target."""

    name: str
    score: float
    target: float

    @property
    def below_target(self):
        return self.score < self.target


@dataclass(frozen=True)
class ReadabilityIn:
    """How easy a text in a language other than English is to read."""

    language: str
    scores: tuple  # of Ease; empty when no measure exists for the language, or there are no words
    words: int
    minutes: int

    @property
    def has_measure(self):
        return self.language.split("-")[0].lower() in EASE_MEASURES

    @property
    def above_target(self):
        """Harder than the target (named so for both kinds of measure, as editors read it)."""
        return self.words > 0 and any(score.below_target for score in self.scores)


def plain_text(rendered_html):
    lines = TAG.sub("", BLOCK_END.sub("\n", rendered_html or "")).splitlines()
    sentences = []
    for line in (" ".join(html.unescape(line).split()) for line in lines):
        if line:
            sentences.append(line if line[-1] in ".!?:;؟" else f"{line}.")
    return " ".join(sentences)


def statistics_in(language):
    """textstat's measures for one language. textstat.set_lang() changes the language of the
    module's one shared object for every caller; each measurement here has its own."""
    from textstat.textstat import textstatistics  # noqa: PLC0415 (12 MiB only saving and editing need)

    stats = textstatistics()
    stats.set_lang(language)
    return stats


def reading_minutes(words):
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def reading_time(rendered_html):
    """Minutes to read a text in any language (words are what spaces separate), without textstat."""
    words = len(plain_text(rendered_html).split())
    return reading_minutes(words) if words else 0


def measure(rendered_html):
    """The reading level of English text."""
    stats = statistics_in("en_US")
    text = plain_text(rendered_html)
    words = stats.lexicon_count(text)
    if not words:
        return Readability(grade=0.0, smog=0.0, words=0, minutes=0)
    return Readability(
        grade=round(stats.flesch_kincaid_grade(text), 1),
        smog=round(stats.smog_index(text), 1),
        words=words,
        minutes=reading_minutes(words),
    )


def measure_in(rendered_html, language):
    """The reading ease of text in `language` (a code such as "es" or "ar"), where a measure exists for it."""
    base = language.split("-")[0].lower()
    stats = statistics_in(base)
    text = plain_text(rendered_html)
    words = stats.lexicon_count(text)
    scores = tuple(
        Ease(name, round(getattr(stats, method)(text), 1), target) for name, method, target in EASE_MEASURES.get(base, ())
    )
    return ReadabilityIn(
        language=language, scores=scores if words else (), words=words, minutes=reading_minutes(words) if words else 0
    )
