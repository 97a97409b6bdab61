"""A throwaway PostgreSQL cluster for the benchmarks, as
scripts/test-postgres.sh makes one for the tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


@contextlib.contextmanager
def postgres(port: int, name: str = "zcweb_bench"):
    """A cluster on 127.0.0.1:`port` with an empty database `name`, removed
    afterwards; yields the database's URL."""
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    directory = tempfile.mkdtemp(prefix="zcweb-bench-pg-")
    as_user = []
    if os.getuid() == 0:  # the server refuses to run as root
        shutil.chown(directory, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = f"{directory}/data"

    def run(*args):
        subprocess.run([*as_user, *args], check=True, stdout=subprocess.DEVNULL)

    run(f"{bin_dir}/initdb", "-D", data, "-U", "zcweb", "--auth=trust")
    run(f"{bin_dir}/pg_ctl", "-D", data, "-o", f"-p {port} -k {directory} -c listen_addresses=127.0.0.1",
        "-l", f"{directory}/log", "-w", "start")
    try:
        run(f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "zcweb", name)
        yield f"postgresql://zcweb@127.0.0.1:{port}/{name}"
    finally:
        run(f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop")
        shutil.rmtree(directory, ignore_errors=True)
