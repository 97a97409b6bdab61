"""Does the answer's timing tell who has an account? Times, in one run, POSTs
to /login with a wrong password for an existing account and with an unknown
username, interleaved, with the real (scrypt) password hashing.

    .venv/bin/python bench/bench_login.py [--requests 30]

Prints the median of each and their ratio; target: 0.8 to 1.25.
The lockout and the rate limit are set high so that every attempt is checked.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zcweb import create_app
from zcweb.ops.cli import create_user
from zcweb.db import migrate
from zcweb.models import User


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "LOGIN_MAX_FAILURES": 10 * n, "LOGIN_RATE_LIMIT": "100000 per minute"})
        with app.app_context():
            migrate()
            create_user("officer", User.OFFICER, None, "a-real-password")
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

        def attempt(username: str) -> float:
            start = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": "wrong-guess",
                                                    "csrf_token": token})
            assert response.status_code == 401, response.status_code
            return time.perf_counter() - start

        attempt("officer"), attempt("nobody")  # warm up
        known, unknown = [], []
        for i in range(n):
            known.append(attempt("officer"))
            unknown.append(attempt(f"nobody{i}"))
    k, u = statistics.median(known), statistics.median(unknown)
    print(f"wrong password, existing account: median {k * 1000:.1f} ms")
    print(f"unknown username:                 median {u * 1000:.1f} ms")
    print(f"ratio unknown / existing: {u / k:.2f} (target 0.8 to 1.25)")


if __name__ == "__main__":
    main()
