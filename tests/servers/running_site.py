"""A throwaway copy of the site, run the way `make run` runs it (migrate, loadcontent,
rendermarkdown, collectstatic, gunicorn and `manage.py runworker`, DEBUG off), each process in
its own process group with its output in a log file; and browsers that use it over HTTP only,
as patients and editors do. The tests' fixtures start them and, whatever happens, stop them
and remove what they made."""

import contextlib
import dataclasses
import http.cookiejar
import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.html import form_fields, page

ROOT = Path(__file__).resolve().parents[2]
# The name patients use: a load balancer in front of several servers forwards it to each.
PUBLIC_HOST = "mesocare.test"
PASSWORD = "a-long-password-for-tests-only"
# From the environment the tests run in, only what any program needs: the site's own settings
# (a developer's .env, CI's DATABASE_URL) must not leak into the throwaway site.
KEPT_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, seconds, what, details=lambda: ""):
    """Poll `ready()` until it is true; fail after `seconds`, with `details()` (e.g. server logs)."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s\n{details()}")
        time.sleep(0.1)


# Each test here starts its own database and cache, whatever the suite's database is: run them
# in one of CI's two passes (README "Development"), the default one, `make test` on SQLite.
# They all go to the same pytest-xdist worker, one after the other, so that their servers never
# compete with each other for the machine's cores.
ONCE_PER_CI_RUN = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="tests/servers start their own databases and servers whatever the suite's database: "
        "they run once, in the SQLite pass (`make test`)",
    ),
    pytest.mark.xdist_group("servers"),
]


# Databases and caches ----------------------------------------------------------------------

POSTGRES = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def psql(sql, database="postgres"):
    command = ["psql", "-h", POSTGRES["host"], "-p", POSTGRES["port"], "-U", POSTGRES["user"], "-d", database]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "3"}
    return subprocess.run([*command, "-X", "-A", "-t", "-c", sql], env=environment, capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def postgres_database():
    """A new, uniquely named PostgreSQL database at 127.0.0.1:5432 (trust auth, user postgres),
    dropped at the end, with any connection left to it. Skips the test if there is no PostgreSQL."""
    if not shutil.which("psql"):
        pytest.skip("the PostgreSQL client (psql) is not installed")
    answer = psql("SELECT 1")
    if answer.returncode != 0:
        pytest.skip(f"PostgreSQL does not answer at {POSTGRES['host']}:{POSTGRES['port']}: {answer.stderr.strip()}")
    name = f"mesocare_servers_{os.getpid()}_{secrets.token_hex(4)}"
    created = psql(f'CREATE DATABASE "{name}"')
    assert created.returncode == 0, created.stderr
    try:
        yield f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    finally:
        dropped = psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        assert dropped.returncode == 0, dropped.stderr


@contextlib.contextmanager
def redis_server(directory):
    """A Redis of our own on a free port, nothing saved to disk (as in tests/http/test_faults.py).
    Skips the test if redis-server is not installed."""
    program = shutil.which("redis-server")
    if not program:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    command = [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)]
    redis = Process("redis", command, os.environ, Path(directory) / "redis.log")
    try:
        wait_until(lambda: not redis.running or answers_on(port), 10, f"Redis answering on port {port}", redis.log)
        assert redis.running, redis.log()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        redis.stop()


def answers_on(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# Processes ---------------------------------------------------------------------------------


class Process:
    """A command of the site's, in a process group of its own (gunicorn's workers are stopped
    with their master), its output in a log file."""

    def __init__(self, name, command, environment, log_path):
        self.name, self.log_path = name, log_path
        self.terminated = False
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def running(self):
        return self.popen.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ready(self):
        return True

    def terminate(self):
        """SIGTERM to the whole group, once (a second would make the worker drop its batch), as
        `make run` stops the site."""
        if self.running and not self.terminated:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.terminated = True

    def stop(self, seconds=20):
        """terminate(), then, after `seconds`, SIGKILL for whatever of the group is left."""
        group = self.popen.pid  # the group's id is its leader's
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=seconds)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.popen.wait()


class Server(Process):
    """gunicorn as `make run` starts it, on a port of its own."""

    def __init__(self, name, environment, log_path, workers):
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "mesocare.wsgi", "--preload", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--access-logfile", "-"]
        super().__init__(name, command, environment, log_path)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def ready(self):
        try:
            with urllib.request.urlopen(self.url("/robots.txt"), timeout=5) as response:  # noqa: S310 (our own server)
                return response.status == 200
        except OSError:
            return False


class Worker(Process):
    def ready(self):
        return "The background worker is running" in self.log()


def environment(directory, database_url, cache_url, static_root, **settings):
    """The site's settings, as `make run` reads them from its environment, with a secret key,
    media and the rest of its own."""
    kept = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "mesocare.settings",
        "PYTHONUNBUFFERED": "1",  # the logs are read while the processes run
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{PUBLIC_HOST}",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(directory / "media"),
        "PAGE_CACHE_SECONDS": "3600",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "INFO",
        **settings,
    }


class Site:
    """The site's settings, files and processes for one test: its own database, cache, media
    and secret key; static files collected once for the session (they depend on no data)."""

    def __init__(self, directory, *, database_url, cache_url, static, **settings):
        self.directory, self.static = Path(directory), static
        self.environment = environment(self.directory, database_url, cache_url, static.root, **settings)
        self.processes = []

    def manage(self, *arguments, **environment):
        """Run a management command to its end; its output, or a failure showing it."""
        done = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env={**self.environment, **environment},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def set_up(self):
        """As `make run` does before it starts the servers (collectstatic apart)."""
        self.manage("migrate", "--noinput")
        self.manage("loadcontent")
        self.manage("rendermarkdown")

    def create_editors(self, *names):
        """`manage.py createeditor NAME` for each, with EDITOR_PASSWORD (in one process: each
        start of Django costs a second or two)."""
        calls = "; ".join(f"call_command('createeditor', {name!r})" for name in names)
        self.manage("shell", "-c", f"from django.core.management import call_command; {calls}", EDITOR_PASSWORD=PASSWORD)

    def copy_pages(self, slug, count):
        """`count` published copies of a page (tests/servers/copies.py), so that re-rendering
        every page takes a while."""
        self.manage("shell", "-c", f"from tests.servers.copies import copy_page; copy_page({slug!r}, {count})")

    def start_server(self, name, workers):
        """gunicorn, as `make run` starts it; `wait_until_ready()` waits for it to answer."""
        self.static.ready()
        server = Server(name, self.environment, self.directory / f"{name.replace(' ', '-')}.log", workers)
        self.processes.append(server)
        return server

    def start_worker(self):
        """`manage.py runworker`, as `make run` starts it beside gunicorn."""
        command = [sys.executable, "manage.py", "runworker"]
        worker = Worker("worker", command, self.environment, self.directory / "worker.log")
        self.processes.append(worker)
        return worker

    def wait_until_ready(self):
        for process in self.processes:
            wait_until(lambda: not process.running or process.ready(), 60, f"{process.name} starting", self.logs)  # noqa: B023
            assert process.running, f"{process.name} stopped:\n{self.logs()}"

    def stop(self):
        """Every process at once, as `make run`'s Ctrl+C stops them."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.stop()

    def log_text(self):
        """Everything every process of the site wrote."""
        return "\n".join(process.log() for process in self.processes)

    def logs(self, tail=6000):
        return "\n".join(
            f"----- {process.name} ({process.log_path}), last {tail} characters -----\n{process.log()[-tail:]}"
            for process in self.processes
        )


class CollectedStatic:
    """`collectstatic` into a folder of its own, once for the session, started in the background
    while the first site sets up its database (it takes a while: every file is compressed twice).
    Collecting reads no data, so every site may use the same files."""

    def __init__(self, directory):
        directory = Path(directory)
        self.root = directory / "static"
        self.ready_already = False
        settings = environment(directory, f"sqlite:///{directory}/unused.sqlite3", "locmemcache://", self.root)
        command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        self.process = Process("collectstatic", command, settings, directory / "collectstatic.log")

    def ready(self):
        """Wait for collectstatic to finish."""
        if not self.ready_already:
            self.process.popen.wait(timeout=300)
            assert self.process.popen.returncode == 0, f"collectstatic failed:\n{self.process.log()}"
            self.ready_already = True


# Browsers ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    """One HTTP response, as much of it as the tests read (tests/html.py reads `.content`)."""

    url: str
    status: int
    headers: object
    content: bytes
    asked_at: float  # time.monotonic() when the request was sent
    answered_at: float

    @property
    def seconds(self):
        return self.answered_at - self.asked_at

    @property
    def location(self):
        return urllib.parse.urljoin(self.url, self.headers.get("Location", ""))


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand redirects back: a 302 after an admin save is the answer the test looks at."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: cookies of its own (an editor's session once logged in), no proxy,
    no compression asked for (answers stay readable)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies), KeepRedirects()
        )

    def request(self, url, data=None, headers=None):
        asked_at = time.monotonic()
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (our own server)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(url, response.status, response.headers, response.read(), asked_at, time.monotonic())
        except urllib.error.HTTPError as error:
            return Answer(url, error.code, error.headers, error.read(), asked_at, time.monotonic())

    def get(self, url, headers=None, follow=True):
        answer = self.request(url, headers=headers)
        while follow and answer.status in (301, 302, 303, 307, 308):
            answer = self.request(answer.location, headers=headers)
        return answer

    def post(self, url, fields):
        return self.request(url, data=urllib.parse.urlencode(fields, doseq=True).encode())

    def submit(self, form_page, changes):
        """Send the page's form back to where it came from, as a browser would, with `changes` typed in."""
        return self.post(form_page.url, {**form_fields(form_page), **changes})

    def open_in_admin(self, server, model, title):
        """The change form of the object called `title`, found as an editor finds it: its list, searched."""
        listing = self.get(server.url(f"/admin/procedures/{model}/?{urllib.parse.urlencode({'q': title})}"))
        link = page(listing).select_one("#result_list").find("a", string=title)
        assert link is not None, f"{title!r} is not in the admin's list of {model}:\n{page(listing).get_text()[:2000]}"
        return self.get(urllib.parse.urljoin(listing.url, link["href"]))

    def background_updates_box(self, server):
        """The admin home page's box of background updates running, waiting or failed; None when there are none."""
        return page(self.get(server.url("/admin/"))).find(id="background-updates")

    def log_in(self, server, username, password=PASSWORD):
        form = self.get(server.url("/admin/login/?next=/admin/"))
        answer = self.submit(form, {"username": username, "password": password})
        assert answer.status == 302, f"{username} could not log in: {answer.status}\n{page(answer).get_text()[:2000]}"


class Readers:
    """Patients reading pages again and again, in threads of their own, until stopped: each
    thread reads the addresses in turn (starting at a different one); every answer is kept as
    (address, answer without its body, what `classify(answer)` made of it)."""

    def __init__(self, urls, classify, headers=None, threads=1):
        self.urls, self.classify, self.headers = list(urls), classify, headers or {}
        self.answers, self.stopping = [], threading.Event()
        self.threads = [threading.Thread(target=self.read, args=(number,), daemon=True) for number in range(threads)]

    def read(self, first):
        browser = Browser()
        for number in itertools.count(first):
            if self.stopping.is_set():
                return
            url = self.urls[number % len(self.urls)]
            try:
                answer = browser.get(url, headers=self.headers)
                verdict = self.classify(answer)
                self.answers.append((url, dataclasses.replace(answer, content=b""), verdict))  # thousands: keep them small
            except Exception as error:  # noqa: BLE001 (no answer, or none that makes sense: kept for the test to fail on)
                self.answers.append((url, None, f"failed: {error!r}"))
                time.sleep(0.1)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
