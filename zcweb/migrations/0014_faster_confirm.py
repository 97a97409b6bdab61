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

The update triggers fired for every row whose UPDATE named a counted or
searched column, changed or not: the confirm's UPDATE of changed rows names
them all, so a new phone number in 10,000 rows redid 10,000 search entries
and 20,000 count upserts. They now fire only when a value really changed
(`WHEN old.x IS NOT new.x …`; PostgreSQL: IS DISTINCT FROM), which leaves
the tables exactly as before.

2. `upload_row` gets the values `applicant` keeps in indexed columns
(level, specialty, route, employer), worked out by the preview, so that
the confirm's INSERT … SELECT copies them instead of extracting each from
the row's JSON (SQLite parses the whole JSON text at every extraction).

3. SQLite's search table is made again with `columnsize=0`: FTS5 no longer
keeps each row's column lengths, which only ranking (bm25) reads and the
search (zcweb.review.search: which rows match) never does; a quarter less
work for each row added."""
from peewee import *

KEY = ("batch_id", "org_id", "level", "specialty", "status", "copies")
SEARCHED = ("name", "id_number", "employer")
ADD = ("INSERT INTO applicant_count ({key}, applicants) VALUES ({values}, 1) ON CONFLICT ({key}) "
       "DO UPDATE SET applicants = applicant_count.applicants + 1;")
REMOVE = "UPDATE applicant_count SET applicants = applicants - 1 WHERE {where};"


def add(row):
    return ADD.format(key=", ".join(KEY), values=", ".join(f"{row}.{c}" for c in KEY))


def remove(row):
    return REMOVE.format(where=" AND ".join(f"{c} = {row}.{c}" for c in KEY))


def changed(columns):
    """SQLite: any of `columns` has another value after the update."""
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)


def distinct(columns):
    """PostgreSQL: the same."""
    return (f"({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'NEW.{c}' for c in columns)})")


# The four SQLite triggers of 0003_b (when: "") and of this migration.
SQLITE_TRIGGERS = {
    "search_insert": ("AFTER INSERT ON applicant {when}BEGIN INSERT INTO applicant_search(rowid, name, id_number, "
                      "employer) VALUES (new.id, new.name, new.id_number, new.employer); END",
                      "WHEN new.upload_id IS NULL "),
    "search_update": (f"AFTER UPDATE OF {', '.join(SEARCHED)} ON applicant {{when}}BEGIN "
                      "UPDATE applicant_search SET name = new.name, id_number = new.id_number, employer = new.employer "
                      "WHERE rowid = old.id; END",
                      f"WHEN {changed(SEARCHED)} "),
    "count_insert": ("AFTER INSERT ON applicant {when}BEGIN " + add("new") + " END",
                     "WHEN new.upload_id IS NULL "),
    "count_update": (f"AFTER UPDATE OF {', '.join(KEY)} ON applicant {{when}}BEGIN {remove('old')} {add('new')} END",
                     f"WHEN {changed(KEY)} "),
}

# PostgreSQL: 0003_b's one row trigger for all three events becomes one per
# event (the same function): inserts without an upload, deletes, updates
# that change the key.
ROW = "FOR EACH ROW {when}EXECUTE FUNCTION applicant_count_change()"
PG_UP = (
    "DROP TRIGGER applicant_count ON applicant",
    "CREATE TRIGGER applicant_count AFTER DELETE ON applicant " + ROW.format(when=""),
    "CREATE TRIGGER applicant_count_insert AFTER INSERT ON applicant " + ROW.format(when="WHEN (NEW.upload_id IS NULL) "),
    f"CREATE TRIGGER applicant_count_update AFTER UPDATE OF {', '.join(KEY)} ON applicant "
    + ROW.format(when=f"WHEN ({distinct(KEY)}) "),
)
PG_DOWN = (
    "DROP TRIGGER applicant_count_update ON applicant",
    "DROP TRIGGER applicant_count_insert ON applicant",
    "DROP TRIGGER applicant_count ON applicant",
    f"CREATE TRIGGER applicant_count AFTER INSERT OR DELETE OR UPDATE OF {', '.join(KEY)} ON applicant "
    + ROW.format(when=""),
)

SEARCH = "CREATE VIRTUAL TABLE applicant_search USING fts5(name, id_number, employer, tokenize='trigram'{options})"
VALUES = ('level', 'specialty', 'route', 'employer')


def _sqlite_triggers(db, this_migration: bool) -> None:
    for name, (body, when) in SQLITE_TRIGGERS.items():
        db.execute_sql(f"DROP TRIGGER applicant_{name}")
        db.execute_sql(f"CREATE TRIGGER applicant_{name} " + body.format(when=when if this_migration else ""))


def _sqlite_search_table(db, options: str) -> None:
    db.execute_sql("DROP TABLE applicant_search")
    db.execute_sql(SEARCH.format(options=options))
    db.execute_sql("INSERT INTO applicant_search(rowid, name, id_number, employer) "
                   "SELECT id, name, id_number, employer FROM applicant")


def json_text(db, column, key):
    if isinstance(db, SqliteDatabase):
        return f"COALESCE(CAST(json_extract({column}, '$.{key}') AS TEXT), '')"
    return f"COALESCE(({column})::jsonb ->> '{key}', '')"


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite_triggers(db, True)
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
        _sqlite_triggers(db, False)
    else:
        for sql in PG_DOWN:
            db.execute_sql(sql)
