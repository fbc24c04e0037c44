"""mesocare's data, one module per kind of thing (the rules that span them live in
procedures.publishing):

- base: what all editor-written content shares (Markdown fields, no silent overwrites)
- taxonomy: specialties, conditions, body areas and their codes
- people: authors and medical reviewers
- disclaimers
- pages: the procedure page, its publishing state and medical review state
- page_parts: rows inside a page (related reading, references, history notes)
- addresses: former addresses of pages (301 and 410)
- glossary, site_pages
- search: what search reads and remembers
- audit: who did what to a page
- content_files: which content/ files were loaded when
- freshness: the versions cached answers are keyed by
- translations: a page's text in another language, with its own medical review
- text_translations: the other texts (disclaimers, glossary, site pages, bios, names) in another language
- renderings: procedure pages as rendered when saved
- background: pages being rendered again in the background
"""

from .addresses import FormerSlug
from .audit import AuditEntry
from .background import RenderJob
from .base import (
    LIST_POSITION_HELP,
    ContentModel,
    EditableContent,
    EditConflict,
    PatientMarkdownField,
    validate_link_target,
)
from .content_files import LoadedContentFile
from .disclaimers import Disclaimer
from .freshness import ContentVersion
from .glossary import GlossaryTerm
from .page_parts import ChangeNote, Reference, RelatedLink
from .pages import (
    REVIEW_DUE_SOON_DAYS,
    Procedure,
    ProcedureCode,
    ProcedureQuerySet,
    ProcedureType,
    ReviewSchedule,
    ReviewState,
    Section,
)
from .people import Author
from .renderings import RenderedPage
from .search import SearchDocument, SearchWord, Synonym, UnansweredSearch
from .site_pages import SitePage
from .taxonomy import BodyArea, Code, CodeSystem, Condition, ConditionCode, Specialty
from .text_translations import (
    TEXT_TRANSLATIONS,
    AuthorTranslation,
    BodyAreaTranslation,
    ConditionTranslation,
    DisclaimerTranslation,
    GlossaryTermTranslation,
    SitePageTranslation,
    SpecialtyTranslation,
    TextTranslation,
    TranslatedText,
    in_language,
    shown_in,
)
from .translations import ProcedureTranslation, TranslatedPage, TranslationState

__all__ = [
    "shown_in",
    "in_language",
    "TranslatedText",
    "TextTranslation",
    "SpecialtyTranslation",
    "SitePageTranslation",
    "GlossaryTermTranslation",
    "DisclaimerTranslation",
    "ConditionTranslation",
    "BodyAreaTranslation",
    "AuthorTranslation",
    "TEXT_TRANSLATIONS",
    "LIST_POSITION_HELP",
    "REVIEW_DUE_SOON_DAYS",
    "AuditEntry",
    "Author",
    "BodyArea",
    "ChangeNote",
    "Code",
    "CodeSystem",
    "Condition",
    "ContentVersion",
    "ConditionCode",
    "ContentModel",
    "Disclaimer",
    "EditConflict",
    "EditableContent",
    "FormerSlug",
    "GlossaryTerm",
    "LoadedContentFile",
    "PatientMarkdownField",
    "Procedure",
    "ProcedureCode",
    "ProcedureQuerySet",
    "ProcedureTranslation",
    "ProcedureType",
    "Reference",
    "RenderJob",
    "RenderedPage",
    "RelatedLink",
    "ReviewSchedule",
    "ReviewState",
    "SearchDocument",
    "SearchWord",
    "Section",
    "SitePage",
    "TranslatedPage",
    "TranslationState",
    "Specialty",
    "Synonym",
    "UnansweredSearch",
    "validate_link_target",
]
