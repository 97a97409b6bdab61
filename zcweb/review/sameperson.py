"""Possibly the same person under two identity numbers: two rows of a batch
with the same name, birth month and employer but different numbers (a typo
fixed in one upload and not the other). Shown with the rows, never stored,
so it follows every change of either row."""

from __future__ import annotations

from typing import NamedTuple

from peewee import fn

from ..access.scope import scope
from ..models import Applicant, Org
from ..roster import rulenames, workflow
from ..roster.findings import warning
from ..roster.idcard import mask

RULE = rulenames.SAME_PERSON


def birth_month(id_number: str) -> str:
    """YYYYMM from an 18-digit number (digits 7 to 12)."""
    return id_number[6:12]


class Twin(NamedTuple):
    """A row that may be the same person as a shown one, as its finding names it."""

    id: int
    id_number: str
    name: str
    employer: str
    org_name: str


def add_warnings(batch, applicants: list[Applicant], among: list[Applicant] | None = None) -> None:
    """Add the finding to each shown row that has such a twin among the rows
    the current user may see (a contact: only their own body's), in memory.
    `among`: those rows (with their Org), when the caller has them all
    already, as a contact's own list does; else they are read, as plain
    tuples (a page of common names may have a thousand namesakes)."""
    if not applicants:
        return
    if among is None:
        names = {a.name for a in applicants}
        query = scope(Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer, Org.name)
                      .join(Org).where((Applicant.batch == batch) & Applicant.name.in_(list(names))
                                       & (Applicant.status != workflow.WITHDRAWN)), Applicant)
        rows = [Twin(*row) for row in query.tuples()]
    else:
        rows = [Twin(r.id, r.id_number, r.name, r.employer, r.org.name) for r in among
                if r.status != workflow.WITHDRAWN]
    by_person: dict[tuple, list[Twin]] = {}  # (name, employer, birth month) → rows
    for r in rows:
        by_person.setdefault((r.name, r.employer, birth_month(r.id_number)), []).append(r)
    for a in applicants:
        twins = [r for r in by_person.get((a.name, a.employer, birth_month(a.id_number)), ())
                 if r.id != a.id and r.id_number != a.id_number]
        if twins:
            a.warnings = list(a.warnings) + [_finding(a, twins).to_dict()]


def condition(batch):
    """The rows that have such a twin in the batch, as a condition of a
    review query (the 提示 filter)."""
    twin = Applicant.alias()
    return fn.EXISTS(twin.select(twin.id).where(
        (twin.batch == batch) & (twin.name == Applicant.name) & (twin.employer == Applicant.employer)
        & (twin.id_number != Applicant.id_number) & (twin.status != workflow.WITHDRAWN)
        & (fn.SUBSTR(twin.id_number, 7, 6) == fn.SUBSTR(Applicant.id_number, 7, 6))))


def _finding(a: Applicant, twins: list[Twin]):
    others = "；".join(f"{t.name}（{t.org_name}，身份证号码{mask(t.id_number)}）" for t in twins)
    return warning("id_number", f"可能为同一人：{others}，出生年月和工作单位相同而身份证号码不同，请核实是否重复申报",
                   RULE)
