"""An extension's reason (延期原因) and a contact's phone (联系电话)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('extension', 'reason', TextField(default='')),
        migrator.add_column('user', 'phone', CharField(default='')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('extension', 'reason'),
        migrator.drop_column('user', 'phone'),
    )
