"""Preview rows in a table of their own (upload_row)."""
from peewee import *


def up(migrator, db):
    class Upload(Model):
        class Meta:
            database = db
            table_name = 'upload'

    class UploadRow(Model):
        upload = ForeignKeyField(Upload, on_delete='CASCADE', index=False)
        row = IntegerField()
        id_number = CharField(max_length=40, null=True)
        name = CharField(default='')
        data = TextField()
        findings = TextField(null=True)
        warnings = TextField(default='[]')
        has_error = BooleanField(default=False)
        outcome = CharField()
        changes = TextField(null=True)
        status = CharField(null=True)

        class Meta:
            database = db
            table_name = 'upload_row'
            indexes = ((('upload', 'id_number'), False),)

    db.create_tables([UploadRow])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('upload_row'))
