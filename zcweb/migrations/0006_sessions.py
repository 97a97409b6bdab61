"""Session versions for users; the client address on events (login failures
are counted by account and by address), indexed for that count."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'session_version', IntegerField(default=1)),
        migrator.add_column('event', 'address', CharField(max_length=64, null=True)),
        migrator.add_index('event', ('action', 'at'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('event', 'event_action_at'),
        migrator.drop_column('event', 'address'),
        migrator.drop_column('user', 'session_version'),
    )
