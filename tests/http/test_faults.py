"""Faults do not take the site down (issue 10): with Redis stopped or hanging, every page is
served uncached and the API still limits each client; with the database down, visitors get a
plain 503 page with Retry-After. Each with a real Redis or a real server, started and stopped
here on ports of their own."""

import datetime
import fcntl
import logging
import os
import pickle
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import hiredis
import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.utils import OperationalError
from django.urls import path
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mesocare import urls as site_urls
from procedures.api import policies
from procedures.http import cache_backends, faults
from procedures.http.redis_connection import RedisFailed
from procedures.models import Procedure, freshness
from procedures.models.freshness import ContentVersion
from procedures.publishing.content import save_content
from procedures.publishing.freshness import refresh_copies_later
from tests.html import page as parsed

PUBLIC = ["/", "/procedures/mesotherapy/", "/search/?q=hair+loss", "/api/v1/procedures/", "/api/v1/procedures/mesotherapy/"]
CACHE_LOG = "procedures.http.cache_backends"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, seconds, what):
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


def answers_on(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# A real Redis ----------------------------------------------------------------------------


def redis_server_program():
    """Debian's redis-server, installed with apt where it is missing and we may."""
    if program := shutil.which("redis-server"):
        return program
    if not (shutil.which("apt-get") and os.geteuid() == 0):
        pytest.skip("redis-server is not installed, and apt-get cannot install it here (apt-get install redis-server)")
    with open(os.path.join(tempfile.gettempdir(), "mesocare-redis.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other test worker may be installing it right now
        if not shutil.which("redis-server"):
            quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
            subprocess.run(["apt-get", "update", "-q"], check=True, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True, **quiet)
    return shutil.which("redis-server")


class RedisServer:
    """A throw-away Redis on a port of its own, nothing saved to disk."""

    def __init__(self, program, directory):
        self.program, self.directory = program, directory
        self.options = []  # more of redis-server's, after the site's own
        self.port = free_port()
        self.process = None
        self.password = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def socket_path(self):
        return self.directory / "redis.sock"

    def start(self):
        command = [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--unixsocket", str(self.socket_path), *self.options]
        self.process = subprocess.Popen([*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL)
        wait_until(lambda: answers_on(self.port), 10, f"Redis answering on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # in case a test left it hanging
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not answers_on(self.port), 5, f"Redis leaving port {self.port}")

    def hang(self):
        """Still accepts connections (the kernel does that), never answers: as a Redis that is swapping or stuck."""
        self.process.send_signal(signal.SIGSTOP)

    def keys(self):
        return self.ask("DBSIZE")

    def ask(self, *command):
        """Redis's reply to one command, sent as redis-cli sends it, on a connection of its own
        to database 0."""
        commands = [("AUTH", self.password), command] if self.password else [command]
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as connection:
            connection.sendall(b"".join(hiredis.pack_command(each) for each in commands))
            reader = hiredis.Reader()
            replies = []
            while len(replies) < len(commands):
                while (reply := reader.gets()) is False:
                    reader.feed(connection.recv(65536))
                replies.append(reply)
            return replies[-1]

    def require_password(self, password):
        self.ask("CONFIG", "SET", "requirepass", password)
        self.password = password


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(redis_server_program(), tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def use_redis(settings, server, **options):
    """Point the site's cache at this Redis (changing CACHES makes Django build its caches anew)."""
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "failure_pause": 0.2, **options}
    backend = "procedures.http.cache_backends.BestEffortRedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": server.url, "KEY_PREFIX": "mesocare", "OPTIONS": options}}


@pytest.fixture(autouse=True)
def fresh_health_and_counts(monkeypatch):
    """No test inherits another's view of a Redis (ports are reused) or its rate-limit counts."""
    monkeypatch.setattr(cache_backends, "health_by_server", {})
    policies.PerClientRateThrottle.counted_here.clear()
    yield
    policies.PerClientRateThrottle.counted_here.clear()


def statuses(client, urls):
    return {url: client.get(url).status_code for url in urls}


def cache_warnings(caplog):
    return [record for record in caplog.records if record.name == CACHE_LOG and record.levelno == logging.WARNING]


def test_with_redis_stopped_every_page_is_served_uncached_and_redis_is_used_again_when_back(
    redis_server, settings, shipped_content, client, caplog
):
    use_redis(settings, redis_server)
    assert set(statuses(client, PUBLIC).values()) == {200}
    assert redis_server.keys() > 0, "the pages should be cached in Redis"

    caplog.set_level(logging.INFO, logger=CACHE_LOG)
    redis_server.stop()
    for _ in range(3):  # each round after the pause, so Redis is tried, and fails, again
        assert set(statuses(client, PUBLIC).values()) == {200}
        time.sleep(0.25)
    assert not cache.available
    assert len(cache_warnings(caplog)) == 1, "one warning a minute at most"
    assert "Connection refused" in cache_warnings(caplog)[0].getMessage()

    redis_server.start()
    time.sleep(0.25)  # the pause after the last failure
    assert set(statuses(client, PUBLIC).values()) == {200}
    assert cache.available
    assert redis_server.keys() > 0, "the pages should be cached in Redis again"
    assert any("answers again" in record.getMessage() for record in caplog.records if record.name == CACHE_LOG)


def test_with_redis_stopped_the_api_still_limits_each_client_in_each_process(redis_server, settings, shipped_content, client):
    use_redis(settings, redis_server)
    settings.API_RATE_LIMIT = "3/minute"
    redis_server.stop()
    answers = [client.get("/api/v1/procedures/") for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_a_redis_that_hangs_costs_one_short_timeout_not_one_per_request(redis_server, settings, shipped_content, client):
    use_redis(settings, redis_server, failure_pause=30)
    assert client.get("/").status_code == 200
    redis_server.hang()
    started = time.monotonic()
    for _ in range(2):
        assert set(statuses(client, PUBLIC).values()) == {200}
    # Without the pause every cache operation of every request waits 0.25 s: about 20 s in all.
    assert time.monotonic() - started < 5


def redis_out_of_reach_while(monkeypatch, action):
    """Redis refuses this server for the length of `action` (other servers still reach it)."""

    def refused(*args, **kwargs):
        raise RedisFailed("ConnectionRefusedError: [Errno 111] Connection refused")

    with monkeypatch.context() as out_of_reach:
        out_of_reach.setattr(cache_backends.Connection, "ask", refused)
        action()


def risks_shown(client):
    return parsed(client.get("/procedures/mesotherapy/")).find("section", id="risks-and-side-effects").get_text(" ")


def test_a_save_the_cache_did_not_hear_of_reaches_every_server_once_the_worker_has_tried_again(
    redis_server, settings, shipped_content, client, monkeypatch, run_worker, caplog
):
    """The editor saves while Redis is out of this server's reach: the new versions are in the
    database, but other servers still read the old ones' copies from Redis (for COPY_SECONDS).
    The background worker writes them as soon as Redis takes them."""
    use_redis(settings, redis_server, failure_pause=0)
    procedure = Procedure.objects.get(slug="mesotherapy")
    assert "Some bruising" not in risks_shown(client)
    procedure.risks = "Some bruising, which fades within a week."
    redis_out_of_reach_while(monkeypatch, lambda: save_content(procedure))
    assert "the background worker tries again" in caplog.text
    assert "Some bruising" not in risks_shown(client)  # what every server reads from Redis until then
    run_worker()
    assert "Some bruising" in risks_shown(client)


def test_the_worker_keeps_trying_until_redis_takes_the_new_versions(
    redis_server, settings, shipped_content, client, monkeypatch, run_worker
):
    use_redis(settings, redis_server, failure_pause=0)
    procedure = Procedure.objects.get(slug="mesotherapy")
    risks_shown(client)
    procedure.risks = "Some bruising, which fades within a week."
    redis_out_of_reach_while(monkeypatch, lambda: save_content(procedure))
    redis_out_of_reach_while(monkeypatch, run_worker)  # the worker cannot reach it either, yet
    again = DBTaskResult.objects.filter(status="READY", task_path__endswith="refresh_copies_later")
    assert again.count() == 2 and all(task.run_after > timezone.now() for task in again)  # the page's and the site's
    assert "Some bruising" not in risks_shown(client)
    again.update(run_after=timezone.now())  # their time has come
    run_worker()
    assert "Some bruising" in risks_shown(client)


def test_the_worker_tries_no_more_once_the_old_copies_have_expired(redis_server, settings, db, database_tasks, monkeypatch):
    use_redis(settings, redis_server, failure_pause=30)
    tries = []
    redis_out_of_reach_while(monkeypatch, lambda: tries.append(refresh_copies_later.call(["site"], time.time() + 60)))
    redis_out_of_reach_while(monkeypatch, lambda: tries.append(refresh_copies_later.call(["site"], time.time() - 1)))
    assert tries == ["to be tried again", "the old copies have expired"]
    (again,) = DBTaskResult.objects.filter(task_path__endswith="refresh_copies_later")
    assert again.run_after - timezone.now() > datetime.timedelta(seconds=25)  # not while the cache leaves Redis alone


def test_every_cache_operation_is_a_miss_or_does_nothing_when_redis_is_not_there(caplog):
    backend = cache_backends.BestEffortRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"failure_pause": 0}})
    assert backend.available
    assert backend.get("page", "missing") == "missing"
    assert not backend.available
    assert backend.get_many(["a", "b"]) == {}
    assert backend.get_many_remembered(["a", "b"]) == {}
    assert backend.get_or_set("footer", lambda: ["About"]) == ["About"]
    assert backend.has_key("page") is False
    assert backend.set("page", "html") is None
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert backend.add("page", "html") is False
    assert backend.touch("page") is False
    assert backend.delete("page") is False
    assert backend.delete_many(["a", "b"]) is None
    assert backend.clear() is False
    with pytest.raises(ValueError):
        backend.incr("count")
    with pytest.raises(ValueError):
        backend.decr("count")


def test_a_saves_new_versions_are_offered_to_redis_even_while_it_is_left_alone(redis_server, settings, db):
    """One timeout makes this worker leave Redis alone for a while; other servers still read the
    old versions from it meanwhile. An editor's save then still writes the new ones, so that it
    answers only once every server shows them, without waiting for the background worker."""
    use_redis(settings, redis_server, failure_pause=60, remember_seconds=0)
    old = freshness.read_stamps(["site"])["site"]
    cache.set(freshness.copy_key("site"), old, 60)
    redis_server.hang()
    try:
        assert cache.get("anything") is None and not cache.available  # timed out: left alone for a minute
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert cache.get(freshness.copy_key("site")) is None  # not asked
    freshness.new_version(["site"])
    assert freshness.refresh_copies(["site"])
    in_redis = pickle.loads(redis_server.ask("GET", cache.make_key(freshness.copy_key("site"))))  # noqa: S301 (our own test Redis)
    assert in_redis.version == ContentVersion.objects.get(scope="site").version


def test_with_redis_in_cache_url_the_site_uses_the_cache_it_can_do_without():
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], sorted(c['OPTIONS'].items()))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mesocare.settings", "SECRET_KEY": "x" * 50}
    env["CACHE_URL"] = "redis://127.0.0.1:6379/1?socket_timeout=2"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1] == (
        "procedures.http.cache_backends.BestEffortRedisCache "
        "[('failure_pause', 5.0), ('remember_seconds', 0.1), ('socket_connect_timeout', 0.5), ('socket_timeout', 2)]"
    ), result.stderr


# The database down -------------------------------------------------------------------------


def database_unreachable(request):
    try:
        psycopg.connect(host="127.0.0.1", port=free_port(), dbname="nothing", user="postgres", connect_timeout=2)
    except psycopg.OperationalError as error:
        raise OperationalError(*error.args) from error  # as Django wraps the driver's error


def missing_table(request):
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM nothing")
    except sqlite3.OperationalError as error:
        raise OperationalError(*error.args) from error


def broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("unreachable/", database_unreachable),
    path("missing-table/", missing_table),
    path("broken/", broken),
    *site_urls.urlpatterns,
]
handler500 = faults.server_error


@pytest.fixture
def faulty_site(settings, client):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


def test_a_database_outage_gets_a_plain_503_page_logged_in_one_line(faulty_site, caplog):
    response = faulty_site.get("/unreachable/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = parsed(response)
    assert page.find("html").get("lang") == "en-GB"
    assert [h1.get_text() for h1 in page.find_all("h1")] == ["Sorry, this page is not available right now"]
    assert "try again in a few minutes" in page.get_text()
    [logged] = [record for record in caplog.records if record.name == "django.request"]
    assert logged.exc_info is None
    assert "Service Unavailable: /unreachable/" in logged.getMessage()
    assert "Connection refused" in logged.getMessage()


@pytest.mark.parametrize("url", ["/missing-table/", "/broken/"])
def test_any_other_error_keeps_its_500_page_and_its_traceback(faulty_site, caplog, url):
    response = faulty_site.get(url)
    assert response.status_code == 500
    assert "Retry-After" not in response
    [logged] = [record for record in caplog.records if record.name == "django.request"]
    assert logged.exc_info is not None


@pytest.fixture
def site_without_database(tmp_path):
    """The site as production runs it (gunicorn, DEBUG off) with nothing listening where its
    PostgreSQL should be."""
    port, log_path = free_port(), tmp_path / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesocare.settings",
        "SECRET_KEY": "a-long-random-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/nothing",
        "CACHE_URL": "locmemcache://",  # an empty cache of its own, so every page needs the database
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "gunicorn", "mesocare.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: server.poll() is not None or answers_on(port), 20, "the server starting")
        assert server.poll() is None, log_path.read_text()
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server)
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_with_the_database_down_visitors_get_503_and_the_log_no_tracebacks(site_without_database):
    address, log_path = site_without_database
    urls = ["/", "/procedures/mesotherapy/", "/api/v1/procedures/"]
    for url in urls:
        status, headers, body = fetch(address + url)
        assert status == 503, body
        assert headers["Retry-After"] == "30"
        assert headers["Cache-Control"] == "no-store"
        assert "Please try again in a few minutes." in body
    status, headers, body = fetch(address + "/es/procedures/mesotherapy/")  # in the address's language
    assert status == 503 and 'lang="es"' in body and "Vuelva a intentarlo dentro de unos minutos." in body
    log = log_path.read_text()
    assert "Traceback" not in log
    assert log.count("Service Unavailable:") == len(urls) + 1
    assert "Connection refused" in log
