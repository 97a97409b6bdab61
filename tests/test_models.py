"""Schema migrations, JSON columns, body names, the same person in two bodies."""

import contextlib
import datetime as dt
import multiprocessing
import os
import sqlite3
import threading
import time

import pytest
from peewee import IntegrityError

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from zcweb import create_app
from zcweb import db as database
from zcweb.db import MIGRATIONS_DIR, db, is_sqlite, migrate
from zcweb.models import MODELS, Applicant, ApplicantMark, Batch, Org

from zcweb.intake import confirm as confirmation
from zcweb.intake.preview import create_preview

from tests.helpers import kept_counts, kept_tables, roster, true_tables, valid_row


def test_migrations_are_applied_once(ctx):
    assert migrate() == []


def schema_diff():
    """The migrated schema against the models. The search index of
    migration 0003_b and the names' characters of 0015 belong to no model:
    on PostgreSQL they are pg_trgm and GIN indexes on `applicant` (on SQLite
    a separate FTS5 table, and none)."""
    diff = diff_models(db.obj, MODELS)
    diff.drop_indexes[:] = [i for i in diff.drop_indexes if i.name not in ("applicant_search", "applicant_name_chars")]
    return diff


def test_migrated_schema_matches_the_models(ctx):
    """A model change without a migration fails here."""
    diff = schema_diff()
    assert not diff, str(diff)


def test_database_enforces_foreign_keys_and_sqlite_runs_with_wal(ctx):
    if is_sqlite():
        assert db.execute_sql("pragma journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("pragma foreign_keys").fetchone()[0] == 1
        # Checkpoints are the checkpointer's (below); a COMMIT only past 64 MB of WAL.
        assert db.execute_sql("pragma wal_autocheckpoint").fetchone()[0] == 16384
    with pytest.raises(IntegrityError), db.atomic():
        Applicant.create(batch=Batch.current(), org=99999, id_number="x", name="x", data={})


def test_batch_keeps_its_rules_as_data(ctx):
    batch = Batch.current()
    spec = batch.spec
    assert spec.levels["高级工程师"] == ["能源", "材料", "轻纺", "石油和化学工程"]
    assert spec.seniority_cutoff == dt.date(2024, 12, 31)
    assert spec.breakthrough_min_score == 120
    assert batch.schema.version == "roster-2024"


def test_roster_values_round_trip_through_json(ctx):
    data = valid_row(1, remarks="含“引号”和\n换行")
    a = Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "百官街道"),
                         id_number=data["id_number"], name=data["name"], data=data)
    assert Applicant.get_by_id(a.id).data == data


def test_org_found_by_old_name(ctx):
    assert Org.by_name("曹娥镇").name == "曹娥街道"
    assert Org.by_name("沥海镇") is None


def test_submitted_by_names_every_body_that_sent_a_person(ctx):
    batch = Batch.current()
    data = valid_row(1)
    for name in ("百官街道", "曹娥街道"):
        Applicant.create(batch=batch, org=Org.get(Org.name == name), id_number=data["id_number"],
                         name="同一人", data=data)
    found = Applicant.submitted_by(batch)
    assert found == {data["id_number"]: {"百官街道", "曹娥街道"}}
    a = Applicant.get(Applicant.org == Org.get(Org.name == "百官街道"))
    assert a.other_bodies(found) == ["曹娥街道"]


def test_migration_fills_the_indexed_columns_from_the_stored_data(ctx):
    """Rows stored before migration 0003 get level, specialty, route,
    employer and their body's order from their JSON data."""
    org = Org.get(Org.name == "曹娥街道")
    data = valid_row(1, specialty="材料", route="破格")
    a = Applicant.create(batch=Batch.current(), org=org, id_number=data["id_number"], name="甲", data=data)
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    # 0012 indexes the columns 0003 adds, 0014 redefines 0003_b's insert
    # triggers, 0015's trigger copies them: undone first, redone last.
    mine = [m.load() for m in runner.migrations() if m.name.startswith(("0003", "0012", "0014", "0015"))]
    with db.atomic():
        for module in reversed(mine):
            module.down(runner.migrator, db.obj)
        for module in mine:
            module.up(runner.migrator, db.obj)
    a = Applicant.get_by_id(a.id)
    assert (a.level, a.specialty, a.route, a.employer, a.org_order) == (
        "高级工程师", "材料", "破格", data["employer"], org.sort_order)
    assert kept_counts(a.batch) == [(org.id, "pending", 1, 0)]
    # 0015 marks the rows already stored (no warning: 无提示).
    assert list(ApplicantMark.select(ApplicantMark.mark, ApplicantMark.org_order).where(
        ApplicantMark.applicant == a.id).tuples()) == [("none", org.sort_order)]
    assert not schema_diff()
    # The confirm's rows are counted and indexed once, by the confirm (0014 redone).
    confirmation.confirm(create_preview(a.batch, org, None, "a.xlsx", roster(org, [valid_row(2)])), None)
    assert kept_tables() == true_tables()


def test_a_bodys_new_order_is_copied_to_its_applicants(ctx):
    org = Org.get(Org.name == "曹娥街道")
    data = valid_row(1)
    a = Applicant.create(batch=Batch.current(), org=org, id_number=data["id_number"], name="甲", data=data)
    org.sort_order = 42
    org.save()
    assert Applicant.get_by_id(a.id).org_order == 42


def test_a_preview_stored_before_migration_0014_is_confirmed_with_its_values_counted_once(ctx):
    org = Org.get(Org.name == "曹娥街道")
    batch = Batch.current()
    stored = create_preview(batch, org, None, "a.xlsx", roster(org, [valid_row(1, specialty="材料", route="破格",
                                                                              self_score=125)]))
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    [upkeep] = [m.load() for m in runner.migrations() if m.name.startswith("0014")]
    with db.atomic():
        upkeep.down(runner.migrator, db.obj)
        upkeep.up(runner.migrator, db.obj)
    confirmation.confirm(stored, None)
    a = Applicant.get()
    assert (a.level, a.specialty, a.route, a.employer) == ("高级工程师", "材料", "破格", valid_row(1)["employer"])
    assert kept_tables() == true_tables()


def test_after_a_request_the_checkpointer_copies_the_wal_into_the_database_file(sqlite_app):
    """A request's COMMIT only appends to the WAL, and closing its
    connection does not checkpoint either: the checkpointer thread, started
    by the first request after a write, copies the WAL into the file.
    (PostgreSQL checkpoints by itself.)"""
    path = sqlite_app.config["DATABASE_URL"].removeprefix("sqlite:///")
    client = sqlite_app.test_client()

    def in_the_file() -> int:
        """Logins recorded in the database file itself, its WAL left aside."""
        with contextlib.closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as file:
            return file.execute("SELECT COUNT(*) FROM event WHERE action = 'auth.login'").fetchone()[0]

    client.login("officer")  # records the login, then ends the request
    assert path in database._Checkpointer._running  # started as the request ended
    assert os.path.exists(path + "-wal")  # the request's connection closed without a last checkpoint
    deadline = time.monotonic() + 10
    while in_the_file() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_the_file() == 1


def _one_request(url: str, answers) -> None:
    """In a forked process: a page of its own app on the same database; the
    page's status and whether it left a checkpointer of this process running."""
    client = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key"}).test_client()
    status = client.get("/login").status_code
    checkpointer = database._Checkpointer._running.get(url.removeprefix("sqlite:///"))
    answers.put((status, checkpointer is not None and checkpointer.is_alive()))


def test_a_process_forked_while_a_checkpointer_is_inside_sqlite_can_use_the_database(sqlite_app):
    """Forking waits until no checkpointer is inside SQLite (a lock held
    there at the fork would stay held in the child for ever), and the child
    starts a checkpointer of its own."""
    url = sqlite_app.config["DATABASE_URL"]
    inside, leave = threading.Event(), threading.Event()

    def checkpointing():  # as a checkpointer does for the length of a checkpoint
        with database._Checkpointer._in_sqlite:
            inside.set()
            leave.wait(0.5)

    busy = threading.Thread(target=checkpointing)
    busy.start()
    inside.wait(5)
    processes = multiprocessing.get_context("fork")
    answers = processes.Queue()
    child = processes.Process(target=_one_request, args=(url, answers))
    child.start()  # waits for the checkpoint
    busy.join(5)
    assert answers.get(timeout=30) == (200, True)
    child.join(30)
    assert child.exitcode == 0
