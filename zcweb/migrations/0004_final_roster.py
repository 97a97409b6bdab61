"""The official roster kept at 定稿上报 (final_roster)."""
from peewee import *


def up(migrator, db):
    class Batch(Model):
        class Meta:
            database = db
            table_name = 'batch'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class FinalRoster(Model):
        batch = ForeignKeyField(Batch, on_delete='RESTRICT')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        filename = CharField()
        size = IntegerField()
        sha256 = CharField(max_length=64)
        content = BlobField()
        rows = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'final_roster'

    db.create_tables([FinalRoster])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('final_roster'))
