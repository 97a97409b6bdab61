"""Possibly the same person under two identity numbers: two rows of a batch
with the same name, birth month and employer but different numbers (a typo
fixed in one upload and not the other; the rule is marks.twins). The
message is made for the rows shown; the review filter reads the rows'
marks (zcweb/marks.py)."""

from __future__ import annotations

from ..access.scope import scope
from ..marks import twins as twins_of
from ..models import Applicant, Org
from ..roster import rulenames, workflow
from ..roster.findings import warning
from ..roster.idcard import mask

RULE = rulenames.SAME_PERSON


def add_warnings(batch, applicants: list[Applicant]) -> None:
    """Add the finding to each shown row that has such a twin among the rows
    the current user may see (a contact: only their own body's), in memory."""
    if not applicants:
        return
    names = {a.name for a in applicants}
    query = scope(Applicant.select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer,
                                   Applicant.status, Org.name)
                  .join(Org).where((Applicant.batch == batch) & Applicant.name.in_(list(names))
                                   & (Applicant.status != workflow.WITHDRAWN)), Applicant)
    by_name: dict[str, list[Applicant]] = {}
    for r in query:
        by_name.setdefault(r.name, []).append(r)
    for a in applicants:
        twins = twins_of(a, by_name.get(a.name, []))
        if twins:
            a.warnings = list(a.warnings) + [_finding(a, twins).to_dict()]


def _finding(a: Applicant, twins: list[Applicant]):
    others = "；".join(f"{t.name}（{t.org.name}，身份证号码{mask(t.id_number)}）" for t in twins)
    return warning("id_number", f"可能为同一人：{others}，出生年月和工作单位相同而身份证号码不同，请核实是否重复申报",
                   RULE)
