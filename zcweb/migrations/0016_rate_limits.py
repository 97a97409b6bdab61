"""Flask-Limiter's counts (zcweb/access/ratelimits.py): one row per limit
and client address, so that every server process counts the same requests."""
from peewee import *


def rate_limit_model(db):
    class RateLimit(Model):
        key = TextField(primary_key=True)
        hits = IntegerField()
        expires_at = DoubleField()  # seconds since the epoch

        class Meta:
            database = db
            table_name = 'rate_limit'

    return RateLimit


def up(migrator, db):
    rate_limit_model(db).create_table()


def down(migrator, db):
    rate_limit_model(db).drop_table()
