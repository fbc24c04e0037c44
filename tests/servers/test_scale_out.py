"""Scale-out, proven (issue 10): two app servers (gunicorn, 2 workers each) and a background
worker on one PostgreSQL database and one Redis, used over HTTP only, as editors and patients
use them. An editor's save through server A is what server B serves at once; a glossary change
made through A reaches B's pages once the worker has re-rendered them, and every page B serves
meanwhile is whole, as it was or fully updated."""

import re
import shutil
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.html import page, text

from .running_site import ONCE_PER_CI_RUN, PUBLIC_HOST, Browser, Readers, Site, postgres_database, redis_server, wait_until

pytestmark = ONCE_PER_CI_RUN

PAGE = "/procedures/mesotherapy/"
# With the two shipped pages, more than one batch of the worker's (RENDER_BATCH_SIZE, 50): the
# first batch holds the shipped pages, the last copy comes in a later one.
COPIES = 60
LAST_COPY = f"/procedures/mesotherapy-copy-{COPIES}/"
PAGES = COPIES + 2
PATIENT = {"Host": PUBLIC_HOST}  # as a load balancer in front of both servers forwards it


@pytest.fixture(scope="module")
def two_servers_and_a_worker(collected_static):
    directory = Path(tempfile.mkdtemp(prefix="mesocare-scale-out-"))
    try:
        with postgres_database() as database_url, redis_server(directory) as cache_url:
            site = Site(directory, database_url=database_url, cache_url=cache_url, static=collected_static)
            try:
                site.set_up()
                site.create_editors("alex")
                site.copy_pages("mesotherapy", COPIES)
                a = site.start_server("server A", workers=2)
                b = site.start_server("server B", workers=2)
                site.start_worker()
                site.wait_until_ready()
                # What `make run` queues at start (loading the glossary re-renders every page) is done.
                editor = Browser()
                editor.log_in(a, "alex")
                wait_until(lambda: editor.background_updates_box(a) is None, 60, "the background updates at start", site.logs)
                yield SimpleNamespace(site=site, a=a, b=b)
            finally:
                site.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def servers(two_servers_and_a_worker, logs_on_failure):
    logs_on_failure(two_servers_and_a_worker.site)
    return two_servers_and_a_worker


def section(answer, anchor):
    found = page(answer).find("section", id=anchor)
    return " ".join(found.get_text(" ").split()) if found else ""


def test_an_editors_save_through_one_server_is_what_the_other_serves_at_once(servers):
    a, b = servers.a, servers.b
    patient = Browser()
    # Warm: by the public name (one cached answer in Redis for both servers) and by each one's own address.
    cached = {}
    for server, headers in [(a, PATIENT), (b, PATIENT), (a, {}), (b, {})]:
        answers = [patient.get(server.url(PAGE), headers=headers) for _ in range(2)]
        assert [answer.status for answer in answers] == [200, 200]
        cached[server.name, bool(headers)] = [answer.headers["X-Cache"] for answer in answers]
    assert cached["server B", True] == ["hit", "hit"], f"B should serve the answer A cached in Redis: {cached}"
    assert all(seen[-1] == "hit" for seen in cached.values()), cached
    before = patient.get(b.url(PAGE), headers=PATIENT)
    old_etag, old_words = before.headers["ETag"], "Many of these are mild and pass on their own"
    assert old_words in section(before, "risks-and-side-effects")

    editor = Browser()
    editor.log_in(a, "alex")
    form = editor.open_in_admin(a, "procedure", "Mesotherapy")
    new_words = "Bruising may last two weeks. Ask your doctor before you take aspirin. (review 7f3a)"

    def risks_version(answer):
        words = section(answer, "risks-and-side-effects") if answer.status == 200 else f"status {answer.status}"
        if new_words in words and old_words not in words:
            return "new"
        return "old" if old_words in words and new_words not in words else f"neither: {words[:100]}"

    # Patients keep reading from both servers while the editor saves through A.
    with Readers([a.url(PAGE), b.url(PAGE)], risks_version, headers=PATIENT, threads=3) as readers:
        time.sleep(0.5)
        changes = {"risks": new_words, "is_content_change": ["on"], "change_note": "Added advice on bruising"}
        saved = editor.submit(form, changes)
        assert saved.status == 302, text(saved)[:3000]
        saved_at = saved.answered_at
        # At once, and again and again: on B by the public name, by its own address, and with B's old ETag.
        right_after = [patient.get(b.url(PAGE), headers=headers) for _ in range(5) for headers in (PATIENT, {})]
        conditional = patient.get(b.url(PAGE), headers={**PATIENT, "If-None-Match": old_etag})
        time.sleep(0.5)

    assert [risks_version(answer) for answer in right_after] == ["new"] * len(right_after)
    assert conditional.status == 200, "B's old ETag must not get a 304 after the save"
    assert risks_version(conditional) == "new"
    assert conditional.headers["ETag"] != old_etag
    after_the_save = [(url, version) for url, answer, version in readers.answers if answer and answer.asked_at > saved_at]
    assert after_the_save, "the patients should have read the page after the save too"
    stale = [(url, version) for url, version in after_the_save if version != "new"]
    assert not stale, f"{len(stale)} of {len(after_the_save)} answers asked for after the save were not the new page: {stale[:5]}"
    versions = {version for _, _, version in readers.answers}
    assert versions <= {"old", "new"}, f"every answer should be a whole page, old or new: {versions - {'old', 'new'}}"


DEFINITION = "A mark on the skin where blood has leaked under it after a knock or a needle. It fades by itself."


def glossary_version(answer):
    """Whether the page has the new glossary word "bruising": linked in the text and explained in
    "Words explained on this page" ("new"), neither ("old"), or only one of them ("half")."""
    if answer.status != 200:
        return f"status {answer.status}"
    html = page(answer)
    linked = html.select_one('a.glossary-term[href="#term-bruising"]') is not None
    term = html.find("dt", id="term-bruising")
    explained = term is not None and DEFINITION in term.find_next_sibling("dd").get_text()
    return {(True, True): "new", (False, False): "old"}.get((linked, explained), f"half (linked {linked}, explained {explained})")


def test_a_glossary_change_through_one_server_reaches_the_others_pages_once_its_task_has_run(servers):
    a, b = servers.a, servers.b
    patient = Browser()
    pages = [PAGE, LAST_COPY]  # re-rendered in the worker's first batch and in a later one
    assert {glossary_version(patient.get(b.url(address), headers=PATIENT)) for address in pages} == {"old"}

    editor = Browser()
    editor.log_in(a, "alex")
    form = editor.get(a.url("/admin/procedures/glossaryterm/add/"))
    with Readers([b.url(address) for address in pages], glossary_version, headers=PATIENT, threads=2) as readers:
        saved = editor.submit(form, {"term": "Bruising", "slug": "bruising", "definition": DEFINITION})
        assert saved.status == 302, text(saved)[:3000]
        assert saved.seconds < 2, f"the glossary save took {saved.seconds:.1f} s: pages should be re-rendered in the background"
        told = text(editor.get(saved.location))
        assert f"{PAGES} pages are being updated in the background" in told, told[:2000]

        progress = []

        def every_page_updated_on_b():
            progress.append(background_updates(editor, b))
            return all(glossary_version(patient.get(b.url(address), headers=PATIENT)) == "new" for address in pages)

        wait_until(every_page_updated_on_b, 30, "the new glossary word on every page B serves", servers.site.logs)
        time.sleep(0.3)

    versions = [version for _, _, version in readers.answers]
    assert set(versions) <= {"old", "new"}, f"B served a page neither old nor new: {sorted(set(versions) - {'old', 'new'})}"
    for address in pages:  # once B has served a page new, it never serves it old again
        seen = [(answer, version) for url, answer, version in readers.answers if url == b.url(address)]
        first_new = min((answer.answered_at for answer, version in seen if version == "new"), default=float("inf"))
        again_old = [answer for answer, version in seen if version == "old" and answer.asked_at > first_new]
        assert not again_old, f"{address}: {len(again_old)} old answers asked for after B had served it new"
    wait_until(
        lambda: f"Re-rendered: {PAGES} of {PAGES} pages" in background_updates(editor, b),
        30,
        "the admin on B showing the background update done",
        servers.site.logs,
    )
    assert "Glossary term “Bruising” added" in background_updates(editor, b)
    done_so_far = [int(found.group(1)) for seen in progress if (found := re.search(r": (\d+) of", seen))]
    assert done_so_far == sorted(done_so_far), f"the progress B's admin showed went backwards: {progress}"


def background_updates(editor, server):
    """The newest row of the admin's list of background updates, as the editor reads it."""
    listing = page(editor.get(server.url("/admin/procedures/renderjob/")))
    newest = listing.select_one("#result_list tbody tr")
    return " ".join(newest.get_text(" ").split()) if newest else ""
