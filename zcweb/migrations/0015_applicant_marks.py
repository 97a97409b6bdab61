"""Marks of applicant rows for the review filters (zcweb/marks.py): one row
per (applicant, mark) with the applicant's status, body and place in the
default order, which a trigger keeps equal to the applicant's whatever
updates them. Existing rows are marked here by the app's own `refresh`.
Three indexes of `applicant` extended: (batch, status) with the default
order and the result (a status, or a 评审结果 filter, in the default
order), (batch, org, status, copies) with the body's order (a body's rows
of a status in order), and (batch, name) with the status and the default
order (a short name search counts and pages from it alone); on PostgreSQL a GIN index of each name's
characters finds a one- or two-character name without scanning them all.
0012's index of the warnings' text goes: nothing reads it any more."""
from peewee import *

# A status in the default order (the (batch, status) index of 0001 extended); among 已推荐, the
# filter on the 高评委's result reads the result there too.
STATUSES = ('batch_id', 'status', 'org_order', 'org_id', 'position', 'id', 'result')
# A short name search reads the status and the place in the default order from the name index itself.
NAMES = ('batch_id', 'name', 'status', 'org_order', 'org_id', 'position', 'id')
# A body's rows of a status in their order (0003's (batch, org, status, copies) extended).
BODY = ('batch_id', 'org_id', 'status', 'position', 'id', 'copies')
COPIED = ("status", "org_id", "org_order", "position")
CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in COPIED)
FOLLOW = ("UPDATE applicant_mark SET " + ", ".join(f"{c} = {{row}}.{c}" for c in COPIED)
          + " WHERE applicant_id = {row}.id;")
SQLITE_FOLLOW = (f"CREATE TRIGGER applicant_mark_follow AFTER UPDATE OF {', '.join(COPIED)} ON applicant "
                 f"WHEN {CHANGED} BEGIN {FOLLOW.format(row='new')} END")
PG_FOLLOW = (
    "CREATE FUNCTION applicant_mark_follow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{FOLLOW.format(row='NEW')} RETURN NULL; END $$",
    f"CREATE TRIGGER applicant_mark_follow AFTER UPDATE OF {', '.join(COPIED)} ON applicant FOR EACH ROW "
    f"WHEN ({CHANGED.replace('old.', 'OLD.').replace('new.', 'NEW.').replace('IS NOT', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION applicant_mark_follow()",
)


# The same expression as search.in_names, so that the planner uses the index.
PG_NAME_CHARS = "CREATE INDEX applicant_name_chars ON applicant USING gin (string_to_array(name, NULL))"


def mark_model(db):
    class Batch(Model):
        class Meta:
            database = db
            table_name = 'batch'

    class Org(Model):
        class Meta:
            database = db
            table_name = 'org'

    class Applicant(Model):
        class Meta:
            database = db
            table_name = 'applicant'

    class ApplicantMark(Model):
        applicant = ForeignKeyField(Applicant, on_delete='CASCADE', index=False)
        mark = CharField()
        batch = ForeignKeyField(Batch, on_delete='CASCADE', index=False)
        status = CharField()
        org = ForeignKeyField(Org, on_delete='CASCADE', index=False)
        org_order = IntegerField()
        position = IntegerField()

        class Meta:
            database = db
            table_name = 'applicant_mark'
            primary_key = CompositeKey('applicant', 'mark')
            indexes = ((('batch', 'mark', 'org_order', 'org', 'position', 'applicant', 'status'), False),
                       (('batch', 'mark', 'status', 'org'), False))

    return ApplicantMark


def up(migrator, db):
    db.create_tables([mark_model(db)])
    migrator.migrate(migrator.drop_index('applicant', 'applicant_batch_id_status'),
                     migrator.add_index('applicant', STATUSES, False),
                     migrator.drop_index('applicant', 'applicant_batch_id_name'),
                     migrator.add_index('applicant', NAMES, False),
                     migrator.drop_index('applicant', 'applicant_batch_id_org_id_status_copies'),
                     migrator.add_index('applicant', BODY, False))
    # The 提示 filter reads the marks: 0012's index of the warnings' text would only slow every write.
    db.execute_sql("DROP INDEX IF EXISTS applicant_warnings")
    if isinstance(db, SqliteDatabase):
        db.execute_sql(SQLITE_FOLLOW)
    else:
        for sql in PG_FOLLOW + (PG_NAME_CHARS,):
            db.execute_sql(sql)
    from zcweb import marks
    for (batch_id,) in db.execute_sql("SELECT id FROM batch ORDER BY year").fetchall():
        marks.refresh_batch(batch_id)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER applicant_mark_follow")
        db.execute_sql("CREATE INDEX IF NOT EXISTS applicant_warnings ON applicant (batch_id, warnings)")
    else:
        db.execute_sql("CREATE INDEX IF NOT EXISTS applicant_warnings ON applicant USING gin (warnings gin_trgm_ops)")
        db.execute_sql("DROP INDEX applicant_name_chars")
        db.execute_sql("DROP TRIGGER applicant_mark_follow ON applicant")
        db.execute_sql("DROP FUNCTION applicant_mark_follow")
    db.drop_tables([mark_model(db)])
    migrator.migrate(migrator.drop_index('applicant', 'applicant_' + '_'.join(STATUSES)),
                     migrator.add_index('applicant', ('batch_id', 'status'), False),
                     migrator.drop_index('applicant', 'applicant_' + '_'.join(NAMES)),
                     migrator.add_index('applicant', ('batch_id', 'name'), False),
                     migrator.drop_index('applicant', 'applicant_' + '_'.join(BODY)),
                     migrator.add_index('applicant', ('batch_id', 'org_id', 'status', 'copies'), False))
