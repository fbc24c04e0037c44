"""The default set-up under load: one SQLite file shared by gunicorn's 3 workers and the
background worker, as `make run` starts them. While the worker re-renders every page (after
glossary saves) and patients read pages, three editors save pages through the admin at the same
time, again and again. Nothing may fail: no 500 or 503, no "database is locked" in any log,
every save either saved or refused with the site's edit-conflict message, none lost."""

import contextlib
import datetime
import itertools
import random
import shutil
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.html import error_messages, page, text

from .running_site import ONCE_PER_CI_RUN, Browser, Readers, Site, wait_until

pytestmark = ONCE_PER_CI_RUN

COPIES = 60  # 62 pages: re-rendering them all is two batches of the worker's, each one write transaction of seconds
SECONDS = 15  # of editors saving, again and again
CONFLICT = "Someone else saved this page after you opened it"
PATIENT_PAGES = [
    "/procedures/mesotherapy/",
    "/procedures/mesotherapy-for-hair-loss/",
    f"/procedures/mesotherapy-copy-{COPIES}/",
    "/",
    "/procedures/",
    "/glossary/",
    "/search/?q=nausea",
    "/api/v1/procedures/mesotherapy/",
]


@pytest.fixture
def running(collected_static, logs_on_failure):
    directory = Path(tempfile.mkdtemp(prefix="mesocare-sqlite-"))
    database = directory / "db.sqlite3"
    site = Site(
        directory,
        database_url=f"sqlite:///{database}",
        cache_url=f"filecache://{directory / 'cache'}",  # as `make run` (.cache/)
        static=collected_static,
        API_RATE_LIMIT="100000/minute",  # the patients here are many; the limit has tests of its own
        SEARCH_RATE_LIMIT="100000/minute",
    )
    logs_on_failure(site)
    try:
        site.set_up()
        site.create_editors("alex", "sam", "kim", "gus")
        site.copy_pages("mesotherapy", COPIES)
        server = site.start_server("gunicorn", workers=3)
        site.start_worker()
        site.wait_until_ready()
        yield SimpleNamespace(site=site, server=server, database=database)
    finally:
        site.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Editor:
    """An editor who opens one page's change form, rewrites one section and saves, again and again."""

    name: str
    title: str
    field: str
    saved: list = field(default_factory=list)  # (when, text) of each save the site took
    conflicts: int = 0
    seconds: list = field(default_factory=list)  # how long each save took to answer
    problems: list = field(default_factory=list)  # anything but a save or the edit-conflict message

    def words(self, number):
        # "nausea" stays in every version: the page keeps linking the glossary word the test changes.
        return f"{self.name.capitalize()}'s version {number}. Some people feel sick (nausea) for a day. Ask your doctor."

    def work(self, server, until):
        browser = Browser()
        browser.log_in(server, self.name)
        address = browser.open_in_admin(server, "procedure", self.title).url
        for number in itertools.count(1):
            if time.monotonic() > until:
                return
            form = browser.get(address)
            if form.status != 200:
                self.problems.append(f"opening the page for save {number}: {form.status} {text(form)[:300]}")
                continue
            shown = page(form).find("textarea", attrs={"name": self.field}).get_text().strip()
            if self.saved and shown != self.saved[-1][1]:
                self.problems.append(f"after save {number - 1}, the form shows {shown[:80]!r}: the save was lost")
            time.sleep(random.uniform(0, 0.3))  # reading, typing: others save meanwhile
            typed = self.words(number)
            answer = browser.submit(form, {self.field: typed})
            self.seconds.append(answer.seconds)
            if answer.status == 302:
                self.saved.append((time.time(), typed))
            elif answer.status == 200 and any(CONFLICT in error for error in error_messages(answer)):
                self.conflicts += 1
                kept = page(answer).find("textarea", attrs={"name": self.field}).get_text().strip()
                if kept != typed:
                    self.problems.append(f"save {number}: refused, and what was typed is gone ({kept[:80]!r})")
            else:
                self.problems.append(f"save {number}: {answer.status} {' '.join(error_messages(answer)) or text(answer)[:300]}")


class GlossaryEditor:
    """Changes a glossary word's definition every two seconds: each save queues a re-render of
    every page (replacing the one under way), which the worker does in batches while the others save."""

    def __init__(self, name):
        self.name, self.saved, self.problems = name, [], []

    def work(self, server, stop):
        browser = Browser()
        browser.log_in(server, self.name)
        address = browser.open_in_admin(server, "glossaryterm", "Nausea").url
        number = 0
        while not stop.is_set():
            number += 1
            definition = f"Feeling sick in your stomach, as if you might vomit (definition {number})."
            answer = browser.submit(browser.get(address), {"definition": definition})
            if answer.status == 302:
                self.saved.append((time.time(), definition))
            else:
                self.problems.append(f"glossary save {number}: {answer.status} {text(answer)[:300]}")
            stop.wait(2)


def in_the_background(work, *arguments):
    """Run work(*arguments) in a thread; an exception it raises is kept as a problem."""
    problems = []

    def run():
        try:
            work(*arguments)
        except Exception as error:  # noqa: BLE001 (reported by the test)
            problems.append(repr(error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, problems


def test_editors_saving_at_once_while_pages_are_re_rendered_and_read(running):
    server = running.server
    editors = [
        Editor("alex", "Mesotherapy", "risks"),
        Editor("sam", "Mesotherapy", "recovery"),  # the same page as alex: their saves may conflict
        Editor("kim", "Mesotherapy for hair loss (alopecia)", "risks"),
    ]
    glossary = GlossaryEditor("gus")
    stop_glossary = threading.Event()
    until = time.monotonic() + SECONDS
    with Readers([server.url(address) for address in PATIENT_PAGES], lambda answer: answer.status, threads=2) as patients:
        glossary_thread, glossary_crashed = in_the_background(glossary.work, server, stop_glossary)
        time.sleep(1)  # the first re-render of every page under way
        started = time.time()
        saving = [in_the_background(editor.work, server, until) for editor in editors]
        for thread, _ in saving:
            thread.join(timeout=SECONDS + 60)
        finished = time.time()
        stop_glossary.set()
        glossary_thread.join(timeout=60)

    problems = [problem for _, crashed in [*saving, (None, glossary_crashed)] for problem in crashed]
    problems += [f"{editor.name}: {problem}" for editor in editors for problem in editor.problems] + glossary.problems
    assert not problems, "\n".join(problems)
    # Alex and Sam may each lose every race to the other (then told so each time): each page must
    # have been saved, though.
    for title in {editor.title for editor in editors}:
        assert any(editor.saved for editor in editors if editor.title == title), f"nobody could save {title!r}"
    assert len(glossary.saved) >= 2

    statuses = [status for _, _, status in patients.answers]
    assert statuses and set(statuses) == {200}, sorted({(url, status) for url, _, status in patients.answers if status != 200})

    # The worker has re-rendered every page with the last definition; nothing waits.
    wait_until(lambda: every_update_finished(running.database), 60, "the background updates finishing", running.site.logs)
    last_definition = glossary.saved[-1][1]
    for address in PATIENT_PAGES[:3]:
        term = page(Browser().get(server.url(address))).find("dt", id="term-nausea")
        assert term is not None and last_definition in term.find_next_sibling("dd").get_text(), address

    running.site.stop()  # everything written, every log complete
    log = running.site.log_text()
    assert "database is locked" not in log, running.site.logs()
    assert "Traceback" not in log, running.site.logs()

    with contextlib.closing(sqlite3.connect(running.database)) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for editor in [editor for editor in editors if editor.saved]:
            query = f"SELECT {editor.field} FROM procedures_procedure WHERE title = ?"  # noqa: S608 (our own column names)
            (stored,) = database.execute(query, [editor.title]).fetchone()
            assert stored == editor.saved[-1][1], f"{editor.name}'s last save is not what the database holds"
        failed = database.execute("SELECT reason, last_error FROM procedures_renderjob WHERE status = 'failed'").fetchall()
        assert not failed, failed
        query = "SELECT reason, status, done, total, heartbeat_at FROM procedures_renderjob WHERE done > 0 AND heartbeat_at > ''"
        batches = database.execute(query).fetchall()
    # The worker's last batch of each update: some were written while the editors saved.
    during = [batch for batch in batches if started < moment(batch[-1]) < finished]
    assert during, f"the worker wrote no batch of pages while the editors saved: {batches}"
    print(
        f"{sum(len(editor.saved) for editor in editors)} saves, {sum(editor.conflicts for editor in editors)} refused "
        f"as conflicts, {len(glossary.saved)} glossary saves, {len(statuses)} patients' answers, "
        f"{len(during)} background updates writing pages during the saving, in {finished - started:.0f} s; "
        f"the slowest save took {max(max(editor.seconds) for editor in editors):.1f} s"
    )


def every_update_finished(database):
    with contextlib.closing(sqlite3.connect(database)) as connection:
        waiting = connection.execute("SELECT count(*) FROM procedures_renderjob WHERE status IN ('waiting', 'running')")
        return waiting.fetchone()[0] == 0


def moment(stored):
    """A datetime as Django stores it in SQLite (UTC), as time.time() counts."""
    return datetime.datetime.fromisoformat(stored).replace(tzinfo=datetime.UTC).timestamp()
