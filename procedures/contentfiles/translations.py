"""Translation files: <slug>.<language>.md beside the file of the text they translate, holding
the translated fields and the provenance (kinds.PROVENANCE).

Files in a language the site does not have (LANGUAGES), or of a kind that has no translations
yet, are skipped and reported, never read as a text of their own named "<slug>.<language>".
"""

from django.conf import settings
from django.utils import timezone
from reversion.models import Version

from procedures.models import Procedure, ProcedureTranslation, TextTranslation
from procedures.models.translations import translation_languages
from procedures.publishing.pages import translations_fall_behind

from .reading import FileProblem


def slug_and_language(path):
    """A file's slug and language: None for a text's own file (<slug>.md)."""
    slug, dot, language = path.stem.partition(".")
    return slug, language if dot else None


def files_to_load(kind, folder):
    """A folder's files in the order they load (the texts, then their translations, which
    need them), and the files skipped, with why."""
    own, translated, skipped = [], [], []
    for path in sorted(folder.glob("*.md")):
        language = slug_and_language(path)[1]
        if language is None:
            own.append((kind, path))
        elif reason := why_skipped(kind, language):
            skipped.append((path, reason))
        else:
            translated.append((kind.translations, path))
    return own + translated, skipped


def why_skipped(kind, language):
    if language == settings.LANGUAGE_CODE:
        return f"{language!r} is the site's default language, whose text is in the file without a language"
    if language not in dict(translation_languages()):
        languages = ", ".join(code for code, _ in settings.LANGUAGES)
        return f"{language!r} is not one of the site's languages (LANGUAGES: {languages}), so it is not loaded"
    if kind.translations is None:
        return f"translations of {kind.folder} are not loaded yet"
    return None


def is_dumped_file(kind, path):
    """Whether dumping `kind` writes files such as `path` (and so removes it when its object is gone)."""
    language = slug_and_language(path)[1]
    return language is None or (kind.translations is not None and language in dict(translation_languages()))


def existing(kind, path):
    """The object a file is about, if the database has it."""
    slug, language = slug_and_language(path)
    if kind.source is None:
        return kind.model.objects.filter(slug=slug).first()
    return kind.model.objects.filter(**{f"{kind.source}__slug": slug, "language": language}).first()


def new_object(kind, path):
    slug, language = slug_and_language(path)
    if kind.source is None:
        return kind.model(slug=slug)
    translated = kind.model._meta.get_field(kind.source).related_model
    source = translated.objects.filter(slug=slug).first()
    if source is None:
        name, expected = translated._meta.verbose_name, f"content/{kind.folder}/{slug}.md"
        raise FileProblem(f"is a translation of the {name} {slug!r}, and there is no such {name} ({expected})")
    return kind.model(**{kind.source: source, "language": language})


def set_translated_version(translated, version_before):
    """Which version of the English page a loaded translation translates: a file says it by its
    date (`translated_from_date`, the page's last_updated then), the database by its own version
    numbers. The page as it is now when the file says so (that date, and not out of date); an
    out-of-date translation already loaded keeps the version it had; otherwise the version the
    page's history has for that date (0: older than any it has), so it shows as translated from
    an older version."""
    if not isinstance(translated, ProcedureTranslation):
        return
    page = translated.procedure
    if translated.out_of_date_since is None and translated.translated_from_date == page.last_updated:
        translated.translated_from = page.edit_version
    elif translated.out_of_date_since is None or version_before is None:
        translated.translated_from = version_on(page, translated.translated_from_date)


def stay_behind(translated, behind_since):
    """A file never makes a translation up to date by saying nothing: one the database knows is out
    of date stays so, unless the file says it caught up (a page's translation: translated from the
    page's current last_updated; another text's: an empty translated_from_date, as in the admin);
    and a page's translation from before the page's last change for patients is out of date."""
    if not isinstance(translated, (ProcedureTranslation, TextTranslation)) or translated.out_of_date_since is not None:
        return
    if isinstance(translated, ProcedureTranslation):
        current = (
            translated.translated_from_date is not None and translated.translated_from_date >= translated.procedure.last_updated
        )
    else:
        current = translated.translated_from_date is None
    if not current:
        translated.out_of_date_since = behind_since or (timezone.now() if isinstance(translated, ProcedureTranslation) else None)


def version_on(page, date):
    """The page's version (edit_version) as it stood on `date`, from its history; 0 when none is so old."""
    if date is None:
        return 0
    dated = (version.field_dict for version in Version.objects.get_for_object(page))
    return max((then["edit_version"] for then in dated if then.get("last_updated") and then["last_updated"] <= date), default=0)


def page_moved_on(procedure, last_updated_before):
    """A page file whose last_updated moved on changed what patients read: its translations are
    out of date, as after an editor's change note (until their files say they caught up)."""
    if isinstance(procedure, Procedure) and last_updated_before and procedure.last_updated > last_updated_before:
        translations_fall_behind(procedure)
