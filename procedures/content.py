"""content/: the site's words as Markdown files with YAML front matter, one file per object.

Each folder holds one kind of object (`KINDS` below lists the front-matter fields; the
README has the table): content/<folder>/<slug>.md. A procedure's body is its sections,
each starting with its "## <heading>" line.

`load_content` puts the files into the database: all or nothing, matching by slug.
Editors' admin changes are never overwritten silently: a file is applied only when
it changed since it was last loaded, and a page changed both in the admin and in its
file is reported as a conflict (unless `force`). `dump_content` writes the database
back in the same format.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import reversion
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import (
    Author,
    BodyArea,
    ChangeNote,
    CodeSystem,
    Condition,
    ConditionCode,
    Disclaimer,
    FormerSlug,
    GlossaryTerm,
    LoadedContentFile,
    Procedure,
    ProcedureCode,
    Reference,
    RelatedLink,
    SitePage,
    Specialty,
    Synonym,
    render_every_page,
)
from .search import index_every_page


class ContentError(Exception):
    """One or more content files cannot be loaded; nothing was changed."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


class FileProblem(Exception):
    pass


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


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


# Reading ------------------------------------------------------------------------------


SLUG = re.compile(r"[-a-zA-Z0-9_]+")
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z", re.DOTALL | re.MULTILINE)


class ContentYAMLLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so the model field reads them and names itself if one is wrong."""


ContentYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_file(kind, path):
    """The field values a content file holds, read by the model's own fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileProblem("is not UTF-8 text") from None
    match = FRONT_MATTER.match(text)
    if not match:
        raise FileProblem("has no front matter: it must start with a line of three hyphens (---) and close with another")
    try:
        metadata = yaml.load(match[1], Loader=ContentYAMLLoader) or {}  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        raise FileProblem(f"front matter is not valid YAML: {error}") from None
    if not isinstance(metadata, dict):
        raise FileProblem("front matter must be `field: value` lines")
    unknown = set(map(str, metadata)) - set(kind.fields)
    if unknown:
        raise FileProblem(f"unknown field {sorted(unknown)[0]!r}; the fields are: {', '.join(kind.fields)}")
    values = {
        key: metadata[key] if key in kind.relations else typed(kind.model, key, metadata[key])
        for key in kind.fields
        if key in metadata
    }
    if kind.sections:
        values.update(split_sections(match[2]))
    elif kind.body:
        values[kind.body] = match[2].strip()
    elif match[2].strip():
        raise FileProblem("has text after the front matter, but this kind of file takes none")
    return values


def typed(model, key, value):
    if key == "system":
        system = CodeSystem.from_name(str(value))
        if system is None:
            raise FileProblem(f"field 'system': unknown coding system {value!r}; use one of {', '.join(CodeSystem.labels)}")
        return system.value
    model_field = model._meta.get_field(key)
    if value is None:
        return None if model_field.null else ""
    try:
        return model_field.to_python(value)
    except ValidationError as error:
        raise FileProblem(f"field {key!r}: {' '.join(error.messages)}") from None


def split_sections(body):
    """A procedure body: "## Heading" lines name the sections (see Procedure.SECTIONS)."""
    sections = {field: "" for field, _, _ in Procedure.SECTIONS}
    current, lines, seen = None, [], set()

    def finish():
        if current:
            sections[current] = "\n".join(lines).strip()

    for number, line in enumerate(body.splitlines(), start=1):
        if line.startswith("## "):
            finish()
            heading = line[3:].strip()
            current = SECTION_BY_HEADING.get(heading.lower())
            if current is None:
                expected = "; ".join(f"## {title}" for _, title, _ in Procedure.SECTIONS)
                raise FileProblem(f"unknown section heading {line.strip()!r}; the sections are: {expected}")
            if current in seen:
                raise FileProblem(f"section {line.strip()!r} appears twice")
            seen.add(current)
            lines = []
        elif current is None and line.strip():
            raise FileProblem(f"body line {number}: text before the first section heading (## What it is)")
        else:
            lines.append(line)
    finish()
    return sections


# Loading ------------------------------------------------------------------------------


def load_content(directory, *, force=False, dry_run=False):
    """Load every content file; raise ContentError listing every problem, changing nothing."""
    directory = Path(directory)
    report, problems, defaults, glossary_files, links_to_own_kind = LoadReport(), [], [], set(), []
    with transaction.atomic():
        for kind in KINDS:
            for path in sorted((directory / kind.folder).glob("*.md")):
                name = f"{directory.name}/{kind.folder}/{path.name}"
                try:
                    with transaction.atomic(), reversion.create_revision():  # a version of each page
                        reversion.set_comment(f"Loaded from {name}")
                        outcome, later = load_file(kind, path, force=force)
                except FileProblem as problem:
                    problems.append(f"{name}: {problem}")
                    continue
                getattr(report, outcome).append(name)
                links_to_own_kind += [(name, *link) for link in later]
                if kind is GLOSSARY:
                    glossary_files.add(name)
                if kind is DISCLAIMERS and Disclaimer.objects.filter(slug=path.stem, is_default=True).exists():
                    defaults.append(name)
        for name, obj, key, model, slugs in links_to_own_kind:
            try:
                getattr(obj, key).set([find(model, slug, key, required=True) for slug in slugs])
            except FileProblem as problem:
                problems.append(f"{name}: {problem}")
        if not problems and (set(report.created) | set(report.updated)) & glossary_files:
            render_every_page()  # the glossary changed: every page links its terms anew
        if not problems and (report.created or report.updated):
            index_every_page()  # conditions, body areas and terms are set after pages are saved
        if len(defaults) > 1:
            problems.append(f"{', '.join(defaults)}: only one disclaimer can have `is_default: true`")
        if problems:
            raise ContentError(problems)
        if dry_run:
            transaction.set_rollback(True)
    return report


def load_file(kind, path, *, force):
    """Apply one file; return "created", "updated" or "unchanged"."""
    key = f"{kind.folder}/{path.name}"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = LoadedContentFile.objects.filter(path=key).first()
    obj = kind.model.objects.filter(slug=path.stem).first()
    if obj is not None and loaded is not None and loaded.sha256 == digest:
        return "unchanged", []  # the file has not changed since it was loaded: keep any admin edits

    values = read_file(kind, path)
    if obj is None:
        outcome, obj = "created", kind.model(slug=path.stem)
    elif unchanged(snapshot(kind, obj), comparable(kind, values)):
        outcome = "unchanged"
    elif not force and (loaded is None or obj.modified_at > loaded.loaded_at):
        raise FileProblem(
            "this page was changed in the admin since the file was last loaded, and the file differs. "
            "Run `manage.py dumpcontent` to bring the admin's version into content/, "
            "or `manage.py loadcontent --force` to overwrite it with the file"
        )
    else:
        outcome = "updated"

    later = save(kind, obj, values) if outcome != "unchanged" else []
    LoadedContentFile.objects.update_or_create(path=key, defaults={"sha256": digest, "loaded_at": timezone.now()})
    return outcome, later


def save(kind, obj, values):
    relations = {key: values.pop(key) for key in kind.relations if key in values}
    for key, value in values.items():
        if key in IMAGE_FIELDS and value and not default_storage.exists(value):
            raise FileProblem(f"field {key!r}: no uploaded file {value!r} in the media folder")
        setattr(obj, key, value)
    for key, (model, required) in kind.links.items():
        setattr(obj, key, find(model, relations.get(key), key, required=required))
    # Links to objects of the same kind wait until all of them are loaded: (obj, key, model, slugs).
    later = [(obj, key, model, as_list(relations.get(key))) for key, (model, _) in kind.many.items() if model is kind.model]
    many = {
        key: [find(model, slug, key, required=True) for slug in as_list(relations.get(key))]
        for key, (model, _) in kind.many.items()
        if model is not kind.model
    }
    for key, (_, at_least_one) in kind.many.items():
        if at_least_one and not many.get(key):
            raise FileProblem(f"field {key!r}: list at least one")
    rows = {key: [row(kind, key, item) for item in as_list(relations.get(key))] for key in kind.rows}
    validate(obj)
    obj.save()
    if FORMER in relations:
        keep_former_addresses(obj, as_list(relations[FORMER]))
    for key, objects in many.items():
        getattr(obj, key).set(objects)
    for key, new_rows in rows.items():
        manager = getattr(obj, key)
        manager.all().delete()
        # Created oldest first, so rows that sort by newest (the history) keep the file's order.
        for position, new_row in reversed(list(enumerate(new_rows))):
            setattr(new_row, manager.field.name, obj)
            if hasattr(new_row, "position"):
                new_row.position = position + 1
            new_row.save()
    return later


def keep_former_addresses(procedure, slugs):
    slugs = [str(slug) for slug in slugs]
    for slug in slugs:
        taken = Procedure.objects.filter(slug=slug).exclude(pk=procedure.pk).exists()
        taken = taken or FormerSlug.objects.filter(slug=slug, procedure__isnull=False).exclude(procedure=procedure).exists()
        if slug == procedure.slug or taken or not SLUG.fullmatch(slug):
            raise FileProblem(f"field {FORMER!r}: {slug!r} cannot be a former address of this page")
    procedure.former_slugs.exclude(slug__in=slugs).delete()
    for slug in slugs:
        FormerSlug.objects.update_or_create(slug=slug, defaults={"procedure": procedure, "title": procedure.title})


def validate(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        messages = [
            f"field {key!r}: {' '.join(texts)}" if key != "__all__" else " ".join(texts)
            for key, texts in error.message_dict.items()
        ]
        raise FileProblem("; ".join(messages)) from None


def find(model, slug, key, *, required):
    """The object a file names by slug."""
    if not slug:
        if required:
            raise FileProblem(f"field {key!r} is missing")
        return None
    found = model.objects.filter(slug=str(slug)).first()
    if found is None:
        folder = next(kind.folder for kind in KINDS if kind.model is model)
        raise FileProblem(f"field {key!r}: no {model._meta.verbose_name} {slug!r} (content/{folder}/{slug}.md)")
    return found


def as_list(value):
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise FileProblem(f"expected a list (lines starting with “- ”), got {value!r}")
    return value


def row(kind, key, item):
    """One row of a list such as related_reading, checked by its model."""
    model, keys = kind.rows[key]
    if not isinstance(item, dict) or not set(item) <= set(keys):
        raise FileProblem(f"field {key!r}: each item takes only {', '.join(f'`{k}:`' for k in keys)}")
    new_row = model(**{k: typed(model, k, item.get(k)) for k in keys})
    try:
        validate(new_row, exclude=[kind.model._meta.model_name])
    except FileProblem as problem:
        raise FileProblem(f"field {key!r}: {problem}") from None
    return new_row


# Comparing and dumping ----------------------------------------------------------------


def snapshot(kind, obj):
    """An object's content as the plain values a file holds."""
    values = {}
    for key in kind.fields:
        if key in kind.many or key == FORMER:
            values[key] = sorted(getattr(obj, key).values_list("slug", flat=True))
        elif key in kind.links:
            linked = getattr(obj, key)
            values[key] = linked.slug if linked else ""
        elif key in kind.rows:
            keys = kind.rows[key][1]
            values[key] = [{k: readable(item, k) for k in keys} for item in getattr(obj, key).all()]
        elif key in IMAGE_FIELDS:
            values[key] = getattr(obj, key).name or ""
        else:
            values[key] = getattr(obj, key)
    if kind.sections:
        values.update({field: getattr(obj, field) for field, _, _ in Procedure.SECTIONS})
    elif kind.body:
        values[kind.body] = getattr(obj, kind.body)
    return values


def readable(item, key):
    """A row's value as a file shows it: coding systems by name (ICD-10-CM), not OID."""
    return item.get_system_display() if key == "system" else getattr(item, key)


def unchanged(current, wanted):
    """True when every value the file gives is what the database already has."""
    return all(current[key] == value for key, value in wanted.items())


def comparable(kind, values):
    values = {**values, **{key: values[key] or "" for key in kind.links if key in values}}
    for key in kind.rows.keys() & values.keys():
        model, keys = kind.rows[key]
        values[key] = [
            {k: CodeSystem(typed(model, k, item.get(k))).label if k == "system" else typed(model, k, item.get(k)) for k in keys}
            for item in as_list(values[key])
            if isinstance(item, dict)
        ]
    for key in (kind.many.keys() | {FORMER}) & values.keys():
        values[key] = sorted(str(slug) for slug in as_list(values[key]))
    return values


def dump_content(directory):
    """Write every object to `directory`, removing files of objects that no longer exist."""
    directory = Path(directory)
    written = []
    for kind in KINDS:
        folder = directory / kind.folder
        folder.mkdir(parents=True, exist_ok=True)
        wanted = set()
        for obj in kind.model.objects.order_by("slug"):
            path = folder / f"{obj.slug}.md"
            path.write_text(render_file(kind, obj), encoding="utf-8")
            wanted.add(path)
            written.append(path)
        for stale in set(folder.glob("*.md")) - wanted:
            stale.unlink()
    return written


def render_file(kind, obj):
    values = snapshot(kind, obj)
    if kind.sections:
        sections = [(title, values.pop(field)) for field, title, _ in Procedure.SECTIONS]
        body = "\n\n".join(f"## {title}\n\n{text}" for title, text in sections if text)
    else:
        body = values.pop(kind.body) if kind.body else ""
    front = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"
