"""`backup DEST` while an upload is being confirmed, then the documented
restore: the copy opened as the app's database holds every confirmed row."""

from __future__ import annotations

import shutil
import subprocess
import threading

from zcweb.intake import confirm as confirmation
from zcweb import create_app
from zcweb.db import db
from zcweb.models import Applicant, Org, Upload

from tests.helpers import roster, upload, valid_row


def restore(app, backup, tmp_path) -> str:
    """The README's restore steps; returns the restored database's URL."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        restored = tmp_path / "restored.sqlite3"
        shutil.copyfile(backup, restored)
        return f"sqlite:///{restored}"
    db.close()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", url, str(backup)],
                   check=True, capture_output=True)
    return url


def test_a_backup_taken_during_a_confirmation_restores_every_confirmed_row(app, runner, tmp_path, monkeypatch):
    with app.app_context():
        baiguan = Org.get(Org.name == "百官街道")
        done_file = roster(baiguan, [valid_row(1), valid_row(2)])
        pending_file = roster(baiguan, [valid_row(3), valid_row(4)])
    client = app.test_client()
    client.login("baiguan")
    client.post(upload(client, done_file).headers["Location"] + "/confirm")
    in_flight = upload(client, pending_file).headers["Location"]

    inserted, finish = threading.Event(), threading.Event()

    def insert_and_wait(*args, original=confirmation.insert_new_rows):
        count = original(*args)
        inserted.set()  # rows written, transaction still open
        finish.wait(20)
        return count

    monkeypatch.setattr(confirmation, "insert_new_rows", insert_and_wait)
    confirming = threading.Thread(target=lambda: client.post(f"{in_flight}/confirm"))
    confirming.start()
    try:
        assert inserted.wait(20)
        backup = tmp_path / "zcweb.ops.backup"
        result = runner.invoke(args=["backup", str(backup)])
        assert result.exit_code == 0, result.output
        assert "已备份到" in result.output
    finally:
        finish.set()
        confirming.join(20)
    with app.app_context():
        assert Applicant.select().count() == 4  # the confirmation went through after the backup

    restored = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                           "DATABASE_URL": restore(app, backup, tmp_path)})
    with restored.app_context():
        # The backup holds one committed state: the first upload confirmed,
        # the second still a preview, which can be confirmed again.
        assert sorted(a.name for a in Applicant.select()) == ["测试1", "测试2"]
        second = Upload.get(Upload.id == int(in_flight.rsplit("/", 1)[1]))
        assert second.status == Upload.PREVIEW
        confirmation.confirm(second, None)
        assert sorted(a.name for a in Applicant.select()) == ["测试1", "测试2", "测试3", "测试4"]


def test_backup_does_not_overwrite_a_file(runner, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"yesterday")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and "已存在" in result.output
    assert existing.read_bytes() == b"yesterday"
