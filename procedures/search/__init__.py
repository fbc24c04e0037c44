"""Search that takes patients from their own words to the right page.

- Ranked full-text search over each procedure's title, summary, sections, and the names
  of its conditions, body areas, specialties and glossary terms; a title match weighs most.
- Synonyms editors manage (hair loss ↔ alopecia) widen the query both ways.
- Small misspellings are corrected against the words the pages use ("mesotherepy").
- PostgreSQL: weighted tsvector, websearch_to_tsquery, ts_rank, ts_headline, and pg_trgm for
  misspellings. SQLite: an FTS5 table with bm25 and snippet(), and difflib for misspellings.
  Both read the same documents and understand the query the same way.
- One document per page and language: the page's own and each published translation's. A
  search reads the language it is asked in, and the English page where there is no
  translation in it (languages.py); accents are folded on both databases.
- Searches that found nothing are counted, within bounds a flood cannot pass (unanswered.py).
"""

from .indexing import index, index_every_page
from .query import Results, normalise, search
from .unanswered import record_unanswered

__all__ = ["Results", "index", "index_every_page", "normalise", "record_unanswered", "search"]
