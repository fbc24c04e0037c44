"""The kinds of content file: which folder, which model, which front-matter fields."""

from dataclasses import dataclass, field

from django.conf import settings

from procedures.models import (
    Author,
    BodyArea,
    ChangeNote,
    Condition,
    ConditionCode,
    Disclaimer,
    GlossaryTerm,
    Procedure,
    ProcedureCode,
    Reference,
    RelatedLink,
    SitePage,
    Specialty,
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

    @property
    def texts(self):
        """The model fields the body holds: a procedure's sections, or the one body field."""
        if self.sections:
            return tuple(name for name, _, _ in Procedure.SECTIONS)
        return (self.body,) if self.body else ()

    @property
    def relations(self):
        return self.links.keys() | self.many.keys() | self.rows.keys() | ({FORMER} & set(self.fields))


CODES = ("system", "code")
FORMER = "former_slugs"  # a procedure's former addresses, which redirect to it
SPECIALTIES = Kind("specialties", Specialty, ("name",), "description")
CONDITIONS = Kind(
    "conditions", Condition, ("name", "also_known_as", "codes"), "description", rows={"codes": (ConditionCode, CODES)}
)
BODY_AREAS = Kind("body-areas", BodyArea, ("name",), "description")
AUTHORS = Kind(
    "authors", Author, ("name", "credentials", "role", "photo", "photo_alt", "disclosure", "is_qualified_reviewer"), "bio"
)
DISCLAIMERS = Kind("disclaimers", Disclaimer, ("title", "is_default"), "body")
GLOSSARY = Kind("glossary", GlossaryTerm, ("term", "also_matches"), "definition")
PAGES = Kind("pages", SitePage, ("title",), "body")
SYNONYMS = Kind("synonyms", Synonym, ("words",), None)
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
)  # fmt: skip
CONTENT_DIR = settings.BASE_DIR / "content"
# In the order their references to each other need.
KINDS = (SPECIALTIES, CONDITIONS, BODY_AREAS, AUTHORS, DISCLAIMERS, GLOSSARY, PAGES, SYNONYMS, PROCEDURES)
IMAGE_FIELDS = {"photo", "hero_image"}
SECTION_BY_HEADING = {title.lower(): field for field, title, _ in Procedure.SECTIONS}
