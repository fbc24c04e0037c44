"""The editors' admin, one module per area (Django imports this package and each module
registers its own):

- base: what every content admin shares (Markdown editor, revisions, no silent overwrites)
- history: compare and restore revisions
- pages: procedure pages (with preview.py and review.py)
- translations: a page's text in another language, with its own review
- text_translations: the other texts' translations (disclaimers, site pages, glossary, bios, names)
- taxonomy: specialties, conditions, body areas, glossary, synonyms
- people: authors; site_texts: disclaimers and site pages
- lists: read-only lists (searches that found nothing, the audit log)
- background: background updates of pages (progress, failures, the editor's message)
- forms: the admin's own forms; editor: the Markdown editor's preview and upload endpoints
- accounts: signing in (the lockout, the sign-in log, sessions that end when idle);
  two_factor: two-factor sign-in
"""

from . import (
    accounts,
    background,
    lists,
    pages,
    people,
    review,
    site_texts,
    taxonomy,
    text_translations,
    translations,
    two_factor,
)

__all__ = [
    "accounts",
    "background",
    "lists",
    "pages",
    "people",
    "review",
    "site_texts",
    "taxonomy",
    "text_translations",
    "translations",
    "two_factor",
]
