"""Building rosters for tests: valid identity numbers and rows, and filled
copies of the real template."""

from __future__ import annotations

import io
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from peewee import fn

from zcweb import marks
from zcweb.db import db, is_sqlite
from zcweb.models import Applicant, ApplicantCount, ApplicantMark, Batch, Org, Upload
from zcweb.roster.template import build_template
from zcweb.intake.templates import token_for

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(birth: str = "19850612", seq: int = 123, area: str = "330604") -> str:
    """A valid 18-digit identity number (odd `seq` = 男, even = 女)."""
    body = f"{area}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def valid_row(i: int = 1, **changes) -> dict:
    """A row that passes every check of the 2024 batch, as cleaned values."""
    seq = 100 + 2 * i + 1  # odd: 男
    row = {
        "name": f"测试{i}",
        "sex": "男",
        "id_number": make_id("19850612", seq),
        "birth_month": "1985-06",
        "employer": "浙江上虞示例化工有限公司",
        "employer_type": "企业",
        "education": "大学本科",
        "degree": "学士",
        "school": "浙江工业大学",
        "major": "化学工程与工艺",
        "graduation": "2008-07",
        "work_start": "2008-07",
        "current_title": "工程师",
        "current_title_specialty": "化工",
        "current_title_date": "2018-12-28",
        "current_post": "工艺技术",
        "level": "高级工程师",
        "specialty": "石油和化学工程",
        "route": "正常",
        "ce_2022": 96,
        "ce_2023": 96,
        "ce_2024": 96,
        "notice_start": "2024-08-26",
        "notice_end": "2024-08-30",
        "phone": "13857500000",
    }
    row.update(changes)
    return row


def roster(org: Org, rows: list[dict], batch: Batch | None = None, token: bool = True) -> bytes:
    """The body's template filled with `rows` (needs an app context)."""
    batch = batch or Batch.current()
    return build_template(batch.schema, batch.spec, org_name=org.name,
                          token=token_for(batch, org) if token else None, rows=rows,
                          prepared_rows=20)  # the full 1,000 rows are tested in test_template


def upload(client, data: bytes, name: str = "花名册.xlsx", headers=None, **fields):
    """POST a file as the browser's form does. The body is encoded here in
    memory: Werkzeug's test client spools a large one to a temporary file
    that it never closes."""
    fields["csrf_token"] = client.csrf_token()
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name), **fields})
    return client.post("/uploads", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers or {}, csrf=False)


def applicants(org_name: str | None = None) -> list[Applicant]:
    query = Applicant.select().order_by(Applicant.id)
    if org_name:
        query = query.join(Org).where(Org.name == org_name)
    return list(query)


def kept_counts(batch) -> list[tuple]:
    """(body id, status, applicants, 评审表 copies) from the counts the
    database keeps by triggers."""
    return sorted(ApplicantCount.select(ApplicantCount.org, ApplicantCount.status, fn.SUM(ApplicantCount.applicants),
                                        fn.SUM(ApplicantCount.applicants * ApplicantCount.copies))
                  .where((ApplicantCount.batch == batch) & (ApplicantCount.applicants > 0))
                  .group_by(ApplicantCount.org, ApplicantCount.status).tuples())


COUNT_KEY = ("batch", "org", "level", "specialty", "status", "copies")


MARK_COPIES = ("status", "org", "org_order", "position")


def kept_tables() -> dict:
    """What the review desk reads instead of scanning applicants: every
    non-zero count kept in `applicant_count` by its full key, every mark
    (zcweb/marks.py) with what it copies of its applicant and, on SQLite,
    every entry of the search table (rowid, name, identity number, employer)."""
    counts = sorted(ApplicantCount.select(*(getattr(ApplicantCount, k) for k in COUNT_KEY), ApplicantCount.applicants)
                    .where(ApplicantCount.applicants != 0).tuples())
    search = db.execute_sql("SELECT rowid, name, id_number, employer FROM applicant_search ORDER BY rowid"
                            ).fetchall() if is_sqlite() else None
    kept = sorted(ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark,
                                       *(getattr(ApplicantMark, k) for k in MARK_COPIES)).tuples())
    return {"counts": counts, "search": [tuple(r) for r in search] if search is not None else None, "marks": kept}


def true_tables() -> dict:
    """The same, worked out afresh from `applicant` (as `kept_tables` must read)."""
    key = [getattr(Applicant, k) for k in COUNT_KEY]
    counts = sorted(Applicant.select(*key, fn.COUNT(Applicant.id)).group_by(*key).tuples())
    search = list(Applicant.select(Applicant.id, Applicant.name, Applicant.id_number, Applicant.employer)
                  .order_by(Applicant.id).tuples()) if is_sqlite() else None
    with db.atomic() as fresh:  # every mark worked out anew, then put back as it was
        for batch in Batch.select().order_by(Batch.year):
            marks.refresh_batch(batch)
        found = sorted(ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark,
                                            *(getattr(Applicant, k) for k in MARK_COPIES)).join(Applicant).tuples())
        fresh.rollback()
    return {"counts": counts, "search": search, "marks": found}


def last_upload() -> Upload:
    return Upload.select().order_by(Upload.id.desc()).first()


def proc_stat(pid: int | str) -> list[str]:
    """A process's /proc/PID/stat fields after its name (Linux): state,
    parent, ..., user and system CPU ticks at [11] and [12]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_processes(parent: int) -> set[int]:
    """The server processes `serve` started (not multiprocessing's resource tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if int(proc_stat(entry.name)[1]) == parent and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (ValueError, OSError):  # not a process, or gone meanwhile
            continue
    return found


def serving(pid: int, threads: int) -> bool:
    """Whether the process has started waitress's worker threads (made its app)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:", 1)[1].split()[0]) > threads
