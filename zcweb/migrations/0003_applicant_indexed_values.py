"""Applicant: level, specialty, route and employer copied out of the JSON
data, and the body's sort order, into indexed columns for the review list."""
from peewee import *

VALUES = ('level', 'specialty', 'route', 'employer')
INDEXES = (
    (('batch_id', 'org_order', 'org_id', 'position', 'id'), False),
    (('batch_id', 'org_id', 'status', 'copies'), False),
    (('batch_id', 'level', 'specialty'), False),
    (('batch_id', 'route'), False),
    (('batch_id', 'name'), False),
    (('batch_id', 'employer'), False),
    (('batch_id', 'updated_at'), False),
)


def json_text(db, column, key):
    if isinstance(db, SqliteDatabase):
        return f"COALESCE(CAST(json_extract({column}, '$.{key}') AS TEXT), '')"
    return f"COALESCE(({column})::jsonb ->> '{key}', '')"


def up(migrator, db):
    migrator.migrate(
        *(migrator.add_column('applicant', key, CharField(default='')) for key in VALUES),
        migrator.add_column('applicant', 'org_order', IntegerField(default=0)),
    )
    fill = ', '.join(f'{key} = {json_text(db, "data", key)}' for key in VALUES)
    db.execute_sql(f'UPDATE applicant SET {fill}, '
                   'org_order = (SELECT sort_order FROM org WHERE org.id = applicant.org_id)')
    migrator.migrate(*(migrator.add_index('applicant', columns, unique) for columns, unique in INDEXES))


def down(migrator, db):
    migrator.migrate(
        *(migrator.drop_index('applicant', 'applicant_' + '_'.join(columns)) for columns, _ in INDEXES),
        *(migrator.drop_column('applicant', key) for key in VALUES + ('org_order',)),
    )
