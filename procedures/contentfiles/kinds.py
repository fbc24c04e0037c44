"""The kinds of content file: which folder, which model, which front-matter fields.

A kind whose objects are translated names its translations' kind (`translations`): their
files sit beside the source's, named <slug>.<language>.md, and hold the translated fields
and the provenance (PROVENANCE). A kind of text with a new translation model takes one line
here: `translated(Kind(…), ItsTranslation)`.
"""

from dataclasses import dataclass, field, replace

from django.conf import settings

from procedures.models import (
    Author,
    AuthorTranslation,
    BodyArea,
    BodyAreaTranslation,
    ChangeNote,
    Condition,
    ConditionCode,
    ConditionTranslation,
    Disclaimer,
    DisclaimerTranslation,
    GlossaryTerm,
    GlossaryTermTranslation,
    Procedure,
    ProcedureCode,
    ProcedureTranslation,
    Reference,
    RelatedLink,
    SitePage,
    SitePageTranslation,
    Specialty,
    SpecialtyTranslation,
    Synonym,
)


@dataclass(frozen=True)
class Kind:
    folder: str
    model: type
    fields: tuple  # front-matter keys, in file order
    body: str | None  # the model field holding the Markdown body, if any
    sections: bool = False  # the body is a procedure's "## Heading" sections
    links: dict = field(default_factory=dict)  # key -> (model, required): another object, by slug
    many: dict = field(default_factory=dict)  # key -> (model, at least one?): a list of slugs
    rows: dict = field(default_factory=dict)  # key -> (model, keys of each row): rows belonging to it
    translations: "Kind | None" = None  # the kind of this kind's translations, if it has any
    source: str | None = None  # a translations' kind: the field naming the object it translates

    @property
    def texts(self):
        """The model fields the body holds: a procedure's sections, or the one body field."""
        if self.sections:
            return tuple(name for name, _, _ in Procedure.SECTIONS)
        return (self.body,) if self.body else ()

    def all(self):
        """Every object of this kind, in the order files are written."""
        if self.source is None:
            return self.model.objects.order_by("slug")
        return self.model.objects.select_related(self.source).order_by(f"{self.source}__slug", "language")

    def file_name(self, obj):
        if self.source is None:
            return f"{obj.slug}.md"
        return f"{getattr(obj, self.source).slug}.{obj.language}.md"

    @property
    def relations(self):
        return self.links.keys() | self.many.keys() | self.rows.keys() | ({FORMER} & set(self.fields))


CODES = ("system", "code")
# Who translated it, from the English text of which date (a page's last_updated, a text's last
# change), when, and who checked it medically; out_of_date_since: when the English text changed
# what patients read after that (null while the translation is up to date).
PROVENANCE = ("translated_by", "translated_from_date", "translated_at", "reviewer", "last_reviewed", "out_of_date_since")
PROVENANCE_LINKS = {"translated_by": (Author, True), "reviewer": (Author, False)}
FORMER = "former_slugs"  # a procedure's former addresses, which redirect to it


def translated(kind, model):
    """`kind`, with translations (`model`, one of models.TEXT_TRANSLATIONS) in files beside its
    own: the front-matter fields it translates, in the same order, then the status and the
    provenance; the same body."""
    fields = tuple(key for key in kind.fields if key in model.translated_fields)
    translations = Kind(kind.folder, model, (*fields, "status", *PROVENANCE), kind.body, links=PROVENANCE_LINKS, source="source")
    return replace(kind, translations=translations)


SPECIALTIES = translated(Kind("specialties", Specialty, ("name",), "description"), SpecialtyTranslation)
CONDITIONS = translated(
    Kind("conditions", Condition, ("name", "also_known_as", "codes"), "description", rows={"codes": (ConditionCode, CODES)}),
    ConditionTranslation,
)
BODY_AREAS = translated(Kind("body-areas", BodyArea, ("name",), "description"), BodyAreaTranslation)
AUTHORS = translated(
    Kind("authors", Author, ("name", "credentials", "role", "photo", "photo_alt", "disclosure", "is_qualified_reviewer"), "bio"),
    AuthorTranslation,
)
DISCLAIMERS = translated(Kind("disclaimers", Disclaimer, ("title", "is_default"), "body"), DisclaimerTranslation)
GLOSSARY = translated(Kind("glossary", GlossaryTerm, ("term", "also_matches"), "definition"), GlossaryTermTranslation)
PAGES = translated(Kind("pages", SitePage, ("title",), "body"), SitePageTranslation)
SYNONYMS = Kind("synonyms", Synonym, ("words",), None)
PROCEDURE_TRANSLATIONS = Kind(
    "procedures",
    ProcedureTranslation,
    ("title", "summary", "status", *PROVENANCE),
    None,
    sections=True,
    links=PROVENANCE_LINKS,
    source="procedure",
)
PROCEDURES = Kind(
    "procedures",
    Procedure,
    (
        "title", "summary", "status", "publish_at", "unpublish_at", "procedure_type",
        "specialties", "conditions", "body_areas", "related_procedures", "former_slugs", "author",
        "reviewer", "last_reviewed", "next_review_due", "disclaimer",
        "first_published", "last_updated", "hero_image", "hero_alt",
        "related_reading", "references", "codes", "changes",
    ),
    None,
    sections=True,
    links={"author": (Author, True), "reviewer": (Author, False), "disclaimer": (Disclaimer, False)},
    many={
        "specialties": (Specialty, True),
        "conditions": (Condition, False),
        "body_areas": (BodyArea, False),
        "related_procedures": (Procedure, False),  # set once every procedure is loaded
    },
    rows={
        "related_reading": (RelatedLink, ("title", "url")),
        "references": (Reference, ("title", "publisher", "year", "url", "doi")),
        "codes": (ProcedureCode, CODES),
        "changes": (ChangeNote, ("date", "note")),
    },
    translations=PROCEDURE_TRANSLATIONS,
)  # fmt: skip
CONTENT_DIR = settings.BASE_DIR / "content"
# In the order their references to each other need.
KINDS = (SPECIALTIES, CONDITIONS, BODY_AREAS, AUTHORS, DISCLAIMERS, GLOSSARY, PAGES, SYNONYMS, PROCEDURES)
IMAGE_FIELDS = {"photo", "hero_image"}
SECTION_BY_HEADING = {title.lower(): field for field, title, _ in Procedure.SECTIONS}
