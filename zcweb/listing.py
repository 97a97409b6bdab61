"""The review list: request arguments → filters → a scoped Applicant query.

One place for the filter logic so that the table, its counts, its exports
and bulk actions ("all N matching the filter") select the same rows."""

from __future__ import annotations

from peewee import OP, Expression, Value

from .access import scope
from .models import Applicant, Org, to_json
from .roster import workflow


def review_filters(args) -> dict:
    """The filters of the review list, read from request arguments."""
    return {
        "org": args.get("org", type=int),
        "status": args.get("status", ""),
        "level": args.get("level", ""),
        "q": args.get("q", "").strip(),
    }


def review_query(batch, filters: dict):
    """The batch's applicants matching `filters`, limited to the current
    user's body for a contact, in the default order."""
    query = (Applicant.select(Applicant, Org).join(Org)
             .where(Applicant.batch == batch).order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id))
    query = scope(query, Applicant)
    if filters["org"]:
        query = query.where(Applicant.org == filters["org"])
    if filters["status"] in workflow.LABELS:
        query = query.where(Applicant.status == filters["status"])
    if filters["level"]:
        # Roster values are stored as compact JSON (models.to_json), so the
        # level is this exact text inside it, on SQLite and PostgreSQL alike.
        needle = to_json({"level": filters["level"]})[1:-1]
        query = query.where(Expression(Applicant.data, OP.ILIKE, Value(f"%{needle}%", converter=False)))
    if filters["q"]:
        q = filters["q"]
        query = query.where(Applicant.name.contains(q) | Applicant.id_number.contains(q.upper()))
    return query
