"""Redis as a cache the site can do without. The cache only makes pages faster, so when Redis
fails (refused, reset, timed out, or answering with an error) a read is a miss and a write is
dropped: the page is built from the database instead, and nobody sees an error page.

After a failure Redis is left alone for a few seconds (`failure_pause`), so that each request
does not wait for its own timeout; then the next operation tries again. The log gets one
warning a minute at most while Redis is failing, and one line when it answers again.

The commands go over redis_connection.py, not redis-py (which Django's Redis cache uses): one
connection to each server in each thread, kept open between requests.

The versions every cached page checks are remembered by each worker for a moment
(`remember_seconds`, `get_many_remembered`), so that a cached page seldom asks Redis anything;
procedures.models.freshness waits that moment out where it must, so that no page is older for it."""

import logging
import random
import threading
import time
from functools import lru_cache, partial

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .file_cache import unchangeable
from .redis_connection import Connection, RedisFailed, without_password

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60
DEFAULT_FAILURE_PAUSE = 5.0
DEFAULT_SOCKET_TIMEOUT = 0.5  # a healthy Redis answers in about a millisecond
DEFAULT_REMEMBER_SECONDS = 0.1
REMEMBERED_KEYS = 1024
NOTHING = object()  # remembered: Redis has no such key


class RedisHealth:
    """How one Redis has been answering, shared by every thread of the process (each thread has
    its own cache object, and they should not each find out, or each warn, on their own)."""

    def __init__(self, servers):
        self.name = ", ".join(without_password(server) for server in servers)
        self.failing = False
        self.resume_at = 0.0  # time.monotonic() before which Redis is not asked
        self.warned_at = None
        self.warned_this_outage = False
        self.lock = threading.Lock()

    def may_ask(self):
        return time.monotonic() >= self.resume_at

    def failed(self, error, pause):
        now = time.monotonic()
        with self.lock:
            self.failing = True
            self.resume_at = now + pause
            warn = self.warned_at is None or now - self.warned_at >= WARN_EVERY_SECONDS
            if warn:
                self.warned_at = now
                self.warned_this_outage = True
        if warn:
            logger.warning(
                "The cache (Redis at %s) is failing (%s: %s); pages are served without it, and it is "
                "tried again every %g s (this warning repeats at most once a minute).",
                self.name,
                type(error).__name__,
                error,
                pause,
            )

    def answered(self):
        if not self.failing:
            return
        with self.lock:
            self.failing, said_it_failed = False, self.warned_this_outage
            self.warned_this_outage = False
        if said_it_failed:
            logger.info("The cache (Redis at %s) answers again.", self.name)


health_by_server = {}
health_lock = threading.Lock()


def health_of(servers):
    with health_lock:
        return health_by_server.setdefault(tuple(servers), RedisHealth(servers))


def remember_seconds(value):
    try:
        if float(value) >= 0:
            return float(value)
    except (TypeError, ValueError):
        pass
    raise ImproperlyConfigured(f"Redis remember_seconds is a number of seconds, 0 or more, not {value!r}.")


def expiring(timeout):
    """SET's words for a timeout in seconds; None keeps the value until it is deleted."""
    return () if timeout is None else ("EX", timeout)


class RedisClient:
    """The commands of Django's Redis cache client, on a connection of its own to each server
    (writes to the first, reads from the others if there are more, as Django's)."""

    def __init__(self, servers, serializer=None, **options):
        if isinstance(serializer, str):
            serializer = import_string(serializer)
        self._serializer = serializer() if callable(serializer) else serializer or RedisSerializer()
        self._connections = [Connection(server, **options) for server in servers]

    def ask(self, *command, write=False):
        if write or len(self._connections) == 1:
            return self._connections[0].ask(command)[0]
        return random.choice(self._connections[1:]).ask(command)[0]  # noqa: S311 (a replica to read, no secret)

    def add(self, key, value, timeout):
        value = self._serializer.dumps(value)
        if timeout == 0:  # as Django's: added, and at once gone
            added = self.ask("SET", key, value, "NX", write=True) is not None
            if added:
                self.ask("DEL", key, write=True)
            return added
        return self.ask("SET", key, value, *expiring(timeout), "NX", write=True) is not None

    def get(self, key, default):
        value = self.ask("GET", key)
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout):
        if timeout == 0:
            self.ask("DEL", key, write=True)
        else:
            value = self._serializer.dumps(value)
            self.ask("SET", key, value, *expiring(timeout), write=True)

    def touch(self, key, timeout):
        if timeout is None:
            return bool(self.ask("PERSIST", key, write=True))
        return bool(self.ask("EXPIRE", key, timeout, write=True))

    def delete(self, key):
        return bool(self.ask("DEL", key, write=True))

    def get_many(self, keys, from_first=False):
        """One MGET. `from_first`: from the first server, where writes go (no replica lags behind)."""
        keys = list(keys)
        values = self.ask("MGET", *keys, write=from_first) if keys else []
        if not isinstance(values, list) or len(values) != len(keys):
            raise RedisFailed(f"MGET of {len(keys)} keys answered {values!r:.80}")
        return {key: self._serializer.loads(value) for key, value in zip(keys, values, strict=True) if value is not None}

    def has_key(self, key):
        return bool(self.ask("EXISTS", key))

    def incr(self, key, delta):
        if not self.ask("EXISTS", key, write=True):
            raise ValueError(f"Key '{key}' not found.")
        return self.ask("INCRBY", key, delta, write=True)

    def set_many(self, data, timeout):
        """One MULTI … EXEC: every value, and each one's expiry, or none."""
        values = [part for key, value in data.items() for part in (key, self._serializer.dumps(value))]
        expiries = [] if timeout is None else [("EXPIRE", key, timeout) for key in data]
        *_, applied = self._connections[0].ask(("MULTI",), ("MSET", *values), *expiries, ("EXEC",))
        if not isinstance(applied, list) or any(isinstance(reply, Exception) for reply in applied):
            raise RedisFailed(f"MULTI … EXEC answered {applied!r:.80}")

    def delete_many(self, keys):
        self.ask("DEL", *keys, write=True)

    def clear(self):
        return bool(self.ask("FLUSHDB", write=True))


class RememberingSerializer(RedisSerializer):
    """Django's Redis serializer, keeping the values of small entries by their bytes (the same
    bytes are the same value), as the file cache does: the versions checked on every request
    are not unpickled every time."""

    REMEMBERED_BYTES = 4096  # the versions read on every request (a page's next 50 moments fit); not whole pages
    REMEMBERED_VALUES = 256
    NOT_READ = object()

    def __init__(self, protocol=None):
        super().__init__(protocol)
        self.read = {}

    def loads(self, data):
        if len(data) > self.REMEMBERED_BYTES:
            return super().loads(data)
        value = self.read.get(data, self.NOT_READ)
        if value is self.NOT_READ:
            value = super().loads(data)
            if unchangeable(value):
                if len(self.read) >= self.REMEMBERED_VALUES:
                    self.read.clear()
                self.read[data] = value
        return value


class BestEffortRedisCache(RedisCache):
    """Django's Redis cache (its keys, timeouts and serializer) on the site's own client, where
    a Redis failure costs a cache miss instead of an error.

    Options: `socket_connect_timeout` and `socket_timeout` (half a second by default, so a Redis
    that hangs is soon given up on), `failure_pause` (seconds to leave Redis alone after a
    failure), `remember_seconds` (how long a worker uses the versions it read without asking
    again: 0.1 s by default, 0 asks every time), `serializer`, and what an address may also
    say: `db`, `username`, `password`, `ssl_ca_certs`, `ssl_cert_reqs`."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.failure_pause = float(options.pop("failure_pause", DEFAULT_FAILURE_PAUSE))
        self.remembers_for = remember_seconds(options.pop("remember_seconds", DEFAULT_REMEMBER_SECONDS))
        self.remembered, self.forget_at = {}, 0.0
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("serializer", RememberingSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        # Made now, not when first used as Django's: an option it does not take stops the start-up.
        self._cache = RedisClient(self._servers, **self._options)  # it connects when first asked
        self.health = health_of(self._servers)
        # Keys as stored, each checked once (Django checks every character of every key each time).
        self.stored_key = lru_cache(maxsize=1024)(self.make_and_validate_key)

    @property
    def available(self):
        """False from a failure until Redis answers again: the API's rate limit counts in this
        process meanwhile."""
        return not self.health.failing

    def _or(self, answer_if_failing, operation, *args, even_if_left_alone=False):
        """operation(*args), or `answer_if_failing` when Redis fails or has just failed (unless
        `even_if_left_alone`: then it is tried all the same)."""
        if not (even_if_left_alone or self.health.may_ask()):
            return answer_if_failing
        try:
            result = operation(*args)
        except RedisFailed as error:
            self.health.failed(error, self.failure_pause)
            return answer_if_failing
        self.health.answered()
        return result

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        """As RedisCache.get_many: what every cached page asks, for the versions of what it shows."""
        stored = {self.stored_key(key, version): key for key in keys}
        found = self._or({}, self._cache.get_many, list(stored)) if stored else {}
        return {stored[key]: value for key, value in found.items()}

    def get_many_remembered(self, keys, version=None):
        """As get_many, but what this worker read less than `remembers_for` seconds ago is not
        asked again (procedures.models.freshness: the versions every cached page checks)."""
        now = time.monotonic()
        if now >= self.forget_at:
            self.remembered, self.forget_at = {}, now + self.remembers_for
        stored = {self.stored_key(key, version): key for key in keys}
        if missing := [key for key in stored if key not in self.remembered]:
            found = self._or(None, partial(self._cache.get_many, from_first=True), missing)
            if found is not None:  # None: failing, nothing new to remember
                if len(self.remembered) + len(missing) > REMEMBERED_KEYS:
                    self.remembered = {}
                self.remembered.update((key, found.get(key, NOTHING)) for key in missing)
        return {stored[key]: value for key in stored if (value := self.remembered.get(key, NOTHING)) is not NOTHING}

    def forget(self, keys):
        for key in keys:
            self.remembered.pop(key, None)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    # A write forgets what this worker remembers of the key: it reads what it wrote.

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.forget([self.stored_key(key, version)])
        self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Returns the keys not set. What a save writes (models.freshness: the new versions) is
        tried even while Redis is left alone after a failure: other servers may still be reading
        the old versions from it, and a save answers only once they cannot."""
        self.forget([self.stored_key(key, version) for key in data])
        return self._or(list(data), super().set_many, data, timeout, version, even_if_left_alone=True)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.forget([self.stored_key(key, version)])
        return self._or(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        not_found = object()
        value = self._or(not_found, super().incr, key, delta, version)
        if value is not_found:
            raise ValueError(f"Key '{key}' not found (the cache is failing).")  # as for a missing key
        return value

    def delete(self, key, version=None):
        self.forget([self.stored_key(key, version)])
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self.forget([self.stored_key(key, version) for key in keys])
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        self.remembered = {}
        return self._or(False, super().clear)

    # get_or_set, decr, incr_version and the async methods are built on the ones above.
