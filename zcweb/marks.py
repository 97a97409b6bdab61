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

from .db import db, insert_rows, is_sqlite
from .models import Applicant, ApplicantMark, Batch, ListRow, ListUpload
from .roster import lists, rulenames, workflow
from .roster.results import FAILED

ANY, NONE = "any", "none"
APPLIED, FAILED_BEFORE = "applied", "failed_before"
CHUNK = 10_000  # rows recomputed at a time (a body's import, usually in one go)
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


# PostgreSQL advisory lock key (with the batch's id) of `lock`: "mark".
LOCK_KEY = 0x6D61726B


def lock(batch) -> None:
    """Take the batch's marks for the rest of the transaction (PostgreSQL;
    SQLite has one writer at a time). A refresh reads other bodies' rows
    and writes their marks: two at once would each miss the other's new
    rows, or write the same mark twice. Every refresh takes it, and so
    does every writer of applicant statuses (their marks copy the status,
    by a trigger), first, right after its bodies' locks (zcweb.locks): it
    never waits here holding marks the holder is about to write, nor
    changes a status under a refresh that copies it."""
    if not is_sqlite():
        batch_id = batch if isinstance(batch, int) else batch.id
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_KEY, batch_id))


def refresh_batch(batch) -> int:
    """Every row of the batch (a list loaded, the settings changed)."""
    return _refresh(Batch.get_by_id(batch) if isinstance(batch, int) else batch)


def refresh_people(batch, numbers: Iterable[str], names: Iterable[str] = ()) -> int:
    """The rows a change to people of these identity numbers and names can
    touch: the batch's rows of those numbers or names (重复报送, 可能为同一人)
    and the later batches' rows of those numbers (往年)."""
    numbers = sorted(set(numbers))
    return _refresh_related(batch, numbers, Applicant.id.in_(_people(batch, numbers, sorted(set(names)))))


def refresh_written(batch, upload_id: int, withdrawn: list[int] = (), renamed: Iterable[str] = ()) -> int:
    """After an import's confirmation: the rows it inserted or changed (they
    carry its upload) and the ones it withdrew, and every row of the batch
    or a later one sharing a number or a name with them (`renamed`: the
    names the changed rows had before). Rows the file left as they were
    keep their marks: nothing they depend on changed. The new rows of
    people no other row knows are marked set-based (`_mark_alone`): in a
    body's first import, nearly all of them."""
    lock(batch)
    alone, others = _written(batch, upload_id)
    added = _mark_alone(alone)
    others += withdrawn
    if not others:
        return added
    numbers = Applicant.select(Applicant.id_number).where(_among(Applicant.id, others))
    names = Applicant.select(Applicant.name).where(_among(Applicant.id, others))
    people = _people(batch, numbers, names, sorted(set(renamed)))
    return _refresh_related(batch, numbers, Applicant.id.in_(people)) + added


# A confirmation's new rows (its upload's at version 1, as in intake.confirm)
# whose identity number no other row has, in any batch, and whose name no
# other row of the batch has, are alone: no 重复报送, 可能为同一人 or 往年.
WRITTEN = ("SELECT a.id, a.version = 1 AND NOT EXISTS (SELECT 1 FROM applicant b WHERE b.id_number = a.id_number "
           "AND b.id <> a.id) AND NOT EXISTS (SELECT 1 FROM applicant b WHERE b.batch_id = a.batch_id "
           "AND b.name = a.name AND b.id <> a.id) FROM applicant a WHERE a.upload_id = {p}")
# The marks of a row alone: the rules of its stored warnings, and ANY or NONE (marks_of).
RULES = {"sqlite": ("json_each(a.warnings) w", "json_extract(w.value, '$.rule')", "json_array_length(a.warnings)"),
         "postgres": ("json_array_elements(a.warnings::json) w", "w ->> 'rule'", "json_array_length(a.warnings::json)")}


def _written(batch: Batch, upload_id: int) -> tuple[list[int], list[int]]:
    """The ids of the rows the upload wrote: (alone, the others). While
    lists are loaded none is alone: their findings are worked out row by
    row."""
    if ListUpload.current(batch):
        return [], [i for (i,) in Applicant.select(Applicant.id).where(Applicant.upload == upload_id).tuples()]
    alone, others = [], []
    for applicant_id, lone in db.execute_sql(WRITTEN.format(p=db.obj.param), (upload_id,)):
        (alone if lone else others).append(applicant_id)
    return alone, others


def _mark_alone(alone: list[int]) -> int:
    """Write the marks of the rows alone, in two statements; returns how many."""
    if not alone:
        return 0
    each, rule, count = RULES["sqlite" if is_sqlite() else "postgres"]
    target = "INSERT INTO applicant_mark (applicant_id, mark, batch_id, status, org_id, org_order, position) "
    copied = "a.batch_id, a.status, a.org_id, a.org_order, a.position FROM applicant a"
    chosen = f"a.id IN ({', '.join(map(str, alone))})"
    p = db.obj.param
    rules = db.execute_sql(f"{target}SELECT DISTINCT a.id, {rule}, {copied}, {each} WHERE {chosen}")
    flags = db.execute_sql(f"{target}SELECT a.id, CASE WHEN {count} > 0 THEN {p} ELSE {p} END, {copied} "
                           f"WHERE {chosen}", (ANY, NONE))
    return rules.rowcount + flags.rowcount


def _people(batch, numbers, *names):
    """The ids of the batch's rows of these identity numbers or names (each
    a list or a subquery), as a UNION: SQLite reads the whole batch for an
    OR of the two."""
    in_batch = Applicant.batch == batch
    query = Applicant.select(Applicant.id).where(in_batch & Applicant.id_number.in_(numbers))
    for some in names:
        query = query | Applicant.select(Applicant.id).where(in_batch & Applicant.name.in_(some))
    return query


def refresh_later(batch) -> int:
    """The later batches' rows of the people of `batch` (往年): after its
    statuses or results changed (定稿, results)."""
    return _refresh_related(batch, Applicant.select(Applicant.id_number).where(Applicant.batch == batch), None)


def _refresh_related(batch, numbers, among) -> int:
    """The rows of `batch` meeting `among` (None: none of them), and the
    later batches' rows of the identity numbers `numbers` (a list or a
    subquery)."""
    changed = _refresh(batch, among) if among is not None else 0
    for later in Batch.select().where(Batch.year > batch.year).order_by(Batch.year):  # the locks in year order
        changed += _refresh(later, Applicant.id_number.in_(numbers))
    return changed


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


def _refresh(batch: Batch, among=None) -> int:
    """Recompute and write the marks of the batch's rows meeting `among` (a
    condition on Applicant), found once and taken a chunk of ids at a
    time; None: every row, streamed, what they are compared with read
    once, whole."""
    lock(batch)
    changed = 0
    if among is None:
        related = _Related(batch)
        for rows in chunked(_rows(batch), CHUNK):
            changed += _write(batch, rows, _marks(batch, rows, related))
        return changed
    found = [i for (i,) in db.execute(Applicant.select(Applicant.id).where((Applicant.batch == batch) & among))]
    for chunk in chunked(found, CHUNK):
        chosen = _among(Applicant.id, chunk)
        rows = list(_rows(batch, chosen))
        changed += _write(batch, rows, _marks(batch, rows, _Related(batch, chosen, rows)))
    return changed


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
    name, the earlier batches; for the rows meeting `among` (already read:
    `rows`), or the whole batch. Read by subqueries, not lists of values:
    an import's body has thousands of people."""

    def __init__(self, batch: Batch, among=None, rows: list[Row] = ()):
        in_batch = Applicant.batch == batch
        chosen = None if among is None else Applicant.select(Applicant.id_number).where(in_batch & among)
        current = ListUpload.current(batch)
        self.lists = bool(current)
        self.platform, self.registry = (ListRow.by_number(current[kind], chosen) if kind in current else None
                                        for kind in (ListUpload.PLATFORM, ListUpload.REGISTRY))
        columns = (Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer, Applicant.status,
                   Applicant.org)
        people = Applicant.select(*columns).where(in_batch)
        if among is not None:  # the others of their numbers (重复报送) and names (可能为同一人)
            names = Applicant.select(Applicant.name).where(in_batch & among)
            people = Applicant.select(*columns).where(Applicant.id.in_(_people(batch, chosen, names)) & ~among)
        self.sent, self.namesakes = defaultdict(set), defaultdict(list)
        known = ((a.id, a.id_number, a.name, a.employer, a.status, a.org) for a in rows)
        for applicant_id, number, name, employer, status, org in chain(known, db.execute(people)):
            if status != workflow.WITHDRAWN:
                self.sent[number].add(org)
            self.namesakes[name].append(Twin(applicant_id, number, name, employer, status))
        self.earlier = defaultdict(list)
        earlier = Batch.select(Batch.id).where(Batch.year < batch.year)
        query = Applicant.select(Applicant.id_number, Applicant.status, Applicant.result).where(
            Applicant.batch.in_(earlier))
        if among is not None:
            query = query.where(Applicant.id_number.in_(chosen))
        for number, status, result in db.execute(query) if earlier.exists() else ():
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
    for applicant_id, mark in db.execute(ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark)
                                         .where(_among(ApplicantMark.applicant, wanted))):
        have[applicant_id].add(mark)
    gone = defaultdict(list)  # mark -> the ids losing it
    for applicant_id, marks in have.items():
        for mark in marks - wanted[applicant_id]:
            gone[mark].append(applicant_id)
    for mark, losing in gone.items():
        ApplicantMark.delete().where((ApplicantMark.mark == mark) & _among(ApplicantMark.applicant, losing)).execute()
    insert_rows(ApplicantMark, ["applicant", "mark", *COPIED],
                ((a.id, m, batch.id, a.status, a.org, a.org_order, a.position)
                 for a in rows for m in sorted(wanted[a.id] - have[a.id])))
    return sum(len(ids) for ids in gone.values()) + sum(len(wanted[a.id] - have[a.id]) for a in rows)


def _among(field, ids) -> SQL:
    """`field` IN these ids, written out (they are integers): peewee's IN of
    a list of thousands costs more to build than to run."""
    return SQL(f"{field.column_name} IN ({', '.join(str(int(i)) for i in ids)})")


@post_save(sender=Applicant)
def _saved(sender, instance: Applicant, created: bool) -> None:
    """A row saved through the model: its people's marks."""
    refresh_people(Batch.get_by_id(instance.batch_id), [instance.id_number], [instance.name])
