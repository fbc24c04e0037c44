"""Search that takes patients from their own words to the right page.

- Ranked full-text search over each procedure's title, summary, sections, and the names
  of its conditions, body areas, specialties and glossary terms; a title match weighs most.
- Synonyms editors manage (hair loss ↔ alopecia) widen the query both ways.
- Small misspellings are corrected against the words the pages use ("mesotherepy").
- PostgreSQL: weighted tsvector, websearch_to_tsquery, ts_rank, ts_headline, and pg_trgm for
  misspellings. SQLite: an FTS5 table with bm25 and snippet(), and difflib for misspellings.
  Both read the same documents and understand the query the same way.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Condition, Procedure, SearchDocument, SearchWord, Synonym, UnansweredSearch, content_version
from .readability import plain_text

MAX_QUERY_CHARACTERS = 200
MAX_WORDS = 12
MARK, END_MARK = "\x02", "\x03"  # where a snippet's matches start and end, before escaping
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
    procedure: Procedure
    snippet: str  # safe HTML: the text around the matches, with <mark>s


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


def key_words(text):
    return [word for word in normalise(text).split() if word not in STOPWORDS]


def search(query, limit=20):
    results = Results(query=(query or "").strip()[:MAX_QUERY_CHARACTERS])
    words = key_words(query)[:MAX_WORDS]
    if not words:
        results.only_common_words = bool(normalise(query))
        return results
    backend = BACKENDS[connection.vendor]
    corrected = [backend.correct(word) for word in words]
    results.searched, results.corrected = " ".join(corrected), corrected != words
    alternatives = with_synonyms(corrected)
    results.count = backend.count(alternatives)
    if results.count:
        ranked = backend.find(alternatives, limit)
        procedures = Procedure.objects.for_cards().in_bulk([pk for pk, _ in ranked])
        results.hits = [Hit(procedures[pk], highlighted(snippet)) for pk, snippet in ranked if pk in procedures]
        # A page whose whole title is what was asked for comes first.
        results.hits.sort(key=lambda hit: key_words(hit.procedure.title) != corrected)
    else:
        results.suggestions = list(dict.fromkeys(split_words(corrected) + backend.suggestions(corrected)))[:5]
    return results


def split_words(words):
    """Words typed without their space ("hairloss") as the two words the pages use ("hair loss")."""
    splits = [(word[:i], word[i:]) for word in words if len(word) >= 6 for i in range(3, len(word) - 2)]
    known = set(SearchWord.objects.filter(word__in={part for pair in splits for part in pair}).values_list("word", flat=True))
    return [f"{first} {second}" for first, second in splits if first in known and second in known]


def with_synonyms(words):
    """The phrases to look for: the words, and every synonym of a word or phrase among them."""
    groups = {}
    word_lists = [synonym.phrases for synonym in Synonym.objects.all()]
    word_lists += [[condition.name, *condition.also_known_as] for condition in Condition.objects.all()]
    for phrases in word_lists:
        phrases = [phrase for phrase in map(normalise, phrases) if phrase]  # words only: safe in any query
        for phrase in phrases:
            groups.setdefault(phrase, set()).update(phrases)
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


def highlighted(snippet):
    return mark_safe(escape(snippet or "").replace(MARK, "<mark>").replace(END_MARK, "</mark>"))  # noqa: S308


def record_unanswered(query):
    """Count a search that found nothing: its normalised words only, nothing about who searched."""
    words = normalise(query)
    if not words:
        return
    today = timezone.localdate()
    entry, created = UnansweredSearch.objects.get_or_create(query=words[:200], defaults={"count": 1})
    if not created:
        UnansweredSearch.objects.filter(pk=entry.pk).update(count=F("count") + 1, last_searched=today)


# Keeping the index in step ------------------------------------------------------------------


def document_for(procedure):
    terms = []
    for condition in procedure.conditions.all():
        terms += [condition.name, *condition.also_known_as]
    terms += [area.name for area in procedure.body_areas.all()]
    terms += [specialty.name for specialty in procedure.specialties.all()]
    for term in procedure.glossary_terms.all():
        terms += [term.term, *term.also_matches]
    body = plain_text("".join(getattr(procedure, html) for _, html in procedure.markdown_fields))
    return {"title": procedure.title, "terms": " · ".join(terms), "summary": procedure.summary, "body": body}


def index(procedure):
    """Put one procedure (as it is now, with its conditions and terms) into the search index."""
    document = document_for(procedure)
    SearchDocument.objects.update_or_create(procedure=procedure, defaults=document)
    BACKENDS[connection.vendor].store(procedure.pk, document)
    words = {word for text in document.values() for word in WORD.findall(text.lower()) if 3 <= len(word) <= 64}
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in words], ignore_conflicts=True)


def index_every_page():
    SearchWord.objects.all().delete()
    BACKENDS[connection.vendor].clear()
    procedures = Procedure.objects.prefetch_related("conditions", "body_areas", "specialties", "glossary_terms")
    for procedure in procedures:
        index(procedure)


# The two databases ----------------------------------------------------------------------------


class PostgreSQLSearch:
    config = "english"
    weights = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A: body, –, summary and terms, title

    def store(self, pk, document):
        vector = (
            SearchVector("title", weight="A", config=self.config)
            + SearchVector("terms", weight="B", config=self.config)
            + SearchVector("summary", weight="B", config=self.config)
            + SearchVector("body", weight="D", config=self.config)
        )
        SearchDocument.objects.filter(pk=pk).update(vector=vector)

    def clear(self):
        pass  # documents go with their procedures

    def query(self, phrases):
        text = " or ".join(f'"{phrase}"' if " " in phrase else phrase for phrase in phrases)
        return SearchQuery(text, search_type="websearch", config=self.config)

    def matching(self, phrases):
        return SearchDocument.objects.filter(procedure__in=Procedure.objects.published(), vector=self.query(phrases))

    def count(self, phrases):
        return self.matching(phrases).count()

    def find(self, phrases, limit):
        query = self.query(phrases)
        found = (
            self.matching(phrases)
            .annotate(
                rank=SearchRank(F("vector"), query, weights=self.weights),
                snippet=SearchHeadline(
                    "body", query, config=self.config, start_sel=MARK, stop_sel=END_MARK, max_words=30, min_words=15
                ),
            )
            .order_by("-rank", "title")[:limit]
        )
        return [(document.pk, document.snippet) for document in found]

    def correct(self, word):
        if len(word) < 4 or SearchWord.objects.filter(word=word).exists():
            return word
        closest = (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(length=Length("word"), similarity=TrigramSimilarity("word", word))
            .filter(length__range=(len(word) - 2, len(word) + 2))  # as on SQLite: a slip, not another word
            .filter(similarity__gte=0.4)
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
        return closest or word

    def suggestions(self, words):
        close = (
            SearchWord.objects.annotate(similarity=TrigramSimilarity("word", " ".join(words)))
            .filter(similarity__gte=0.2)
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
        )
        return list(close[:5])


class SQLiteSearch:
    table = "procedures_search_fts"
    # bm25 column weights: title, terms, summary, body. Lower bm25 is a better match.
    ranking = f"bm25({table}, 10.0, 4.0, 4.0, 1.0)"

    def store(self, pk, document):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE rowid = %s", [pk])  # noqa: S608 (a fixed table name)
            cursor.execute(
                f"INSERT INTO {self.table} (rowid, title, terms, summary, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [pk, document["title"], document["terms"], document["summary"], document["body"]],
            )

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608

    def match(self, phrases):
        # Every phrase is words (\w+) only, so quoting it is all FTS5 needs.
        return " OR ".join(f'"{phrase}"' for phrase in phrases)

    def published(self):
        """The published procedures' ids, as the same queryset the rest of the site uses.

        Used as `+rowid IN (…)`: the unary + stops SQLite from handing the id list to FTS5 as
        a constraint, which would run the full-text match once per id (100 times slower)."""
        return Procedure.objects.published().values("pk").query.sql_with_params()

    def count(self, phrases):
        published, params = self.published()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s AND +rowid IN ({published})",  # noqa: S608
                [self.match(phrases), *params],
            )
            return cursor.fetchone()[0]

    def find(self, phrases, limit):
        published, params = self.published()
        match = self.match(phrases)
        snippet = f"snippet({self.table}, 3, char(2), char(3), '…', 24)"
        # Rank every match, then make snippets for the best few only (snippets are the costly part).
        best = (
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s AND +rowid IN ({published}) "  # noqa: S608
            f"ORDER BY {self.ranking}, title LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {snippet} FROM {self.table} WHERE {self.table} MATCH %s AND rowid IN ({best}) "  # noqa: S608
                f"ORDER BY {self.ranking}, title",
                [match, match, *params, limit],
            )
            return cursor.fetchall()

    def vocabulary(self):
        return cache.get_or_set(
            f"search-words:{content_version()}", lambda: frozenset(SearchWord.objects.values_list("word", flat=True)), 3600
        )

    def correct(self, word):
        if len(word) < 4:
            return word
        words = self.vocabulary()
        if word in words:
            return word
        similar_length = [candidate for candidate in words if abs(len(candidate) - len(word)) <= 2]
        closest = difflib.get_close_matches(word, similar_length, n=1, cutoff=0.8)
        return closest[0] if closest else word

    def suggestions(self, words):
        return difflib.get_close_matches(" ".join(words), sorted(self.vocabulary()), n=5, cutoff=0.6)


BACKENDS = {"postgresql": PostgreSQLSearch(), "sqlite": SQLiteSearch()}
