"""`backup DEST`: a consistent copy of the database while the app runs.

SQLite: the online backup API copies one committed state of the file page
by page, without stopping writers for long. PostgreSQL: `pg_dump` in its
custom format, which reads one snapshot. The README gives the restore steps.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import db, is_sqlite


def backup(dest: Path) -> None:
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
    result = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(dest),
                             "--dbname", current_app.config["DATABASE_URL"]], capture_output=True, text=True)
    if result.returncode:
        raise click.ClickException(f"pg_dump 失败：{result.stderr.strip()}")


@click.command("backup")
@with_appcontext
@click.argument("dest", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(dest: Path):
    """Write a consistent copy of the database to DEST (safe while the app runs)."""
    if dest.exists():
        raise click.ClickException(f"{dest} 已存在，请换一个文件名（备份不覆盖已有文件）。")
    backup(dest)
    click.echo(f"已备份到 {dest}（{dest.stat().st_size / 1e6:.1f} MB）")
