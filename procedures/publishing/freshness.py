"""Which scopes a change touches (procedures.models.freshness): every change gives them new
versions inside its own transaction, and once it commits the cache's copies follow, so that no
cached answer outlives it."""

import hashlib

from procedures.models import ChangeNote
from procedures.models.freshness import SITE, ContentVersion, new_version, page_scope, refresh_copies

from .side_effects import after_commit, is_pending

LISTED_FIELDS = (
    "title", "slug", "summary", "status", "publish_at", "unpublish_at", "first_published",
    "last_updated", "last_reviewed", "author_id", "reviewer_id",
)  # fmt: skip
LISTED_TAGS = ("specialties", "conditions", "body_areas")


def changed(scopes):
    """What these scopes show changed (call inside the change's transaction). A scope gets one
    new version per transaction, however many of its things the transaction changes."""
    scopes = [scope for scope in scopes if not is_pending(("fresh", scope))]
    new_version(scopes)
    for scope in scopes:
        after_commit(("fresh", scope), lambda scope=scope: refresh_copies([scope]))


def content_changed():
    """Something many pages show changed: lists, cards, the footer, names of people or tags."""
    changed([SITE])


def page_changed(procedure, old_slug=None):
    """A procedure page (or a row or tag of it) changed. Only its own page is refreshed, unless
    what lists and cards show of it changed too."""
    scope = page_scope(procedure.slug)
    scopes = {scope} | ({page_scope(old_slug)} if old_slug and old_slug != procedure.slug else set())
    listed = listing_fingerprint(procedure)
    if ContentVersion.objects.filter(scope=scope, listed=listed).exists():
        changed(scopes)
    else:
        changed(scopes | {SITE})
        ContentVersion.objects.filter(scope=scope).update(listed=listed)


def page_removed(slug):
    changed([page_scope(slug), SITE])


def listing_fingerprint(procedure):
    values = [str(getattr(procedure, field)) for field in LISTED_FIELDS]
    values += [str(sorted(getattr(procedure, tag).values_list("pk", flat=True))) for tag in LISTED_TAGS]
    values.append(str(ChangeNote.objects.filter(procedure=procedure).values_list("date", "note").first()))
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()
