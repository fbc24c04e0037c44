"""Re-rendering many pages in the background, after something they all show changed (a glossary
term, a condition's name, an author), so that an editor's save answers at once.

A RenderJob says which pages and how far it got; a task on Django's task queue
(`manage.py runworker`) works through them in batches, in order of id. Each batch re-renders
its pages and moves the job on in one transaction, so every page is always whole — as it was,
or fully re-rendered — and a run that stops for any reason resumes after the last page it saved.
A run holds the job by its task id and keeps its heartbeat fresh: two runs never work on one
job, and a job whose worker died is taken up again (`recover_stale_jobs`). A failed batch is
tried again later, with growing pauses, up to RENDER_MAX_ATTEMPTS times."""

import copy
import threading
import time
from datetime import timedelta

import reversion
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from procedures.models import (
    Author,
    BodyArea,
    Condition,
    Disclaimer,
    GlossaryTerm,
    Procedure,
    RenderedPage,
    RenderJob,
    Specialty,
)

from . import release
from .pages import rerender_page
from .tasks_api import TaskContext, TaskResultStatus, task

Status = RenderJob.Status
UNFINISHED = (Status.WAITING, Status.RUNNING)
FIRST_PAUSE = timedelta(seconds=10)  # before the first retry; it doubles with each one
LONGEST_PAUSE = timedelta(minutes=10)

# Set when the worker process is asked to stop: a run then hands its job over after the
# batch in hand, instead of keeping the worker (and its stop) waiting for the whole job.
worker_stopping = threading.Event()


class WorkerLost(Exception):
    """Recorded on a task whose worker stopped without saying how its run ended."""


def batch_size():
    return settings.RENDER_BATCH_SIZE


def max_attempts():
    return settings.RENDER_MAX_ATTEMPTS


def rerender_pages_later(reason, *, pages=None, by=None):
    """Re-render the pages `pages` picks (keyword filters on Procedure, e.g. {"conditions": 4};
    {} or None: every page) in the background, because of `reason` (in words, for editors).
    Returns the job, or None when no page needs it. Call it inside the change's transaction:
    the job and its task are committed with the change, or not at all."""
    pages = pages or {}
    total = pages_to_render(pages).count()
    if not total:
        return None
    by = by or (reversion.get_user() if reversion.is_active() else None)
    with transaction.atomic():
        if not pages:
            replace_unfinished_jobs()
        job = RenderJob.objects.create(
            reason=reason[:300], pages=pages, total=total, requested_by=by if by and by.is_authenticated else None
        )
        start(job)
    job.refresh_from_db()  # a backend that runs tasks at once (the tests') has finished it already
    return job


def pages_to_render(pages):
    """The procedures a job's `pages` picks, each once (a filter across tags can repeat them)."""
    if not pages:
        return Procedure.objects.all()
    return Procedure.objects.filter(pk__in=Procedure.objects.filter(**pages).values("pk"))


def pages_showing(obj):
    """The pages that show `obj` by name (on the page or in its search entry), as a filter for
    rerender_pages_later; None when pages do not show such things."""
    if isinstance(obj, Condition):
        return {"conditions": obj.pk}
    if isinstance(obj, BodyArea):
        return {"body_areas": obj.pk}
    if isinstance(obj, Specialty):
        return {"specialties": obj.pk}
    if isinstance(obj, Author):  # as the author, the medical reviewer, or a translation's translator or reviewer
        named = Q(author=obj) | Q(reviewer=obj) | Q(translations__translated_by=obj) | Q(translations__reviewer=obj)
        return {"pk__in": list(Procedure.objects.filter(named).values_list("pk", flat=True).distinct())}
    if isinstance(obj, Disclaimer):  # the default shows on every page that names no other
        return {} if obj.is_default else {"disclaimer": obj.pk}
    return None


def pages_showing_now(obj):
    """pages_showing, pinned to the pages that show it now, by id: for an object about to be
    deleted, whose tags go with it."""
    pages = pages_showing(obj)
    if pages:
        pages = {"pk__in": list(pages_to_render(pages).values_list("pk", flat=True))}
    return pages


def replace_unfinished_jobs():
    """Every page is about to be rendered from what it says now: older jobs still to run can stop
    there. (A job in the middle of a batch on PostgreSQL is left to run, rather than keep the
    editor's save waiting for the batch; its pages are simply rendered twice.)"""
    older = RenderJob.objects.select_for_update(skip_locked=True).filter(status__in=UNFINISHED)
    RenderJob.objects.filter(pk__in=list(older.values_list("pk", flat=True))).update(
        status=Status.REPLACED, task_id="", finished_at=timezone.now()
    )


def start(job, pause=None):
    """Queue a run of the job (after `pause`), in the caller's transaction: with the database
    backend the task is committed together with the job's new state, so a worker never sees
    one without the other."""
    run = rerender_pages
    if pause and run.get_backend().supports_defer:  # a backend that runs tasks at once cannot wait
        run = run.using(run_after=timezone.now() + pause)
    queued = run.enqueue(job.pk)
    # Only this task may take the job on; and if a worker takes it and dies before starting it,
    # recover_stale_jobs can tell. (A backend that runs tasks at once has finished the job.)
    RenderJob.objects.filter(pk=job.pk, status=Status.WAITING).update(task_id=queued.id)


@task(takes_context=True)
def rerender_pages(context: TaskContext, job_id):
    """One run of a job: batch after batch until its pages are done, it is replaced, or the
    worker stops. A failure is recorded on the job, which is tried again later, and raised, so
    the task's own result shows it too."""
    me = context.task_result.id
    if not take_on(job_id, me):
        return "nothing to do"  # finished, replaced, or another run has it
    try:
        while render_next_batch(job_id, me):
            if worker_stopping.is_set():
                hand_over(job_id, me)
                return "handed over: the worker is stopping"
            time.sleep(settings.RENDER_PAUSE_SECONDS)  # editors' saves waiting for the database go first
    except Exception as error:
        try_again_later(job_id, me, error)
        raise
    return "done"


@transaction.atomic
def take_on(job_id, me):
    job = RenderJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status != Status.WAITING or job.task_id not in ("", me):
        return False
    job.status, job.task_id, job.heartbeat_at = Status.RUNNING, me, timezone.now()
    job.save(update_fields=["status", "task_id", "heartbeat_at"])
    return True


@transaction.atomic
def render_next_batch(job_id, me):
    """Re-render the job's next pages and record how far it got, in one transaction. Returns
    whether there may be more."""
    job = RenderJob.objects.select_for_update().get(pk=job_id)
    if job.status != Status.RUNNING or job.task_id != me:
        return False  # replaced by a newer job, or taken up again after this run was given up for dead
    # Locked, so that an editor's save of one of these pages waits for the batch (and renders
    # the page itself) rather than have its new text paired with HTML rendered from the old.
    batch = list(
        pages_to_render(job.pages).filter(pk__gt=job.cursor).order_by("pk").select_for_update(of=("self",))[: batch_size()]
    )
    if not batch:
        job.status, job.task_id, job.finished_at = Status.DONE, "", timezone.now()
        job.total = job.done  # pages deleted meanwhile are not waited for
        job.save(update_fields=["status", "task_id", "finished_at", "total"])
        return False
    glossary = GlossaryTerm.glossary()
    for page in batch:
        rerender_page(page, glossary_for_one_page(glossary))
    job.cursor, job.done, job.heartbeat_at = batch[-1].pk, job.done + len(batch), timezone.now()
    job.total = max(job.total, job.done)  # pages added meanwhile are rendered too
    job.save(update_fields=["cursor", "done", "heartbeat_at", "total"])
    return True


def glossary_for_one_page(glossary):
    """A Glossary links each term once per page and remembers which it has linked: every page
    needs its own, while the terms and their pattern are shared by the whole batch."""
    page_glossary = copy.copy(glossary)
    page_glossary.used = []
    return page_glossary


@transaction.atomic
def hand_over(job_id, me):
    """Give the job back to the queue, to go on after its last batch."""
    job = RenderJob.objects.select_for_update().get(pk=job_id)
    if job.status == Status.RUNNING and job.task_id == me:
        job.status, job.task_id = Status.WAITING, ""
        job.save(update_fields=["status", "task_id"])
        start(job)


def try_again_later(job_id, me, error):
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().get(pk=job_id)
        if job.status != Status.RUNNING or job.task_id != me:
            return
        job.last_error = f"{type(error).__name__}: {error}"
        give_up_or_retry(job, pause=min(LONGEST_PAUSE, FIRST_PAUSE * 2**job.attempts))


def give_up_or_retry(job, pause=None):
    """Count a failed run; queue the job again from its last page, or, once it has failed
    RENDER_MAX_ATTEMPTS times, mark it failed for editors to see."""
    job.attempts += 1
    job.task_id = ""
    if job.attempts < max_attempts():
        job.status = Status.WAITING
        job.save()
        start(job, pause)
    else:
        job.status, job.finished_at = Status.FAILED, timezone.now()
        job.save()


def recover_stale_jobs(lease_seconds):
    """Take up again the jobs a worker abandoned (killed, out of memory, its machine lost) in
    the middle of a run, or after taking its task and before starting it: the orphaned task is
    marked failed and the job queued to go on after its last batch. Returns the jobs recovered.
    `lease_seconds` without progress makes a job abandoned: well above the time of one batch."""
    cutoff = timezone.now() - timedelta(seconds=lease_seconds)
    running = RenderJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    waiting = RenderJob.objects.filter(status=Status.WAITING).exclude(task_id="")  # a few at most
    recovered = []
    for job_id in [*running.values_list("pk", flat=True), *waiting.values_list("pk", flat=True)]:
        with transaction.atomic():
            job = RenderJob.objects.select_for_update().get(pk=job_id)
            if not abandoned(job, cutoff):
                continue  # alive after all
            if job.status == Status.RUNNING:
                seen = date_format(timezone.localtime(job.heartbeat_at), "j M Y H:i:s")
                job.last_error = f"The background worker stopped while running it (last seen {seen})."
            else:
                job.last_error = "The background worker that took it stopped before starting it."
            task_lost(job.task_id, job.last_error)
            give_up_or_retry(job)
            recovered.append(job)
    return recovered


def abandoned(job, cutoff):
    if job.status == Status.RUNNING:
        return job.heartbeat_at < cutoff
    if job.status != Status.WAITING or not isinstance(rerender_pages.get_backend(), DatabaseBackend):
        return False
    on_its_way = Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
    return not DBTaskResult.objects.filter(on_its_way, id=job.task_id).exists()


def task_lost(task_id, why):
    """Mark the dead run's task failed, so the queue no longer shows it running (and prunes it)."""
    if isinstance(rerender_pages.get_backend(), DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=why,
        )


NEW_RELEASE = "A new release of the site: pages rendered by the one before"


def rerender_what_an_older_release_rendered():
    """After a new release of the code, pages it has not rendered yet are rendered again in the
    background (until then each is rendered as it is visited). Run as a worker starts."""
    outdated = RenderedPage.objects.exclude(parts__release=release.fingerprint()).exists()
    never = Procedure.objects.filter(rendered__isnull=True).exists()
    already = RenderJob.objects.filter(reason=NEW_RELEASE, status__in=UNFINISHED).exists()
    if (outdated or never) and not already:
        return rerender_pages_later(NEW_RELEASE, pages={})
    return None
