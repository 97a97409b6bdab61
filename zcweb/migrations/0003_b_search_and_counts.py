"""Search and counts for the review list at 100,000 applicants.

Search over name, identity number and employer: an FTS5 trigram table kept
by triggers on SQLite, a pg_trgm index on PostgreSQL (when the extension is
available; without it searches scan). Counts: applicants and 评审表 copies
per (batch, body, status) in `applicant_count`, kept by triggers on
`applicant` so that every writer keeps them true."""
from peewee import *

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE applicant_search USING fts5(name, id_number, employer, tokenize='trigram')",
    "INSERT INTO applicant_search(rowid, name, id_number, employer) SELECT id, name, id_number, employer FROM applicant",
    "CREATE TRIGGER applicant_search_insert AFTER INSERT ON applicant BEGIN "
    "INSERT INTO applicant_search(rowid, name, id_number, employer) VALUES (new.id, new.name, new.id_number, new.employer); END",
    "CREATE TRIGGER applicant_search_update AFTER UPDATE OF name, id_number, employer ON applicant BEGIN "
    "UPDATE applicant_search SET name = new.name, id_number = new.id_number, employer = new.employer "
    "WHERE rowid = old.id; END",
    "CREATE TRIGGER applicant_search_delete AFTER DELETE ON applicant BEGIN "
    "DELETE FROM applicant_search WHERE rowid = old.id; END",
)
# The same expression as zcweb/search.py, so that the planner uses the index.
PG_SEARCH = ("CREATE INDEX applicant_search ON applicant USING gin "
             "((name || ' ' || id_number || ' ' || employer) gin_trgm_ops)")

ADD = ("INSERT INTO applicant_count (batch_id, org_id, status, applicants, copies) "
       "VALUES ({r}.batch_id, {r}.org_id, {r}.status, 1, {r}.copies) ON CONFLICT (batch_id, org_id, status) "
       "DO UPDATE SET applicants = applicant_count.applicants + 1, copies = applicant_count.copies + excluded.copies;")
REMOVE = ("UPDATE applicant_count SET applicants = applicants - 1, copies = copies - {r}.copies "
          "WHERE batch_id = {r}.batch_id AND org_id = {r}.org_id AND status = {r}.status;")
COUNTED = "batch_id, org_id, status, copies"
SQLITE_COUNTS = (
    f"CREATE TRIGGER applicant_count_insert AFTER INSERT ON applicant BEGIN {ADD.format(r='new')} END",
    f"CREATE TRIGGER applicant_count_delete AFTER DELETE ON applicant BEGIN {REMOVE.format(r='old')} END",
    f"CREATE TRIGGER applicant_count_update AFTER UPDATE OF {COUNTED} ON applicant BEGIN "
    f"{REMOVE.format(r='old')} {ADD.format(r='new')} END",
)
PG_COUNTS = (
    "CREATE FUNCTION applicant_count_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {REMOVE.format(r='OLD')} END IF; "
    f"IF TG_OP <> 'DELETE' THEN {ADD.format(r='NEW')} END IF; "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER applicant_count AFTER INSERT OR DELETE OR UPDATE OF {COUNTED} ON applicant "
    "FOR EACH ROW EXECUTE FUNCTION applicant_count_change()",
)


def count_model(db):
    class Batch(Model):
        class Meta:
            database = db
            table_name = 'batch'

    class Org(Model):
        class Meta:
            database = db
            table_name = 'org'

    class ApplicantCount(Model):
        batch = ForeignKeyField(Batch, on_delete='CASCADE', index=False)
        org = ForeignKeyField(Org, on_delete='CASCADE', index=False)
        status = CharField()
        applicants = IntegerField(default=0)
        copies = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'applicant_count'
            indexes = ((('batch', 'org', 'status'), True),)

    return ApplicantCount


def up(migrator, db):
    db.create_tables([count_model(db)])
    db.execute_sql("INSERT INTO applicant_count (batch_id, org_id, status, applicants, copies) "
                   "SELECT batch_id, org_id, status, COUNT(*), SUM(copies) FROM applicant "
                   "GROUP BY batch_id, org_id, status")
    if isinstance(db, SqliteDatabase):
        for sql in SQLITE_SEARCH + SQLITE_COUNTS:
            db.execute_sql(sql)
        return
    for sql in PG_COUNTS:
        db.execute_sql(sql)
    if db.execute_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone():
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute_sql(PG_SEARCH)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ("search_insert", "search_update", "search_delete", "count_insert", "count_delete",
                     "count_update"):
            db.execute_sql(f"DROP TRIGGER applicant_{name}")
        db.execute_sql("DROP TABLE applicant_search")
    else:
        db.execute_sql("DROP TRIGGER applicant_count ON applicant")
        db.execute_sql("DROP FUNCTION applicant_count_change")
        db.execute_sql("DROP INDEX IF EXISTS applicant_search")
    db.drop_tables([count_model(db)])
