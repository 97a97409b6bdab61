"""The warnings rows carry as the desk shows them, every source together:
stored with the row, another body's row of the person (重复报送), and the
province's lists' findings (reconcile.py). For a bulk action's question."""

from __future__ import annotations

from collections import Counter

from . import reconcile
from ..models import Applicant, Org
from ..roster import rulenames


def shown_rules(batch, ids: list[int]) -> dict[int, set[str]]:
    """applicant id → the rules of the warnings the desk shows for it (rows without any left out)."""
    rows = list(Applicant.select(Applicant, Org).join(Org).where(Applicant.id.in_(ids)))
    reconcile.add_warnings(batch, rows)
    submitted = Applicant.submitted_by(batch, [a.id_number for a in rows])
    found = {}
    for a in rows:
        rules = {w["rule"] for w in a.warnings} | ({rulenames.DUPLICATE_OTHER_BODY} if a.other_bodies(submitted)
                                                   else set())
        if rules:
            found[a.id] = rules
    return found


def summary(warned: dict[int, set[str]]) -> str:
    """"平台未申报 2 人、重复报送 1 人", the rules in the registry's order."""
    counts = Counter(rule for rules in warned.values() for rule in rules)
    order = list(rulenames.RULES)
    ranked = sorted(counts, key=lambda r: order.index(r) if r in order else len(order))
    return "、".join(f"{rulenames.short_name(rule)} {counts[rule]} 人" for rule in ranked)
