"""How easy a page is to read, measured on the text patients actually get.

Flesch–Kincaid grade and SMOG (the measure recommended for health materials) come
from textstat. Lists and headings have no full stops, so each block of the rendered
page (paragraph, list item, heading, table cell) counts as its own sentence;
otherwise a bulleted list would read as one enormous sentence.
"""

import html
import math
import re
from dataclasses import dataclass

from django.conf import settings

BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|dt|dd|blockquote|caption)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
WORDS_PER_MINUTE = 200


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


def plain_text(rendered_html):
    lines = TAG.sub("", BLOCK_END.sub("\n", rendered_html or "")).splitlines()
    sentences = []
    for line in (" ".join(html.unescape(line).split()) for line in lines):
        if line:
            sentences.append(line if line[-1] in ".!?:;" else f"{line}.")
    return " ".join(sentences)


def measure(rendered_html):
    import textstat  # noqa: PLC0415 (loaded when a page is saved: 12 MiB no web worker serving pages needs)

    text = plain_text(rendered_html)
    words = textstat.lexicon_count(text)
    if not words:
        return Readability(grade=0.0, smog=0.0, words=0, minutes=0)
    return Readability(
        grade=round(textstat.flesch_kincaid_grade(text), 1),
        smog=round(textstat.smog_index(text), 1),
        words=words,
        minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)),
    )
