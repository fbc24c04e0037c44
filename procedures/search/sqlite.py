"""Full-text search on SQLite: an FTS5 table with bm25 ranking and snippet(), and difflib
for misspellings."""

import difflib
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from procedures.models import SearchWord
from procedures.models.freshness import SITE, stamps

from .languages import documents_searched


class SQLiteSearch:
    """rowid: the SearchDocument's id; `language` and `procedure` are stored with the words, not searched."""

    table = "procedures_search_fts"
    columns = ("title", "terms", "summary", "body")
    # bm25 column weights: title, terms, summary, body. Lower bm25 is a better match.
    ranking = f"bm25({table}, 10.0, 4.0, 4.0, 1.0)"

    def store(self, document):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE rowid = %s", [document.pk])  # noqa: S608 (a fixed table name)
            cursor.execute(
                f"INSERT INTO {self.table} (rowid, title, terms, summary, body, language, procedure) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [document.pk, *(getattr(document, field) for field in self.columns), document.language, document.procedure_id],
            )

    def remove(self, pks):
        if pks:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE rowid IN ({', '.join(['%s'] * len(pks))})", pks)  # noqa: S608

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608

    def match(self, phrases):
        # Every phrase is words (\w+) only, so quoting it is all FTS5 needs.
        return " OR ".join(f'"{phrase}"' for phrase in phrases)

    def searched(self, language):
        """The documents a search in `language` reads (procedures.search.languages), as the same
        querysets the rest of the site uses: `+rowid IN (…)`.

        The unary + stops SQLite from handing the id list to FTS5 as a constraint, which would run
        the full-text match once per id (100 times slower). Filtering by rowid, not by the table's
        `language` and `procedure` columns, reads no stored text for the pages that match."""
        documents, params = documents_searched(language).order_by().values("pk").query.sql_with_params()
        return f"+rowid IN ({documents})", params

    def count(self, phrases, language):
        searched, params = self.searched(language)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s AND {searched}",  # noqa: S608
                [self.match(phrases), *params],
            )
            return cursor.fetchone()[0]

    def find(self, phrases, limit, language):
        """The best `limit` matches, best first: (procedure id, language, title, summary, snippet)."""
        searched, params = self.searched(language)
        match = self.match(phrases)
        snippet = f"snippet({self.table}, 3, char(2), char(3), '…', 24)"
        # Rank every match, then make snippets for the best few only (snippets are the costly part).
        best = (
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s AND {searched} "  # noqa: S608
            f"ORDER BY {self.ranking}, title LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT procedure, language, title, summary, {snippet} FROM {self.table} "  # noqa: S608
                f"WHERE {self.table} MATCH %s AND rowid IN ({best}) ORDER BY {self.ranking}, title",
                [match, match, *params, limit],
            )
            return cursor.fetchall()

    def vocabulary(self):
        """The words the pages use, kept in this process until they change: the site's version
        moves when names and tags change, the newest word's id when a saved page brings new
        words (which alone does not move the site's version)."""
        newest = SearchWord.objects.aggregate(newest=Max("pk"))["newest"]
        return words_the_pages_use(stamps([SITE])[SITE].version, newest)

    def correct(self, words):
        """Each word, or the word the pages use that it is most likely a slip for."""
        known = self.vocabulary()
        return [self.closest(word, known) for word in words]

    def closest(self, word, known):
        if len(word) < 4 or word in known.words:
            return word
        similar_length = [
            candidate for length in range(len(word) - 2, len(word) + 3) for candidate in known.by_length.get(length, ())
        ]
        closest = difflib.get_close_matches(word, similar_length, n=1, cutoff=0.8)
        return closest[0] if closest else word

    def suggestions(self, words):
        # In any order: get_close_matches ranks by score, then by the word itself.
        return difflib.get_close_matches(" ".join(words), self.vocabulary().words, n=5, cutoff=0.6)


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset
    by_length: dict  # {length: words of that length}


@functools.lru_cache(maxsize=1)
def words_the_pages_use(site_version, newest_word):
    words = frozenset(SearchWord.objects.values_list("word", flat=True))
    by_length = {}
    for word in words:
        by_length.setdefault(len(word), []).append(word)
    return Vocabulary(words, by_length)
