"""Which scopes a change touches (procedures.models.freshness): every change gives them new
versions inside its own transaction, and once it commits the cache's copies follow, so that no
cached answer outlives it."""

import datetime
import hashlib
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from procedures.models import ChangeNote, FormerSlug, ProcedureCode, ProcedureTranslation
from procedures.models.freshness import COPY_SECONDS, SITE, ContentVersion, new_version, page_scope, refresh_copies

from .side_effects import after_commit, is_pending
from .tasks_api import task

logger = logging.getLogger(__name__)
REFRESH_RETRY_SECONDS = 2

LISTED_FIELDS = (
    "title", "slug", "summary", "status", "publish_at", "unpublish_at", "first_published",
    "last_updated", "last_reviewed", "author_id", "reviewer_id",
)  # fmt: skip
LISTED_TAGS = ("specialties", "conditions", "body_areas")
# What lists in other languages (A–Z, feeds, the API's records) show of a page's published translations.
LISTED_TRANSLATION_FIELDS = (
    "language", "title", "summary", "translated_by_id", "translated_from", "translated_from_date",
    "translated_at", "reviewer_id", "last_reviewed", "out_of_date_since",
)  # fmt: skip


NOT_FOR_PATIENTS = ContextVar("not_for_patients", default=False)
GATHERED = ContextVar("gathered", default=None)


@contextmanager
def not_for_patients():
    """Changes made here are always rolled back (an editor's preview): no version moves."""
    token = NOT_FOR_PATIENTS.set(True)
    try:
        yield
    finally:
        NOT_FOR_PATIENTS.reset(token)


@contextmanager
def together():
    """For a long change of many things in one transaction (loading content/): the versions move
    once, at the end, so that editors' saves meanwhile do not queue behind the site's version."""
    gathered = set()
    token = GATHERED.set(gathered)
    try:
        yield
    finally:
        GATHERED.reset(token)
    if not transaction.get_rollback():  # a dry run or a failed change is rolled back: nothing moved
        changed(gathered)


def changed(scopes):
    """What these scopes show changed (call inside the change's transaction). A scope gets one
    new version per transaction, however many of its things the transaction changes."""
    if NOT_FOR_PATIENTS.get():
        return
    if (gathered := GATHERED.get()) is not None:
        gathered.update(scopes)
        return
    scopes = [scope for scope in scopes if not is_pending(("fresh", scope))]
    new_version(scopes)
    for scope in scopes:
        after_commit(("fresh", scope), lambda scope=scope: refresh_copies_now_or_soon([scope]))


def refresh_copies_now_or_soon(scopes):
    """The cache's copies of the versions follow a change. If the cache does not take them (Redis
    out of this server's reach, while other servers may still read the old copies from it),
    the background worker tries again until it does, or until the old copies have expired."""
    if not refresh_copies(scopes):
        logger.warning("The cache did not take the new versions of %s; the background worker tries again.", ", ".join(scopes))
        refresh_copies_later.enqueue(list(scopes), time.time() + COPY_SECONDS)


@task()
def refresh_copies_later(scopes, until):
    """Another try at a change's copies, every few seconds until the cache takes them or the
    old ones have expired (`until`). Each try writes what the database holds then."""
    if refresh_copies(scopes):
        return "refreshed"
    if time.time() >= until:
        return "the old copies have expired"
    if not refresh_copies_later.get_backend().supports_defer:  # a backend that runs tasks at once cannot wait
        return "not refreshed"
    # Not before the cache tries Redis again: it leaves a failing Redis alone for a few seconds.
    pause = max(REFRESH_RETRY_SECONDS, getattr(cache, "failure_pause", 0))
    refresh_copies_later.using(run_after=timezone.now() + datetime.timedelta(seconds=pause)).enqueue(scopes, until)
    return "to be tried again"


def content_changed():
    """Something many pages show changed: lists, cards, the footer, names of people or tags."""
    changed([SITE])


def page_changed(procedure, old_slug=None):
    """A procedure page (or a row or tag of it) changed. Only its own page is refreshed, unless
    what lists, cards, code lookups or old addresses show of it changed too."""
    scope = page_scope(procedure.slug)
    scopes = {scope}
    if old_slug and old_slug != procedure.slug:
        scopes.add(page_scope(old_slug))
        forget_listing(old_slug)  # whatever comes to that address next is new to every list
    listed = listing_fingerprint(procedure)
    if ContentVersion.objects.filter(scope=scope, listed=listed).exists():
        changed(scopes)
    else:
        changed(scopes | {SITE})
        ContentVersion.objects.filter(scope=scope).update(listed=listed)


def page_removed(slug):
    changed([page_scope(slug), SITE])
    forget_listing(slug)


def forget_listing(slug):
    ContentVersion.objects.filter(scope=page_scope(slug)).update(listed="")


def listing_fingerprint(procedure):
    """What any answer other than the page's own shows of it: lists and cards, the feed, the
    code lookup, oEmbed by an old address."""
    values = [str(procedure.pk), *(str(getattr(procedure, field)) for field in LISTED_FIELDS)]
    values += [str(sorted(getattr(procedure, tag).values_list("pk", flat=True))) for tag in LISTED_TAGS]
    values.append(str(ChangeNote.objects.filter(procedure=procedure).values_list("date", "note").first()))
    values.append(str(sorted(ProcedureCode.objects.filter(procedure=procedure).values_list("system", "code"))))
    values.append(str(sorted(FormerSlug.objects.filter(procedure=procedure).values_list("slug", flat=True))))
    translations = ProcedureTranslation.objects.published().filter(procedure=procedure).order_by("language")
    values.append(str(list(translations.values_list(*LISTED_TRANSLATION_FIELDS))))
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()
