"""Every applicant's history across years, by identity number over all
batches: what each year's batch made of them (body, level, specialty,
final status, reason, the 高评委's result)."""

from __future__ import annotations

from peewee import JOIN

from .. import marks
from ..models import Applicant, Batch, Org
from ..roster import workflow
from ..roster.results import FAILED, LABELS, PASSED

# The review filter on the 高评委's result and on earlier years.
RECORDS = {"passed": "评审通过", "failed": "评审未通过", "pending": "评审未出结果",
           "applied": "往年申报过", "failed_before": "往年未通过"}


def entries(numbers=None, before_year: int | None = None) -> dict[str, list[dict]]:
    """identity number → their rows of every batch (of the years before
    `before_year`, when given), oldest first, as the command line prints
    them; for the identity numbers `numbers`, or everyone's."""
    query = (Applicant.select(Applicant.id_number, Batch.year, Org.name, Applicant.level, Applicant.specialty,
                              Applicant.status, Applicant.reason, Applicant.result)
             .join(Batch).switch(Applicant).join(Org, JOIN.INNER)
             .order_by(Batch.year, Applicant.id))
    if numbers is not None:
        query = query.where(Applicant.id_number.in_(list(numbers)))
    if before_year is not None:
        query = query.where(Batch.year < before_year)
    found: dict[str, list[dict]] = {}
    for number, year, body, level, specialty, status, reason, result in query.tuples().iterator():
        found.setdefault(number, []).append({"year": year, "body": body, "level": level, "specialty": specialty,
                                             "status": status, "reason": reason, "result": result})
    return found


def of(number: str) -> list[dict]:
    return entries([number]).get(number, [])


def add_history(batch: Batch, applicants: list[Applicant]) -> None:
    """`a.history`: each applicant's rows of earlier years, one query for the page."""
    found = entries({a.id_number for a in applicants}, before_year=batch.year) if applicants else {}
    for a in applicants:
        a.history = found.get(a.id_number, [])


def compact(entry: dict) -> str:
    """"2023：已推荐·未通过"."""
    text = f"{entry['year']}：{workflow.label(entry['status'])}"
    if entry["status"] == workflow.RECOMMENDED:
        text += f"·{LABELS[entry['result']]}"
    return text


def record_filter(batch: Batch, record: str):
    """The condition on Applicant for the review filter `record` (a key of RECORDS)."""
    if record in (PASSED, FAILED):  # a row's result counts while it is 已推荐 (撤销定稿 keeps it aside)
        return (Applicant.status == workflow.RECOMMENDED) & (Applicant.result == record)
    if record == "pending":
        return (Applicant.status == workflow.RECOMMENDED) & Applicant.result.is_null()
    return Applicant.id.in_(marks.ids(batch, record))  # 往年申报过 / 往年未通过: marks.APPLIED / FAILED_BEFORE


def unsuccessful_last_year(batch: Batch, org: Org) -> list[Applicant]:
    """The body's people of the batch before `batch` who did not pass: to
    pre-fill the template of `batch`."""
    last = Batch.select().where(Batch.year < batch.year).order_by(Batch.year.desc()).first()
    if last is None:
        return []
    return list(Applicant.select().where((Applicant.batch == last) & (Applicant.org == org)
                                         & (Applicant.result.is_null() | (Applicant.result != PASSED))
                                         & (Applicant.status != workflow.WITHDRAWN))
                .order_by(Applicant.position, Applicant.id))
