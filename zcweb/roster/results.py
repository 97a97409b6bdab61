"""Matching the 高评委's result list (评审结果) with the applicants we
recommended (已推荐): by identity number when a listed row has one, else
by name and normalised employer (and specialty when the list gives it).
A row that fits several applicants is ambiguous and left to the officer;
a row that fits none is someone we never recommended."""

from __future__ import annotations

from dataclasses import dataclass, field

from .normalize import compared

PASSED, FAILED = "passed", "failed"
LABELS = {PASSED: "通过", FAILED: "未通过", None: "未出结果"}
FAIL_WORDS = ("未通过", "不通过", "不合格", "未获通过")


@dataclass(frozen=True)
class Candidate:
    """A recommended applicant: `key` is their row id."""
    key: int
    id_number: str
    name: str
    employers: tuple[str, ...]  # the employer and the submitting body, both accepted
    level: str
    specialty: str


@dataclass
class Listed:
    """One row of the result list; `chosen` is the officer's pick among
    ambiguous candidates."""
    name: str
    employer: str = ""
    specialty: str = ""
    id_number: str | None = None
    result: str = ""
    chosen: int | None = None

    @property
    def outcome(self) -> str:
        """A row without a 评审结果 (a passed-only list) has passed."""
        return FAILED if any(word in self.result for word in FAIL_WORDS) else PASSED


@dataclass
class Matching:
    results: dict[int, str | None] = field(default_factory=dict)  # candidate key → PASSED / FAILED / None
    matched: dict[int, int] = field(default_factory=dict)  # listed index → candidate key
    ambiguous: dict[int, list[int]] = field(default_factory=dict)  # listed index → candidate keys
    outside: list[int] = field(default_factory=list)  # listed indexes we never recommended


def fits(row: Listed, c: Candidate) -> bool:
    return (compared(row.name) == compared(c.name)
            and (not row.employer or compared(row.employer) in {compared(e) for e in c.employers})
            and (not row.specialty or compared(row.specialty) == compared(c.specialty)))


def match(listed: list[Listed], candidates: list[Candidate]) -> Matching:
    """Each candidate's result. When no row says 未通过 the list holds only
    the passed: the others recommended at a level and specialty it covers
    have failed; ambiguous candidates wait for the officer."""
    by_key = {c.key: c for c in candidates}
    by_number = {c.id_number: c for c in candidates}
    found = Matching(results={c.key: None for c in candidates})
    for index, row in enumerate(listed):
        if row.chosen in by_key:
            fitting = [by_key[row.chosen]]
        elif row.id_number:
            fitting = [by_number[row.id_number]] if row.id_number in by_number else []
        else:
            fitting = [c for c in candidates if fits(row, c)]
        if len(fitting) == 1:
            found.matched[index] = fitting[0].key
            found.results[fitting[0].key] = row.outcome
        elif fitting:
            found.ambiguous[index] = [c.key for c in fitting]
        else:
            found.outside.append(index)
    if all(row.outcome == PASSED for row in listed):
        waiting = {k for keys in found.ambiguous.values() for k in keys}
        covered = {(by_key[k].level, by_key[k].specialty) for k in [*found.matched.values(), *waiting]}
        for c in candidates:
            if found.results[c.key] is None and c.key not in waiting and (c.level, c.specialty) in covered:
                found.results[c.key] = FAILED
    return found
