"""Input hygiene in one place: control characters (NUL included) and
bidirectional overrides are stripped from every query argument, form field
and uploaded file's name before a view sees them, and from the few values
taken from headers (the client's address); a number in a URL, a query
argument or a form field is one that a database column holds."""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

# C0 and C1 controls but tab and line breaks (textareas keep them), and the
# bidi embeddings/overrides/isolates that make "gpj.exe" read as "exe.jpg".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A file name has no line breaks, tabs or path separators either.
_NOT_IN_NAME = re.compile(r"[\t\n\r/\\\"]")
ADDRESS_LENGTH = 64  # Event.address
# The largest whole number every integer column holds (PostgreSQL's integer;
# SQLite's are wider). Past 64 bits Python's sqlite3 refuses a number in any
# query, and PostgreSQL refuses one past its integer where it is written: a 500.
LARGEST = 2**31 - 1


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def safe_filename(name: str) -> str:
    """A file name that a browser can save: no controls, no separators."""
    return _NOT_IN_NAME.sub("_", clean(name)).strip(" .") or "file"


def client_address() -> str | None:
    """The client's address (a trusted proxy's X-Forwarded-For when
    TRUSTED_PROXIES is set), clean and capped to its column."""
    address = request.remote_addr
    return clean(address)[:ADDRESS_LENGTH] if address else None


def number(text: str) -> int:
    """A whole number from a query argument or a form field, as werkzeug's
    `type=`: one that no column holds is no number (the default then)."""
    value = int(text)
    if abs(value) > LARGEST:
        raise ValueError(text)
    return value


class _Id(IntegerConverter):
    """`<int:…>` in a URL: a larger number than a column holds is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = _Id  # before the views' rules are added
    app.before_request(_clean_request)


def _clean_request() -> None:
    cache = request.__dict__
    cache["args"] = _cleaned(request.args, MultiDict)
    if request.method != "GET":
        cache["form"] = _cleaned(request.form, ImmutableMultiDict)
        for upload in request.files.values():
            if upload.filename:
                upload.filename = safe_filename(upload.filename)
    cache.pop("values", None)


def _cleaned(values, kind):
    return kind([(clean(key), clean(value)) for key, value in values.items(multi=True)])
