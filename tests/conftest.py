"""Fixtures: an app on a fresh SQLite file with the 2024 batch open, two
bodies with a contact each, an officer; a test client that sends the CSRF
token the way a page does."""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from zcweb import models

from zcweb import create_app
from zcweb.ops.provision import create_batch, create_user
from zcweb.db import db, migrate, open_database
from zcweb.intake.deadlines import move_deadlines
from zcweb.models import Org, User
from zcweb.roster.batch import load_preset
from zcweb.roster.schema import load_schema

PASSWORD = "secret-pass"


def open_spec(**changes):
    """The 2024 preset with its deadlines moved so that it is open today."""
    spec = move_deadlines(load_preset(2024), 10)
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


class Client(FlaskClient):
    """Posts carry the CSRF token read from the page's <meta>, as htmx does."""

    _token = None

    def csrf_token(self) -> str:
        if self._token is None:
            html = self.get("/login", follow_redirects=True).get_data(as_text=True)
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return self._token

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.setdefault("data", {})
            if isinstance(data, dict):
                data.setdefault("csrf_token", self.csrf_token())
        return super().post(*args, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        response = self.post("/login", data={"username": username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.post("/logout")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """scrypt is slow on purpose; the tests hash a few passwords each."""
    monkeypatch.setattr(models, "generate_password_hash",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))


def _empty_database(tmp_path) -> str:
    """A fresh SQLite file, or with ZCWEB_TEST_DATABASE_URL (e.g.
    postgresql://zc@127.0.0.1:55432/zctest) that database emptied."""
    url = os.environ.get("ZCWEB_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    database = open_database(url)
    with database.connection_context():
        database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return url


@pytest.fixture
def app(tmp_path):
    yield from _seeded_app(_empty_database(tmp_path))


@pytest.fixture
def sqlite_app(tmp_path):
    """The same app on a SQLite file whatever ZCWEB_TEST_DATABASE_URL
    says: for what only SQLite has (its WAL checkpointer), tested in the
    PostgreSQL run too."""
    yield from _seeded_app(f"sqlite:///{tmp_path / 'sqlite.sqlite3'}")


def _seeded_app(url: str):
    """An app on the empty database at `url`, with a batch, two bodies,
    the officer and their contacts; closed afterwards."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
    })
    app.test_client_class = Client
    with app.app_context():
        migrate()
        with db.atomic():
            batch = create_batch(open_spec())
            baiguan = Org.create(name="百官街道", kind="街道", sort_order=1)
            caoe = Org.create(name="曹娥街道", kind="街道", sort_order=2, aliases=["曹娥镇"])
            create_user("officer", User.OFFICER, None, PASSWORD, "裘晶晶")
            create_user("baiguan", User.CONTACT, baiguan, PASSWORD, "百官联络员")
            create_user("caoe", User.CONTACT, caoe, PASSWORD, "曹娥联络员")
        app.config["TEST_BATCH_ID"] = batch.id
    yield app
    if not db.is_closed():
        db.close()
    if hasattr(db.obj, "close_all"):  # a PostgreSQL pool: its idle connections too
        db.obj.close_all()


@pytest.fixture
def schema():
    """The 2024 roster's columns."""
    return load_schema("roster-2024")


@pytest.fixture
def spec():
    """The 2024 batch exactly as notified (its dates are in the past)."""
    return load_preset(2024)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for reading and writing models directly."""
    with app.app_context():
        yield


@pytest.fixture
def baiguan(ctx):
    """百官街道, the body the tests' contact `baiguan` submits for."""
    return Org.get(Org.name == "百官街道")


@pytest.fixture
def contact(client, baiguan):
    """The client logged in as 百官街道's contact."""
    client.login("baiguan")
    return client
