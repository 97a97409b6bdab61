"""Search (搜索) over applicants' name, identity number and employer.

Indexed by trigrams (migration 0003_b): SQLite's FTS5 trigram table
`applicant_search`, PostgreSQL's pg_trgm index on the three columns joined.
Trigrams need three characters, so a shorter query matches names only,
scanning the (batch, name, …) index, which also holds each row's status
and place in the default order (migration 0015) so that the review list
counts and pages the names found from it alone: a two-character name like
王芳 still finds its person, while 12 finds no identity number that merely
contains it."""

from __future__ import annotations

from peewee import SQL, Expression, fn

from ..db import is_sqlite
from ..models import Applicant

MIN_TRIGRAM = 3


def names_only(q: str) -> bool:
    """A query too short for trigrams: it searches names alone."""
    return len(q.strip()) < MIN_TRIGRAM


def matches(batch, q: str):
    """An expression selecting the applicants whose name, identity number
    or employer contains `q` (names only below three characters: the
    batch's (batch, name) index scanned alone, its rows read only for the
    names found)."""
    q = q.strip()
    if names_only(q):
        return Applicant.id.in_(within(batch, in_names(q)))
    if is_sqlite():
        phrase = '"' + q.replace('"', '""') + '"'
        return Applicant.id.in_(SQL("(SELECT rowid FROM applicant_search WHERE applicant_search MATCH ?)", [phrase]))
    # The index's expression (psycopg2 inlines the ' ' parameters, so the planner matches it).
    joined = Applicant.name.concat(" ").concat(Applicant.id_number).concat(" ").concat(Applicant.employer)
    return joined.contains(q)


def in_names(q: str):
    """The names containing `q`; on PostgreSQL first those holding each of
    its characters, found in the GIN index of migration 0015 (a pattern
    of one or two characters gives pg_trgm nothing to look up)."""
    q = q.strip()
    found = Applicant.name.contains(q)
    if is_sqlite():
        return found
    characters = fn.string_to_array(Applicant.name, SQL("NULL"))
    return Expression(characters, "@>", fn.string_to_array(q, SQL("NULL"))) & found


def within(batch, condition):
    """The ids of the batch's applicants meeting `condition` on indexed
    columns, as a subquery: the database answers it from that index alone
    instead of reading each row of the batch."""
    return Applicant.select(Applicant.id).where((Applicant.batch == batch) & condition)
