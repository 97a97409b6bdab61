"""The warnings rows carry as the desk shows them, every source together
(stored with the row, another body's row of the person (重复报送), a
possible twin, the province's lists' findings), read from the rows' marks
(zcweb/marks.py). For a bulk action's question."""

from __future__ import annotations

from collections import Counter

from peewee import chunked

from .. import marks
from ..models import ApplicantMark
from ..roster import rulenames

NOT_RULES = (marks.ANY, marks.NONE, marks.APPLIED, marks.FAILED_BEFORE)


def shown_rules(ids: list[int]) -> dict[int, set[str]]:
    """applicant id → the rules of the warnings the desk shows for it (rows without any left out)."""
    found: dict[int, set[str]] = {}
    for chunk in chunked(ids, marks.CHUNK):
        query = (ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark)
                 .where(ApplicantMark.applicant.in_(chunk) & ApplicantMark.mark.not_in(NOT_RULES)))
        for applicant_id, rule in query.tuples():
            found.setdefault(applicant_id, set()).add(rule)
    return found


def summary(warned: dict[int, set[str]]) -> str:
    """"平台未申报 2 人、重复报送 1 人", the rules in the registry's order."""
    counts = Counter(rule for rules in warned.values() for rule in rules)
    order = list(rulenames.RULES)
    ranked = sorted(counts, key=lambda r: order.index(r) if r in order else len(order))
    return "、".join(f"{rulenames.short_name(rule)} {counts[rule]} 人" for rule in ranked)
