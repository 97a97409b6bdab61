"""A body's upload deadline: its extension (补报延期), else the batch's.
One function, and its SQL twin, for the import, the rules (公示偏晚), the
dashboard and the templates, so that an extended body is judged by the
date it is shown and works to; and the demo's and tests' "move the
deadlines" helper."""

from __future__ import annotations

import dataclasses
import datetime as dt

from peewee import fn

from ..models import Batch, Extension, Org
from ..roster.batch import BatchSpec

MOVED = ("individual_deadline", "upload_deadline", "city_deadline")


def extended(batch: Batch) -> dict[int, dt.date]:
    """Body id → its extended deadline, for the bodies granted one."""
    return dict(Extension.select(Extension.org, Extension.until).where(Extension.batch == batch).tuples())


def deadline_for(batch: Batch, org: Org | int, extensions: dict[int, dt.date] | None = None) -> dt.date:
    """The body's upload deadline (`extensions`: from `extended`, to ask for many bodies at once)."""
    org_id = org if isinstance(org, int) else org.id
    if extensions is None:
        extensions = dict(Extension.select(Extension.org, Extension.until)
                          .where((Extension.batch == batch) & (Extension.org == org_id)).tuples())
    return extensions.get(org_id, batch.spec.upload_deadline)


def deadline_sql(batch: Batch):
    """`deadline_for` in SQL, for a query that LEFT JOINs the body's Extension."""
    return fn.COALESCE(Extension.until, batch.spec.upload_deadline)


def spec_for(batch: Batch, org: Org | int, extensions: dict[int, dt.date] | None = None) -> BatchSpec:
    """The batch's rules as they apply to this body: with its own upload deadline."""
    return with_deadline(batch.spec, deadline_for(batch, org, extensions))


def with_deadline(spec: BatchSpec, deadline: dt.date) -> BatchSpec:
    return dataclasses.replace(spec, upload_deadline=deadline)


def move_deadlines(spec: BatchSpec, days: int, today: dt.date | None = None) -> BatchSpec:
    """`spec` with its deadlines moved together so that uploads close `days` from today."""
    shift = (today or dt.date.today()) + dt.timedelta(days=days) - spec.upload_deadline
    return dataclasses.replace(spec, **{name: getattr(spec, name) + shift for name in MOVED})
