"""Marks (标记) of applicant rows: what the review desk shows on each row,
kept for the review filters.

A row's marks are the rules of the warnings the desk shows on it (stored
with the row, 重复报送, 可能为同一人, the province's lists' findings), ANY
or NONE (有提示 / 无提示), and from earlier batches APPLIED (往年申报过)
and FAILED_BEFORE (往年未通过). Each mark is a row of `applicant_mark`
(models.ApplicantMark) that also holds the applicant's status, body and
place in the default order, copied by a trigger of migration 0015
whatever writes them, so that a filter on one mark reads its page and its
counts per status from one index range instead of testing each of
100,000 rows.

A mark depends on the row and on others: the same identity number at
another body or in an earlier batch, rows of the same name, the current
lists, the batch's settings. Every writer that can change one calls a
`refresh_*` for the rows concerned (the import's confirmation, decisions,
定稿 and its undoing, a results list, a province list, the batch's
settings); a row saved through the model (the demo's earlier year, tests)
is refreshed by the post_save receiver below.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain
from typing import Iterable, Iterator, NamedTuple

import orjson
from peewee import SQL, chunked
from playhouse.signals import post_save

from .db import db
from .models import Applicant, ApplicantMark, Batch, ListRow, ListUpload
from .roster import lists, rulenames, workflow
from .roster.results import FAILED

ANY, NONE = "any", "none"
APPLIED, FAILED_BEFORE = "applied", "failed_before"
CHUNK = 2000  # rows recomputed at a time (and identity numbers or names per IN list)
WRITE_CHUNK = 500  # mark rows per INSERT
# What a mark row copies of its applicant (kept by the trigger of migration 0015).
COPIED = ("batch", "status", "org", "org_order", "position")


def birth_month(id_number: str) -> str:
    """YYYYMM from an 18-digit number (digits 7 to 12)."""
    return id_number[6:12]


def twins(a, rows) -> list:
    """The rows among `rows` that may be `a` under another identity number
    (可能为同一人): the same name, birth month and employer, another
    number, not withdrawn."""
    return [r for r in rows if r.id != a.id and r.name == a.name and r.employer == a.employer
            and r.id_number != a.id_number and r.status != workflow.WITHDRAWN
            and birth_month(r.id_number) == birth_month(a.id_number)]


def failed(status: str, result: str | None) -> bool:
    """An earlier batch's row that did not succeed (往年未通过): not
    recommended (withdrawn rows aside), or failed at the 高评委."""
    return status not in (workflow.RECOMMENDED, workflow.WITHDRAWN) or result == FAILED


def ids(batch, mark: str):
    """The ids of the batch's applicants carrying `mark`, as a subquery."""
    return ApplicantMark.select(ApplicantMark.applicant).where(
        (ApplicantMark.batch == batch) & (ApplicantMark.mark == mark))


def of(applicant_ids: list[int]) -> dict[int, set[str]]:
    """applicant id → its marks."""
    found = defaultdict(set)
    for applicant_id, mark in db.execute(ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark)
                                         .where(ApplicantMark.applicant.in_(applicant_ids))):
        found[applicant_id].add(mark)
    return found


def refresh(applicant_ids: Iterable[int]) -> int:
    """Recompute the marks of these applicants and write what changed;
    returns how many mark rows were added or removed."""
    by_batch = defaultdict(list)
    for chunk in chunked(sorted(set(applicant_ids)), CHUNK):
        for applicant_id, batch_id in Applicant.select(Applicant.id, Applicant.batch).where(
                Applicant.id.in_(chunk)).tuples():
            by_batch[batch_id].append(applicant_id)
    changed = 0
    for batch_id, of_batch in by_batch.items():
        batch = Batch.get_by_id(batch_id)
        for chunk in chunked(of_batch, CHUNK):
            rows = list(_rows(batch, Applicant.id.in_(chunk)))
            changed += _write(batch, rows, _marks(batch, rows, _Related(batch, rows)))
    return changed


def refresh_batch(batch) -> int:
    """Every row of the batch (a list loaded, the settings changed): what
    the rows are compared with is read once, whole, and the rows streamed."""
    batch = Batch.get_by_id(batch) if isinstance(batch, int) else batch
    related, changed = _Related(batch), 0
    for rows in chunked(_rows(batch), CHUNK):
        changed += _write(batch, rows, _marks(batch, rows, related))
    return changed


def refresh_people(batch, numbers: Iterable[str], names: Iterable[str] = ()) -> int:
    """The rows a change to people of these identity numbers and names can
    touch: the batch's rows of those numbers or names (重复报送, 可能为同一人)
    and the later batches' rows of those numbers (往年)."""
    numbers, names = sorted(set(numbers)), sorted(set(names))
    later = Batch.select(Batch.id).where(Batch.year > batch.year)
    found = set()
    for chunk in chunked(numbers, CHUNK):
        found.update(i for (i,) in Applicant.select(Applicant.id).where(
            Applicant.id_number.in_(chunk) & ((Applicant.batch == batch) | Applicant.batch.in_(later))).tuples())
    for chunk in chunked(names, CHUNK):
        found.update(i for (i,) in Applicant.select(Applicant.id).where(
            (Applicant.batch == batch) & Applicant.name.in_(chunk)).tuples())
    return refresh(found)


def refresh_body(batch, org, old_names: Iterable[str] = ()) -> int:
    """After an import into a body: its rows, and every row of the batch or
    a later one sharing a number or a name with them (`old_names`: names
    they had before)."""
    body = Applicant.select(Applicant.id_number, Applicant.name).where(
        (Applicant.batch == batch) & (Applicant.org == org)).tuples()
    numbers, names = set(), set(old_names)
    for number, name in body:
        numbers.add(number)
        names.add(name)
    return refresh_people(batch, numbers, names)


def refresh_later(batch) -> int:
    """The later batches' rows of the people of `batch` (往年): after its
    statuses or results changed (定稿, results)."""
    later = Batch.select(Batch.id).where(Batch.year > batch.year)
    if not later.exists():
        return 0
    numbers = Applicant.select(Applicant.id_number).where(Applicant.batch == batch)
    return refresh(i for (i,) in Applicant.select(Applicant.id).where(
        Applicant.batch.in_(later) & Applicant.id_number.in_(numbers)).tuples())


def status_changed(batch, rows, statuses: set[str]) -> int:
    """After decisions moved `rows` between `statuses`: their people's
    marks, when a status can change one: a row withdrawn or sent again
    (重复报送, 可能为同一人), or a later batch's 往年."""
    if workflow.WITHDRAWN in statuses or Batch.select().where(Batch.year > batch.year).exists():
        return refresh_people(batch, [a.id_number for a in rows], [a.name for a in rows])
    return 0


def marks_of(stored: list[dict], found: list, other_bodies: bool, twin: bool, earlier: list[tuple]) -> set[str]:
    """A row's marks: the rules of its shown warnings (`stored` as shown,
    the lists' `found`), 重复报送, 可能为同一人; ANY or NONE; and its
    earlier batches' (status, result)."""
    rules = {w["rule"] for w in stored} | {f.rule for f in found}
    if other_bodies:
        rules.add(rulenames.DUPLICATE_OTHER_BODY)
    if twin:
        rules.add(rulenames.SAME_PERSON)
    marks = rules | {ANY if rules else NONE}
    if earlier:
        marks.add(APPLIED)
    if any(failed(status, result) for status, result in earlier):
        marks.add(FAILED_BEFORE)
    return marks


class Row(NamedTuple):
    """What the marks of an applicant row are computed from."""

    id: int
    id_number: str
    name: str
    employer: str
    status: str
    org: int
    org_order: int
    position: int
    warnings: list
    data: dict | None


def _rows(batch: Batch, among=None) -> Iterator[Row]:
    """The batch's rows (`among`: a condition on them), with their data
    when lists are loaded, read from the cursor itself: peewee's
    conversion of each row costs more than its marks at 100,000 rows."""
    data = Applicant.data if ListUpload.current(batch) else SQL("NULL")
    query = Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer,
                             Applicant.status, Applicant.org, Applicant.org_order, Applicant.position,
                             Applicant.warnings, data).where(Applicant.batch == batch)
    query = (query if among is None else query.where(among)).order_by(Applicant.id)
    for *values, warnings, data in db.execute(query):
        yield Row(*values, orjson.loads(warnings) if warnings else [], orjson.loads(data) if data else None)


class _Related:
    """What a batch's rows are compared with: the current lists, the same
    number at another body (withdrawn rows aside), the people of the same
    name, the earlier batches; for `rows` only, or the whole batch."""

    def __init__(self, batch: Batch, rows: list[Row] | None = None):
        numbers = None if rows is None else list({a.id_number for a in rows})
        names = None if rows is None else list({a.name for a in rows})

        def among(query, field, values):
            return query if values is None else query.where(field.in_(values))

        current = ListUpload.current(batch)
        self.lists = bool(current)
        self.platform, self.registry = (ListRow.by_number(current[kind], numbers) if kind in current else None
                                        for kind in (ListUpload.PLATFORM, ListUpload.REGISTRY))
        self.sent, self.namesakes = defaultdict(set), defaultdict(list)
        query = Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer,
                                 Applicant.status, Applicant.org).where(Applicant.batch == batch)
        if rows is None:
            people = db.execute(query)
        else:  # the rows' numbers (重复报送) and names (可能为同一人)
            people = {r[0]: r for r in chain(db.execute(query.where(Applicant.id_number.in_(numbers))),
                                             db.execute(query.where(Applicant.name.in_(names))))}.values()
        for applicant_id, number, name, employer, status, org in people:
            if status != workflow.WITHDRAWN:
                self.sent[number].add(org)
            self.namesakes[name].append(Twin(applicant_id, number, name, employer, status))
        self.earlier = defaultdict(list)
        query = (Applicant.select(Applicant.id_number, Applicant.status, Applicant.result)
                 .join(Batch).where(Batch.year < batch.year))
        for number, status, result in db.execute(among(query, Applicant.id_number, numbers)):
            self.earlier[number].append((status, result))


class Twin(NamedTuple):
    id: int
    id_number: str
    name: str
    employer: str
    status: str


def _marks(batch: Batch, rows: list, related: _Related) -> dict[int, set[str]]:
    """applicant id → the marks these rows should have."""
    spec, schema = batch.spec, batch.schema
    platform, registry = related.platform, related.registry
    wanted = {}
    for a in rows:
        found = lists.findings(a.data, a.id_number, platform, registry, spec, schema) if related.lists else []
        wanted[a.id] = marks_of(lists.shown_stored(a.warnings, registry), found,
                                bool(related.sent[a.id_number] - {a.org}), bool(twins(a, related.namesakes[a.name])),
                                related.earlier[a.id_number])
    return wanted


def _write(batch: Batch, rows: list, wanted: dict[int, set[str]]) -> int:
    """Add the missing marks, drop the ones no longer true."""
    have = defaultdict(set)
    ids = [a.id for a in rows]
    # The batch's rows streamed in order: a range of ids; a few rows here and there: those ids.
    dense = max(ids) - min(ids) < 4 * len(ids)
    query = ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark).where(
        ApplicantMark.applicant.between(min(ids), max(ids)) if dense else ApplicantMark.applicant.in_(ids))
    for applicant_id, mark in db.execute(query):
        if applicant_id in wanted:
            have[applicant_id].add(mark)
    gone = defaultdict(list)  # mark -> the ids losing it
    for applicant_id, marks in have.items():
        for mark in marks - wanted[applicant_id]:
            gone[mark].append(applicant_id)
    new = [(a.id, m, batch.id, a.status, a.org, a.org_order, a.position)
           for a in rows for m in sorted(wanted[a.id] - have[a.id])]
    # A statement per mark and per few hundred rows: PostgreSQL's executemany would be one per row.
    for mark, losing in gone.items():
        for chunk in chunked(losing, CHUNK):
            ApplicantMark.delete().where((ApplicantMark.mark == mark) & ApplicantMark.applicant.in_(chunk)).execute()
    fields = [ApplicantMark.applicant, ApplicantMark.mark, *(getattr(ApplicantMark, f) for f in COPIED)]
    for chunk in chunked(new, WRITE_CHUNK):
        ApplicantMark.insert_many(chunk, fields).execute()
    return sum(len(ids) for ids in gone.values()) + len(new)


@post_save(sender=Applicant)
def _saved(sender, instance: Applicant, created: bool) -> None:
    """A row saved through the model: its people's marks."""
    refresh_people(Batch.get_by_id(instance.batch_id), [instance.id_number], [instance.name])
