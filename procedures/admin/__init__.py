"""The editors' admin, one module per area (Django imports this package and each module
registers its own):

- base: what every content admin shares (Markdown editor, revisions, no silent overwrites)
- history: compare and restore revisions
- pages: procedure pages (with preview.py and review.py)
- taxonomy: specialties, conditions, body areas, glossary, synonyms
- people: authors; site_texts: disclaimers and site pages
- lists: read-only lists (searches that found nothing, the audit log)
- background: background updates of pages (progress, failures, the editor's message)
- forms: the admin's own forms; editor: the Markdown editor's preview and upload endpoints
"""

from . import background, lists, pages, people, review, site_texts, taxonomy

__all__ = ["background", "lists", "pages", "people", "review", "site_texts", "taxonomy"]
