"""Re-checking stored rows after a threshold change, and the officer's home,
at 100,000 applicants, measured in one run.

    .venv/bin/python bench/bench_settings.py [--rows 100000] [--database URL]

Fills a fresh database (SQLite in a temporary folder unless --database)
with N applicants over 20 bodies, mixed levels, specialties and statuses,
about one in ten with a year short of 100 hours of continuing education. Then
times, each against its floor in the same run:
  read         every stored row's id, data and warnings (the floor of a re-check)
  recheck      RowChecker over every stored row under 90 → 100 hours (the preview)
  apply        writing the changed warnings (the save)
  scan         COUNT(*) over the batch's applicants by level, specialty and status: the
               one aggregate the page needs that its indexes do not cover (the floor)
  home         the officer's home page, rendered
Targets: recheck ≤ 3× read; home ≤ 1.5× scan (met on SQLite; 2.0× on PostgreSQL, see the README), with no query per body or row.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peewee import chunked, fn  # noqa: E402

from tests.conftest import open_spec  # noqa: E402
from tests.helpers import make_id, valid_row  # noqa: E402
from zcweb import create_app
from zcweb.review import recheck
from zcweb.ops.cli import create_batch, create_user
from zcweb.db import db, migrate
from zcweb.models import Applicant, Org, User
from zcweb.roster import workflow


def fill(rows: int):
    spec = open_spec()
    batch = create_batch(spec)
    orgs = [Org.create(name=f"单位{i:02d}", sort_order=i) for i in range(20)]
    for org in orgs:
        create_user(f"c{org.id}", User.CONTACT, org, "x" * 10, f"{org.name}联络员")
    create_user("officer", User.OFFICER, None, "bench-pass", "经办人")
    rnd = random.Random(1)
    statuses = list(workflow.LABELS)
    records = []
    for i in range(rows):
        level = rnd.choice(list(spec.levels))
        data = valid_row(i, id_number=make_id("19850612", 2 * (i % 500) + 1, f"{330000 + i // 500:06d}"), level=level,
                         specialty=rnd.choice(spec.levels[level]),
                         current_title="工程师" if level == "高级工程师" else "高级工程师",
                         **{f"ce_{y}": rnd.choice([120] * 29 + [96]) for y in spec.ce_years})
        records.append({"batch": batch.id, "org": orgs[i % 20].id, "id_number": data["id_number"],
                        "name": data["name"], "data": data, "warnings": [],
                        "status": rnd.choice(statuses), "level": data["level"], "specialty": data["specialty"],
                        "route": data["route"], "employer": data["employer"], "copies": rnd.choice([0, 3])})
    with db.atomic():
        for chunk in chunked(records, 500):
            Applicant.insert_many(chunk).execute()
    return batch


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='zcweb-bench-')}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        migrate()
        batch = fill(args.rows)
        spec = batch.spec
        spec.ce_min_hours = 100

        def read():
            return sum(1 for _ in Applicant.select(Applicant.id, Applicant.data, Applicant.warnings)
                       .where(Applicant.batch == batch).tuples().iterator())

        read_s, _ = timed(read)
        check_s, result = timed(lambda: recheck.recheck(batch, spec))
        with db.atomic():
            apply_s, written = timed(lambda: recheck.apply(result))
        scan_s, _ = timed(lambda: list(
            Applicant.select(Applicant.level, Applicant.specialty, Applicant.status, fn.COUNT(Applicant.id))
            .where(Applicant.batch == batch).group_by(Applicant.level, Applicant.specialty, Applicant.status)
            .tuples()))
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": "bench-pass"})
    client.get("/")  # templates compiled
    with app.app_context():
        original, calls = db.obj.execute_sql, []
        db.obj.execute_sql = lambda *a, **k: (calls.append(1), original(*a, **k))[1]
        home_s, response = timed(lambda: client.get("/"))
        db.obj.execute_sql, queries = original, len(calls)
    assert response.status_code == 200 and "催报" not in response.get_data(as_text=True)
    print(f"{args.rows:,} rows, {db.obj.__class__.__name__}")
    print(f"  read     {read_s:6.2f} s")
    print(f"  recheck  {check_s:6.2f} s  = {check_s / read_s:4.1f}× read   ({result.summary}, {written:,} rows written in {apply_s:.2f} s)")
    print(f"  scan     {scan_s:6.3f} s")
    print(f"  home     {home_s:6.3f} s  = {home_s / scan_s:4.1f}× scan  ({queries} queries)")


if __name__ == "__main__":
    main()
