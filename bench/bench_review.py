"""The review desk at 100,000 applicants: server time per request.

    .venv/bin/python bench/bench_review.py [--rows 100000] [--requests 200] [--only LABEL ...]
    .venv/bin/python bench/bench_review.py --postgres [--port 55443]

Builds a batch of N applicants over the 22 bodies of 上虞区 (bulk insert)
with stored warnings of most rules (common, rare, and one no row has),
people sent by two bodies, possible twins, an earlier year's batch, and the
province's two lists loaded through the app (`reconcile.load_list`), in a
child process, so that the measuring one starts fresh as a server does
(on SQLite with the build's WAL copied into the file, as a running server
keeps it). Then times requests inside the server (the Flask app called
in-process: routing, queries, rendering; no network) as the logged-in
officer: page 1, page 1,000, body + status, level + specialty, level
alone, a name search (the full name, its first one and two characters),
every choice of the 提示 filter and of the 评审结果/往年 filter, the
officer home, and one inline action (拟推荐, each on another row).
Prints p50/p95 in milliseconds of wall-clock time and of the CPU time the
request used (which waiting for a busy machine's cores does not inflate),
and the load the machine was under. Targets: pages p95 <= 50 ms, action p95 <= 30 ms. --only measures
the cases whose label contains the given text.

With --postgres a throwaway cluster is started (as scripts/test-postgres.sh
does) on --port and removed afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pgcluster import postgres  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉玲波宁海鹏飞俊峰亮浩宇晨欣雪梅琳"
STATUSES = ["pending"] * 10 + ["approved"] * 5 + ["returned"] * 2 + ["rejected", "withdrawn"]
TARGET_PAGE_MS, TARGET_ACTION_MS = 50, 30


def make_app(url: str):
    os.environ["ZCWEB_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="zcweb-bench-")
    from tests.conftest import Client
    from zcweb import create_app

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
    app.test_client_class = Client
    return app


# Stored warnings (rule, every n-th row, offset): common ones, rare ones and one no row has.
STORED = (("ce.short", 5, 0), ("notice.short", 9, 0), ("seniority.short", 23, 0), ("post.unverified", 31, 1),
          ("breakthrough.score", 34, 0), ("seniority.title", 97, 3), ("seniority.education", 101, 5),
          ("notice.late", 211, 7), ("specialty.not_offered", 997, 13), ("employer.excluded", 3001, 19),
          ("level.unknown", 5003, 11), ("route.closed", 4999, 17))
DUPLICATE, TWIN = 200, 250  # every n-th person also sent by another body; a possible twin under another number


def build(rows: int) -> dict:
    """The batch, 22 bodies, an officer and `rows` applicants with stored
    warnings, people sent by two bodies, possible twins, an earlier year's
    batch (every fifth person, half of them failed), and the platform's and
    the CE registry's lists loaded (10% not on the platform, 2% with another
    level; 5% not registered, some short or differing hours); returns what
    the measured requests need."""
    from tests.conftest import PASSWORD, open_spec
    from tests.helpers import make_id, valid_row
    from zcweb.ops.cli import SHANGYU_BODIES
    from zcweb.ops.provision import create_batch, create_user
    from zcweb import marks
    from zcweb.review import reconcile
    from zcweb.roster.batch import for_year
    from zcweb.db import db, is_sqlite, migrate
    from zcweb.db import insert_rows
    from zcweb.models import Applicant, ListUpload, Org, User, now, to_json

    migrate()
    with db.atomic():
        batch = create_batch(open_spec())
        orgs = [Org.create(name=name, kind=kind, sort_order=order)
                for order, (name, kind, _) in enumerate(SHANGYU_BODIES, start=1)]
        create_user("officer", User.OFFICER, None, PASSWORD, "裘晶晶")
    spec, rng = batch.spec, random.Random(8)
    choices = [(level, specialty) for level, specialties in spec.levels.items() for specialty in specialties]
    employers = [f"浙江上虞{k:03d}号示范{kind}有限公司" for k in range(400) for kind in ("化工", "材料")]
    base, stamp = valid_row(1), now()
    fields = ("batch", "org", "id_number", "name", "data", "warnings", "status", "version", "copies", "position",
              "created_at", "updated_at", "level", "specialty", "route", "employer", "org_order")

    def birth(i):
        return f"19{60 + i % 35}{1 + i % 12:02d}{1 + i % 28:02d}"

    def area(i):
        return f"33{i // 1000 % 100:02d}{i // 100000 + 4:02d}"

    def person(i):
        """(identity number, name, employer) of row i."""
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 311) % len(GIVEN)]
        employer = employers[i * 7919 % len(employers)]
        if i % DUPLICATE == 1:  # the person of the row before, sent by another body
            return person(i - 1)
        if i % TWIN == 3:  # the row before's name, employer and birth month, another number
            _, name, employer = person(i - 1)
            return make_id(birth(i - 1), i % 1000, area(i)), name, employer
        return make_id(birth(i), i % 1000, area(i)), name, employer

    def warnings(i):
        return to_json([{"level": "warning", "column": None, "message": f"{rule}（测试）", "rule": rule}
                        for rule, every, offset in STORED if i % every == offset])

    def records():
        for i in range(rows):
            org = orgs[i % len(orgs)]
            level, specialty = choices[i % len(choices)]
            route = "破格" if i % 17 == 0 else "正常"
            id_number, name, employer = person(i)
            data = dict(base, name=name, id_number=id_number, employer=employer, level=level,
                        specialty=specialty, route=route, seq=i // len(orgs) + 1)
            yield (batch.id, org.id, id_number, name, to_json(data), warnings(i),
                   STATUSES[i % len(STATUSES)], 1, rng.randrange(4), i // len(orgs) + 1, stamp,
                   stamp - dt.timedelta(minutes=rng.randrange(100_000)), level, specialty, route, employer,
                   org.sort_order)

    with db.atomic():
        if is_sqlite():
            insert_rows(Applicant, fields, records())
        else:
            from psycopg2.extras import execute_values

            columns = ", ".join(Applicant._meta.fields[f].column_name for f in fields)
            execute_values(db.cursor(), f"INSERT INTO applicant ({columns}) VALUES %s", records(), page_size=1000)
        # The year before: every fifth person applied then too, half of them failed.
        earlier = create_batch(for_year(spec, spec.year - 1))
        db.execute_sql(
            "INSERT INTO applicant (batch_id, org_id, id_number, name, data, warnings, status, version, copies,"
            " position, created_at, updated_at, level, specialty, route, employer, org_order, result)"
            " SELECT %s, org_id, id_number, name, data, '[]', 'recommended', 1, copies, position, created_at,"
            " updated_at, level, specialty, route, employer, org_order,"
            " CASE WHEN id %% 2 = 0 THEN 'failed' ELSE 'passed' END"
            " FROM applicant WHERE batch_id = %s AND id %% 5 = 0".replace("%s", "?" if is_sqlite() else "%s")
            .replace("%%", "%" if is_sqlite() else "%%"), (earlier.id, batch.id))
    other_level = {level: next(other for other in spec.levels if other != level) for level in spec.levels}
    platform, registry = {}, {}
    for i in range(rows):
        id_number, name, employer = person(i)
        level, specialty = choices[i % len(choices)]
        if i % 10 != 3:
            platform[id_number] = {"name": name, "level": other_level[level] if i % 50 == 7 else level,
                                   "specialty": specialty, "employer": employer, "state": "已提交"}
        if i % 20 != 9:
            hours = 60 if i % 40 == 1 else 100 if i % 25 == 2 else base["ce_2023"]
            registry[id_number] = {"name": name, "hours": {str(y): [hours, None] for y in spec.ce_years}}
    # The rows went in behind the app's back: marked as an import would have (marks.py).
    start = time.perf_counter()
    with db.atomic():
        marks.refresh_batch(earlier)
        marks.refresh_batch(batch)
    timings = {"marked": time.perf_counter() - start}
    for kind, people in ((ListUpload.PLATFORM, platform), (ListUpload.REGISTRY, registry)):
        start = time.perf_counter()
        reconcile.load_list(batch, kind, None, f"{kind}.xlsx", b"bench",
                            store=lambda entry, _, people=people: (reconcile.store_rows(entry, people.items()) or
                                                                   len(people), None))
        timings[kind] = time.perf_counter() - start
    if not is_sqlite():
        db.execute_sql("VACUUM ANALYZE")
    target = Applicant.select().where(Applicant.id == rows // 2 + 7).get()
    pending = (Applicant.select(Applicant.id, Applicant.version).where(Applicant.status == "pending")
               .order_by(Applicant.id).limit(400).tuples())
    return {"org": orgs[5].id, "level": "正高级工程师", "specialty": "信息技术", "name": target.name,
            "pending": list(pending), **timings}


def build_apart(url: str, rows: int) -> dict:
    """`build` in a child process, so that the measured process starts
    fresh, as a server does, not after making 100,000 rows."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_build, (url, rows))


def _build(url: str, rows: int) -> dict:
    from zcweb.db import keep_checkpointing

    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        built = build(rows)
        seconds = time.perf_counter() - start
        # As a server that has run a while finds it: the build's WAL copied into the file (SQLite).
        keep_checkpointing(wait=True)
    return dict(built, seconds=seconds)


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


class Timer:
    """Wall-clock and CPU seconds of each timed call."""

    def __init__(self):
        self.wall, self.cpu = [], []

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def figures(self) -> tuple[float, float, float, float]:
        return (*percentiles(self.wall), *percentiles(self.cpu))


def cases(built: dict) -> dict[str, str]:
    """label → URL of every measured page."""
    from urllib.parse import urlencode

    from zcweb.review.history import RECORDS
    from zcweb.review.listing import WARNING_CHOICES

    pages = {
        "page 1": "/review",
        "page 1,000": "/review?page=1000",
        "body + status": "/review?" + urlencode({"org": built["org"], "status": "pending"}),
        "level + specialty": "/review?" + urlencode({"level": built["level"], "specialty": built["specialty"]}),
        "level alone": "/review?" + urlencode({"level": built["level"]}),
        "name search": "/review?" + urlencode({"q": built["name"]}),
        "1-character name": "/review?" + urlencode({"q": built["name"][:1]}),
        "2-character name": "/review?" + urlencode({"q": built["name"][:2]}),
    }
    pages.update({f"提示：{label}": "/review?" + urlencode({"warning": key}) for key, label in WARNING_CHOICES.items()})
    pages.update({label: "/review?" + urlencode({"record": key}) for key, label in RECORDS.items()})
    pages["往年申报过 + body"] = "/review?" + urlencode({"record": "applied", "org": built["org"]})
    pages["officer home"] = "/"
    return pages


ACTION = "inline action (拟推荐)"


def measure(app, built: dict, requests: int, only: list[str]) -> list[tuple[str, float, float, int]]:
    client = app.test_client()
    client.login("officer")
    hx = {"HX-Request": "true"}
    chosen = lambda label: not only or any(word in label for word in only)  # noqa: E731
    results = []
    for label, url in cases(built).items():
        if not chosen(label):
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timer = Timer()
        for _ in range(requests):
            with timer:
                client.get(url, headers=hx if url.startswith("/review") else {})
        results.append((label, *timer.figures(), TARGET_PAGE_MS))
    if chosen(ACTION):
        timer = Timer()
        for applicant_id, version in built["pending"][:requests]:
            with timer:
                response = client.post(f"/applicants/{applicant_id}/decide", headers=hx,
                                       data={"action": "approve", "version": version})
            assert "拟推荐" in response.get_data(as_text=True)
        results.append((ACTION, *timer.figures(), TARGET_ACTION_MS))
    return results


def width(text: str) -> int:
    """Columns `text` takes in a terminal (a Chinese character takes two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZCWEB_PG_PORT", 55443)))
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the cases whose label contains this (repeatable)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(postgres(args.port))
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='zcweb-bench-')}/bench.sqlite3"
        built = build_apart(url, args.rows)
        print(f"built {args.rows:,} applicants over 22 bodies in {built['seconds']:.1f} s "
              f"({'PostgreSQL' if args.postgres else 'SQLite'})")
        print(f"rows marked in {built['marked']:.1f} s; the platform's list loaded in {built['platform']:.1f} s, "
              f"the registry's in {built['registry']:.1f} s (each list's rows stored, every row's marks refreshed)")
        app = make_app(url)
        before = os.getloadavg()[0]
        results = measure(app, built, args.requests, args.only)
    print(f"load (1 min) before measuring {before:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    print(f"{'request':<40}{'wall p50':>9}{'p95':>7}{'cpu p50':>9}{'p95':>7}{'target':>8}")
    for label, p50, p95, cpu50, cpu95, target in results:
        print(f"{label}{' ' * max(1, 40 - width(label))}{p50:>9.1f}{p95:>7.1f}{cpu50:>9.1f}{cpu95:>7.1f}"
              f"{'<= ' + str(target):>8}{'' if p95 <= target else '  wall over'}"
              f"{'' if cpu95 <= target else '  cpu over'}")

if __name__ == "__main__":
    main()
