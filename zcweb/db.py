"""The database object, per-request connections and schema migrations.

`db` is declared here and bound in `init_app` from ``DATABASE_URL``: an SQLite
file by default, PostgreSQL for a larger deployment
(``postgresql://user:pass@host/zcweb``).
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, request
from flask.cli import with_appcontext
from peewee import DatabaseProxy, SqliteDatabase, chunked
from playhouse.db_url import connect

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal"}
BUSY_TIMEOUT = 10  # seconds a writer waits for another connection's lock
CHUNK = 1000  # rows per executemany (and per chunk an import holds in memory)


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
    Returns how many rows were written."""
    cursor = db.cursor()
    count = 0
    for chunk in chunked(params, CHUNK):
        cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


def insert_rows(model, names: list[str], rows) -> int:
    """Insert rows of values already in database form, in the order of
    `names`: on SQLite one prepared statement for them all; on PostgreSQL
    a thousand rows per INSERT (psycopg2's execute_values), since its
    executemany makes a round trip per row (a list of 100,000 people took
    half a minute)."""
    columns = ", ".join(quoted(model._meta.fields[name].column_name) for name in names)
    insert = f"INSERT INTO {quoted(model._meta.table_name)} ({columns}) VALUES "
    if is_sqlite():
        return execute_many(insert + f"({', '.join([db.obj.param] * len(names))})", rows)
    from psycopg2.extras import execute_values  # PostgreSQL only

    cursor, count = db.cursor(), 0
    for chunk in chunked(rows, CHUNK):
        execute_values(cursor, insert + "%s", chunk, page_size=CHUNK)
        count += len(chunk)
    return count


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
