"""Understanding what a patient typed and finding the pages for it."""

import functools
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from procedures.models import Condition, Procedure, SearchWord, Synonym
from procedures.models.freshness import SITE, stamps
from procedures.text.languages import language as language_named

from .backends import END_MARK, MARK, backend
from .languages import fold, searched_language, stopwords

MAX_QUERY_CHARACTERS = 200
MAX_WORDS = 12
STOPWORDS = frozenset(
    [
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "get",
        "got", "had", "has", "have", "having", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is",
        "it", "its", "me", "my", "no", "nor", "not", "of", "off", "on", "or", "our", "out", "over", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "to", "too", "under", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "why", "will", "with", "would", "you", "your",
    ]
)  # fmt: skip
WORD = re.compile(r"\w+")


@dataclass
class Hit:
    procedure: Procedure  # its address is in the language searched in
    title: str  # the page's, in the language it was found in (`language`)
    summary: str
    snippet: str  # safe HTML: the text around the matches, with <mark>s
    language: dict | None = None  # a page found in another language than the one searched in: its tag and direction


@dataclass
class Results:
    query: str
    only_common_words: bool = False
    searched: str = ""  # the words looked for, after corrections
    corrected: bool = False
    hits: list = field(default_factory=list)
    count: int = 0
    suggestions: list = field(default_factory=list)


def normalise(query):
    """Lower-case words only: no punctuation, quotes or operators, at most 200 characters."""
    return " ".join(WORD.findall((query or "")[:MAX_QUERY_CHARACTERS].lower()))


def key_words(text, language=None):
    common = STOPWORDS | stopwords(language or searched_language())
    return [word for word in normalise(text).split() if word not in common]


def search(query, limit=20):
    """Pages for what was typed, in the language of the page it is asked from (procedures.search.languages)."""
    language = searched_language()
    results = Results(query=(query or "").strip()[:MAX_QUERY_CHARACTERS])
    words = key_words(query, language)[:MAX_WORDS]
    if not words:
        results.only_common_words = bool(normalise(query))
        return results
    corrected = [no_slip(typed, fixed) for typed, fixed in zip(words, backend().correct(words), strict=True)]
    results.searched, results.corrected = " ".join(corrected), corrected != words
    alternatives = with_synonyms(corrected)
    results.count = backend().count(alternatives, language)
    if results.count:
        ranked = backend().find(alternatives, limit, language)
        procedures = Procedure.objects.for_cards().in_bulk([found[0] for found in ranked])
        results.hits = [
            Hit(procedures[pk], title, summary, highlighted(snippet), None if found_in == language else language_named(found_in))
            for pk, found_in, title, summary, snippet in ranked
            if pk in procedures
        ]
        # A page whose whole title is what was asked for comes first.
        results.hits.sort(key=lambda hit: key_words(hit.title, language) != corrected)
    else:
        results.suggestions = list(dict.fromkeys(split_words(corrected) + backend().suggestions(corrected)))[:5]
    return results


def no_slip(typed, corrected):
    """A word that differs from one the pages use only by its accents is no slip: the index folds them."""
    return typed if fold(typed) == fold(corrected) else corrected


def split_words(words):
    """Words typed without their space ("hairloss") as the two words the pages use ("hair loss")."""
    splits = [(word[:i], word[i:]) for word in words if len(word) >= 6 for i in range(3, len(word) - 2)]
    known = set(SearchWord.objects.filter(word__in={part for pair in splits for part in pair}).values_list("word", flat=True))
    return [f"{first} {second}" for first, second in splits if first in known and second in known]


def with_synonyms(words):
    """The phrases to look for: the words, and every synonym of a word or phrase among them.
    Synonyms are English (as editors write them), in every language: a page read in English
    there is found by them too."""
    groups = synonym_groups(stamps([SITE])[SITE].version)
    phrases, i = [], 0
    while i < len(words):
        for length in range(min(4, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + length])
            if phrase in groups:
                phrases += sorted(groups[phrase], key=lambda p: (p != phrase, p))
                i += length
                break
        else:
            phrases.append(words[i])
            i += 1
    return list(dict.fromkeys(phrases))  # in order, without repeats


@functools.lru_cache(maxsize=1)
def synonym_groups(site_version):
    """{phrase: the phrases that mean the same}, from the synonyms and the conditions' other
    names. Made once per version of the site's content (saving a synonym or a condition gives
    it a new one), not for every search."""
    groups = {}
    word_lists = [synonym.phrases for synonym in Synonym.objects.all()]
    word_lists += [[condition.name, *condition.also_known_as] for condition in Condition.objects.all()]
    for phrases in word_lists:
        phrases = [phrase for phrase in map(normalise, phrases) if phrase]  # words only: safe in any query
        for phrase in phrases:
            groups.setdefault(phrase, set()).update(phrases)
    return groups


def highlighted(snippet):
    return mark_safe(escape(snippet or "").replace(MARK, "<mark>").replace(END_MARK, "</mark>"))  # noqa: S308
