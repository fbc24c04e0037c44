"""Redis as a cache the site can do without. The cache only makes pages faster, so when Redis
fails (refused, reset, timed out, or answering with an error) a read is a miss and a write is
dropped: the page is built from the database instead, and nobody sees an error page.

After a failure Redis is left alone for a few seconds (`failure_pause`), so that each request
does not wait for its own timeout; then the next operation tries again. The log gets one
warning a minute at most while Redis is failing, and one line when it answers again."""

import logging
import os
import threading
import time
from functools import lru_cache
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.exceptions import InvalidResponse, RedisError

from .file_cache import unchangeable

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60
DEFAULT_FAILURE_PAUSE = 5.0
DEFAULT_SOCKET_TIMEOUT = 0.5  # a healthy Redis answers in about a millisecond


def without_password(server):
    parts = urlsplit(server)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


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


class OneClientPerPool(RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per connection pool: Django makes a new
    one for every command, which costs more than a cached page's own work."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._versions_connection = None  # Django gives each thread a cache, and so a client, of its own

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get_many(self, keys):
        """One MGET, on a connection kept for it, without redis-py's machinery around each
        command and each turn of its pool (retries, metrics, events), which costs more than the
        command itself: every cached page asks this once, for the versions of what it shows. A
        failure is a RedisError as from the client (BestEffortRedisCache makes it a miss), and
        the connection it left half-read is closed: the next call connects anew."""
        connection = self._connection_for_versions()
        try:
            connection.send_command("MGET", *keys)
            values = connection.read_response()
            if not isinstance(values, list) or len(values) != len(keys):
                raise InvalidResponse(f"MGET of {len(keys)} keys answered {values!r:.80}")
        except BaseException:
            connection.disconnect()
            raise
        return {key: self._serializer.loads(value) for key, value in zip(keys, values, strict=True) if value is not None}

    def _connection_for_versions(self):
        """The connection get_many keeps, made as the pool makes its own (anew in a forked
        process); closed first, as the pool does, if Redis hung up on it while it was idle (a
        restart, an idle timeout) or something was left to read: sending then connects again."""
        connection = self._versions_connection
        if connection is None or connection.pid != os.getpid():
            pool = self._get_connection_pool(write=False)
            connection = self._versions_connection = pool.connection_class(**pool.connection_kwargs)
        connection.connect()  # if it is not connected; a Redis that does not answer raises, a miss
        try:
            stale = connection.can_read()
        except (RedisError, OSError):
            stale = True
        if stale:
            connection.disconnect()  # sending connects it again
        return connection


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
    """Django's Redis cache, where a Redis failure costs a cache miss instead of an error.

    Options beside redis-py's: `failure_pause`, seconds to leave Redis alone after a failure.
    Socket timeouts default to half a second, so a Redis that hangs is soon given up on."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.failure_pause = float(options.pop("failure_pause", DEFAULT_FAILURE_PAUSE))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("serializer", RememberingSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        self.health = health_of(self._servers)
        # Keys as stored, each checked once (Django checks every character of every key each time).
        self.stored_key = lru_cache(maxsize=1024)(self.make_and_validate_key)

    @property
    def available(self):
        """False from a failure until Redis answers again: the API's rate limit counts in this
        process meanwhile."""
        return not self.health.failing

    def _or(self, answer_if_failing, operation, *args, **kwargs):
        """operation(*args, **kwargs), or `answer_if_failing` when Redis fails or has just failed."""
        if not self.health.may_ask():
            return answer_if_failing
        try:
            result = operation(*args, **kwargs)
        except RedisError as error:
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

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), super().set_many, data, timeout, version)  # the keys not set

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
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
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        return self._or(False, super().clear)

    # get_or_set, decr, incr_version and the async methods are built on the ones above.
