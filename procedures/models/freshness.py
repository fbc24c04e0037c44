"""How current what patients see is, kept in the database so that no cache can roll it back.

Each part of the site that changes on its own has a scope: "site" (whatever many pages show:
lists, cards, the footer, names of people and specialties) and "page:<slug>" (one procedure's
own page, its embed, handout and API record). A change gives each scope it touches a new,
never reused version, in the same transaction as the change itself
(procedures.publishing.freshness decides which); once the change commits, the copies in the
cache follow. Time alone changes what some scopes show — a page goes live or is withdrawn at
its set time, a review falls due — and those moments are worked out from the stored dates.

Cached answers are keyed by the versions and moments of the scopes they show
(procedures.http), so no cached answer can outlive a change; and since the database, not the
cache, keeps the versions, an evicted or emptied cache only costs a rebuild, never an old page.

With Redis, each web worker remembers the copies it read for a moment (`remembers_for`,
procedures.http.cache_backends), so that a cached page seldom asks Redis anything. No page is
older for it, as no worker uses a copy longer than that moment after it read it:
- a save answers only that moment after its new copies were written (until_old_copies_forgotten,
  called on the way out of the request): by then no worker still uses an old one;
- a worker that shows a version for the first time, written within the last moments, waits
  that moment first (wait_if_new_here): a worker that read the old copy just before it was
  replaced may still be using it until then. So once any worker showed the new page, none
  shows the old one.
Both count time on each server's own clock, never comparing clocks, but for telling whether a
copy was written "within the last moments" (CLOCKS_AGREE_WITHIN).
"""

import datetime
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, replace
from itertools import takewhile

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .pages import REVIEW_DUE_SOON_DAYS, Procedure

SITE = "site"
PAGE = "page:"
COPY_SECONDS = 60  # how long a cache copy is trusted before it is read from the database again
UPCOMING = 50  # moments ahead kept in a copy
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
CLOCKS_AGREE_WITHIN = 1.0  # seconds between any two servers' clocks (NTP keeps them far closer)
SEEN_HERE_MAX = 4096
seen_here = {}  # scope: the version this process last showed
copies_written = threading.local()  # .at: time.monotonic() when this thread last wrote copies the workers remember


def page_scope(slug):
    return f"{PAGE}{slug}"


class ContentVersion(models.Model):
    """The current version of one scope; written by procedures.publishing.freshness."""

    scope = models.CharField(max_length=200, unique=True)
    version = models.CharField(max_length=32, help_text="Random: never the same twice, even in another database.")
    changed_at = models.DateTimeField()
    last_modified = models.DateTimeField(
        help_text="What Last-Modified says: a whole second later at least than before, as it counts whole seconds."
    )
    listed = models.CharField(
        max_length=64, blank=True, help_text="For a page: a fingerprint of what lists and cards show of it."
    )

    class Meta:
        ordering = ["scope"]

    def __str__(self):
        return f"{self.scope} @ {self.version}"


@dataclass(frozen=True)
class Stamp:
    """A scope's version, with the moments at which time alone changed or will change what it shows."""

    version: str
    changed_at: datetime.datetime
    last_modified: datetime.datetime
    passed: datetime.datetime | None  # the latest such moment after changed_at, when the stamp was read
    upcoming: tuple  # the next such moments
    copied_at: float = 0.0  # time.time() when this copy was put in the cache (0: not a copy)

    def moments(self, now):
        passed = [self.passed] if self.passed is not None and self.passed <= now else []
        return passed + list(takewhile(lambda moment: moment <= now, self.upcoming))  # in order: only the first few are read

    def as_of(self, now):
        """The last moment, up to `now`, at which what the scope shows changed."""
        return max([self.changed_at, *self.moments(now)])

    def modified(self, now):
        """What Last-Modified says of the scope at `now`."""
        return max([self.last_modified, *self.moments(now)])


@transaction.atomic
def new_version(scopes):
    """Give each scope a new version (inside the caller's transaction). Its Last-Modified moves on
    by a whole second at least: clients ask "changed since?" in whole seconds."""
    now = timezone.now()
    for scope in sorted(set(scopes)):  # always in the same order, so concurrent savers never deadlock
        row = ContentVersion.objects.select_for_update().filter(scope=scope).first()
        version = secrets.token_hex(16)
        if row is None:
            ContentVersion.objects.create(scope=scope, version=version, changed_at=now, last_modified=now)
            continue
        row.version, row.changed_at = version, now
        row.last_modified = max(now, row.last_modified.replace(microsecond=0) + datetime.timedelta(seconds=1))
        row.save(update_fields=["version", "changed_at", "last_modified"])


def stamps(scopes):
    """{scope: Stamp}, from the cache's copies; from the database where a copy is missing."""
    keys = {scope: copy_key(scope) for scope in scopes}
    remembering = getattr(cache, "get_many_remembered", None)  # Redis: a worker remembers what it read, for a moment
    found = remembering(list(keys.values())) if remembering else cache.get_many(list(keys.values()))
    missing = [scope for scope, key in keys.items() if key not in found]
    if missing:
        for scope, stamp in read_stamps(missing).items():
            stamp = copied(stamp)  # as new as a copy written now: its change may have just committed
            if stamp.version:  # not for a scope never changed: a flood of made-up addresses fills no cache
                cache.add(keys[scope], stamp, COPY_SECONDS)  # add: a newer copy set after a commit wins
            found[keys[scope]] = stamp
    shown = {scope: found[key] for scope, key in keys.items()}
    if remembers_for := getattr(cache, "remembers_for", 0):
        wait_if_new_here(shown, remembers_for)
    return shown


def copied(stamp):
    return replace(stamp, copied_at=time.time())


def wait_if_new_here(shown, remembers_for):
    """Before this process first shows a version written within the last moments: wait until
    no worker can still be using the copy it replaced (one read just before it was written).
    Not inside a transaction (an editor's preview), where a wait would hold the database's locks:
    what is shown there is never shown to patients."""
    new = {scope: stamp for scope, stamp in shown.items() if stamp.version and seen_here.get(scope) != stamp.version}
    if not new or transaction.get_connection().in_atomic_block:
        return
    now = time.time()
    written = [max(stamp.copied_at, stamp.changed_at.timestamp()) for stamp in new.values()]
    if any(now - moment < remembers_for + CLOCKS_AGREE_WITHIN for moment in written):
        time.sleep(remembers_for)
    if len(seen_here) + len(new) > SEEN_HERE_MAX:
        seen_here.clear()
    seen_here.update((scope, stamp.version) for scope, stamp in new.items())


def until_old_copies_forgotten():
    """After a save: wait until no worker can still be using the copies it replaced (the page
    cache calls this before a request's answer goes out)."""
    written_at = getattr(copies_written, "at", 0.0)
    if not written_at:
        return
    copies_written.at = 0.0
    wait = written_at + getattr(cache, "remembers_for", 0) - time.monotonic()
    if wait > 0:
        time.sleep(wait)


def refresh_copies(scopes):
    """After a commit: put the database's versions of these scopes into the cache. Read again
    after writing, in case a slower refresh of an earlier change wrote over a later one's copy:
    whichever writes last then reads (and writes) what the database has now. Returns whether
    the cache took them: one that failed (Redis out of reach) may still hold the old copies."""
    stamps_now = read_stamps(scopes)
    for _ in range(3):
        if cache.set_many({copy_key(scope): copied(stamp) for scope, stamp in stamps_now.items()}, COPY_SECONDS):
            return False  # the keys it did not take
        copies_written.at = time.monotonic()
        written = {scope: stamp.version for scope, stamp in stamps_now.items()}
        if dict(ContentVersion.objects.filter(scope__in=scopes).values_list("scope", "version")) == written:
            return True
        stamps_now = read_stamps(scopes)
    return True  # each later change refreshes its own


def copy_key(scope):
    """Readable for a usual scope; a long one (an address made up to be long) is hashed, as no
    cache takes keys of any length."""
    return f"version:{scope if len(scope) <= 100 else hashlib.sha256(scope.encode()).hexdigest()}"


def read_stamps(scopes):
    rows = {row.scope: row for row in ContentVersion.objects.filter(scope__in=scopes)}
    now = timezone.now()
    result = {}
    for scope in scopes:
        row = rows.get(scope)
        version, changed_at, last_modified = (row.version, row.changed_at, row.last_modified) if row else ("", NEVER, NEVER)
        moments = sorted(moments_for(scope, after=changed_at))
        passed = [moment for moment in moments if moment <= now]
        upcoming = tuple(moment for moment in moments if moment > now)[:UPCOMING]
        result[scope] = Stamp(version, changed_at, last_modified, passed[-1] if passed else None, upcoming)
    return result


def moments_for(scope, after):
    """When, after `after`, time alone changes what a scope shows."""
    if scope == SITE:
        return scheduled_moments(Procedure.objects.filter(status=Procedure.Status.PUBLISHED), after)
    if scope.startswith(PAGE):
        page = Procedure.objects.filter(slug=scope.removeprefix(PAGE)).first()
        return page_moments(page, after) if page else []
    return []


def scheduled_moments(procedures, after):
    """Pages going live or being withdrawn: the latest moment that has passed, and what is to come."""
    now = timezone.now()
    moments = []
    for field in ("publish_at", "unpublish_at"):
        window = Q(**{f"{field}__gt": after})
        latest = procedures.filter(window, **{f"{field}__lte": now}).aggregate(latest=Max(field))["latest"]
        upcoming = procedures.filter(**{f"{field}__gt": max(after, now)}).order_by(field).values_list(field, flat=True)
        moments += [latest, *upcoming.distinct()[:UPCOMING]]
    return {moment for moment in moments if moment}


def page_moments(procedure, after):
    """A page's own moments: it goes live or is withdrawn, it first counts as published, and its
    review falls due soon, then is overdue (ReviewState)."""
    days = []
    if procedure.first_published:
        days.append(procedure.first_published)
    if procedure.next_review_due:
        days += [
            procedure.next_review_due - datetime.timedelta(days=REVIEW_DUE_SOON_DAYS),
            procedure.next_review_due + datetime.timedelta(days=1),
        ]
    moments = [start_of_day(day) for day in days] + [procedure.publish_at, procedure.unpublish_at]
    return {moment for moment in moments if moment and moment > after}


def start_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
