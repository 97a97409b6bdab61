"""`backup DEST`: a consistent copy of the database while the app runs.

SQLite: the online backup API copies one committed state of the file page
by page, without stopping writers for long. PostgreSQL: `pg_dump` in its
custom format, which reads one snapshot. The README gives the restore steps.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import db, is_sqlite


def backup(dest: Path) -> None:
    """Into `dest`, created owner-only (0600) before anything is written."""
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if is_sqlite():
        target = sqlite3.connect(dest)
        try:
            db.connection().backup(target)
        finally:
            target.close()
        return
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException("找不到 pg_dump，请安装 PostgreSQL 客户端（Debian：postgresql-client）。")
    dbname, password = without_password(current_app.config["DATABASE_URL"])
    # The password goes by the environment: the command line is visible to every local account.
    env = {**os.environ, "PGPASSWORD": password} if password else None
    result = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(dest), "--dbname", dbname],
                            capture_output=True, text=True, env=env)
    if result.returncode:
        raise click.ClickException(f"pg_dump 失败：{result.stderr.strip()}")


def without_password(url: str) -> tuple[str, str | None]:
    """A PostgreSQL URL without its password, and the password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + host)), unquote(parts.password)


@click.command("backup")
@with_appcontext
@click.argument("dest", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(dest: Path):
    """Write a consistent copy of the database to DEST (safe while the app runs)."""
    if dest.exists():
        raise click.ClickException(f"{dest} 已存在，请换一个文件名（备份不覆盖已有文件）。")
    backup(dest)
    click.echo(f"已备份到 {dest}（{dest.stat().st_size / 1e6:.1f} MB）")
