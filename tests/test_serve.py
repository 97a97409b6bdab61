"""`zcweb serve`: several waitress processes on one address, as production
runs. Connections are spread over the processes, one that dies is started
again, SIGTERM stops them all (and killing `serve` stops them too), and a
process that cannot start stops the server with the cause instead of
restarting forever. The login rate limit counts what every process took."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from zcweb.ops import serve

from tests.helpers import proc_stat, server_processes, serving
from tests.test_two_processes import ROOT, free_port, servers, wait_until_serving  # noqa: F401  (a fixture)

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")


def connections_held(pids: set[int], port: int) -> dict[int, int]:
    """How many established connections to `port` each process holds."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    held = {}
    for pid in pids:
        fds = Path(f"/proc/{pid}/fd")
        held[pid] = sum(1 for fd in fds.iterdir() if os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes)
    return held


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


@pytest.fixture
def server(app, tmp_path):
    port = free_port()
    env = {**os.environ, "ZCWEB_DATABASE_URL": app.config["DATABASE_URL"], "ZCWEB_SECRET_KEY": "test-secret-key",
           "ZCWEB_INSTANCE_PATH": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "zcweb", "serve", "--port", str(port),
                                "--processes", "2", "--threads", "4"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}")
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_serve_spreads_connections_over_its_processes_restarts_one_that_dies_and_stops_on_sigterm(server):
    process, port = server
    children = wait_for(lambda: len(server_processes(process.pid)) == 2 and server_processes(process.pid))
    wait_for(lambda: all(serving(pid, 4) for pid in children))

    # Connections kept open after a page each, until every process holds some
    # (whichever process is free takes the next one: both soon have).
    connections = []
    while len(connections) < 200:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/login")
        response = connection.getresponse()
        assert response.status == 200 and "登录" in response.read().decode()
        connections.append(connection)
        held = wait_for(lambda: (held := connections_held(children, port)) and
                        sum(held.values()) == len(connections) and held)
        if all(held.values()):
            break
    assert all(held.values()), held
    for connection in connections:
        connection.close()

    # A process killed outright is replaced, and the address keeps answering.
    killed = min(children)
    os.kill(killed, signal.SIGKILL)
    replaced = wait_for(lambda: len(now := server_processes(process.pid)) == 2 and killed not in now and now)
    assert replaced - children
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login")
    assert connection.getresponse().status == 200
    connection.close()

    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    output, errors = process.communicate()
    assert f"http://127.0.0.1:{port}/（2 个服务进程，每个 4 个线程" in output
    assert "zcweb 已停止。" in output
    assert f"服务进程 {killed} 意外退出（退出码 -9），已重新启动。" in errors
    assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)


def exit_at_once(listener: socket.socket) -> None:
    """A server process that cannot start (as with a wrong setting)."""
    sys.exit(3)


def test_a_process_that_cannot_start_stops_the_server_with_the_cause():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        started = time.monotonic()
        failure = serve.supervise(listener, 1, exit_at_once, ())
    assert failure.startswith("服务进程启动后随即退出（退出码 3），已连续 3 次，已停止。")
    assert time.monotonic() - started < serve.QUICK_EXIT_SECONDS * serve.QUICK_EXITS_TO_STOP


def test_an_address_in_use_or_not_of_this_machine_is_refused_with_what_to_do(app):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = app.test_cli_runner().invoke(args=["serve", "--port", str(port), "--processes", "1"])
    assert result.exit_code == 1
    assert f"无法在 127.0.0.1:{port} 上监听：端口已被占用（可能 zcweb 已在运行），请换一个端口（--port）" in result.output
    result = app.test_cli_runner().invoke(args=["serve", "--host", "192.0.2.1", "--processes", "1"])
    assert result.exit_code == 1
    assert "无法在 192.0.2.1:8080 上监听：本机没有地址 192.0.2.1，请写本机的内网地址" in result.output


def test_the_server_processes_stop_when_serve_is_killed_outright(server):
    process, _ = server
    children = wait_for(lambda: len(server_processes(process.pid)) == 2 and server_processes(process.pid))
    process.kill()
    process.wait(10)
    wait_for(lambda: not any(running(pid) for pid in children))


def running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie has)."""
    try:
        return proc_stat(pid)[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def server_env() -> dict:
    return {"ZCWEB_LOGIN_RATE_LIMIT": "3 per minute"}


def test_the_login_rate_limit_counts_the_posts_every_process_took(servers):
    """The limit's counts are in the database: posts spread over two
    processes are counted together, as one process counts them."""
    answers = []
    for attempt in range(5):
        base = servers[attempt % 2]
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(base + "/login", timeout=30) as response:
            token = re.search(r'name="csrf-token" content="([^"]+)"', response.read().decode()).group(1)
        request = urllib.request.Request(base + "/login", data=urllib.parse.urlencode(
            {"username": f"nobody{attempt}", "password": "wrong", "csrf_token": token}).encode())
        try:
            with opener.open(request, timeout=30) as response:
                answers.append((response.status, response.read().decode()))
        except urllib.error.HTTPError as e:
            answers.append((e.code, e.read().decode()))
    assert [status for status, _ in answers] == [401, 401, 401, 429, 429]
    assert "登录尝试过于频繁，请稍后再试。" in answers[3][1]
