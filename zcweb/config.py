"""Defaults; each can be overridden by a ZCWEB_* environment variable
(``ZCWEB_DATABASE_URL``, ``ZCWEB_MAX_CONTENT_LENGTH``…) or by the test config."""

# None: an SQLite file `zcweb.sqlite3` in the instance folder.
DATABASE_URL = None
# None: generated into the instance folder on first run.
SECRET_KEY = None

MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # bytes of one upload
IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
IMPORT_TIME_LIMIT = 60  # seconds to read one file

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Set ZCWEB_SESSION_COOKIE_SECURE=true when the intranet serves HTTPS.
SESSION_COOKIE_SECURE = False
WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
PAGE_SIZE = 100
# Workbooks (templates, exports, marked copies) built at once per process;
# a further download waits this many seconds for a slot, then gets "系统繁忙".
WORKBOOK_BUILDS = 2
WORKBOOK_WAIT = 3
# Seconds a write waits for another connection's lock before the 503 page
# (SQLite's busy timeout, PostgreSQL's lock_timeout).
DATABASE_BUSY_TIMEOUT = 10
