"""Deadline-day load against a real server, on SQLite and on PostgreSQL.

    .venv/bin/python bench/load.py [--db sqlite|postgres|both] [--contacts 40] [--rows 200]
                                   [--officers 5] [--ramp 10] [--port 5106] [--pg-port 55446]
                                   [--processes N]

For each database: a fresh database (PostgreSQL: a throwaway cluster on
--pg-port, as scripts/test-postgres.sh makes), an open batch, one body and
contact per uploader, officers; `zcweb serve` serving the app in a
subprocess on 127.0.0.1 with --processes waitress processes on one port,
as production runs. Then each contact logs in, uploads its body's roster of
--rows people, looks at the preview and confirms it, the contacts starting
evenly spread over --ramp seconds; meanwhile each officer pages through the
review list, filters it and approves rows, until the contacts are done.
Everything stays on the loopback interface and is bounded: one upload per
contact, at most --officer-requests requests per officer, --time-limit
seconds in all. Prints requests/s, p50/p95 per kind of request and the
errors, then checks that every confirmed row is stored exactly once.
Targets (issue 19, for --contacts 20 --officers 4): 0 errors, nothing lost
or doubled, review page p95 <= 0.15 s, upload+confirm p95 <= 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pgcluster import postgres  # noqa: E402

PASSWORD = "load-test-pass"
SECRET = "load-bench-secret"


class Timings:
    """Latency per kind of request, and errors, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)
        self.errors = []

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors.append((kind, what))


class Browser:
    """One person's session: cookies, the CSRF token of the last page, timed requests."""

    def __init__(self, base: str, timings: Timings):
        self.base, self.timings = base, timings
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def request(self, kind: str, path: str, data: bytes | None = None, headers: dict | None = None) -> str:
        """The page after redirects ('' on error); its time is recorded under `kind`."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as response:
                page = response.read().decode()
        except (urllib.error.URLError, OSError) as e:
            self.timings.error(kind, f"{path}: {getattr(e, 'code', '')} {e}")
            return ""
        self.timings.add(kind, time.perf_counter() - start)
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        if found:
            self.token = found.group(1)
        return page

    def post(self, kind: str, path: str, fields: dict, htmx: bool = False) -> str:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.token})
        return self.request(kind, path, urlencode({"csrf_token": self.token, **fields}).encode(), headers)

    def login(self, username: str) -> bool:
        self.request("login page", "/login")
        return "退出" in self.post("login", "/login", {"username": username, "password": PASSWORD})


def contact(base: str, timings: Timings, username: str, roster: bytes, start_at: float, done: list) -> None:
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    time.sleep(max(0.0, start_at - time.monotonic()))
    browser = Browser(base, timings)
    if not browser.login(username):
        timings.error("login", username)
        return
    boundary, body = encode_multipart({"csrf_token": browser.token,
                                       "file": FileStorage(io.BytesIO(roster), f"{username}.xlsx")})
    start = time.perf_counter()
    preview = browser.request("upload (+preview page)", "/uploads", body,
                              {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    found = re.search(r'action="(/uploads/\d+)/confirm"', preview)
    if not found:
        timings.error("upload (+preview page)", f"{username}: no confirm form")
        return
    home = browser.post("confirm (+home page)", found.group(1) + "/confirm", {})
    if not re.search(r"已导入\d+人（新增", home):
        flashes = re.findall(r'class="flash [a-z]+">([^<]+)', home)
        timings.error("confirm (+home page)", f"{username}: {flashes}")
        return
    timings.add("upload + confirm", time.perf_counter() - start)
    done.append(username)


def officer(base: str, timings: Timings, username: str, orgs: list[int], until: threading.Event,
            max_requests: int, seed: int) -> None:
    chance = random.Random(seed)
    browser = Browser(base, timings)
    if not browser.login(username):
        timings.error("login", username)
        return
    for _ in range(max_requests // 4):
        if until.is_set():
            return
        page = browser.request("review: page", f"/review?page={chance.randint(1, 5)}")
        browser.request("review: filter", f"/review?org={chance.choice(orgs)}&status=pending",
                        headers={"HX-Request": "true"})
        browser.request("review: filter", "/review?q=" + quote(f"申报人{chance.randint(0, 199)}"),
                        headers={"HX-Request": "true"})
        shown = re.findall(r'name="ids" value="(\d+):(\d+)"', page)  # (id, version) of each row
        if shown:
            applicant, version = chance.choice(shown)
            row = browser.post("review: approve", f"/applicants/{applicant}/decide",
                               {"action": "approve", "version": version}, htmx=True)
            if "<tr" not in row:
                timings.error("review: approve", "no row in the answer")
        time.sleep(chance.uniform(0.2, 0.6))  # a person reads the page


def prepare(url: str, contacts: int, officers: int, rows: int, instance: str) -> list[bytes]:
    """The database: batch, bodies, accounts; returns each body's filled roster."""
    os.environ["ZCWEB_INSTANCE_PATH"] = instance
    from tests.conftest import open_spec
    from tests.helpers import make_id, roster, valid_row
    from zcweb import create_app
    from zcweb.ops.cli import create_batch, create_user
    from zcweb.db import db, migrate
    from zcweb.models import Org, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    files = []
    with app.app_context():
        migrate()
        with db.atomic():
            create_batch(open_spec())
            for k in range(officers):
                create_user(f"officer{k}", User.OFFICER, None, PASSWORD)
            for i in range(contacts):
                org = Org.create(name=f"测试单位{i:02d}", kind="其他", sort_order=i)
                create_user(f"contact{i:02d}", User.CONTACT, org, PASSWORD)
        for i, org in enumerate(Org.select().order_by(Org.sort_order)):
            # Each body its own people (names too: the same 200 names at every body, all at one
            # employer and born the same month, made each row a possible twin of 19 others).
            people = [valid_row(j, name=f"申报{i:02d}人{j}",  # an odd sequence number: 男, as valid_row says
                                id_number=make_id("19850612", 2 * (j % 499) + 1, area=f"33{i:02d}{j // 499:02d}"))
                      for j in range(rows)]
            files.append(roster(org, people))
        db.close()
    return files


def verify(url: str, contacts: int, rows: int) -> str:
    from peewee import fn

    from zcweb.db import db
    from zcweb.models import Applicant, Upload

    with db.connection_context():
        stored = Applicant.select().count()
        distinct = Applicant.select(Applicant.org, Applicant.id_number).distinct().count()
        per_body = {n for (n,) in Applicant.select(fn.COUNT(Applicant.id)).group_by(Applicant.org).tuples()}
        confirmed = Upload.select().where(Upload.status == Upload.CONFIRMED).count()
        approved = Applicant.select().where(Applicant.status == "approved").count()
    expected = contacts * rows
    ok = stored == distinct == expected and per_body == {rows} and confirmed == contacts
    return (f"stored {stored} rows ({distinct} distinct body+identity number), expected {expected}; "
            f"{confirmed} uploads confirmed: {'OK, each confirmed row stored exactly once' if ok else 'MISMATCH'}; "
            f"{approved} rows approved by the officers")


@contextlib.contextmanager
def sqlite(instance: str):
    yield f"sqlite:///{instance}/zcweb.sqlite3"


@contextlib.contextmanager
def server(url: str, port: int, processes: int | None, threads: int, instance: str):
    """`zcweb serve` with its processes on one port, as production runs
    (`processes` None: as many as it starts by default); yields its address
    and the pids of the server processes."""
    from tests.helpers import server_processes, serving
    from zcweb.ops.serve import default_processes

    processes = processes or default_processes()

    # Every simulated user logs in from 127.0.0.1: lift the per-address login limit, which
    # is there against guessing passwords, not against a bureau's forty contacts.
    env = {**os.environ, "ZCWEB_DATABASE_URL": url, "ZCWEB_SECRET_KEY": SECRET, "ZCWEB_INSTANCE_PATH": instance,
           "ZCWEB_LOGIN_RATE_LIMIT": "10000 per minute"}
    parent = subprocess.Popen([sys.executable, "-m", "flask", "--app", "zcweb", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--processes", str(processes), "--threads", str(threads)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            pids = server_processes(parent.pid)
            if len(pids) == processes and all(serving(pid, threads) for pid in pids):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(base + "/login", timeout=2).close()
                    break
            time.sleep(0.1)
        else:
            raise SystemExit("zcweb serve did not start: " + parent.stderr.read().decode()[-2000:])
        yield base, pids
    finally:
        parent.terminate()
        parent.wait(30)
        parent.stderr.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to set its work apart
    from the latency that other processes on a shared machine add."""
    from tests.helpers import proc_stat

    fields = proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def loadavg() -> str:
    """The machine's load average over the last minute (Linux)."""
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def run(database: str, args) -> bool:
    load_before = loadavg()
    instance = tempfile.mkdtemp(prefix="zcweb-load-")
    opened = postgres(args.pg_port, "zcload") if database == "postgres" else sqlite(instance)
    with opened as url:
        files = prepare(url, args.contacts, args.officers, args.rows, instance)
        with server(url, args.port, args.processes, args.threads, instance) as (base, pids):
            timings, done, finished = Timings(), [], threading.Event()
            cpu_before = sum(map(cpu_seconds, pids))
            begin = time.monotonic()
            contacts = [threading.Thread(target=contact, args=(
                base, timings, f"contact{i:02d}", files[i], begin + args.ramp * i / args.contacts,
                done)) for i in range(args.contacts)]
            officers = [threading.Thread(target=officer, args=(
                base, timings, f"officer{k}", list(range(1, args.contacts + 1)), finished,
                args.officer_requests, k)) for k in range(args.officers)]
            for t in officers + contacts:
                t.start()
            for t in contacts:
                t.join(max(0.0, begin + args.time_limit - time.monotonic()))
            finished.set()
            for t in officers:
                t.join(30)
            elapsed = time.monotonic() - begin
            cpu = sum(map(cpu_seconds, pids)) - cpu_before
        report = verify(url, args.contacts, args.rows)
    shutil.rmtree(instance, ignore_errors=True)

    requests = sum(len(v) for k, v in timings.seconds.items() if k != "upload + confirm")
    print(f"\n== {database}: {args.contacts} contacts x {args.rows} rows (starting over {args.ramp:g} s), "
          f"{args.officers} officers, zcweb serve --processes {len(pids)} --threads {args.threads}; "
          f"machine load (1 min) before: {load_before}, "
          f"after: {loadavg()}")
    print(f"{requests} requests in {elapsed:.1f} s = {requests / elapsed:.1f} requests/s; "
          f"errors: {len(timings.errors)}; the server processes used {cpu:.1f} s of CPU "
          f"({cpu / elapsed:.0%} of one core over the run; the rest of the machine's load is not ours)")
    print(f"{'kind':<26}{'count':>7}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    for kind in sorted(timings.seconds):
        values = timings.seconds[kind]
        print(f"{kind:<26}{len(values):>7}{statistics.median(values):>8.3f}{percentile(values, 95):>8.3f}"
              f"{max(values):>8.3f}")
    for kind, what in timings.errors[:10]:
        print(f"  error {kind}: {what}")
    print(report)
    review = timings.seconds["review: page"] + timings.seconds["review: filter"]
    both = timings.seconds["upload + confirm"]
    met = (not timings.errors and "OK" in report and len(both) == args.contacts
           and percentile(review, 95) <= 0.15 and percentile(both, 95) <= 0.5)
    print(f"targets (0 errors, exactly once, review p95 <= 0.15 s, upload+confirm p95 <= 0.5 s): "
          f"{'met' if met else 'NOT met'}; review p95 {percentile(review, 95):.3f} s, "
          f"upload+confirm p95 {percentile(both, 95) if both else float('nan'):.3f} s")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--contacts", type=int, default=40)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--officers", type=int, default=5)
    parser.add_argument("--officer-requests", type=int, default=400, help="upper bound per officer")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the contacts start")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--processes", type=int,
                        help="zcweb serve's server processes, all on --port (default: as zcweb serve, one per core)")
    parser.add_argument("--port", type=int, default=5106)
    parser.add_argument("--pg-port", type=int, default=55446)
    parser.add_argument("--time-limit", type=float, default=300)
    args = parser.parse_args()
    results = [run(db, args) for db in (("sqlite", "postgres") if args.db == "both" else (args.db,))]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
