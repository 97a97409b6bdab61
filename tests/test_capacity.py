"""The database under stress: a preview that does not lock while it reads,
concurrent confirmations, the 503 page when the database is busy or down,
and the limit on workbooks built at once. Each runs on SQLite and, with
ZCWEB_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time

import pytest

from zcweb.intake import confirm as confirmation
from zcweb.roster import template
from zcweb.db import bind, is_sqlite
from zcweb.models import Org, Upload

from tests.helpers import applicants, kept_tables, roster, true_tables, upload, valid_row


@pytest.fixture
def file_of(app):
    """The body's roster with these rows. Tests here keep no app context
    open: requests in it would share `g`, and with it one CSRF token."""

    def build(*rows):
        with app.app_context():
            return roster(Org.get(Org.name == "百官街道"), list(rows))

    return build


@pytest.fixture
def query(app):
    """Run a function in an app context of its own."""

    def run(function):
        with app.app_context():
            return function()

    return run


def logged_in(app, username="baiguan"):
    client = app.test_client()
    client.login(username)
    return client


@contextlib.contextmanager
def write_lock(app, wait: float = 0.5):
    """A second connection that holds the lock an upload needs to write: SQLite's
    write lock (BEGIN IMMEDIATE), or PostgreSQL's EXCLUSIVE lock on `upload`."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=wait, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
    else:
        import psycopg2

        connection = psycopg2.connect(url)
        cursor = connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(wait * 1000)}")
        cursor.execute("LOCK TABLE upload IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


def test_a_preview_holds_no_write_lock_while_it_reads_the_file(app, file_of, query, monkeypatch):
    from zcweb.roster.normalize import RowCleaner

    data = file_of(*(valid_row(i) for i in range(1, 4)))
    reading, finish = threading.Event(), threading.Event()

    def slow_clean(self, cells, original=RowCleaner.clean):
        reading.set()
        finish.wait(10)
        return original(self, cells)

    monkeypatch.setattr(RowCleaner, "clean", slow_clean)
    client = logged_in(app)
    thread = threading.Thread(target=lambda: upload(client, data))
    thread.start()
    try:
        assert reading.wait(10)
        with write_lock(app):  # would time out if the preview had opened its transaction
            pass
    finally:
        finish.set()
        thread.join(20)
    assert query(lambda: Upload.get().summary["new"]) == 3


def test_concurrent_confirmations_of_the_same_new_rows_import_them_once(app, file_of, query, monkeypatch):
    data = file_of(valid_row(1), valid_row(2), valid_row(3))
    first, second = logged_in(app), logged_in(app)
    ids = [upload(c, data).headers["Location"].rsplit("/", 1)[1] for c in (first, second)]
    # Both confirmations reach the insert together where the database lets
    # them (PostgreSQL); SQLite's write lock lets the second in only after
    # the first has committed, so there the meeting point times out.
    meet = threading.Barrier(2, timeout=2)

    def insert_together(*args, original=confirmation.insert_new_rows):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return original(*args)

    monkeypatch.setattr(confirmation, "insert_new_rows", insert_together)
    pages = {}

    def confirm(client, upload_id):
        response = client.post(f"/uploads/{upload_id}/confirm", follow_redirects=True)
        pages[upload_id] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip((first, second), ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(code for code, _ in pages.values()) == [200, 200]
    texts = [page for _, page in pages.values()]
    assert sum("已导入3人（新增3人，修改0人）。" in page for page in texts) == 1
    assert sum("本次上传的3人已由另一次上传导入，未重复导入。" in page for page in texts) == 1
    assert query(lambda: sorted(a.name for a in applicants())) == ["测试1", "测试2", "测试3"]
    assert query(lambda: {u.status for u in Upload.select()}) == {Upload.CONFIRMED}
    assert query(kept_tables) == query(true_tables)


def test_a_later_upload_confirmed_after_another_reports_the_rows_imported_by_it(app, file_of, query):
    client = logged_in(app)
    earlier = upload(client, file_of(valid_row(1), valid_row(2))).headers["Location"]
    later = upload(client, file_of(valid_row(2, phone="13900000000"), valid_row(3))).headers["Location"]
    client.post(f"{earlier}/confirm")
    page = client.post(f"{later}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "已导入1人（新增1人，修改0人）。另有1人已由另一次上传导入，未重复导入。" in page
    stored = query(lambda: {a.name: a.data["phone"] for a in applicants()})
    assert stored == {"测试1": "13857500000", "测试2": "13857500000", "测试3": "13857500000"}


def test_a_busy_database_answers_a_chinese_503_and_the_app_recovers(app, file_of, query):
    bind(app.config["DATABASE_URL"], busy_timeout=0.3)
    client = logged_in(app)
    data = file_of(valid_row(1))
    with write_lock(app):
        response = upload(client, data, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "数据库暂时不可用" in page and "数据没有被修改" in page
    assert response.headers["HX-Retarget"] == "body" and response.headers["HX-Reswap"] == "innerHTML"
    assert response.headers["Retry-After"]
    assert query(Upload.select().count) == 0
    # The lock released, the same request goes through.
    response = upload(client, data)
    assert response.status_code == 303
    assert query(lambda: Upload.get().summary["new"]) == 1


def test_a_database_that_is_down_answers_503_without_touching_it(app, tmp_path):
    client = logged_in(app)
    url = app.config["DATABASE_URL"]
    down = (f"sqlite:///{tmp_path}/no-such-dir/zcweb.sqlite3" if is_sqlite()
            else "postgresql://zcweb@127.0.0.1:1/zcweb")
    bind(down)
    for path in ("/", "/login", "/review"):
        response = client.get(path, headers={"HX-Request": "true"})
        page = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert "数据库暂时不可用" in page and "请稍等片刻后重试" in page
        assert response.headers["HX-Retarget"] == "body"
    assert client.post("/logout").status_code == 503
    with client.get("/static/app.css") as css:  # the 503 page keeps its style
        assert css.status_code == 200
    bind(url)  # the database is back: the same session works again
    response = client.get("/")
    assert response.status_code == 200 and "百官联络员" in response.get_data(as_text=True)


def test_workbook_builds_are_limited_and_logins_still_pass(app, monkeypatch):
    app.extensions["zcweb.workbook_slots"] = threading.BoundedSemaphore(1)
    app.config["WORKBOOK_WAIT"] = 0.2
    building, finish = threading.Event(), threading.Event()

    def slow_build(*args, original=template.build_template, **kwargs):
        building.set()
        finish.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(template, "build_template", slow_build)  # imported at each build
    first, second = logged_in(app), logged_in(app, "caoe")
    answers = []
    thread = threading.Thread(target=lambda: answers.append(first.get("/my-rows.xlsx")))
    thread.start()
    try:
        assert building.wait(10)
        busy = second.get("/feedback.xlsx")
        assert busy.status_code == 503
        assert "系统繁忙，请稍后再试" in busy.get_data(as_text=True)
        start = time.perf_counter()
        logged_in(app, "officer")  # a login does not wait for the build
        assert time.perf_counter() - start < 5
    finally:
        finish.set()
        thread.join(20)
    assert answers[0].status_code == 200
    assert second.get("/feedback.xlsx").status_code == 200  # the slot came back


def test_ten_template_downloads_at_once_all_succeed_while_two_exports_hold_the_workbook_slots(app):
    exports = app.extensions["zcweb.workbook_slots"]
    contacts = [logged_in(app, name) for name in ("baiguan", "caoe") * 5]
    for _ in range(app.config["WORKBOOK_BUILDS"]):
        assert exports.acquire(timeout=1)  # two large exports being built
    answers = []
    try:
        threads = [threading.Thread(target=lambda c=c: answers.append(c.get("/template.xlsx"))) for c in contacts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert contacts[0].get("/feedback.xlsx").status_code == 503  # the exports' slots are still taken
    finally:
        for _ in range(app.config["WORKBOOK_BUILDS"]):
            exports.release()
    assert [a.status_code for a in answers] == [200] * 10
    assert all(a.data[:2] == b"PK" for a in answers)

