"""Loading content/ into the database: all or nothing, matching by slug, never silently
overwriting what editors changed in the admin."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from procedures.models import Disclaimer, FormerSlug, LoadedContentFile, Procedure
from procedures.publishing import freshness
from procedures.publishing.background import rerender_pages_later
from procedures.publishing.content import content_rows_saved, save_content
from procedures.publishing.indexing import index_every_page_after_commit

from .kinds import DISCLAIMERS, FORMER, GLOSSARY, IMAGE_FIELDS, KINDS, PROCEDURES
from .reading import SLUG, FileProblem, read_file, typed
from .snapshots import as_list, comparable, snapshot, unchanged
from .translations import (
    existing,
    files_to_load,
    new_object,
    page_moved_on,
    set_translated_version,
    slug_and_language,
    stay_behind,
)


class ContentError(Exception):
    """One or more content files cannot be loaded; nothing was changed."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (name, why): files not loaded, e.g. in a language the site lacks


def load_content(directory, *, force=False, dry_run=False):
    """Load every content file; raise ContentError listing every problem, changing nothing."""
    directory = Path(directory)
    report, problems, defaults, glossary_files, links_to_own_kind = LoadReport(), [], [], set(), []
    with transaction.atomic(), freshness.together():
        for kind in KINDS:
            to_load, skipped = files_to_load(kind, directory / kind.folder)
            report.skipped += [(f"{directory.name}/{kind.folder}/{path.name}", why) for path, why in skipped]
            for file_kind, path in to_load:
                name = f"{directory.name}/{kind.folder}/{path.name}"
                try:
                    with transaction.atomic(), reversion.create_revision():  # a version of each page
                        reversion.set_comment(f"Loaded from {name}")
                        outcome, later = load_file(file_kind, path, force=force)
                except FileProblem as problem:
                    problems.append(f"{name}: {problem}")
                    continue
                getattr(report, outcome).append(name)
                links_to_own_kind += [(name, *link) for link in later]
                if file_kind is GLOSSARY:
                    glossary_files.add(name)
                if file_kind is DISCLAIMERS and Disclaimer.objects.filter(slug=path.stem, is_default=True).exists():
                    defaults.append(name)
        for name, obj, key, model, slugs in links_to_own_kind:
            try:
                getattr(obj, key).set([find(model, slug, key, required=True) for slug in slugs])
            except FileProblem as problem:
                problems.append(f"{name}: {problem}")
        if not problems and (set(report.created) | set(report.updated)) & glossary_files:
            # Pages this load saved were rendered with the new glossary (it is loaded first); the
            # others link its terms anew in the background, as after an editor's change: the load
            # commits at once instead of holding the database while thousands of pages render.
            saved = [Path(name).stem for name in report.created + report.updated if f"/{PROCEDURES.folder}/" in name]
            others = list(Procedure.objects.exclude(slug__in=saved).values_list("pk", flat=True))
            if others:
                rerender_pages_later("Glossary files in content/ changed", pages={"pk__in": others})
        if not problems and (report.created or report.updated):
            index_every_page_after_commit()  # conditions, body areas and terms are set after pages are saved
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
    obj = existing(kind, path)
    if obj is not None and loaded is not None and loaded.sha256 == digest:
        return "unchanged", []  # the file has not changed since it was loaded: keep any admin edits

    values = read_file(kind, path, language=slug_and_language(path)[1])
    if obj is None:
        outcome, obj = "created", new_object(kind, path)
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
    last_updated_before = getattr(obj, "last_updated", None) if obj.pk else None
    version_before = getattr(obj, "translated_from", None)
    behind_since = getattr(obj, "out_of_date_since", None)  # what the database knows, before the file's values
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
    set_translated_version(obj, version_before)
    stay_behind(obj, behind_since)
    validate(obj)
    save_content(obj)
    page_moved_on(obj, last_updated_before)
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
    content_rows_saved(obj)
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
