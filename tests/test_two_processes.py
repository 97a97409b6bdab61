"""Two real server processes (waitress) on the test database, requests
split between them as a load balancer would: a contact's confirm on one
races an officer's decisions and the contact's own withdrawal on the other,
at several delays. No accepted decision is lost, every refusal says why,
nothing answers 5xx, and the kept counts and search table stay exact."""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from peewee import fn
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from zcweb.intake import confirm as confirmation
from zcweb.intake.preview import create_preview
from zcweb.models import Applicant, Batch, Event, Org
from zcweb.roster import workflow

from tests.conftest import PASSWORD
from tests.helpers import kept_counts, kept_tables, roster, true_tables, valid_row

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 300
# Seconds from the confirm to the decisions (negative: the decisions first).
DELAYS = (-0.1, -0.03, 0.0, 0.01, 0.03, 0.1, 0.3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_env() -> dict:
    """Settings the server processes get beyond the database's (a module may override it)."""
    return {}


@pytest.fixture
def servers(app, tmp_path, server_env):
    """Two waitress processes on the app's database; their base URLs."""
    processes, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        env = {**os.environ, "ZCWEB_DATABASE_URL": app.config["DATABASE_URL"], "ZCWEB_SECRET_KEY": "test-secret-key",
               "ZCWEB_INSTANCE_PATH": str(tmp_path / name), **server_env}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=4", "--call",
             "zcweb:create_app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            wait_until_serving(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
            process.stderr.close()


def wait_until_serving(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/login", timeout=5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Browser:
    """A user's browser on one server process: its cookies and the CSRF
    token of the last page."""

    def __init__(self, base: str, username: str):
        self.base, self.token = base, None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.get("/login")
        assert self.post("/login", username=username, password=PASSWORD)[0] == 200

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, file: bytes | None = None, **fields):
        fields["csrf_token"] = self.token
        if file is None:
            body, kind = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        else:
            boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(file), "花名册.xlsx"), **fields})
            kind = f"multipart/form-data; boundary={boundary}"
        return self._open(urllib.request.Request(self.base + path, data=body, headers={"Content-Type": kind}))

    def _open(self, request) -> tuple[int, str, str]:
        """(status, page text, final URL) after following redirects."""
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text, url = response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as e:
            status, text, url = e.code, e.read().decode(), e.url
        token = re.search(r'name="csrf-token" content="([^"]+)"', text)
        self.token = token.group(1) if token else self.token
        return status, text, url


def flashes(page: str) -> list[str]:
    return re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', page)


def people(baiguan: Org, phone: str, leave_out: set[str] = frozenset()) -> bytes:
    return roster(baiguan, [r for r in (valid_row(i, phone=phone) for i in range(1, PEOPLE + 1))
                            if r["id_number"] not in leave_out])


def pending(count: int) -> list[Applicant]:
    return list(Applicant.select().where(Applicant.status == workflow.PENDING).order_by(Applicant.id).limit(count))


def true_counts(batch) -> list[tuple]:
    return sorted(Applicant.select(Applicant.org, Applicant.status, fn.COUNT(Applicant.id), fn.SUM(Applicant.copies))
                  .where(Applicant.batch == batch).group_by(Applicant.org, Applicant.status).tuples())


def test_a_confirm_racing_decisions_and_a_withdrawal_on_another_process_loses_none_of_them(app, ctx, servers):
    baiguan, batch = Org.get(Org.name == "百官街道"), Batch.current()
    first = create_preview(batch, baiguan, None, "a.xlsx", people(baiguan, "13800000000"))
    confirmation.confirm(first, None)
    a, b = servers
    # Each racer its own session: flashed messages of one session go to whichever page it loads next.
    contact_a, contact_b = Browser(a, "baiguan"), Browser(a, "baiguan")
    contact_b.base = b  # logged in on one process, sent to the other one by the balancer
    officer_b, officer_a = Browser(b, "officer"), Browser(a, "officer")

    for round_, delay in enumerate(DELAYS):
        in_file, missing, withdrawn = pending(3)
        status, _, url = contact_a.post("/uploads", file=people(baiguan, f"1390000{round_:04d}",
                                                                leave_out={missing.id_number}))
        assert status == 200 and "/uploads/" in url
        since = Event.select(fn.MAX(Event.id)).scalar()
        answers = {}

        def send(key, browser, path, **fields):
            answers[key] = browser.post(path, **fields)

        racers = [threading.Thread(target=send, args=("confirm", contact_a, urllib.parse.urlparse(url).path
                                                      + "/confirm"), kwargs={"withdraw_missing": "1"})]
        racers += [threading.Thread(target=send, args=(key, browser, f"/applicants/{row.id}/decide"),
                                    kwargs={"action": action, "version": row.version, "confirmed": "1"})
                   for key, browser, row, action in (("approve", officer_b, in_file, "approve"),
                                                     ("approve missing", officer_a, missing, "approve"),
                                                     ("withdraw", contact_b, withdrawn, "withdraw"))]
        first, then = (racers[:1], racers[1:]) if delay >= 0 else (racers[1:], racers[:1])
        for racer in first:
            racer.start()
        time.sleep(abs(delay))
        for racer in then:
            racer.start()
        for racer in racers:
            racer.join(60)

        assert {key: answer[0] for key, answer in answers.items()} == dict.fromkeys(answers, 200), delay
        assert "已导入" in answers["confirm"][1] or "已由另一次上传导入" in answers["confirm"][1]
        for key, row, target in (("approve", in_file, workflow.APPROVED), ("approve missing", missing, workflow.APPROVED),
                                 ("withdraw", withdrawn, workflow.WITHDRAWN)):
            accepted = Event.select().where((Event.id > since) & (Event.applicant == row.id)
                                            & (Event.action == f"applicant.{key.split()[0]}")).exists()
            now = Applicant.get_by_id(row.id)
            if accepted:
                assert now.status == target, (delay, key)
                assert f"{row.name}：已" in answers[key][1], (delay, key, flashes(answers[key][1]))
                assert key == "approve missing" or f"{row.name}" in answers["confirm"][1]  # named as left alone
            else:
                assert "该记录已" in answers[key][1], (delay, key, flashes(answers[key][1]))
        assert kept_counts(batch) == true_counts(batch), delay
        assert kept_tables() == true_tables(), delay
