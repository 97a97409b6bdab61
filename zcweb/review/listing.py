"""The review list: request arguments → filters → a scoped Applicant query.

One place for the filter logic so that the table, its counts, its exports
and bulk actions ("all N matching the filter") select the same rows.

Filters and sorts are on indexed columns of `applicant` (models.Applicant),
the 提示 filter and the earlier years' records on the rows' marks
(zcweb/marks.py). A page is read as ids first (`page_of`) so that a deep
page at 100,000 rows walks an index instead of sorting the batch; counts
come from the kept counts (models.ApplicantCount) whenever the filters
allow. A mark alone (with the body and the status) in the default order
is served by the marks' own index: page, counts and neighbours."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from peewee import SQL, Tuple, fn

from . import history, search
from .. import marks
from ..access.hygiene import number
from ..access.scope import scope
from ..db import db
from ..models import Applicant, ApplicantCount, ApplicantMark, Org
from ..roster import rulenames, workflow

# The 提示 filter: any warning, none, or one rule of the registry (each a mark).
ANY_WARNING, NO_WARNING = marks.ANY, marks.NONE
WARNING_CHOICES = {ANY_WARNING: "有提示", NO_WARNING: "无提示",
                   **{rule: entry.label for rule, entry in rulenames.RULES.items()}}
# 评审表 received: none, some, all copies.
COPIES = {"0": "未收", "partial": "未收齐", "complete": "已收齐"}
DEFAULT_ORDER = (Applicant.org_order, Applicant.org, Applicant.position, Applicant.id)
# Sortable columns → their order; "-key" in the URL sorts descending.
SORTS = {
    "org": DEFAULT_ORDER,
    "name": (Applicant.name, Applicant.id),
    "employer": (Applicant.employer, Applicant.id),
    "status": (Applicant.status, Applicant.id),
    "updated": (Applicant.updated_at, Applicant.id),
}
SORT_LABELS = {"org": "报送单位", "name": "姓名", "employer": "工作单位", "status": "状态", "updated": "最后更改"}
TEXT_FILTERS = ("status", "level", "specialty", "route", "warning", "copies", "record", "q", "sort")
# Filters the kept counts (models.ApplicantCount) can answer.
COUNTED = ("org", "level", "specialty", "copies")
# The marks' index (models.ApplicantMark): a mark, then the default order.
MARK_ORDER = (ApplicantMark.org_order, ApplicantMark.org, ApplicantMark.position, ApplicantMark.applicant)


def review_filters(args) -> dict:
    """The filters of the review list, read from request arguments; values
    that name nothing are dropped, so the URL and the form only keep real ones."""
    filters = {"org": args.get("org", type=number)}
    filters.update({key: args.get(key, "").strip() for key in TEXT_FILTERS})
    if filters["status"] not in workflow.LABELS:
        filters["status"] = ""
    if filters["warning"] not in WARNING_CHOICES:
        filters["warning"] = ""
    if filters["copies"] not in COPIES:
        filters["copies"] = ""
    if filters["record"] not in history.RECORDS:
        filters["record"] = ""
    if filters["sort"].removeprefix("-") not in SORTS or filters["sort"] == "org":
        filters["sort"] = ""  # the default order
    return filters


def review_query(batch, filters: dict):
    """The batch's applicants matching `filters`, limited to the current
    user's body for a contact, in the chosen order (the default: by body,
    then as the body's file listed them). Rows come without their Org:
    `page_of` attaches it."""
    q = filters.get("q")
    if q and search.names_only(q):
        # The few names found in the (batch, name) index drive the query: the
        # page is sorted from them and the counts read them alone, rather
        # than every row of the batch being tested against them.
        query = scope(Applicant.select().where(search.matches(batch, q)), Applicant)
    else:
        query = scope(Applicant.select().where(Applicant.batch == batch), Applicant)
        if q:
            query = query.where(search.matches(batch, q))
    for key in ("org", "status", "level", "specialty", "route"):
        if filters.get(key):
            query = query.where(getattr(Applicant, key) == filters[key])
    if filters.get("warning"):
        query = query.where(warning_condition(batch, filters["warning"]))
    if filters.get("copies"):
        query = query.where(_copies(Applicant.copies, filters["copies"], batch.spec.paper_copies))
    if filters.get("record"):
        query = query.where(history.record_filter(batch, filters["record"]))
    order, descending = order_of(filters)
    return query.order_by(*(c.desc() for c in order) if descending else order)


def order_of(filters: dict) -> tuple[tuple, bool]:
    """The list's order: its columns, and whether descending."""
    sort = filters.get("sort") or "org"
    order = SORTS[sort.removeprefix("-")]
    if order is DEFAULT_ORDER and filters.get("org"):
        order = DEFAULT_ORDER[2:]  # one body: its rows in order, found through (batch, org, status)
    return order, sort.startswith("-")


def neighbours(batch, filters: dict, applicant: Applicant) -> tuple[int | None, int | None]:
    """The ids of the rows before and after `applicant` in the filtered
    list (上一人/下一人), each found by one step along the list's index."""
    mark = served_mark(filters)
    if mark:
        query, order = marked(batch, filters, mark), MARK_ORDER
        here = Tuple(applicant.org_order, applicant.org_id, applicant.position, applicant.id)
        descending = False
    else:
        query = review_query(batch, filters).select(Applicant.id)
        order, descending = order_of(filters)
        here = Tuple(*(getattr(applicant, c.column_name) for c in order))
    columns = Tuple(*order)
    found = []
    for later in (False, True):
        after = later != descending
        step = (query.where(columns > here if after else columns < here)
                .order_by(*(c if after else c.desc() for c in order)).limit(1))
        found.append(step.scalar())
    return found[0], found[1]


def served_mark(filters: dict) -> str | None:
    """The mark (a 提示 choice, or an earlier years' record) that alone,
    with the body and the status, selects the rows of `filters` in the
    default order; None when other filters or another order apply."""
    record = filters.get("record")
    chosen = [value for value in (filters.get("warning"), record) if value]
    if (len(chosen) != 1 or record not in ("", None, marks.APPLIED, marks.FAILED_BEFORE)
            or any(filters.get(key) for key in TEXT_FILTERS if key not in ("warning", "record", "status"))):
        return None
    return chosen[0]


def marked(batch, filters: dict, mark: str):
    """The ids of the rows with `mark` in the default order, within the
    body and the status filtered (marks' index alone, no applicant row read)."""
    query = scope(ApplicantMark.select(ApplicantMark.applicant).where(
        (ApplicantMark.batch == batch) & (ApplicantMark.mark == mark)), ApplicantMark)
    if filters.get("org"):
        query = query.where(ApplicantMark.org == filters["org"])
    if filters.get("status"):
        query = query.where(ApplicantMark.status == filters["status"])
    return query.order_by(*MARK_ORDER)


def short_name(filters: dict) -> str | None:
    """A search of one or two characters (names only), with the body and
    the status at most besides, in the default order: read by `named`."""
    q = filters.get("q")
    if not q or not search.names_only(q) or any(
            filters.get(key) for key in TEXT_FILTERS if key not in ("q", "status")):
        return None
    return q


def named(batch, filters: dict) -> list[tuple]:
    """(status, org_order, org, position, id) of the rows a short name
    search finds (within the body filtered): a few thousand at most, from
    one scan of the batch's names, to count and to page (`list_page`)."""
    query = scope(Applicant.select(Applicant.status, *DEFAULT_ORDER).where(
        (Applicant.batch == batch) & search.in_names(filters["q"])), Applicant)
    if filters.get("org"):
        query = query.where(Applicant.org == filters["org"])
    return list(db.execute(query))


def warning_condition(batch, choice: str):
    """The rows carrying the warning `choice` (WARNING_CHOICES) as the desk
    shows it, from their marks: a rule, or any (ANY_WARNING) or none."""
    return Applicant.id.in_(marks.ids(batch, choice))


def _copies(field, copies: str, needed: int):
    """评审表 received: none, some, or all `needed` copies."""
    if copies == "0":
        return field == 0
    if copies == "partial":
        return field.between(1, needed - 1)
    return field >= needed


@dataclass
class Page:
    """A page of the filtered list, with the list's counts per status."""

    counts: dict[str, int]
    total: int
    number: int
    pages: int
    rows: list[Applicant]


def list_page(batch, filters: dict, number: int, size: int) -> Page:
    """Page `number` (kept within the list) of `size` rows, and the counts."""
    named_rows = named(batch, filters) if short_name(filters) else None
    counts = status_counts(batch, filters, named_rows)
    total = review_count(batch, filters, counts)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    return Page(counts, total, number, pages, page_of(batch, filters, number, size, named_rows))


def status_counts(batch, filters: dict, named_rows: list[tuple] | None = None) -> dict[str, int]:
    """Applicants per status over `filters` other than the status: from
    the kept counts when they can answer, else counted in an index (a
    short name search: from its `named_rows`, read when not given)."""
    if short_name(filters):
        named_rows = named(batch, filters) if named_rows is None else named_rows
        found = Counter(status for status, *_ in named_rows)
        return {status: found.get(status) or 0 for status in workflow.LABELS}
    filters = dict(filters, status="")
    mark = served_mark(filters)
    if mark:
        # COUNT(*): the (batch, mark, status) index alone answers it.
        query = marked(batch, filters, mark).select(ApplicantMark.status, fn.COUNT(SQL("*")))
        found = dict(query.group_by(ApplicantMark.status).order_by().tuples())
    elif any(filters.get(key) for key in TEXT_FILTERS if key not in COUNTED + ("sort",)):
        query = review_query(batch, filters).select(Applicant.status, fn.COUNT(Applicant.id))
        found = dict(query.group_by(Applicant.status).order_by().tuples())
    else:
        query = scope(ApplicantCount.select(ApplicantCount.status, fn.SUM(ApplicantCount.applicants))
                      .where(ApplicantCount.batch == batch), ApplicantCount)
        for key in ("org", "level", "specialty"):
            if filters.get(key):
                query = query.where(getattr(ApplicantCount, key) == filters[key])
        if filters.get("copies"):
            query = query.where(_copies(ApplicantCount.copies, filters["copies"], batch.spec.paper_copies))
        found = dict(query.group_by(ApplicantCount.status).tuples())
    return {status: found.get(status) or 0 for status in workflow.LABELS}


def review_count(batch, filters: dict, counts: dict[str, int] | None = None) -> int:
    """How many applicants match `filters` (from their `status_counts`, when given)."""
    counts = counts or status_counts(batch, filters)
    return counts[filters["status"]] if filters.get("status") else sum(counts.values())


def page_of(batch, filters: dict, page: int, size: int, named_rows: list[tuple] | None = None) -> list[Applicant]:
    """One page of the filtered list: the ids from an index first (the
    marks' when a mark serves the filters; a short name search's
    `named_rows` sorted), then those rows only (with their bodies), so
    that skipping rows never reads their data."""
    if short_name(filters):
        named_rows = named(batch, filters) if named_rows is None else named_rows
        found = sorted(key[1:] for key in named_rows if not filters.get("status") or key[0] == filters["status"])
        ids = [key[-1] for key in found[(page - 1) * size:page * size]]
    else:
        mark = served_mark(filters)
        query = marked(batch, filters, mark) if mark else review_query(batch, filters).select(Applicant.id)
        ids = [i for (i,) in query.paginate(page, size).tuples()]
    rows = {a.id: a for a in Applicant.select(Applicant, Org).join(Org).where(Applicant.id.in_(ids))}
    return [rows[i] for i in ids]


def url_args(filters: dict) -> dict:
    """The filters worth keeping in a URL (the empty ones left out)."""
    return {key: value for key, value in filters.items() if value}


def page_window(page: int, pages: int, around: int = 3) -> list[int | None]:
    """The pages a pager links: the first, the last and `around` either side
    of the current one; None where pages are skipped."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window, previous = [], 0
    for p in shown:
        if p - previous > 1:
            window.append(None)
        window.append(p)
        previous = p
    return window
