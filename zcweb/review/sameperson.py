"""Possibly the same person under two identity numbers: two rows of a batch
with the same name, birth month and employer but different numbers (a typo
fixed in one upload and not the other). Shown with the rows, never stored,
so it follows every change of either row."""

from __future__ import annotations

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


def add_warnings(batch, applicants: list[Applicant]) -> None:
    """Add the finding to each shown row that has such a twin among the rows
    the current user may see (a contact: only their own body's), in memory."""
    if not applicants:
        return
    names = {a.name for a in applicants}
    query = scope(Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer, Org.name)
                  .join(Org).where((Applicant.batch == batch) & Applicant.name.in_(list(names))
                                   & (Applicant.status != workflow.WITHDRAWN)), Applicant)
    rows = list(query)
    for a in applicants:
        twins = [r for r in rows if r.id != a.id and r.name == a.name and r.employer == a.employer
                 and r.id_number != a.id_number and birth_month(r.id_number) == birth_month(a.id_number)]
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


def _finding(a: Applicant, twins: list[Applicant]):
    others = "；".join(f"{t.name}（{t.org.name}，身份证号码{mask(t.id_number)}）" for t in twins)
    return warning("id_number", f"可能为同一人：{others}，出生年月和工作单位相同而身份证号码不同，请核实是否重复申报",
                   RULE)
