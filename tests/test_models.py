"""Schema migrations, JSON columns, body names, the same person in two bodies."""

import datetime as dt

import pytest
from peewee import IntegrityError

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from zcweb.db import MIGRATIONS_DIR, db, is_sqlite, migrate
from zcweb.models import MODELS, Applicant, ApplicantMark, Batch, Org

from tests.helpers import kept_counts, valid_row


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
    # 0012 indexes the columns 0003 adds, 0015's trigger copies them: undone first, redone last.
    mine = [m.load() for m in runner.migrations() if m.name.startswith(("0003", "0012", "0015"))]
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


def test_a_bodys_new_order_is_copied_to_its_applicants(ctx):
    org = Org.get(Org.name == "曹娥街道")
    data = valid_row(1)
    a = Applicant.create(batch=Batch.current(), org=org, id_number=data["id_number"], name="甲", data=data)
    org.sort_order = 42
    org.save()
    assert Applicant.get_by_id(a.id).org_order == 42
