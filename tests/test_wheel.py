"""The wheel works away from the checkout: built, installed into a fresh
virtual environment, and run from another directory with the `zcweb`
command (init-db, seed-demo, /login served, a roster imported). On the
PostgreSQL run of the suite the installed app uses PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _empty_database
from tests.helpers import valid_row
from zcweb.roster.batch import load_preset
from zcweb.roster.schema import load_schema
from zcweb.roster.template import build_template

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def installed(tmp_path) -> Path:
    """A fresh venv with the wheel (and its dependencies) installed; its bin/."""
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(ROOT))
    [wheel] = (tmp_path / "dist").glob("zcweb-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    extra = "[postgres]" if os.environ.get("ZCWEB_TEST_DATABASE_URL") else ""
    run(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", f"{wheel}{extra}")
    return venv / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_installed_wheel_serves_login_and_imports_a_roster(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZCWEB_", "PYTHON", "FLASK_"))}
    if os.environ.get("ZCWEB_TEST_DATABASE_URL"):
        env["ZCWEB_DATABASE_URL"] = _empty_database(tmp_path)

    def zcweb(*args):
        return run(str(installed / "zcweb"), *args, cwd=elsewhere, env=env).stdout

    where = run(str(installed / "python"), "-c", "import zcweb; print(zcweb.__file__)", cwd=elsewhere, env=env)
    assert where.stdout.startswith(str(tmp_path / "venv"))
    assert "已应用迁移" in zcweb("init-db")
    assert "演示数据已就绪" in zcweb("seed-demo")

    spec = load_preset(2024)
    rows = [valid_row(1, name="张三"), valid_row(2, name="李四")]
    (elsewhere / "百官街道.xlsx").write_bytes(
        build_template(load_schema(spec.template), spec, org_name="百官街道", token=None, rows=rows))
    report = json.loads(zcweb("import", "百官街道.xlsx", "--org", "百官街道", "--json"))
    assert (report["rows"], report["new"], report["errors"]) == (2, 2, [])

    port = free_port()
    server = subprocess.Popen([str(installed / "zcweb"), "run", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = None
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert page is not None and "登录" in page and 'name="csrf-token"' in page
        htmx = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=5).read()
        assert htmx == (ROOT / "static" / "vendor" / "htmx.min.js").read_bytes()
    finally:
        server.terminate()
        server.wait(10)
