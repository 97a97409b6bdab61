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
from typing import Iterable

from peewee import chunked
from playhouse.signals import post_save

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


def refresh(applicant_ids: Iterable[int]) -> int:
    """Recompute the marks of these applicants and write what changed;
    returns how many mark rows were added or removed."""
    found = sorted(set(applicant_ids))
    changed = 0
    for chunk in chunked(found, CHUNK):
        rows = list(Applicant.select(Applicant.id, Applicant.batch).where(Applicant.id.in_(chunk)).tuples())
        by_batch = defaultdict(list)
        for applicant_id, batch_id in rows:
            by_batch[batch_id].append(applicant_id)
        for batch_id, of_batch in by_batch.items():
            changed += _refresh(Batch.get_by_id(batch_id), of_batch)
    return changed


def refresh_batch(batch) -> int:
    """Every row of the batch (a list loaded, the settings changed)."""
    return refresh(i for (i,) in Applicant.select(Applicant.id).where(Applicant.batch == batch).tuples())


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


def _refresh(batch: Batch, applicant_ids: list[int]) -> int:
    """Recompute and write the marks of these rows of `batch`."""
    current = ListUpload.current(batch)
    fields = [Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer, Applicant.warnings,
              Applicant.status, Applicant.org, Applicant.org_order, Applicant.position]
    rows = list(Applicant.select(*fields, *([Applicant.data] if current else []))
                .where(Applicant.id.in_(applicant_ids)))
    numbers, names = list({a.id_number for a in rows}), list({a.name for a in rows})
    entries = {kind: ListRow.by_number(current[kind], numbers) if kind in current else None
               for kind in (ListUpload.PLATFORM, ListUpload.REGISTRY)}
    platform, registry = entries[ListUpload.PLATFORM], entries[ListUpload.REGISTRY]
    spec, schema = batch.spec, batch.schema
    # The same number at another body (withdrawn rows aside), people of the same name, earlier batches.
    sent = defaultdict(set)
    for number, org_id in (Applicant.select(Applicant.id_number, Applicant.org)
                           .where((Applicant.batch == batch) & Applicant.id_number.in_(numbers)
                                  & (Applicant.status != workflow.WITHDRAWN)).tuples()):
        sent[number].add(org_id)
    namesakes = defaultdict(list)
    for r in (Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer,
                               Applicant.status)
              .where((Applicant.batch == batch) & Applicant.name.in_(names))):
        namesakes[r.name].append(r)
    earlier = defaultdict(list)
    for number, status, result in (Applicant.select(Applicant.id_number, Applicant.status, Applicant.result)
                                   .join(Batch).where((Batch.year < batch.year) & Applicant.id_number.in_(numbers))
                                   .tuples()):
        earlier[number].append((status, result))
    wanted = {}
    for a in rows:
        found = lists.findings(a.data, a.id_number, platform, registry, spec, schema) if current else []
        wanted[a.id] = marks_of(lists.shown_stored(a.warnings, registry), found,
                                bool(sent[a.id_number] - {a.org_id}), bool(twins(a, namesakes[a.name])),
                                earlier[a.id_number])
    return _write(batch, rows, wanted)


def _write(batch: Batch, rows: list[Applicant], wanted: dict[int, set[str]]) -> int:
    """Add the missing marks, drop the ones no longer true."""
    have = defaultdict(set)
    for applicant_id, mark in (ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark)
                               .where(ApplicantMark.applicant.in_(list(wanted))).tuples()):
        have[applicant_id].add(mark)
    gone = defaultdict(list)  # mark -> the ids losing it
    for applicant_id, marks in have.items():
        for mark in marks - wanted[applicant_id]:
            gone[mark].append(applicant_id)
    new = [(a.id, m, batch.id, a.status, a.org_id, a.org_order, a.position)
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
