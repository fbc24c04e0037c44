"""Whole public answers, cached and served without the database or the templates, exactly as
fresh as what they show.

Every public page and API answer listed in policies.CACHED is labelled by the versions of
what it shows (procedures.models.freshness), the release of the code and the address asked
for. The label is its ETag and decides its Last-Modified, so:

- a cached answer is served only while its label is current: a change, a scheduled page going
  live or a review falling due gives a new label, and the next request builds the page anew;
- `If-None-Match` / `If-Modified-Since` are answered 304 from the label alone, without
  building anything (HEAD as GET, without a body);
- the label is read before the page is built, so an answer is never labelled newer than what
  it shows;
- each worker also keeps the answers it served last in its own memory, by label: the shared
  cache is asked only for the versions (a few bytes), not for the whole answer again; with
  Redis, each worker remembers those too, for a moment (models.freshness).

Answers carry Cache-Control for browsers and shared caches (settings HTTP_*), and go out
compressed to clients that accept it. Staff (anyone with a session) are never served or given
a cached answer: theirs are `private, no-store`.
"""

import datetime
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from procedures.models.freshness import stamps, until_old_copies_forgotten
from procedures.publishing import release
from procedures.text.languages import language_tag

from . import compression
from .languages import address_language
from .policies import CACHED
from .rate_limit import allows

NOT_KEPT = {"set-cookie", "vary", "content-length", "content-encoding", "etag", "last-modified", "cache-control", "expires"}


class SavesAnswerOnceEveryWorkerShowsThem:
    """A request that changed what patients see (an editor's save) answers only once no worker,
    on any server, can still be using the versions it replaced (models.freshness)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        until_old_copies_forgotten()
        return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        plan = Plan.for_request(request)
        if plan is None:
            return finish(request, self.get_response(request))
        answer = plan.answer_without_building(request)
        if answer is not None and (not plan.policy.counted or allows(request)):
            return answer
        response = self.get_response(request)  # a refused client reaches the view too: it answers 429
        if not plan.can_keep(request, response):
            return finish(request, response)
        if not plan.kept:
            return plan.with_headers(compression.compress(request, response))
        entry = Entry.of(response, plan.etag)
        shared_cache.set(plan.key, entry, settings.PAGE_CACHE_SECONDS)
        in_memory.keep(plan.key, entry)
        return plan.answer(request, entry, "miss")


class InMemory:
    """The answers this worker served last, up to a size. An answer is taken from here only
    under the label it was kept with, so it is exactly as fresh as one from the shared cache.
    Only its compressed bodies are kept here (a third of the size): the plain one, for the
    rare client that accepts no compression, is read from the shared cache."""

    def __init__(self):
        self.lock = threading.Lock()  # for servers that run threads (runserver, gunicorn --threads)
        self.clear()

    def clear(self):
        self.entries = OrderedDict()
        self.size = 0

    def get(self, key, etag):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.etag != etag:
                return None
            self.entries.move_to_end(key)
            return entry

    def keep(self, key, entry):
        if entry.encoded:
            entry = replace(entry, body=None)
        with self.lock:
            if key in self.entries:
                self.size -= self.entries.pop(key).size
            self.entries[key] = entry
            self.size += entry.size
            while self.size > settings.PAGE_CACHE_MEMORY_BYTES and self.entries:
                self.size -= self.entries.popitem(last=False)[1].size


in_memory = InMemory()


@dataclass(frozen=True)
class Entry:
    """An answer as it is kept: status, headers, and the body in each encoding offered."""

    etag: str
    status: int
    headers: tuple
    body: bytes | None  # None in a worker's memory (InMemory)
    encoded: dict

    @property
    def size(self):
        return len(self.body or b"") + sum(map(len, self.encoded.values()))

    def can_answer(self, request):
        return self.body is not None or any(encoding in self.encoded for encoding in compression.accepted(request))

    @classmethod
    def of(cls, response, etag):
        headers = tuple((name, value) for name, value in response.items() if name.lower() not in NOT_KEPT)
        body = response.content
        return cls(etag, response.status_code, headers, body, compression.every_encoding(body))


@dataclass(frozen=True)
class Plan:
    """How one request for a cacheable answer is served: its key, its label (ETag) and date."""

    policy: object
    key: str
    etag: str
    changed_at: datetime.datetime
    page_language: str  # the address's (LanguageFromAddress)
    language: str | None = None  # the language the request chose (Policy.language), if it chooses one

    @classmethod
    def for_request(cls, request):
        if request.method not in ("GET", "HEAD") or is_personal(request):
            return None
        view_name, kwargs, page_language = view_at(request.path_info)
        policy = CACHED.get(view_name)
        if policy is None:
            return None
        shown = stamps(policy.shows(kwargs))
        now = timezone.now()  # after: reading the versions may wait a moment (models.freshness)
        query = urlencode(sorted((name, value) for name in policy.query for value in request.GET.getlist(name)))
        language = policy.language(request) if policy.language else None  # chosen by the request: in the key too
        address = f"{request.scheme}://{request.get_host()}{request.path}?{query}" + (f"#{language}" if language else "")
        versions = [f"{scope}@{stamp.version}@{stamp.as_of(now).timestamp()}" for scope, stamp in sorted(shown.items())]
        label = hashlib.sha256("|".join([release.fingerprint(), address, *versions]).encode()).hexdigest()
        changed_at = max([release.installed_at(), *(stamp.modified(now) for stamp in shown.values())])
        key = f"answer:{hashlib.sha256(address.encode()).hexdigest()}"
        return cls(policy, key, f'W/"{label[:32]}"', changed_at, page_language, language)

    def answer_without_building(self, request):
        """A 304 when the client's copy is current, or the kept answer; None when it must be built."""
        if CONDITIONS & request.META.keys():
            headers = self.with_headers(HttpResponse())
            changed_at = int(self.changed_at.timestamp())
            conditional = get_conditional_response(request, etag=self.etag, last_modified=changed_at, response=headers)
            if conditional is not headers:
                conditional["Content-Language"] = headers["Content-Language"]  # Django's 304 keeps Vary, not this
                return conditional
        if not self.kept:
            return None
        entry = in_memory.get(self.key, self.etag)
        if entry is None or not entry.can_answer(request):
            entry = shared_cache.get(self.key)
            if entry is None or entry.etag != self.etag:
                return None
            in_memory.keep(self.key, entry)
        return self.answer(request, entry, "hit")

    @property
    def kept(self):
        return self.policy.kept and settings.PAGE_CACHE_SECONDS > 0

    def can_keep(self, request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in response.get("Cache-Control", "")
        )

    def answer(self, request, entry, how):
        encoding = next((name for name in compression.accepted(request) if name in entry.encoded), None)
        body = entry.encoded[encoding] if encoding else entry.body
        headers = [*entry.headers, ("Content-Encoding", encoding)] if encoding else list(entry.headers)
        headers += [("Content-Length", str(len(body))), ("X-Cache", how)]
        response = HttpResponse(b"" if request.method == "HEAD" else body, status=entry.status, headers=headers)
        return self.with_headers(response)

    def with_headers(self, response):
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date_of(int(min(self.changed_at, timezone.now()).timestamp()))
        response["Cache-Control"] = public_cache_control()
        varies = ["Accept-Encoding", "Accept-Language"] if self.language else ["Accept-Encoding"]  # a 304 says so too
        if response.has_header("Vary"):
            patch_vary_headers(response, varies)
        else:
            response["Vary"] = ", ".join(varies)
        if self.language:
            response["Content-Language"] = language_tag(self.language)
        response.headers.setdefault("Content-Language", self.page_language)  # as LanguageFromAddress says it
        return response


CONDITIONS = {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"}


REMEMBERED_PATH_LENGTH = 200


def view_at(path):
    """(view name, its arguments, its language) for an address: worked out once per address and
    process (addresses of a usual length: a flood of long made-up ones is not kept)."""
    return remembered_view_at(path) if len(path) <= REMEMBERED_PATH_LENGTH else resolved(path)


def resolved(path):
    """In the address's language: LanguageFromAddress comes after the page cache."""
    language = address_language(path)
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return None, {}, language
    return match.view_name, match.kwargs, language


remembered_view_at = lru_cache(maxsize=4096)(resolved)


http_date_of = lru_cache(maxsize=1024)(http_date)  # the few Last-Modified dates a worker sends, formatted once


@cache
def public_cache_control():
    return (
        f"public, max-age={settings.HTTP_MAX_AGE}, s-maxage={settings.HTTP_SHARED_MAX_AGE}, "
        f"stale-while-revalidate={settings.HTTP_STALE_WHILE_REVALIDATE}, stale-if-error={settings.HTTP_STALE_IF_ERROR}"
    )


@receiver(setting_changed)
def settings_changed(**kwargs):  # in tests
    remembered_view_at.cache_clear()
    public_cache_control.cache_clear()


def is_personal(request):
    """A signed-in editor (or anyone with a session): never served from, or kept in, a shared cache."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def finish(request, response):
    """Answers that are not cached whole: private for staff; others compressed when that is
    safe, and told to check back before reuse."""
    if is_personal(request) or getattr(request, "user", None) is not None and request.user.is_authenticated:
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies:
        return response  # it carries a secret: never compressed (BREACH), never shared
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "no-cache"
    return compression.compress(request, response)
