"""Indexes for the review filters at 100,000 applicants: a level alone in
the default order, and `applicant_warnings` for the 提示 filter, which no
model declares: on SQLite (batch, warnings), scanned instead of the rows;
on PostgreSQL a pg_trgm index (a long warnings text would overflow a btree
entry)."""
from peewee import *

LEVEL = ("CREATE INDEX IF NOT EXISTS applicant_batch_id_level_org_order_org_id_position_id "
         "ON applicant (batch_id, level, org_order, org_id, position, id)")
SQLITE_WARNINGS = "CREATE INDEX IF NOT EXISTS applicant_warnings ON applicant (batch_id, warnings)"
PG_WARNINGS = "CREATE INDEX IF NOT EXISTS applicant_warnings ON applicant USING gin (warnings gin_trgm_ops)"


def up(migrator, db):
    db.execute_sql(LEVEL)
    db.execute_sql(SQLITE_WARNINGS if isinstance(db, SqliteDatabase) else PG_WARNINGS)


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS applicant_warnings")
    db.execute_sql("DROP INDEX IF EXISTS applicant_batch_id_level_org_order_org_id_position_id")
