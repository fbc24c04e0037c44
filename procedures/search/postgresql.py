"""Full-text search on PostgreSQL: a weighted tsvector per page and language, stemmed by that
language's text-search configuration, websearch_to_tsquery, ts_rank and ts_headline, and pg_trgm
trigram similarity for misspellings."""

import functools

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import Case, F, Q, When
from django.db.models.functions import Length

from procedures.models import SearchDocument, SearchWord

from .languages import configuration_for, default_language, documents_searched
from .marks import END_MARK, MARK

FOLDED = "mesocare_{}"  # a configuration with accents folded (unaccent), made by migration 0019


@functools.lru_cache(maxsize=8)
def configurations_on(database):
    """The text-search configurations this database has (asked once per process)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        return frozenset(name for (name,) in cursor.fetchall())


def configuration(language):
    """The configuration a language's words are stemmed with, accents folded where the server
    could make one that folds them; "simple" (no stemming) for a language it has none for."""
    available = configurations_on(connection.settings_dict["NAME"])
    for name in (FOLDED.format(configuration_for(language)), configuration_for(language), FOLDED.format("simple")):
        if name in available:
            return name
    return "simple"


class PostgreSQLSearch:
    weights = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A: body, –, summary and terms, title

    def store(self, document):
        config = configuration(document.language)
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("terms", weight="B", config=config)
            + SearchVector("summary", weight="B", config=config)
            + SearchVector("body", weight="D", config=config)
        )
        SearchDocument.objects.filter(pk=document.pk).update(vector=vector)

    def remove(self, pks):
        pass  # the vector goes with its document

    def clear(self):
        pass  # documents go with their procedures

    def query(self, phrases, language):
        text = " or ".join(f'"{phrase}"' if " " in phrase else phrase for phrase in phrases)
        return SearchQuery(text, search_type="websearch", config=configuration(language))

    def per_language(self, language, expression):
        """`expression(language)` for documents in the searched language, `expression(default)`
        for the pages read in the default language (they have no translation in it)."""
        default = default_language()
        if language == default:
            return expression(default)
        return Case(When(language=language, then=expression(language)), default=expression(default))

    def matching(self, phrases, language):
        """The documents a search in `language` reads (procedures.search.languages) that match,
        each read with its own language's configuration."""
        default = default_language()
        matches = Q(language=default, vector=self.query(phrases, default))
        if language != default:
            matches |= Q(language=language, vector=self.query(phrases, language))
        return documents_searched(language).filter(matches)

    def count(self, phrases, language):
        return self.matching(phrases, language).count()

    def find(self, phrases, limit, language):
        """The best `limit` matches, best first: (procedure id, language, title, summary, snippet)."""

        def rank(language):
            return SearchRank(F("vector"), self.query(phrases, language), weights=self.weights)

        def snippet(language):
            query, config = self.query(phrases, language), configuration(language)
            return SearchHeadline("body", query, config=config, start_sel=MARK, stop_sel=END_MARK, max_words=30, min_words=15)

        found = (
            self.matching(phrases, language)
            .annotate(rank=self.per_language(language, rank), snippet=self.per_language(language, snippet))
            .order_by("-rank", "title")
            .values_list("procedure_id", "language", "title", "summary", "snippet")[:limit]
        )
        return list(found)

    def correct(self, words):
        """Each word, or the word the pages use that it is most likely a slip for."""
        known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
        return [word if len(word) < 4 or word in known else self.closest(word) for word in words]

    def closest(self, word):
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
