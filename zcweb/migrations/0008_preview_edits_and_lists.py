"""Cells corrected in an upload's preview; the provincial lists (platform
applications, CE-hours registry) and their rows."""
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

    class Upload(Model):
        class Meta:
            database = db
            table_name = 'upload'

    class PreviewEdit(Model):
        upload = ForeignKeyField(Upload, on_delete='CASCADE')
        row = IntegerField()
        column = CharField()
        old_value = TextField(null=True)
        new_value = TextField(default='')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        at = DateTimeField()

        class Meta:
            database = db
            table_name = 'preview_edit'

    class ListUpload(Model):
        batch = ForeignKeyField(Batch, on_delete='CASCADE')
        kind = CharField()
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        filename = CharField()
        size = IntegerField()
        sha256 = CharField(max_length=64)
        content = BlobField()
        status = CharField(default='current')
        message = TextField(null=True)
        rows = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'list_upload'

    class ListRow(Model):
        list = ForeignKeyField(ListUpload, on_delete='CASCADE', index=False)
        id_number = CharField(max_length=18)
        data = TextField()

        class Meta:
            database = db
            table_name = 'list_row'
            indexes = ((('list', 'id_number'), False),)

    db.create_tables([PreviewEdit, ListUpload, ListRow])


def down(migrator, db):
    for table in ('list_row', 'list_upload', 'preview_edit'):
        migrator.migrate(migrator.drop_table(table))
