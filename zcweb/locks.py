"""The one lock order for every writer of applicant rows, and one retry.

Every transaction that changes applicant rows (a confirmed upload, a
decision, a bulk decision, a withdrawal, 评审表 copies, finalising) first
locks the rows of the bodies (`org`) it writes, in ascending id order, and
only then touches applicant rows and, through the triggers or the confirm's
grouped upsert, the count rows (whose key includes the body). Two writers of one body therefore queue at
the body instead of taking applicant and count rows in opposite orders,
and writers of different bodies never share a count row: nothing can
deadlock. A transaction that refreshes the review filters' marks
(zcweb/marks.py), which belong to rows of every body, takes the batch's
marks lock (`marks.lock`) after its bodies and before its first applicant
write. SQLite needs no lock: it has one writer at a time.

A serialization failure or a deadlock that happens all the same (another
program writing the database, say) is retried once before the user sees
anything."""

from __future__ import annotations

import functools
from typing import Iterable

from .db import db, is_sqlite

# PostgreSQL's SQLSTATEs worth one more try: serialization_failure, deadlock_detected.
RETRYABLE = {"40001", "40P01"}


def lock_bodies(org_ids: Iterable[int]) -> None:
    """Lock these bodies for the rest of the transaction, in id order."""
    ids = sorted(set(org_ids))
    if not ids or is_sqlite():
        return
    marks = ", ".join(["%s"] * len(ids))
    db.execute_sql(f'SELECT "id" FROM "org" WHERE "id" IN ({marks}) ORDER BY "id" FOR NO KEY UPDATE', ids)


def lock_batch_bodies(batch_id: int) -> None:
    """Lock every body that has rows in the batch, in id order."""
    if is_sqlite():
        return
    db.execute_sql('SELECT "id" FROM "org" WHERE "id" IN (SELECT DISTINCT "org_id" FROM "applicant" '
                   'WHERE "batch_id" = %s) ORDER BY "id" FOR NO KEY UPDATE', (batch_id,))


def is_retryable(error: BaseException) -> bool:
    """A deadlock or serialization failure, whether the driver's exception
    or peewee's wrapper of it (which holds the driver's as its first argument)."""
    causes = (error, error.__cause__, error.__context__, *error.args[:1])
    return any(getattr(c, "pgcode", None) in RETRYABLE for c in causes)


def retried(write):
    """Run `write` (a function that opens its own transaction) again once
    when the database aborted it for a deadlock or a serialization failure.
    Inside an enclosing transaction it is not retried: that one is lost."""

    @functools.wraps(write)
    def wrapper(*args, **kwargs):
        try:
            return write(*args, **kwargs)
        except Exception as e:  # the driver's own class when peewee does not wrap it
            if db.in_transaction() or not is_retryable(e):
                raise
            return write(*args, **kwargs)

    return wrapper
