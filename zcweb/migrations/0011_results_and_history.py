"""The 高评委's result (评审结果) of each recommended applicant, and an
index by identity number alone for the applicants' history across years."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('applicant', 'result', CharField(null=True)),
        migrator.add_index('applicant', ('id_number',), False),
        migrator.add_index('applicant', ('batch_id', 'result'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('applicant', 'applicant_batch_id_result'),
        migrator.drop_index('applicant', 'applicant_id_number'),
        migrator.drop_column('applicant', 'result'),
    )
