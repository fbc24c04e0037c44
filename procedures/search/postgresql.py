"""Full-text search on PostgreSQL: a weighted tsvector per page, websearch_to_tsquery, ts_rank
and ts_headline, and pg_trgm trigram similarity for misspellings."""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.db.models import F
from django.db.models.functions import Length

from procedures.models import Procedure, SearchDocument, SearchWord

from .marks import END_MARK, MARK


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
