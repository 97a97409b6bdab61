"""Stored rows checked again when the batch's rules change (重新核查).

The rows are checked with the import's own `RowChecker`, a chunk of rows at
a time. `recheck` only counts and remembers the rows whose warnings would
change; `apply` writes those, and nothing else, in batched UPDATEs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import chunked, fn

from ..db import db, quoted
from ..intake.deadlines import extended, with_deadline
from ..models import Applicant, Batch, to_json
from ..roster.batch import BatchSpec
from ..roster.findings import WARNING
from ..roster.rules import RowChecker

CHUNK = 5000  # rows read at a time
WRITE_CHUNK = 300  # rows written by one UPDATE


@dataclass
class Recheck:
    """What new rules do to the stored rows of a batch."""

    rows: int = 0  # rows checked
    gained: int = 0  # rows that get a warning they did not have
    lost: int = 0  # rows that lose one
    reworded: int = 0  # rows whose warnings only read differently (90 → 100学时)
    new_warnings: dict[int, list[dict]] = field(default_factory=dict)  # applicant id → warnings

    @property
    def summary(self) -> str:
        """24行新增提示，0行消除提示: what the officer reads before saving."""
        text = f"{self.gained}行新增提示，{self.lost}行消除提示"
        return text + (f"，{self.reworded}行提示内容更新" if self.reworded else "")


def stored_warnings(findings) -> list[dict]:
    """The findings a stored row keeps. A stored row is never refused: a
    rule it now breaks outright (a specialty no longer offered) is kept as a
    warning for the officer."""
    return [{**f.to_dict(), "level": WARNING} for f in findings]


def recheck(batch: Batch, spec: BatchSpec) -> Recheck:
    """Check every stored row of `batch` under `spec` (an extended body's
    rows against its own deadline); nothing is written."""
    checker, result = RowChecker(batch.schema, spec), Recheck()
    extended_checkers = {org_id: RowChecker(batch.schema, with_deadline(spec, until))
                         for org_id, until in extended(batch).items()}
    in_batch = Applicant.batch == batch
    first, last = Applicant.select(fn.MIN(Applicant.id), fn.MAX(Applicant.id)).where(in_batch).tuples().get()
    # Ranges of the primary key: each chunk is read straight from its index.
    for start in range(first or 0, (last or -1) + 1, CHUNK):
        rows = (Applicant.select(Applicant.id, Applicant.org, Applicant.data, Applicant.warnings)
                .where(in_batch & Applicant.id.between(start, start + CHUNK - 1)).tuples())
        for applicant_id, org_id, data, old in rows:
            check = extended_checkers.get(org_id, checker).check
            new = stored_warnings(check({k: v for k, v in data.items() if v is not None}))
            if new != old:
                _count(result, applicant_id, old or [], new)
            result.rows += 1
    return result


def _count(result: Recheck, applicant_id: int, old: list[dict], new: list[dict]) -> None:
    result.new_warnings[applicant_id] = new
    before = {(w["rule"], w["column"]) for w in old}
    after = {(w["rule"], w["column"]) for w in new}
    result.gained += bool(after - before)
    result.lost += bool(before - after)
    result.reworded += before == after


def apply(result: Recheck) -> int:
    """Store the changed warnings, a few hundred rows per UPDATE (one
    statement per row costs a round trip each on PostgreSQL); returns how
    many rows were written."""
    p, table, warnings, key = db.obj.param, quoted("applicant"), quoted("warnings"), quoted("id")
    written = 0
    for chunk in chunked(result.new_warnings.items(), WRITE_CHUNK):
        cases = " ".join([f"WHEN {p} THEN {p}"] * len(chunk))
        sql = (f"UPDATE {table} SET {warnings} = CASE {key} {cases} END "
               f"WHERE {key} IN ({', '.join([p] * len(chunk))})")
        db.execute_sql(sql, [v for i, w in chunk for v in (i, to_json(w))] + [i for i, _ in chunk])
        written += len(chunk)
    return written
