"""Work on many pages runs off the request: a save that changes what many pages show answers at
once, and the background worker re-renders the pages, batch by batch, showing its progress in
the admin, trying again after a failure and taking up the work of a worker that died."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from procedures.models import GlossaryTerm, Procedure, RenderedPage, RenderJob
from procedures.publishing import background
from procedures.publishing.content import glossary_changed, save_content
from tests.factories import AuthorFactory, ConditionFactory, DisclaimerFactory, ProcedureFactory, SpecialtyFactory
from tests.helpers import change_url
from tests.html import form_fields, page, text

BACKGROUND_UPDATES = reverse("admin:procedures_renderjob_changelist")


def pages_about_cellulite(count):
    """Pages that say "cellulite", sharing their people and specialty (quicker to make)."""
    shared = {"author": AuthorFactory(), "reviewer": AuthorFactory(is_qualified_reviewer=True)}
    return ProcedureFactory.create_batch(count, what_it_is="It helps with cellulite.", specialties=[SpecialtyFactory()], **shared)


def add_glossary_term(editor_client):
    """An editor adds "Cellulite" to the glossary in the admin; search should then find pages
    using it by its other name, which none of them uses."""
    add = reverse("admin:procedures_glossaryterm_add")
    term = {"term": "Cellulite", "slug": "cellulite", "also_matches": '["orange peel skin"]', "definition": "Dimpled skin."}
    return editor_client.post(add, {**form_fields(editor_client.get(add)), **term}, follow=True)


def links_the_term(procedure):
    return page(Client().get(procedure.get_absolute_url())).select_one('a.glossary-term[href="#term-cellulite"]') is not None


def search_finds(procedure, words):
    return procedure.title in text(Client().get("/search/", {"q": words}))


def render_fails(monkeypatch, times):
    """The renderer raises the first `times` times it is called."""
    calls = {"failed": 0, "rendered": []}

    def rerender_page(procedure, glossary=None):
        if calls["failed"] < times:
            calls["failed"] += 1
            raise RuntimeError("the renderer broke")
        calls["rendered"].append(procedure.pk)
        return real(procedure, glossary)

    real = background.rerender_page
    monkeypatch.setattr(background, "rerender_page", rerender_page)
    monkeypatch.setattr(background, "FIRST_PAUSE", datetime.timedelta(0))  # retries due at once
    return calls


def test_a_glossary_save_answers_at_once_and_the_worker_renders_the_pages(editor_client, run_worker):
    pages = pages_about_cellulite(3)
    response = add_glossary_term(editor_client)
    assert "was added successfully" in text(response)
    assert "3 pages are being updated in the background; see Background updates" in text(response)
    assert page(response).find("a", string="Background updates")["href"] == BACKGROUND_UPDATES
    assert not any(links_the_term(procedure) for procedure in pages)  # nothing re-rendered in the request
    assert not search_finds(pages[0], "orange peel")
    listed = text(editor_client.get(BACKGROUND_UPDATES))
    assert "Glossary term “Cellulite” added" in listed and "Waiting: 0 of 3 pages" in listed
    home = page(editor_client.get(reverse("admin:index"))).find(id="background-updates")
    assert "Waiting: 0 of 3 pages" in home.get_text(" ")
    assert home.find("progress", attrs={"max": "3", "value": "0"})

    run_worker()

    assert all(links_the_term(procedure) for procedure in pages)
    assert "Dimpled skin." in page(Client().get(pages[0].get_absolute_url())).find(id="words-explained").get_text()
    assert all(search_finds(procedure, "orange peel") for procedure in pages)
    job = RenderJob.objects.get()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 3, 3, 0)
    assert job.requested_by == response.wsgi_request.user
    assert "Re-rendered: 3 of 3 pages" in text(editor_client.get(BACKGROUND_UPDATES))
    assert page(editor_client.get(reverse("admin:index"))).find(id="background-updates") is None  # nothing to follow


def test_pages_are_rendered_in_batches_each_with_its_progress(run_worker, settings, monkeypatch):
    settings.RENDER_BATCH_SIZE = 2
    pages = pages_about_cellulite(5)
    seen = []
    real = background.render_next_batch

    def render_next_batch(job_id, me):
        more = real(job_id, me)
        job = RenderJob.objects.get(pk=job_id)
        seen.append((job.done, job.cursor))
        return more

    monkeypatch.setattr(background, "render_next_batch", render_next_batch)
    glossary_changed()
    run_worker()
    ids = sorted(procedure.pk for procedure in pages)
    assert seen == [(2, ids[1]), (4, ids[3]), (5, ids[4]), (5, ids[4])]  # the last look finds nothing left


def test_a_failing_batch_is_tried_again_and_the_update_still_finishes(editor_client, run_worker, monkeypatch, failing_tasks):
    pages = pages_about_cellulite(3)
    calls = render_fails(monkeypatch, times=1)
    add_glossary_term(editor_client)
    run_worker()
    job = RenderJob.objects.get()
    assert (job.status, job.done, job.attempts) == ("done", 3, 1)
    assert job.last_error == "RuntimeError: the renderer broke"  # kept, for who wonders why it took longer
    assert sorted(calls["rendered"]) == sorted(procedure.pk for procedure in pages)  # each page once
    assert all(links_the_term(procedure) for procedure in pages)
    assert [run.status for run in failing_tasks] == ["FAILED"]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


def test_after_every_attempt_failed_the_update_has_failed_and_the_admin_says_why(
    editor_client, run_worker, settings, monkeypatch, failing_tasks
):
    settings.RENDER_MAX_ATTEMPTS = 3
    pages = pages_about_cellulite(2)
    before = [Procedure.objects.get(pk=procedure.pk).what_it_is_html for procedure in pages]
    render_fails(monkeypatch, times=100)
    add_glossary_term(editor_client)
    run_worker()
    job = RenderJob.objects.get()
    assert (job.status, job.done, job.attempts) == ("failed", 0, 3)
    assert len(failing_tasks) == 3 and not DBTaskResult.objects.exclude(status="FAILED").exists()
    assert [Procedure.objects.get(pk=procedure.pk).what_it_is_html for procedure in pages] == before  # whole, as they were
    listed = text(editor_client.get(BACKGROUND_UPDATES))
    assert "Stopped: 0 of 2 pages" in listed and "RuntimeError: the renderer broke" in listed
    home = text(editor_client.get(reverse("admin:index")))
    assert "Glossary term “Cellulite” added" in home and "Failed: RuntimeError: the renderer broke" in home


def test_an_update_whose_worker_died_is_taken_up_again(editor_client, run_worker, settings):
    settings.RENDER_BATCH_SIZE = 2
    pages = pages_about_cellulite(5)
    add_glossary_term(editor_client)
    job = RenderJob.objects.get()
    # A worker takes the task, renders one batch and is killed: its task and the job stay running.
    dead = DBTaskResult.objects.get()
    dead.claim("a-worker-that-died")
    assert background.take_on(job.pk, str(dead.id)) and background.render_next_batch(job.pk, str(dead.id))
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    RenderJob.objects.filter(pk=job.pk).update(heartbeat_at=an_hour_ago)

    run_worker()  # it looks for abandoned work as it starts

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 5, 5, 1)
    assert "The background worker stopped while running it" in job.last_error
    dead.refresh_from_db()
    assert dead.status == "FAILED" and dead.exception_class_path == "procedures.publishing.background.WorkerLost"
    assert all(links_the_term(procedure) for procedure in pages)


def test_a_worker_told_to_stop_hands_its_update_over_after_the_batch_in_hand(run_worker, settings, monkeypatch):
    settings.RENDER_BATCH_SIZE = 2
    pages = pages_about_cellulite(5)
    real = background.render_next_batch

    def render_next_batch(job_id, me):
        more = real(job_id, me)
        os.kill(os.getpid(), signal.SIGTERM)  # as `make run` does when it stops
        return more

    monkeypatch.setattr(background, "render_next_batch", render_next_batch)
    save_content(GlossaryTerm(term="Cellulite", slug="cellulite", definition="Dimpled skin."))
    job = glossary_changed()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done) == ("waiting", 2)
    assert job.task_id == str(DBTaskResult.objects.get(status="READY").id)  # its next run, for the next start

    monkeypatch.setattr(background, "render_next_batch", real)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == ("done", 5, 0)
    assert all(links_the_term(procedure) for procedure in pages)


def test_an_update_whose_worker_died_before_starting_it_is_taken_up_again(editor_client, run_worker):
    pages = pages_about_cellulite(2)
    add_glossary_term(editor_client)
    dead = DBTaskResult.objects.get()
    dead.claim("a-worker-that-died")  # and nothing more: the job is still waiting for it
    DBTaskResult.objects.filter(pk=dead.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    run_worker()
    job = RenderJob.objects.get()
    assert (job.status, job.done, job.attempts) == ("done", 2, 1)
    assert job.last_error == "The background worker that took it stopped before starting it."
    dead.refresh_from_db()
    assert dead.status == "FAILED"
    assert all(links_the_term(procedure) for procedure in pages)


def test_a_run_that_is_alive_is_not_taken_for_dead(database_tasks):
    pages_about_cellulite(1)
    job = glossary_changed()
    assert not background.take_on(job.pk, "a-stray-run")  # only the task queued for it
    assert background.take_on(job.pk, job.task_id)
    assert background.recover_stale_jobs(lease_seconds=300) == []
    assert not background.take_on(job.pk, "a-second-run")  # two runs never work on one job
    assert not background.render_next_batch(job.pk, "a-second-run")
    assert background.render_next_batch(job.pk, job.task_id)


def test_with_the_worker_down_saves_answer_and_the_work_waits_in_the_queue(editor_client, database_tasks):
    pages = pages_about_cellulite(2)
    response = add_glossary_term(editor_client)
    assert response.status_code == 200 and "2 pages are being updated in the background" in text(response)
    first = RenderJob.objects.get()
    assert (first.status, DBTaskResult.objects.get().status) == ("waiting", "READY")
    assert not any(links_the_term(procedure) for procedure in pages)
    # Another change to the glossary: one update of every page is enough, not one per save.
    glossary_changed()
    first.refresh_from_db()
    assert first.status == "replaced"
    assert list(RenderJob.objects.values_list("status", flat=True)) == ["waiting", "replaced"]


def test_a_replaced_update_stops_at_its_next_batch(database_tasks):
    pages_about_cellulite(2)
    older = glossary_changed()
    assert background.take_on(older.pk, older.task_id)
    glossary_changed()
    assert not background.render_next_batch(older.pk, older.task_id)
    older.refresh_from_db()
    assert (older.status, older.done) == ("replaced", 0)


def test_a_glossary_save_makes_a_small_number_of_queries_however_many_pages(
    editor_client, database_tasks, django_assert_max_num_queries
):
    pages_about_cellulite(100)
    add = reverse("admin:procedures_glossaryterm_add")
    form = form_fields(editor_client.get(add))
    term = {"term": "Cellulite", "slug": "cellulite", "also_matches": "[]", "definition": "Dimpled skin."}
    with django_assert_max_num_queries(40):
        response = editor_client.post(add, {**form, **term})
    assert response.status_code == 302
    assert RenderJob.objects.get().total == 100


def test_renaming_a_condition_re_renders_only_its_pages(editor_client, run_worker):
    cellulite = ConditionFactory(name="Cellulite")
    tagged = pages_about_cellulite(2)
    other = ProcedureFactory()
    for procedure in tagged:
        procedure.conditions.add(cellulite)
        save_content(procedure)
    form = form_fields(editor_client.get(change_url(cellulite)))
    response = editor_client.post(change_url(cellulite), {**form, "name": "Orange peel skin"}, follow=True)
    assert "2 pages are being updated in the background" in text(response)
    job = RenderJob.objects.get()
    assert (job.reason, job.pages, job.total) == ("Condition “Orange peel skin” changed", {"conditions": cellulite.pk}, 2)
    run_worker()
    assert all(search_finds(procedure, "orange peel") for procedure in tagged)
    assert not search_finds(other, "orange peel")


def test_deleting_a_condition_re_renders_the_pages_that_had_it(run_worker, superuser_client):
    cellulite = ConditionFactory(name="Orange peel skin")
    tagged = pages_about_cellulite(1)[0]
    tagged.conditions.add(cellulite)
    save_content(tagged)
    assert search_finds(tagged, "orange peel")
    delete = reverse("admin:procedures_condition_delete", args=[cellulite.pk])
    response = superuser_client.post(delete, {"post": "yes"}, follow=True)
    assert "1 page is being updated in the background" in text(response)
    assert RenderJob.objects.get().pages == {"pk__in": [tagged.pk]}  # noted before its tags went with it
    run_worker()
    assert not search_finds(tagged, "orange peel")


def test_an_author_s_pages_follow_their_name(database_tasks):
    author = AuthorFactory(name="Dr Ada")
    written = ProcedureFactory(author=author)
    reviewed = ProcedureFactory(reviewer=AuthorFactory(is_qualified_reviewer=True))
    ProcedureFactory()
    reviewer = reviewed.reviewer
    author.name = "Dr Ada Lovelace"
    save_content(author)
    reviewer.name = "Dr Rita"
    save_content(reviewer)
    jobs = {job.reason: job.pages for job in RenderJob.objects.all()}
    assert jobs == {
        "Author “Dr Ada Lovelace” changed": {"pk__in": [written.pk]},
        "Author “Dr Rita” changed": {"pk__in": [reviewed.pk]},
    }


def test_a_disclaimer_s_pages_follow_it(database_tasks):
    default = DisclaimerFactory(is_default=True)
    own = DisclaimerFactory()
    ProcedureFactory.create_batch(2)
    ProcedureFactory(disclaimer=own)
    save_content(own)
    assert RenderJob.objects.get().pages == {"disclaimer": own.pk}
    save_content(default)
    newest = RenderJob.objects.first()
    assert (newest.pages, newest.total) == ({}, 3)  # the default shows on every page naming no other


def test_saves_in_tests_re_render_at_once_and_the_editor_is_told(editor_client):
    pages = pages_about_cellulite(2)
    response = add_glossary_term(editor_client)
    assert "2 pages updated." in text(response)
    assert all(links_the_term(procedure) for procedure in pages)


def test_the_worker_stops_cleanly_when_told_to(tmp_path):
    """What `make run` does when it stops: SIGTERM, once; the worker exits at once when idle."""
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "tests-only-not-secret", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    worker = subprocess.Popen([*manage, "runworker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while "The background worker is running" not in (line := worker.stdout.readline()):
        assert line, "the worker stopped before it started"
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert "The background worker stopped." in output


@pytest.fixture(autouse=True)
def db_for_every_test(db):
    """Every test here saves pages."""


def test_a_worker_starting_on_a_new_release_renders_what_the_old_one_rendered(run_worker, client):
    procedure = ProcedureFactory(risks="Bruising.")
    stored = RenderedPage.objects.get(procedure=procedure)
    stored.parts = {**stored.parts, "release": "an older release", "article": "<p>As an older release showed it.</p>"}
    stored.save()
    assert "Bruising." in text(client.get(procedure.get_absolute_url()))  # rendered as it is visited meanwhile
    run_worker()
    stored.refresh_from_db()
    assert stored.parts["release"] != "an older release" and "Bruising." in stored.parts["article"]
    assert RenderJob.objects.get().reason == background.NEW_RELEASE
    run_worker()
    assert RenderJob.objects.count() == 1  # nothing left to do: no second update
