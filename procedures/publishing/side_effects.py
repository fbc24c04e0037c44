"""Work that must follow a save (re-indexing, refreshing cached pages) runs once per
transaction, after it commits: never for a save that is rolled back, never twice."""

from django.db import connection, transaction

PENDING = "mesocare_after_commit"


def after_commit(key, work):
    """Run `work()` once the current transaction commits (at once outside one). Work given
    twice under the same `key` in one transaction runs once."""
    pending = connection.__dict__.setdefault(PENDING, {})
    if not any(hook is run_pending for _, hook, _ in connection.run_on_commit):
        pending.clear()  # left over from a transaction that was rolled back
    pending[key] = work
    if len(pending) == 1:
        transaction.on_commit(run_pending)


def is_pending(key):
    """Whether work under `key` waits for the current transaction to commit."""
    pending = connection.__dict__.get(PENDING, {})
    return key in pending and any(hook is run_pending for _, hook, _ in connection.run_on_commit)


def run_pending():
    pending = connection.__dict__.get(PENDING, {})
    while pending:
        work = pending.pop(next(iter(pending)))  # in the order they were asked for
        work()
