import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from procedures.publishing import background
from procedures.publishing.tasks_api import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)
RECOVER_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Run the background worker (`make run` starts it beside the web server): it re-renders pages after "
        "a change many of them show, and takes up again the work of a worker that died."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at an empty queue.")
        parser.add_argument("--batch", action="store_true", help="Run what is waiting now, then stop.")
        parser.add_argument(
            "--lease",
            type=int,
            default=settings.RENDER_LEASE_SECONDS,
            help="Seconds without progress after which a running update counts as abandoned by a dead worker "
            "(well above the time one batch of pages takes).",
        )

    def handle(self, interval, batch, lease, **options):
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError("The TASKS backend is not django_tasks_db.DatabaseBackend: there is no queue to work on.")
        self.recover(lease)
        if job := background.rerender_what_an_older_release_rendered():
            self.stdout.write(f"Queued: {job}")
        stop = threading.Event()
        if not batch:
            threading.Thread(target=self.keep_recovering, args=(lease, stop), daemon=True).start()
        worker = PoliteWorker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        try:
            worker.configure_signals()
            self.stdout.write(f"The background worker is running ({'until the queue is empty' if batch else 'Ctrl+C stops it'}).")
            worker.run()
        except SystemExit as stopped:  # how db_worker's signal handler stops an idle worker
            if stopped.code:
                raise
        finally:
            stop.set()
            worker.restore_signals()
            background.worker_stopping.clear()
        self.stdout.write("The background worker stopped.")

    def recover(self, lease):
        for job in background.recover_stale_jobs(lease):
            self.stdout.write(f"Took up again, after its worker stopped: {job}")

    def keep_recovering(self, lease, stop):
        """Another worker may die while this one runs: look for its jobs every minute."""
        while not stop.wait(RECOVER_EVERY_SECONDS):
            try:
                self.recover(lease)
            except Exception:
                logger.exception("Could not look for abandoned background updates; trying again in a minute.")
            finally:
                connections.close_all()  # this thread's own connection


class PoliteWorker(Worker):
    """django-tasks-db's worker, which on SIGTERM or Ctrl+C stops after the batch of pages in hand
    rather than the whole job, and leaves Ctrl+C alone when started in the background by a shell
    (`make run`), which ignores it there: the shell then stops it with SIGTERM, once."""

    def configure_signals(self):
        self.previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        super().configure_signals()
        if self.previous[signal.SIGINT] == signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def restore_signals(self):
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def shutdown(self, signum, frame):
        background.worker_stopping.set()
        super().shutdown(signum, frame)
