"""The cache backends' own promises: the default file cache and Redis answer exactly what they
hold now, whoever wrote it (another web worker, the task worker), though each worker keeps
what it read; Redis commands reuse one client."""

import datetime
import gzip
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.cache.backends import filebased
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import Client

from procedures.http import cache_backends, file_cache, redis_connection
from procedures.http.cache_backends import BestEffortRedisCache
from procedures.http.file_cache import RememberingFileCache
from procedures.http.page_cache import Entry
from procedures.models import freshness
from procedures.models.freshness import Stamp
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory
from tests.helpers import change_url
from tests.html import form_fields, text
from tests.http import test_faults

MOMENT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
own_redis = test_faults.redis_server  # the fixture: a Redis of the test's own, on a port of its own


def stamp(version):
    return Stamp(version, MOMENT, MOMENT, None, ())


def worker_caches(directory, count=2):
    """What the web workers of one server have: each its own cache object, on the same files."""
    return [RememberingFileCache(str(directory), {"KEY_PREFIX": "mesocare"}) for _ in range(count)]


def test_without_cache_url_the_site_uses_the_file_cache_that_remembers_what_it_read():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mesocare.settings", "SECRET_KEY": "x" * 50}
    env.pop("CACHE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1] == "procedures.http.file_cache.RememberingFileCache", result.stderr


def test_a_worker_reads_every_version_another_one_writes_however_quickly(tmp_path):
    writer, reader = worker_caches(tmp_path)
    for number in range(300):  # same-sized files, written faster than a file's modification time moves
        version = f"{number:032x}"
        writer.set("version:site", stamp(version), 60)
        assert reader.get("version:site").version == version
        assert reader.get_many(["version:site", "version:page:x"]) == {"version:site": stamp(version)}


def test_a_deleted_or_cleared_entry_is_gone_for_every_worker(tmp_path):
    writer, reader = worker_caches(tmp_path)
    writer.set("version:site", stamp("one"), 60)
    assert reader.get("version:site") == stamp("one")
    writer.delete("version:site")
    assert reader.get("version:site") is None
    writer.set("version:site", stamp("two"), 60)
    assert reader.get("version:site") == stamp("two")
    writer.clear()
    assert reader.get("version:site", "missing") == "missing"


def test_an_entry_past_its_time_is_a_miss_though_it_was_read_before(tmp_path, monkeypatch):
    (cache,) = worker_caches(tmp_path, 1)
    cache.set("version:site", stamp("one"), 30)
    assert cache.get("version:site") == stamp("one")
    later = file_cache.time.time() + 31
    monkeypatch.setattr(file_cache.time, "time", lambda: later)
    assert cache.get("version:site") is None
    assert not cache.has_key("version:site")


def test_a_list_it_hands_out_can_be_changed_without_changing_the_cache(tmp_path):
    (cache,) = worker_caches(tmp_path, 1)
    cache.set("history", [3.0, 2.0, 1.0], 60)  # as the API's rate limit keeps its counts
    cache.get("history").pop()
    assert cache.get("history") == [3.0, 2.0, 1.0]


def test_large_entries_are_read_as_django_reads_them(tmp_path):
    writer, reader = worker_caches(tmp_path)
    page = os.urandom(40_000)
    writer.set("answer:page", page, 60)
    assert reader.get("answer:page") == page
    writer.set("answer:page", b"short", 60)
    assert reader.get("answer:page") == b"short"


def test_with_the_file_cache_an_edit_reaches_the_next_request(client, db, settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": "procedures.http.file_cache.RememberingFileCache", "LOCATION": str(tmp_path)}}
    procedure = ProcedureFactory(risks="Some bruising.")
    client.get(procedure.get_absolute_url())
    assert client.get(procedure.get_absolute_url())["X-Cache"] == "hit"
    for number in range(5):
        procedure.risks = f"Some bruising, version {number}."
        save_content(procedure)
        response = client.get(procedure.get_absolute_url())
        assert response["X-Cache"] == "miss" and f"version {number}." in text(response)
    cache.clear()


def redis_clients(own_redis):
    """The clients connected to that Redis, from its own list, but for the one asking."""
    return own_redis.ask("CLIENT", "LIST").decode().splitlines()[:-1]


def test_redis_commands_share_one_connection_per_server_and_keep_what_django_promises(own_redis):
    backend = BestEffortRedisCache(own_redis.url, {"KEY_PREFIX": "mesocare"})
    assert backend.add("count", 1, 60) and not backend.add("count", 5, 60)
    assert backend.incr("count", 2) == 3 and backend.get("count") == 3
    with pytest.raises(ValueError, match="not found"):
        backend.incr("nothing")
    backend.set("forever", "kept", None)
    assert own_redis.ask("TTL", backend.make_key("forever")) == -1
    assert backend.touch("forever", 30) and 0 < own_redis.ask("TTL", backend.make_key("forever")) <= 30
    assert backend.touch("forever", None) and own_redis.ask("TTL", backend.make_key("forever")) == -1
    assert not backend.touch("nothing", 30)
    assert backend.set_many({"a": [1], "b": "two"}, 30) == []
    assert backend.get_many(["a", "b", "nothing"]) == {"a": [1], "b": "two"}
    assert 0 < own_redis.ask("TTL", backend.make_key("b")) <= 30
    assert backend.has_key("a") and backend.delete("a") and not backend.has_key("a")
    backend.set("b", "gone", 0)
    assert backend.get("b", "missing") == "missing"
    assert backend.add("gone-at-once", 1, 0) and not backend.has_key("gone-at-once")
    backend.delete_many(["count", "forever"])
    assert own_redis.keys() == 0
    assert len(redis_clients(own_redis)) == 1


def test_the_cache_uses_the_database_and_password_its_address_gives(own_redis):
    own_redis.require_password("s3cret/with:odd@characters")
    address = own_redis.url.replace("redis://", "redis://:s3cret%2Fwith%3Aodd%40characters@").replace("/0", "/3")
    backend = BestEffortRedisCache(address, {})
    backend.set("version:site", stamp("1" * 32), 60)
    assert backend.get("version:site") == stamp("1" * 32) and backend.available
    wrong = BestEffortRedisCache(address.replace("s3cret", "guess"), {})
    assert wrong.get("version:site") is None and not wrong.available  # a miss, and the site goes on without it
    assert own_redis.keys() == 0  # in database 0
    assert "db3:keys=1," in own_redis.ask("INFO", "keyspace").decode()


def test_the_cache_can_reach_redis_through_a_unix_socket(own_redis):
    backend = BestEffortRedisCache(f"unix://{own_redis.socket_path}?db=2", {})
    backend.set("version:site", stamp("1" * 32), 60)
    assert backend.get_many(["version:site"]) == {"version:site": stamp("1" * 32)}
    assert "db2:keys=1," in own_redis.ask("INFO", "keyspace").decode()


def test_an_option_the_redis_client_does_not_know_stops_the_site_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="Redis options not understood: retry_on_timeout"):
        BestEffortRedisCache("redis://127.0.0.1:6379/0", {"OPTIONS": {"retry_on_timeout": True}})
    with pytest.raises(ImproperlyConfigured, match="redis://, rediss:// or unix://") as refused:
        BestEffortRedisCache("http://user:s3cret@127.0.0.1:6379/0", {})
    assert "s3cret" not in str(refused.value)
    for timeout in (0, "soon"):
        with pytest.raises(ImproperlyConfigured, match="socket_timeout is a number of seconds more than 0"):
            BestEffortRedisCache("redis://127.0.0.1:6379/0", {"OPTIONS": {"socket_timeout": timeout}})
    with pytest.raises(ImproperlyConfigured, match="A Redis database is a number, not 'cache'"):
        BestEffortRedisCache("redis://127.0.0.1:6379/cache", {})
    with pytest.raises(ImproperlyConfigured, match="ssl_cert_reqs is required, optional or none"):
        BestEffortRedisCache("rediss://127.0.0.1:6379/0?ssl_cert_reqs=sometimes", {})


def test_with_several_servers_writes_go_to_the_first_and_reads_to_the_others(own_redis):
    primary, replica = own_redis.url, own_redis.url.replace("/0", "/1")  # two databases stand for two servers
    backend = BestEffortRedisCache(f"{primary},{replica}", {})
    backend.set("version:site", stamp("1" * 32), 60)
    assert own_redis.keys() == 1 and backend.get("version:site") is None  # the replica has not got it
    BestEffortRedisCache(replica, {}).set("version:site", stamp("2" * 32), 60)  # as replication would
    assert backend.get_many(["version:site"]) == {"version:site": stamp("2" * 32)}
    # The versions every page checks come from the first: a replica may lag behind a save.
    assert backend.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}
    not_remembering = BestEffortRedisCache(f"{primary},{replica}", {"OPTIONS": {"remember_seconds": 0}})
    assert not_remembering.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}


@pytest.fixture
def redis_over_tls(tmp_path):
    """A Redis that speaks only TLS, with a certificate for localhost signed by nobody anyone trusts."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: it makes the test's certificate")
    certificate, key = tmp_path / "certificate.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    server = test_faults.RedisServer(test_faults.redis_server_program(), tmp_path)
    server.options = ["--port", "0", "--tls-port", str(server.port), "--tls-auth-clients", "no"]  # TLS only, on its port
    server.options += ["--tls-cert-file", str(certificate), "--tls-key-file", str(key)]
    server.start()
    try:
        yield server, certificate
    finally:
        server.stop()


def test_the_cache_reaches_redis_over_tls_and_checks_its_certificate(redis_over_tls):
    server, certificate = redis_over_tls
    address = f"rediss://localhost:{server.port}/0"
    trusting = BestEffortRedisCache(f"{address}?ssl_ca_certs={certificate}", {})
    trusting.set("version:site", stamp("1" * 32), 60)
    assert trusting.get_many(["version:site"]) == {"version:site": stamp("1" * 32)} and trusting.available
    unchecked = BestEffortRedisCache(f"{address}?ssl_cert_reqs=none", {})
    assert unchecked.get("version:site") == stamp("1" * 32)
    doubting = BestEffortRedisCache(address, {})  # the certificate is signed by no authority it knows
    assert doubting.get("version:site") is None and not doubting.available
    elsewhere = BestEffortRedisCache(f"rediss://127.0.0.1:{server.port}/0?ssl_ca_certs={certificate}", {})
    assert elsewhere.get("version:site") is None and not elsewhere.available  # the certificate is for localhost


@pytest.mark.parametrize("ssl_cert_reqs", [None, ssl.CERT_NONE, "none", "CERT_NONE"])
def test_every_way_redis_py_takes_of_not_checking_the_certificate_is_understood(redis_over_tls, ssl_cert_reqs):
    server, _ = redis_over_tls
    backend = BestEffortRedisCache(f"rediss://localhost:{server.port}/0", {"OPTIONS": {"ssl_cert_reqs": ssl_cert_reqs}})
    backend.set("version:site", stamp("1" * 32), 60)
    assert backend.get("version:site") == stamp("1" * 32) and backend.available


def test_over_tls_each_connection_is_made_once_though_session_tickets_wait_on_it(redis_over_tls):
    """Redis sends TLS session tickets after the handshake: a connection that finds them
    waiting is still good, not one to throw away and make again."""
    server, certificate = redis_over_tls
    admin = redis_connection.Connection(f"rediss://localhost:{server.port}/0", ssl_ca_certs=str(certificate))

    def connections_made():
        (stats,) = admin.ask(("INFO", "stats"))
        return int(stats.decode().split("total_connections_received:")[1].split()[0])

    before = connections_made()
    fresh = redis_connection.Connection(f"rediss://localhost:{server.port}/0", ssl_ca_certs=str(certificate))
    fresh.connect()
    time.sleep(0.2)  # the tickets have come, unread: nothing has been asked yet
    assert fresh.usable() and fresh.ask(("PING",)) == [b"PONG"]
    assert connections_made() - before == 1

    admin.ask(("CONFIG", "SET", "requirepass", "secret"), ("AUTH", "secret"))
    address = f"rediss://:secret@localhost:{server.port}/3?ssl_ca_certs={certificate}"
    before = connections_made()
    for number in range(20):
        backend = BestEffortRedisCache(address, {})  # a password and a database: commands before the first asked
        backend.set("version:site", stamp(f"{number:032x}"), 60)
        assert backend.get_many(["version:site"]) == {"version:site": stamp(f"{number:032x}")}
    assert connections_made() - before == 20


def test_an_error_inside_a_transaction_counts_as_a_failure_and_leaves_the_connection_in_step(own_redis):
    backend = BestEffortRedisCache(own_redis.url, {"OPTIONS": {"failure_pause": 0}})
    backend.set("before", "kept", 60)
    own_redis.ask("CONFIG", "SET", "maxmemory", "1")  # every write is refused: out of memory
    assert backend.set_many({"a": 1, "b": 2}, 60) == ["a", "b"]
    own_redis.ask("CONFIG", "SET", "maxmemory", "0")
    assert backend.get("before") == "kept" and backend.get("a") is None


def test_a_forked_worker_never_shares_the_connection_its_parent_opened(own_redis):
    """gunicorn --preload forks its workers from a process that may have used the cache: a
    shared socket would hand one process the other's replies."""
    backend = BestEffortRedisCache(own_redis.url, {})
    connection = backend._cache._connections[0]
    (parents,) = connection.ask(("CLIENT", "ID"))
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        (childs,) = connection.ask(("CLIENT", "ID"))
        os.write(writing, str(childs).encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert int(os.read(reading, 100)) != parents
    assert connection.ask(("CLIENT", "ID")) == [parents]  # the parent's connection, untouched


def test_a_command_cut_off_by_an_interrupt_never_hands_its_reply_to_the_next(own_redis, monkeypatch):
    backend = BestEffortRedisCache(own_redis.url, {"OPTIONS": {"socket_timeout": 5}})
    backend.set_many({"first": "one", "second": "two"}, 60)
    own_redis.hang()  # the reply to the next command comes only once Redis goes on

    def interrupted(connection):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(redis_connection.Connection, "reply", interrupted)
        with pytest.raises(KeyboardInterrupt):
            backend.get("first")  # sent, its reply not read
    threading.Timer(0.2, own_redis.process.send_signal, [signal.SIGCONT]).start()
    assert backend.get("second") == "two"


def test_with_redis_a_worker_reads_every_version_another_one_writes(own_redis):
    writer, reader = (BestEffortRedisCache(own_redis.url, {"KEY_PREFIX": "mesocare"}) for _ in range(2))
    for number in range(100):
        version = f"{number:032x}"
        writer.set("version:site", stamp(version), 60)
        assert reader.get_many(["version:site"]) == {"version:site": stamp(version)}
    writer.set("history", [3.0, 2.0, 1.0], 60)
    reader.get("history").pop()
    assert reader.get("history") == [3.0, 2.0, 1.0]
    writer.set("count", 1, 60)
    assert reader.incr("count") == 2 and writer.get("count") == 2


def test_a_reply_that_comes_too_late_is_never_taken_for_the_next_ones(own_redis):
    """The versions are read with one MGET on a connection kept for it (the fast path every
    cached page takes): a connection whose reply did not come in time is closed, so the late
    reply can never be read as the answer to the next request's MGET."""
    backend = BestEffortRedisCache(own_redis.url, {"OPTIONS": {"socket_timeout": 0.2, "failure_pause": 0}})
    backend.set_many({"version:site": stamp("1" * 32), "version:page:mesotherapy": stamp("2" * 32)}, 60)
    assert backend.get_many(["version:site"]) == {"version:site": stamp("1" * 32)}
    own_redis.hang()
    assert backend.get_many(["version:site"]) == {}  # timed out: a miss, the page is built from the database
    own_redis.process.send_signal(signal.SIGCONT)
    time.sleep(0.2)  # Redis sends its reply to the MGET that timed out
    assert backend.get_many(["version:page:mesotherapy"]) == {"version:page:mesotherapy": stamp("2" * 32)}
    assert backend.get_many(["version:site", "nothing"]) == {"version:site": stamp("1" * 32)}


def test_a_copy_read_before_a_save_never_replaces_the_one_written_after_it(tmp_path, monkeypatch):
    writer, reader = worker_caches(tmp_path)
    assert reader.add("version:site", stamp("old"), 60)  # nothing there yet
    writer.set("version:site", stamp("new"), 60)  # a save, after the reader read the database
    monkeypatch.setattr(RememberingFileCache, "has_key", lambda *args: False)  # the reader looked before that
    assert not reader.add("version:site", stamp("old"), 60)
    assert reader.get("version:site") == stamp("new")


def test_an_expired_copy_is_replaced_by_add(tmp_path, monkeypatch):
    (cache,) = worker_caches(tmp_path, 1)
    cache.set("version:site", stamp("old"), 30)
    later = file_cache.time.time() + 31
    monkeypatch.setattr(file_cache.time, "time", lambda: later)
    monkeypatch.setattr(filebased.time, "time", lambda: later)
    assert cache.add("version:site", stamp("new"), 60)
    assert cache.get("version:site") == stamp("new")


def test_an_answer_it_hands_out_is_never_shared_if_it_holds_a_dict(tmp_path):
    (cache,) = worker_caches(tmp_path, 1)
    cache.set("answer:robots", Entry("etag", 200, (), b"User-agent: *", {}), 60)
    cache.get("answer:robots").encoded["gzip"] = b"changed by a caller"
    assert cache.get("answer:robots").encoded == {}


def test_a_connection_redis_closed_while_idle_costs_no_miss(own_redis):
    """Redis hangs up on idle clients (its `timeout`, a restart, a proxy in between): the next
    request still reads the versions, over a new connection, and nothing counts as a failure."""
    backend = BestEffortRedisCache(own_redis.url, {"OPTIONS": {"failure_pause": 60}})
    backend.set("version:site", stamp("1" * 32), 60)
    assert backend.get_many(["version:site"]) == {"version:site": stamp("1" * 32)}
    assert own_redis.ask("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    assert backend.get_many(["version:site"]) == {"version:site": stamp("1" * 32)}
    assert backend.available


# Each worker remembers the versions it read, for a moment ------------------------------------


def commands_processed(own_redis):
    """How many commands Redis has answered, not counting the one that asks."""
    stats = own_redis.ask("INFO", "stats").decode()
    return int(stats.split("total_commands_processed:")[1].split()[0])


class Clock:
    """time.monotonic() as the cache backends see it, moved on only by the test."""

    def __init__(self):
        self.now = time.monotonic()

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cache_backends, "time", clock)
    return clock


def test_with_redis_a_worker_remembers_the_versions_it_read_for_a_moment(own_redis, clock):
    options = {"remember_seconds": 0.3}
    writer, reader = (BestEffortRedisCache(own_redis.url, {"KEY_PREFIX": "mesocare", "OPTIONS": options}) for _ in range(2))
    both = ["version:site", "version:page:x"]
    writer.set("version:site", stamp("1" * 32), 60)
    assert reader.get_many_remembered(both) == {"version:site": stamp("1" * 32)}
    before = commands_processed(own_redis)
    for _ in range(50):
        assert reader.get_many_remembered(both) == {"version:site": stamp("1" * 32)}
    assert commands_processed(own_redis) - before == 1, "only the count's own question: no read asked Redis"

    writer.set_many({"version:site": stamp("2" * 32), "version:page:x": stamp("3" * 32)}, 60)
    clock.now += 0.29
    assert reader.get_many_remembered(both) == {"version:site": stamp("1" * 32)}  # for the moment
    clock.now += 0.01
    assert reader.get_many_remembered(both) == {"version:site": stamp("2" * 32), "version:page:x": stamp("3" * 32)}
    writer.delete("version:site")
    clock.now += 0.3
    assert reader.get_many_remembered(both) == {"version:page:x": stamp("3" * 32)}

    reader.set("version:site", stamp("4" * 32), 60)  # what a worker writes, it reads at once
    assert reader.get_many_remembered(both) == {"version:site": stamp("4" * 32), "version:page:x": stamp("3" * 32)}
    reader.delete_many(["version:page:x"])
    assert reader.get_many_remembered(both) == {"version:site": stamp("4" * 32)}
    assert len(redis_clients(own_redis)) == 2


def test_a_worker_uses_what_it_remembers_while_redis_fails_for_that_moment_only(own_redis, clock):
    options = {"remember_seconds": 0.3, "socket_timeout": 0.2, "failure_pause": 0}
    reader = BestEffortRedisCache(own_redis.url, {"OPTIONS": options})
    reader.set("version:site", stamp("1" * 32), 60)
    assert reader.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}
    own_redis.hang()
    try:
        assert reader.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}
        assert reader.get_many_remembered(["version:site", "version:page:x"]) == {"version:site": stamp("1" * 32)}
        assert not reader.available  # it asked for the one it did not remember: no answer in time
        clock.now += 0.3
        assert reader.get_many_remembered(["version:site"]) == {}  # the moment is over: a miss
    finally:
        own_redis.process.send_signal(signal.SIGCONT)
    assert reader.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}
    assert reader.available


def test_remembering_can_be_turned_off(own_redis):
    backend = BestEffortRedisCache(own_redis.url, {"OPTIONS": {"remember_seconds": 0}})
    writer = BestEffortRedisCache(own_redis.url, {})
    writer.set("version:site", stamp("1" * 32), 60)
    assert backend.get_many_remembered(["version:site"]) == {"version:site": stamp("1" * 32)}
    writer.set("version:site", stamp("2" * 32), 60)
    assert backend.get_many_remembered(["version:site"]) == {"version:site": stamp("2" * 32)}
    with pytest.raises(ImproperlyConfigured, match="remember_seconds is a number of seconds"):
        BestEffortRedisCache(own_redis.url, {"OPTIONS": {"remember_seconds": "soon"}})


class OtherWorker:
    """Another web worker, as a thread of its own: its own cache, connection and memory."""

    def __init__(self):
        self.thread = ThreadPoolExecutor(1)

    def serves(self, path):
        """What a browser gets (compressed) from this worker, and the text it shows."""
        asked = self.thread.submit(lambda: Client().get(path, headers={"Accept-Encoding": "gzip"}))
        served = asked.result()
        return served, text(SimpleNamespace(content=gzip.decompress(served.content)))

    def stop(self):
        self.thread.submit(lambda: connection.close()).result()
        self.thread.shutdown()


@pytest.fixture
def other_workers():
    workers = []
    yield lambda: workers.append(OtherWorker()) or workers[-1]
    for worker in workers:
        worker.stop()


@pytest.mark.django_db(transaction=True)
def test_with_redis_an_editors_save_answers_once_no_worker_shows_the_old_page(
    own_redis, settings, other_workers, editor_client, monkeypatch
):
    """Another worker remembered the versions a moment before the save: the save answers only
    once that moment is over, so the very next request shows the new text."""
    test_faults.use_redis(settings, own_redis, remember_seconds=1)
    procedure = ProcedureFactory(risks="Before the save.")
    path = procedure.get_absolute_url()
    other = other_workers()
    assert [other.serves(path)[0]["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    with monkeypatch.context() as frozen:  # however slowly this machine serves it: within the moment
        frozen.setattr(cache_backends, "time", Clock())
        other.serves(path)
        before = commands_processed(own_redis)
        served, shown = other.serves(path)
        assert served["X-Cache"] == "hit" and "Before the save." in shown
        assert commands_processed(own_redis) - before == 1, "a cached page should not ask Redis anything"

    edit = {**form_fields(editor_client.get(change_url(procedure))), "risks": "After the save."}
    assert editor_client.post(change_url(procedure), edit).status_code == 302
    served, shown = other.serves(path)
    assert "After the save." in shown and "Before the save." not in shown


@pytest.mark.django_db(transaction=True)
def test_with_redis_once_a_worker_showed_the_new_page_no_worker_shows_the_old(own_redis, settings, other_workers, monkeypatch):
    """A worker that read the versions just before a change may use them a moment longer: a
    worker that sees the new ones first waits that moment out before it shows them, once."""
    test_faults.use_redis(settings, own_redis, remember_seconds=1)
    procedure = ProcedureFactory(risks="Before the change.")
    path = procedure.get_absolute_url()
    freshness.stamps(["site", freshness.page_scope(procedure.slug)])  # this process has seen them: no wait below
    remembers_old, sees_new_first = other_workers(), other_workers()
    for _ in range(2):  # the second time, from what it read a moment ago
        assert "Before the change." in remembers_old.serves(path)[1]
    procedure.risks = "After the change."
    save_content(procedure)  # the save itself, without its request (the background worker, say)
    waits = []
    really = SimpleNamespace(time=time.time, monotonic=time.monotonic, sleep=lambda s: waits.append(s) or time.sleep(s))
    monkeypatch.setattr(freshness, "time", really)
    new, shown = sees_new_first.serves(path)
    assert "After the change." in shown
    old_worker_now, shown = remembers_old.serves(path)
    assert "After the change." in shown and old_worker_now["ETag"] == new["ETag"], "labelled as the new page, for every cache"
    assert "After the change." in sees_new_first.serves(path)[1]
    assert waits == [1], "one wait, by the first worker to see the new versions"


def test_which_versions_a_worker_waits_for_before_it_first_shows_them(own_redis, settings, transactional_db, monkeypatch):
    """A copy written just now may have replaced one another worker still uses: wait. One written
    long before: no worker still remembers an older one, no wait (a worker that starts). One read
    from the database (no copy) may have just committed, however long ago it was begun: wait."""
    test_faults.use_redis(settings, own_redis, remember_seconds=0.5)
    waits = []
    monkeypatch.setattr(freshness, "time", SimpleNamespace(time=time.time, monotonic=time.monotonic, sleep=waits.append))
    monkeypatch.setattr(freshness, "seen_here", {})
    freshness.new_version(["site"])
    freshness.refresh_copies(["site"])
    freshness.stamps(["site"])
    assert waits == [0.5]  # written just now
    freshness.stamps(["site"])
    assert waits == [0.5]  # once

    monkeypatch.setattr(freshness, "seen_here", {})
    later = time.time() + 0.5 + freshness.CLOCKS_AGREE_WITHIN
    monkeypatch.setattr(freshness.time, "time", lambda: later)
    freshness.stamps(["site"])
    assert waits == [0.5]  # written long before

    monkeypatch.setattr(freshness, "seen_here", {})
    cache.clear()  # no copy: read from the database
    freshness.stamps(["site"])
    assert waits == [0.5, 0.5]

    monkeypatch.setattr(freshness, "seen_here", {})
    with transaction.atomic():  # an editor's preview: nothing waits while it holds the database's locks
        freshness.stamps(["site"])
    assert waits == [0.5, 0.5]
