"""SIGKILL in the middle of a confirmation: a server process killed after
it wrote the rows but before it committed leaves nothing half-written, and
the same preview can then be confirmed (the lock died with the process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from zcweb.intake import confirm as confirmation
from zcweb.models import Batch, Org, Upload
from zcweb.intake.preview import create_preview

from tests.helpers import applicants, kept_tables, roster, true_tables, valid_row

ROOT = Path(__file__).resolve().parent.parent

CONFIRM_AND_HANG = """
import sys, time
from zcweb.intake import confirm as confirmation
from zcweb import create_app
from zcweb.models import Upload

app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "test-secret-key"})
with app.app_context():
    write_new = confirmation.insert_new_rows

    def write_then_hang(*args):
        print("written", write_new(*args), flush=True)
        time.sleep(60)

    confirmation.insert_new_rows = write_then_hang
    confirmation.confirm(Upload.get_by_id(int(sys.argv[2])), None)
"""


def test_a_confirmation_killed_before_its_commit_leaves_nothing_and_can_be_redone(app, ctx, tmp_path):
    baiguan = Org.get(Org.name == "百官街道")
    first = create_preview(Batch.current(), baiguan, None, "a.xlsx", roster(baiguan, [valid_row(1)]))
    confirmation.confirm(first, None)
    second = create_preview(Batch.current(), baiguan, None, "b.xlsx", roster(
        baiguan, [valid_row(1, phone="13900000001"), valid_row(2), valid_row(3)]))

    worker = subprocess.Popen([sys.executable, "-c", CONFIRM_AND_HANG, app.config["DATABASE_URL"], str(second.id)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "ZCWEB_INSTANCE_PATH": str(tmp_path / "worker")})
    try:
        assert worker.stdout.readline().split() == ["written", "2"]  # updated row 1, inserted rows 2 and 3
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        worker.stdout.close()
    assert worker.returncode == -signal.SIGKILL

    [stored] = applicants()
    assert (stored.data["phone"], stored.version) == ("13857500000", 1)
    assert Upload.get_by_id(second.id).status == Upload.PREVIEW
    done = confirmation.confirm(Upload.get_by_id(second.id), None)
    assert (done["new"], done["updated"]) == (2, 1)
    assert sorted((a.name, a.data["phone"]) for a in applicants()) == [
        ("测试1", "13900000001"), ("测试2", "13857500000"), ("测试3", "13857500000")]
    assert kept_tables() == true_tables()

