import fcntl
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django_tasks_db.management.commands import db_worker

from procedures.contentfiles import CONTENT_DIR, load_content
from procedures.http.page_cache import in_memory
from procedures.publishing.tasks_api import TaskResultStatus, task_finished
from procedures.roles import medical_reviewers_group
from tests.factories import AuthorFactory, UserFactory, make_editor


def only_the_tests_own_transaction(connection):
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


@pytest.fixture(autouse=True)
def commits_run_their_hooks(monkeypatch):
    """pytest-django runs each test inside a transaction it never commits, so the work the site
    does after a commit (`transaction.on_commit`: re-indexing, refreshing cached pages) would
    never run. Treat the test's own transaction as the database itself: work asked for outside
    the code's transactions runs at once, as in autocommit; work asked for inside one runs when
    its outermost block ends without an error, as at a real commit."""
    on_commit, atomic_exit = BaseDatabaseWrapper.on_commit, transaction.Atomic.__exit__

    def run_or_wait(connection, func, robust=False):
        if only_the_tests_own_transaction(connection):
            func()
        else:
            on_commit(connection, func, robust)

    def exit_and_commit(atomic, exc_type, exc_value, traceback):
        connection = transaction.get_connection(atomic.using)
        result = atomic_exit(atomic, exc_type, exc_value, traceback)
        ends_a_transaction = not getattr(atomic, "_from_testcase", False) and only_the_tests_own_transaction(connection)
        if exc_type is None and ends_a_transaction and not connection.needs_rollback:
            hooks, connection.run_on_commit = connection.run_on_commit, []
            for _, func, _ in hooks:
                func()
        return result

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", run_or_wait)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_commit)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with nothing cached: neither in the shared cache nor in the answers a
    web worker keeps in its own memory."""
    cache.clear()
    in_memory.clear()
    yield
    cache.clear()
    in_memory.clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded images go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shipped_content(db):
    """The site's own content/, loaded the way `make run` loads it."""
    return load_content(CONTENT_DIR)


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer(db):
    """A member of the Medical reviewers group, who is also a qualified author."""
    user = UserFactory(is_staff=True, email="rita@example.org")
    user.groups.add(medical_reviewers_group())
    AuthorFactory(name="Dr Rita Reviewer", credentials="MBBS, FRCP", is_qualified_reviewer=True, user=user)
    return user


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# Real browser --------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Chromium calls Google services even when told not to; a dead proxy keeps it on
    # loopback, which bypasses proxies.
    "--proxy-server=http://127.0.0.1:9",
]


def install_chromium():
    """Debian's Chromium where apt can install it; otherwise Playwright's own download."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    with open(Path(tempfile.gettempdir()) / "mesocare-chromium.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other test worker may be installing it right now
        if Path(CHROMIUM).exists():
            return CHROMIUM
        if shutil.which("apt-get") and os.geteuid() == 0:
            quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
            if subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, **quiet).returncode:
                subprocess.run(["apt-get", "update", "-q"], check=True, **quiet)
                subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, **quiet)
            return CHROMIUM
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
        return None  # Playwright finds its own


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = install_chromium()
    # Playwright's sync API keeps an event loop in this thread; the test's own database
    # work is still synchronous, so let Django allow it (as pytest-playwright's docs advise).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def live_site(live_server, transactional_db):
    """The site served over HTTP with the shipped content, for the browser. At the end, waits
    (ten seconds at most) for the server to finish the answers it is still making, to requests
    a closing browser dropped (the editor's form asks for previews as it opens): one still
    reading the database as the test empties it locks it, and the test fails at teardown."""
    load_content(CONTENT_DIR)
    answering = []  # one item per request being answered (list operations are atomic)

    def started(**kwargs):
        answering.append(True)

    def finished(**kwargs):  # after Django's own receivers: done with the database
        if answering:
            answering.pop()

    request_started.connect(started)
    request_finished.connect(finished)
    yield live_server.url
    deadline = time.monotonic() + 10
    while answering and time.monotonic() < deadline:
        time.sleep(0.05)
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@pytest.fixture
def shipped_content_committed(transactional_db):
    """The shipped content, committed, for tests where several connections (threads, a live
    server) must see it."""
    return load_content(CONTENT_DIR)


# Background tasks ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def tasks_do_not_fail(request):
    """A background task that fails fails the test (the tests' immediate backend would only log
    it), unless the test expects failures by asking for `failing_tasks`."""
    failed = []

    def note(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(task_result)

    task_finished.connect(note)
    yield failed
    task_finished.disconnect(note)
    if failed and "failing_tasks" not in request.fixturenames:
        pytest.fail("A background task failed:\n" + "\n".join(error.traceback for run in failed for error in run.errors))


@pytest.fixture
def failing_tasks(tasks_do_not_fail):
    """The background task runs that failed during the test (which then expects them)."""
    return tasks_do_not_fail


@pytest.fixture
def database_tasks(settings):
    """Tasks queued in the database, as in production, where nothing runs them until
    `run_worker()` does (the worker is down until then)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def run_worker(database_tasks, monkeypatch):
    """`manage.py runworker --batch` inside the test: everything queued runs, then it returns."""
    # The worker closes connections it thinks stale between tasks; inside the test's own
    # transaction that would close the test's connection (on PostgreSQL).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("runworker", batch=True, stdout=io.StringIO())
