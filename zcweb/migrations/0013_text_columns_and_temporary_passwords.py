"""Free-text columns become TEXT (PostgreSQL refused a value over 255
characters; SQLite never limited them); a temporary password's expiry."""
import datetime

from peewee import *

TEXT_COLUMNS = (
    ('batch', 'title'), ('org', 'name'), ('org', 'kind'),
    ('user', 'username'), ('user', 'display_name'), ('user', 'phone'),
    ('upload', 'filename'), ('list_upload', 'filename'), ('final_roster', 'filename'),
    ('upload_row', 'name'), ('applicant', 'name'), ('applicant', 'employer'),
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for table, column in TEXT_COLUMNS:
            db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE text')
    migrator.migrate(migrator.add_column('user', 'temporary_until', DateTimeField(null=True)))
    # Temporary passwords given before this expire 72 hours from now.
    until = datetime.datetime.now().replace(microsecond=0) + datetime.timedelta(hours=72)
    db.execute_sql('UPDATE "user" SET temporary_until = %s WHERE must_change_password' % db.param, (until,))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'temporary_until'))
    if isinstance(db, PostgresqlDatabase):
        for table, column in TEXT_COLUMNS:
            db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar(255)')
