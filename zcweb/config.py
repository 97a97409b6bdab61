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
PAGE_SIZE = 50

# Logins (counted in the database, so that every server process agrees):
# this many failures within the window lock that account from that address
# for the lock time; from anywhere, they slow the account's further
# attempts down, by a delay doubling from the step up to the maximum.
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
LOGIN_LOCK_TIME = 15 * 60  # seconds
LOGIN_DELAY_STEP = 1  # seconds
LOGIN_DELAY_MAX = 10  # seconds
# Reverse proxies in front of the app whose X-Forwarded-For/-Proto are
# trusted (Werkzeug's ProxyFix): 0 = none, the client connects directly.
TRUSTED_PROXIES = 0
# Flask-Limiter's coarser guard: POSTs to /login per client address. Its
# counts live in RATELIMIT_STORAGE_URI: "zcweb://" is the app's database
# (zcweb/access/ratelimits.py), which every server process shares.
LOGIN_RATE_LIMIT = "30 per minute"
RATELIMIT_STORAGE_URI = "zcweb://"
# A session ends this many seconds after logging in, or after this long
# without a request.
SESSION_LIFETIME = 12 * 3600
SESSION_IDLE_TIMEOUT = 2 * 3600
# Workbooks (templates, exports, marked copies) built at once per process;
# a further download waits this many seconds for a slot, then gets "系统繁忙".
WORKBOOK_BUILDS = 2
WORKBOOK_WAIT = 3
# Blank templates built at once per process, apart from the slots above,
# and how long a further one waits for a slot.
TEMPLATE_BUILDS = 4
TEMPLATE_WAIT = 30
# Seconds a write waits for another connection's lock before the 503 page
# (SQLite's busy timeout, PostgreSQL's lock_timeout).
DATABASE_BUSY_TIMEOUT = 10
# PostgreSQL connections kept open per process and reused by its requests
# (0: a new connection for every request); keep it above the server's
# threads. SQLite opens a file: no pool.
DATABASE_POOL = 16
