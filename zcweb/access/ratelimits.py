"""Flask-Limiter's counts in the database, under the URI "zcweb://" (the
default RATELIMIT_STORAGE_URI): every server process counts the same
requests, where in memory each process of `zcweb serve` would allow the
limit once more. A fixed window per key (limit and client address): one
row, its hits and when its window ends; a hit after that starts the next."""

from __future__ import annotations

import time

from limits.storage import Storage
from peewee import PeeweeException

from ..db import db


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["zcweb"]

    @property
    def base_exceptions(self):
        return PeeweeException

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now, p = time.time(), db.obj.param
        # One statement: concurrent hits from any process are each counted
        # once. In an UPDATE's SET every column is still the old value.
        hits = db.execute_sql(
            f"INSERT INTO rate_limit (key, hits, expires_at) VALUES ({p}, {p}, {p}) ON CONFLICT (key) DO UPDATE "
            f"SET hits = CASE WHEN rate_limit.expires_at <= {p} THEN excluded.hits "
            f"ELSE rate_limit.hits + excluded.hits END, "
            f"expires_at = CASE WHEN rate_limit.expires_at <= {p} THEN excluded.expires_at "
            f"ELSE rate_limit.expires_at END RETURNING hits",
            (key, amount, now + expiry, now, now)).fetchone()[0]
        # The windows of other addresses that have ended (a handful of rows).
        db.execute_sql(f"DELETE FROM rate_limit WHERE expires_at <= {p}", (now,))
        return hits

    def get(self, key: str) -> int:
        found = self._current(key, "hits")
        return found if found is not None else 0

    def get_expiry(self, key: str) -> float:
        found = self._current(key, "expires_at")
        return found if found is not None else time.time()

    def _current(self, key: str, column: str):
        p = db.obj.param
        row = db.execute_sql(f"SELECT {column} FROM rate_limit WHERE key = {p} AND expires_at > {p}",
                             (key, time.time())).fetchone()
        return row[0] if row else None

    def check(self) -> bool:
        try:
            db.execute_sql("SELECT 1 FROM rate_limit LIMIT 1")
        except PeeweeException:
            return False
        return True

    def reset(self) -> int | None:
        return db.execute_sql("DELETE FROM rate_limit").rowcount

    def clear(self, key: str) -> None:
        db.execute_sql(f"DELETE FROM rate_limit WHERE key = {db.obj.param}", (key,))
