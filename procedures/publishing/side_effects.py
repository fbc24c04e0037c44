"""Work that must follow a save (re-indexing, refreshing cached pages) runs once per
transaction, after it commits: never for a save that is rolled back, never twice."""

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Work:
    key: object
    work: object

    def __call__(self):
        self.work()


def after_commit(key, work):
    """Run `work()` once the current transaction commits (at once outside one). Work given
    twice under the same `key` in one transaction runs once. A failure is logged: the save it
    follows has committed, and the rest of the work still runs."""
    if not is_pending(key):
        transaction.on_commit(Work(key, work), robust=True)


def is_pending(key):
    """Whether work under `key` waits for the current transaction to commit. Django drops the
    work of a savepoint that is rolled back, so this never counts work that will not run."""
    return any(isinstance(hook, Work) and hook.key == key for _, hook, _ in connection.run_on_commit)
