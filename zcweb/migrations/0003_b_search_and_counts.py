"""Search and counts for the review list at 100,000 applicants.

Search over name, identity number and employer: an FTS5 trigram table kept
by triggers on SQLite, a pg_trgm index on PostgreSQL (when the extension is
available; without it searches scan). Counts: applicants per (batch, body,
level, specialty, status, 评审表 copies received) in `applicant_count`, kept by triggers on
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

KEY = "batch_id, org_id, level, specialty, status, copies"
ADD = ("INSERT INTO applicant_count ({key}, applicants) VALUES ({values}, 1) ON CONFLICT ({key}) "
       "DO UPDATE SET applicants = applicant_count.applicants + 1;")
REMOVE = "UPDATE applicant_count SET applicants = applicants - 1 WHERE {where};"


def add(row):
    return ADD.format(key=KEY, values=", ".join(f"{row}.{c}" for c in KEY.split(", ")))


def remove(row):
    return REMOVE.format(where=" AND ".join(f"{c} = {row}.{c}" for c in KEY.split(", ")))


SQLITE_COUNTS = (
    f"CREATE TRIGGER applicant_count_insert AFTER INSERT ON applicant BEGIN {add('new')} END",
    f"CREATE TRIGGER applicant_count_delete AFTER DELETE ON applicant BEGIN {remove('old')} END",
    f"CREATE TRIGGER applicant_count_update AFTER UPDATE OF {KEY} ON applicant BEGIN "
    f"{remove('old')} {add('new')} END",
)
PG_COUNTS = (
    "CREATE FUNCTION applicant_count_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {remove('OLD')} END IF; "
    f"IF TG_OP <> 'DELETE' THEN {add('NEW')} END IF; "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER applicant_count AFTER INSERT OR DELETE OR UPDATE OF {KEY} ON applicant "
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
        level = CharField()
        specialty = CharField()
        status = CharField()
        copies = IntegerField()
        applicants = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'applicant_count'
            indexes = ((('batch', 'org', 'level', 'specialty', 'status', 'copies'), True),)

    return ApplicantCount


def up(migrator, db):
    db.create_tables([count_model(db)])
    db.execute_sql(f"INSERT INTO applicant_count ({KEY}, applicants) "
                   f"SELECT {KEY}, COUNT(*) FROM applicant GROUP BY {KEY}")
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
