"""Revisions of editors' pages (kept by django-reversion): what changed, in words, and restoring.

Every save in the admin keeps a revision of the whole page with its rows (references,
related reading, codes, history notes). Editors compare any revision with the page as it
is now, word by word, and restore it in one step; restoring saves a new revision, so
nothing is ever lost.
"""

import difflib
import re
from dataclasses import dataclass

import reversion
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext
from reversion.models import Version

from procedures.models import AuditEntry, Procedure, ProcedureTranslation, TextTranslation

from . import audit
from .content import save_content
from .text_translations import translated_words, translations_fall_behind

TOKENS = re.compile(r"\s+|[^\s]+")
NOT_COMPARED = {"modified_at", "edit_version", "review_reminder_sent", "first_published", "hero_width", "hero_height"}


@dataclass
class Change:
    label: str
    diff: str  # safe HTML: words taken out in <del>, words put in <ins>


class RestoreFailed(Exception):
    pass


def word_diff(old, new):
    """HTML showing how `old` became `new`, word by word."""
    old_words, new_words = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    parts = []
    for operation, a, b, c, d in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(old_words[a:b])))
            continue
        if operation in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", "".join(old_words[a:b])))
        if operation in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", "".join(new_words[c:d])))
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def readable_fields(model, values, rows):
    """A page's content as labelled text, from a revision or from the database."""
    text = {}
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.name in NOT_COMPARED or field.auto_created:
            continue
        value = values.get(field.name, values.get(getattr(field, "attname", None)))
        if field.many_to_many:
            names = field.related_model.objects.filter(pk__in=value or []).order_by("pk")
            value = ", ".join(str(name) for name in names)
        elif field.many_to_one and value is not None:
            value = str(field.related_model.objects.filter(pk=value).first() or value)
        elif field.choices and value is not None:
            value = dict(field.flatchoices).get(value, value)
        text[str(field.verbose_name)] = "" if value is None else str(value)
    text.update(rows)
    return text


def rows_in_revision(version, model):
    """Rows belonging to the page in that revision (references, links …), as text."""
    rows = {}
    for relation in related_rows(model):
        found = [
            other.field_dict
            for other in version.revision.version_set.all()
            if other.content_type.model_class() is relation.related_model
        ]
        rows[label_for(relation)] = row_lines(relation.related_model, found)
    return rows


def rows_now(obj):
    return {
        label_for(relation): row_lines(
            relation.related_model, [vars(row) for row in getattr(obj, relation.get_accessor_name()).all()]
        )
        for relation in related_rows(type(obj))
    }


def related_rows(model):
    options = reversion.revisions._get_options(model)
    names = set(options.follow)
    return [f for f in model._meta.get_fields() if f.one_to_many and f.get_accessor_name() in names]


def label_for(relation):
    return str(relation.related_model._meta.verbose_name_plural).capitalize()


def row_lines(model, rows):
    ordered = sorted(rows, key=lambda row: (row.get("position") is None, row.get("position") or 0, row.get("id") or 0))
    fields = [f.attname for f in model._meta.concrete_fields if f.editable and not f.primary_key and not f.is_relation]
    fields = [name for name in fields if name not in {"position", "modified_at"}]
    return "\n".join(" — ".join(str(row.get(name) or "") for name in fields) for row in ordered)


def compare_with_now(version, obj):
    """What differs between a revision and the page now, field by field."""
    model = type(obj)
    then = readable_fields(model, version.field_dict, rows_in_revision(version, model))
    current_values = {f.name: f.value_from_object(obj) for f in model._meta.get_fields() if hasattr(f, "value_from_object")}
    current_values.update({f.name: [o.pk for o in f.value_from_object(obj)] for f in model._meta.many_to_many})
    now = readable_fields(model, current_values, rows_now(obj))
    return [Change(label, word_diff(then[label], now.get(label, ""))) for label in then if then[label] != now.get(label, "")]


def changed_since(obj, edit_version):
    """What others changed since the editor opened the page at `edit_version` (empty if unknown)."""
    for version in Version.objects.get_for_object(obj):
        if version.field_dict.get("edit_version") == edit_version:
            return compare_with_now(version, obj)
    return []


def describe(version):
    revision = version.revision
    who = revision.user.get_username() if revision.user else "the site"
    return f"{date_format(localtime(revision.date_created), 'j M Y, H:i')} by {who}"


# What a restore leaves as it is now: review records (recording a review is its own act) and
# the link between an author and a login.
KEPT_ON_RESTORE = ("reviewer_id", "last_reviewed", "next_review_due", "review_reminder_sent", "user_id")


def own_versions(version):
    """The versions in this revision that belong to this page: itself and its own rows
    (a revision may hold other pages too, e.g. everything one `loadcontent` saved)."""
    relations = {relation.related_model: relation.field.attname for relation in related_rows(version._model)}
    return [version] + [
        other
        for other in version.revision.version_set.all()
        if (model := other.content_type.model_class()) in relations
        and str(other.field_dict.get(relations[model])) == str(version.object_id)
    ]


@transaction.atomic
def restore(version, user):
    """Make the page as it was in `version`, as a new revision. Works for deleted pages too."""
    model = version._model
    now = model.objects.filter(pk=version.object_id).first()
    kept = {name: getattr(now, name) for name in KEPT_ON_RESTORE if now is not None and hasattr(now, name)}
    before = {"before": audit.audited_values(now)} if isinstance(now, Procedure) else {}
    status_before = audit.translation_status(now) if model is ProcedureTranslation else None
    words_before = translated_words(now) if now is not None else None  # what its translations translate
    try:
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(f"Restored the version saved {describe(version)}")
            if now is not None:
                for relation in related_rows(model):  # rows added since go; those in the version come back
                    getattr(now, relation.get_accessor_name()).all().delete()
            for own in own_versions(version):
                own.revert()
            obj = model.objects.get(pk=version.object_id)
            for name, value in kept.items():
                setattr(obj, name, value)
            if isinstance(obj, ProcedureTranslation):
                keep_out_of_date(obj, now)
            if isinstance(obj, TextTranslation):
                keep_text_out_of_date(obj, now)
            obj.edit_version = max(obj.edit_version, now.edit_version if now else 0)  # open forms see a conflict
            save_content(obj, **before)  # renders; old addresses, the audit log, search and cached pages follow
            translations_fall_behind(obj, words_before)  # the words they translate may be others now
    except (IntegrityError, models.ProtectedError) as error:
        raise RestoreFailed(
            gettext(
                "This version cannot be restored as it stands (it breaks one of the page rules, for example "
                "a published page without a medical review). Open it, copy what you need, and save it as a draft."
            )
        ) from error
    if isinstance(obj, Procedure) and now is not None:
        audit.record(AuditEntry.Action.RESTORED, obj, f"to the version saved {describe(version)}", user=user)
    if isinstance(obj, ProcedureTranslation):
        restored_translation_audited(obj, version, now, status_before, user)
    return obj


def keep_out_of_date(translated, now):
    """A restored translation is out of date as it is now; older text (translated from an earlier
    version of the page than the text it replaces), or a deleted translation brought back, is out
    of date from now on unless it was translated from the page as it is now: the page may have
    changed what patients read since, and a wrong "out of date" costs a check, a wrong "up to date"
    misleads patients."""
    restored_from = translated.translated_from or 0
    if now is not None:
        translated.out_of_date_since = now.out_of_date_since
        older = restored_from < (now.translated_from or 0)
    else:
        older = restored_from != translated.procedure.edit_version
    if older and translated.out_of_date_since is None:
        translated.out_of_date_since = timezone.now()


def keep_text_out_of_date(translated, now):
    """keep_out_of_date for a translation of one of the site's other texts, which says which
    English text it translates by its date: older text, or a deleted translation brought back
    that translates an older English text than today's, is out of date from now on."""
    english_now = timezone.localdate(translated.source.modified_at)
    restored_from = translated.translated_from_date or english_now
    if now is not None:
        translated.out_of_date_since = now.out_of_date_since
        older = restored_from < (now.translated_from_date or english_now)
    else:
        older = restored_from < english_now
    if older and translated.out_of_date_since is None:
        translated.out_of_date_since = timezone.now()


def restored_translation_audited(translated, version, now, status_before, user):
    if now is None:
        audit.record(AuditEntry.Action.RECOVERED, translated.procedure, audit.translation_detail(translated), user=user)
        return
    detail = audit.translation_detail(translated, f", to the version saved {describe(version)}")
    audit.record(AuditEntry.Action.RESTORED, translated.procedure, detail, user=user)
    audit.record_translation_publishing(translated, status_before, user=user)
