"""A confirm as fast as the preview (issue 19).

1. The confirm keeps the search and count tables itself, set-based.

Until now every applicant row inserted by a confirm fired two per-row
triggers (migration 0003_b): one row into the FTS5 table `applicant_search`
(SQLite) and one upsert of `applicant_count` (both databases), 10,000 times
for a file of 10,000 people. From here the insert triggers skip a row that
carries an upload (`WHEN new.upload_id IS NULL`): only the confirm inserts
such rows (`zcweb.intake.confirm.insert_new_rows`), and in the same
transaction it adds all of them to the search table with one
`INSERT … SELECT` and to the counts with one grouped upsert. Every other
insert (`Applicant.create`, the demo, a script) has no upload and is still
counted row by row, and so are updates and deletes by anyone (a decision,
评审表 copies, a withdrawal, 定稿 and its reopening, the confirm's changed
rows): the tables stay exact whoever writes.

2. `upload_row` gets the values `applicant` keeps in indexed columns
(level, specialty, route, employer), worked out by the preview, so that
the confirm's INSERT … SELECT copies them instead of extracting each from
the row's JSON (SQLite parses the whole JSON text at every extraction).

3. SQLite's search table is made again with `columnsize=0`: FTS5 no longer
keeps each row's column lengths, which only ranking (bm25) reads and the
search (zcweb.review.search: which rows match) never does; a quarter less
work for each row added."""
from peewee import *

KEY = "batch_id, org_id, level, specialty, status, copies"
ADD = ("INSERT INTO applicant_count ({key}, applicants) VALUES ({values}, 1) ON CONFLICT ({key}) "
       "DO UPDATE SET applicants = applicant_count.applicants + 1;")
REMOVE = "UPDATE applicant_count SET applicants = applicants - 1 WHERE {where};"


def add(row):
    return ADD.format(key=KEY, values=", ".join(f"{row}.{c}" for c in KEY.split(", ")))


def remove(row):
    return REMOVE.format(where=" AND ".join(f"{c} = {row}.{c}" for c in KEY.split(", ")))


SEARCH_INSERT = ("CREATE TRIGGER applicant_search_insert AFTER INSERT ON applicant {when}BEGIN "
                 "INSERT INTO applicant_search(rowid, name, id_number, employer) "
                 "VALUES (new.id, new.name, new.id_number, new.employer); END")
COUNT_INSERT = "CREATE TRIGGER applicant_count_insert AFTER INSERT ON applicant {when}BEGIN " + add("new") + " END"
SQLITE_WHEN = "WHEN new.upload_id IS NULL "

# PostgreSQL: 0003_b's one row trigger for all three events becomes one for
# updates and deletes and one for inserts without an upload (same function).
PG_UP = (
    "DROP TRIGGER applicant_count ON applicant",
    f"CREATE TRIGGER applicant_count AFTER DELETE OR UPDATE OF {KEY} ON applicant "
    "FOR EACH ROW EXECUTE FUNCTION applicant_count_change()",
    "CREATE TRIGGER applicant_count_insert AFTER INSERT ON applicant "
    "FOR EACH ROW WHEN (NEW.upload_id IS NULL) EXECUTE FUNCTION applicant_count_change()",
)
PG_DOWN = (
    "DROP TRIGGER applicant_count_insert ON applicant",
    "DROP TRIGGER applicant_count ON applicant",
    f"CREATE TRIGGER applicant_count AFTER INSERT OR DELETE OR UPDATE OF {KEY} ON applicant "
    "FOR EACH ROW EXECUTE FUNCTION applicant_count_change()",
)


SEARCH = "CREATE VIRTUAL TABLE applicant_search USING fts5(name, id_number, employer, tokenize='trigram'{options})"


def _sqlite_search_table(db, options: str) -> None:
    db.execute_sql("DROP TABLE applicant_search")
    db.execute_sql(SEARCH.format(options=options))
    db.execute_sql("INSERT INTO applicant_search(rowid, name, id_number, employer) "
                   "SELECT id, name, id_number, employer FROM applicant")


def _sqlite_insert_triggers(db, when: str) -> None:
    for name in ("search_insert", "count_insert"):
        db.execute_sql(f"DROP TRIGGER applicant_{name}")
    db.execute_sql(SEARCH_INSERT.format(when=when))
    db.execute_sql(COUNT_INSERT.format(when=when))


VALUES = ('level', 'specialty', 'route', 'employer')


def json_text(db, column, key):
    if isinstance(db, SqliteDatabase):
        return f"COALESCE(CAST(json_extract({column}, '$.{key}') AS TEXT), '')"
    return f"COALESCE(({column})::jsonb ->> '{key}', '')"


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite_insert_triggers(db, SQLITE_WHEN)
        _sqlite_search_table(db, ", columnsize=0")
    else:
        for sql in PG_UP:
            db.execute_sql(sql)
    migrator.migrate(*(migrator.add_column('upload_row', key, TextField(default='')) for key in VALUES))
    # Previews stored before this and not yet confirmed or cancelled: as the confirm read them.
    fill = ', '.join(f'{key} = {json_text(db, "data", key)}' for key in VALUES)
    db.execute_sql(f"UPDATE upload_row SET {fill} WHERE upload_id IN (SELECT id FROM upload WHERE status = 'preview')")


def down(migrator, db):
    migrator.migrate(*(migrator.drop_column('upload_row', key) for key in VALUES))
    if isinstance(db, SqliteDatabase):
        _sqlite_search_table(db, "")
        _sqlite_insert_triggers(db, "")
    else:
        for sql in PG_DOWN:
            db.execute_sql(sql)
