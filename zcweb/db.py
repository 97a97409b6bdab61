"""The database object, per-request connections, the SQLite checkpointer
and schema migrations.

`db` is declared here and bound in `init_app` from ``DATABASE_URL``: an SQLite
file by default, PostgreSQL for a larger deployment
(``postgresql://user:pass@host/zcweb``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

import click
from flask import Flask, request
from flask.cli import with_appcontext
from peewee import DatabaseProxy, SqliteDatabase, chunked
from playhouse.db_url import connect

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# cache_size: up to 32 MB of pages per connection (SQLite's default is 2 MB),
# taken only as a transaction touches them: a confirm of 10,000 rows writes
# about 20 MB of table, index and search pages, which in 2 MB would be spilled
# to the WAL before the commit, some of them several times.
# wal_autocheckpoint: see `keep_checkpointing`; a connection still
# checkpoints in its own COMMIT once the WAL passes 64 MB.
SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal", "cache_size": -32768,
                  "wal_autocheckpoint": 16384}
CHECKPOINT_INTERVAL = 1  # seconds between two checkpoints (`keep_checkpointing`) at most
CHECKPOINTER_IDLE = 10  # seconds without a write after which the checkpointer ends
BUSY_TIMEOUT = 10  # seconds a writer waits for another connection's lock
CHUNK = 1000  # rows per executemany (and per chunk an import holds in memory)
PAGE = 100  # PostgreSQL: statements of an executemany sent in one round trip


def open_database(url: str, busy_timeout: float = BUSY_TIMEOUT, pool: int = 0):
    """A peewee database for a URL; SQLite gets WAL, foreign keys, a busy
    timeout; PostgreSQL the same wait for a lock (lock_timeout), after which
    the request gets the "database busy" page rather than hanging, and with
    `pool` > 0 a pool of that many connections: opening a PostgreSQL
    connection costs a server process, more than a page's queries."""
    if url.startswith("sqlite"):
        database = connect(url, pragmas=SQLITE_PRAGMAS, timeout=busy_timeout)
        _owner_only(database.database)
        return database
    options = {"options": f"-c lock_timeout={int(busy_timeout * 1000)}"}
    if pool > 0:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}+pool://{rest}"
        options.update(max_connections=pool, stale_timeout=300, timeout=busy_timeout)
    return connect(url, **options)


def _owner_only(path: str) -> None:
    """Create the SQLite file readable by its owner alone (its -wal and -shm
    files take the same mode)."""
    if path == ":memory:" or os.path.exists(path):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        pass  # no such folder: connecting says so, as the "database unavailable" page


def bind(url: str, busy_timeout: float = BUSY_TIMEOUT, pool: int = 0):
    database = open_database(url, busy_timeout, pool)
    db.initialize(database)
    return database


def migrate() -> list[str]:
    """Apply every pending migration; returns their names."""
    from playhouse.migrations import Runner  # only when migrating: start-up stays short

    with db.connection_context():
        return Runner(db.obj, directory=str(MIGRATIONS_DIR)).up()


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def json_text(column: str, key: str) -> str:
    """SQL for the text of top-level `key` in a JSON text column ('' when absent)."""
    if is_sqlite():
        return f"COALESCE(CAST(json_extract({column}, '$.{key}') AS TEXT), '')"
    return f"COALESCE(({column})::jsonb ->> '{key}', '')"


def quoted(name: str) -> str:
    """A table or column name quoted for the bound database."""
    start, end = db.obj.quote
    return f"{start}{name}{end}"


def execute_many(sql: str, params) -> int:
    """One prepared statement for many rows (an iterable, consumed in chunks
    so that all of them are never built at once): building peewee's SQL text
    per chunk costs more than the writes themselves for a large file.
    PostgreSQL gets PAGE statements per round trip (psycopg2's executemany
    makes one per row). Returns how many rows were written."""
    cursor = db.cursor()
    count = 0
    for chunk in chunked(params, CHUNK):
        if is_sqlite():
            cursor.executemany(sql, chunk)
        else:
            from psycopg2.extras import execute_batch  # only with PostgreSQL: psycopg2 is optional

            execute_batch(cursor, sql, chunk, page_size=PAGE)
        count += len(chunk)
    return count


def analyse_if_grown(tables: list[str], added: int, share: float = 0.1) -> None:
    """PostgreSQL plans from statistics that autovacuum refreshes a while
    after a table grew: in a young database the bodies' first imports made
    the marks' joins nested loops over the whole batch (a confirm of 200
    rows into 1,200: 0.5 s). After a committed write that added `added`
    rows, each of these tables that the statistics think is more than
    `share` smaller is analysed at once (a few thousand rows: milliseconds).
    SQLite plans by its indexes alone."""
    if is_sqlite() or not added:
        return
    for table in tables:
        known = db.execute_sql("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table,)).fetchone()[0]
        if known < 0 or added > share * known:  # -1: never analysed
            db.execute_sql(f"ANALYZE {quoted(table)}")


def insert_rows(model, names: list[str], rows) -> int:
    """Insert rows of values already in database form, in the order of
    `names`: on SQLite one prepared statement for them all; on PostgreSQL
    PAGE rows per INSERT (psycopg2's execute_values), since its executemany
    makes a round trip per row (a list of 100,000 people took half a minute)."""
    columns = ", ".join(quoted(model._meta.fields[name].column_name) for name in names)
    sql = f"INSERT INTO {quoted(model._meta.table_name)} ({columns}) VALUES "
    if is_sqlite():
        return execute_many(sql + f"({', '.join([db.obj.param] * len(names))})", rows)
    from psycopg2.extras import execute_values

    cursor, count = db.cursor(), 0
    for chunk in chunked(rows, CHUNK):
        execute_values(cursor, sql + "%s", chunk, page_size=PAGE)
        count += len(chunk)
    return count


class _Checkpointer(threading.Thread):
    """Copies an SQLite file's WAL back into the file: a PASSIVE checkpoint
    (which never waits for a reader or a writer) at most once a second, when
    the WAL was written since the last one, and at once when woken. Its
    connection, opened by whoever starts the thread and kept while it lives,
    makes sure that the requests' connections are never the file's last,
    whose closing would checkpoint there and then. Ends after
    CHECKPOINTER_IDLE seconds without a write.

    Fork-safe: a process forking waits until no checkpointer is inside
    SQLite (`_in_sqlite`), and the child starts without them (their
    connections are the parent's: kept, never used or closed there)."""

    _lock = threading.Lock()  # guards _running
    _in_sqlite = threading.Lock()  # held by a checkpointer while it calls SQLite
    _running: dict[str, "_Checkpointer"] = {}
    _parents: list["_Checkpointer"] = []  # in a forked child: the parent's, left alone

    def __init__(self, path: str):
        super().__init__(name=f"checkpointer {path}", daemon=True)
        self.path, self.wanted, self.done = path, threading.Event(), threading.Event()
        with self._in_sqlite:
            self.connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, check_same_thread=False,
                                              isolation_level=None)
            self.connection.execute("SELECT COUNT(*) FROM sqlite_master")  # opens the WAL: a reader of the file now
        self.copied = None  # the WAL's (size, mtime) when last checkpointed

    @classmethod
    def running(cls, path: str, wake: bool = False) -> "_Checkpointer":
        """The file's checkpointer, started if need be; `wake`: checkpoint now."""
        with cls._lock:
            thread = cls._running.get(path)
            if thread is None:
                thread = cls._running[path] = cls(path)
                thread.start()
            if wake:
                thread.done.clear()
                thread.wanted.set()
        return thread

    def run(self) -> None:
        idle = 0.0
        try:
            while True:
                woken = self.wanted.wait(CHECKPOINT_INTERVAL)
                self.wanted.clear()
                if self._written():
                    idle = 0.0
                    self._checkpoint()
                elif not woken:
                    idle += CHECKPOINT_INTERVAL
                    if idle >= CHECKPOINTER_IDLE and self._ended():
                        return
                if not self.wanted.is_set():
                    self.done.set()
        finally:
            with self._in_sqlite:
                self.connection.close()  # the file's last connection? then SQLite checkpoints once more here
            self.done.set()

    def _written(self) -> bool:
        try:
            stat = os.stat(self.path + "-wal")
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) != self.copied

    def _checkpoint(self) -> None:
        try:
            stat = os.stat(self.path + "-wal")
            with self._in_sqlite:
                _, frames, copied = self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if copied >= frames:  # else a reader kept some: tried again next time
                self.copied = (stat.st_size, stat.st_mtime_ns)  # a commit meanwhile: copied next time
        except (OSError, sqlite3.Error):  # tried again next time; the autocheckpoint is the backstop
            logging.getLogger(__name__).exception("checkpoint of %s failed", self.path)

    def _ended(self) -> bool:
        """Leave, unless woken meanwhile."""
        with self._lock:
            if self.wanted.is_set():
                return False
            del self._running[self.path]
            return True


def _before_fork() -> None:
    _Checkpointer._lock.acquire()
    _Checkpointer._in_sqlite.acquire()


def _after_fork_in_parent() -> None:
    _Checkpointer._in_sqlite.release()
    _Checkpointer._lock.release()


def _after_fork_in_child() -> None:
    _Checkpointer._parents.extend(_Checkpointer._running.values())
    _Checkpointer._running = {}
    _Checkpointer._lock, _Checkpointer._in_sqlite = threading.Lock(), threading.Lock()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


def keep_checkpointing(wait: bool = False) -> None:
    """SQLite in WAL mode copies committed pages back into the database file
    in a checkpoint, which ends in an fsync of the file: about 0.1 s after a
    confirm of 10,000 rows. SQLite runs it inside the COMMIT that takes the
    WAL past 1,000 pages, or as the file's last connection closes, so a
    request would wait for the disk. Here the connections leave it to a
    thread per process and file (their own autocheckpoint only at 64 MB, a
    backstop), which this starts once the file has a WAL: called as each
    request ends, before its connection closes, it costs a dictionary
    lookup. A command or script that writes outside requests has no such
    thread (its connection checkpoints as it closes, as SQLite always did),
    or calls this with `wait`, which checkpoints at once and returns when
    that is done. PostgreSQL checkpoints in the background by itself."""
    if not is_sqlite() or db.obj.database == ":memory:":
        return
    path = db.obj.database
    if not wait and path in _Checkpointer._running:
        return
    if not os.path.exists(path + "-wal"):  # nothing written yet
        return
    try:
        thread = _Checkpointer.running(path, wake=wait)
    except sqlite3.Error:  # the request's own connection checkpoints as it closes, as SQLite always did
        logging.getLogger(__name__).exception("no checkpointer for %s", path)
        return
    if wait:
        thread.done.wait(60)


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"] or "sqlite:///" + str(
        Path(app.instance_path) / "zcweb.sqlite3"
    )
    app.config["DATABASE_URL"] = url
    bind(url, app.config["DATABASE_BUSY_TIMEOUT"], app.config["DATABASE_POOL"])

    @app.before_request
    def _connect():
        if request.endpoint != "static":  # CSS and scripts serve even with the database down
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _checkpoints(exc):  # before `_close`: see keep_checkpointing
        keep_checkpointing()

    @app.teardown_appcontext
    def _close(exc):
        if not db.is_closed():
            db.close()

    app.cli.add_command(init_db_command)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (safe to run again)."""
    applied = migrate()
    click.echo("已应用迁移：" + "、".join(applied) if applied else "数据库已是最新结构。")
