"""`zcweb serve`: the production server, waitress in several processes on one address.

One Python process handles requests on one core (the GIL). `serve` binds
the address once and starts a waitress process per core (`--processes`),
all accepting on that one socket: whichever is free takes the next
connection, so a server's cores are used without a reverse proxy in
front. Each process makes its own app; nothing is kept in a process
(sessions, login lockouts and previews are in the database), so any of
them may answer any request. A process that dies is started again; if
one dies within seconds of starting three times running, a setting is
wrong, and the server stops with the cause rather than restart forever.
Ctrl+C or SIGTERM stops them all, each finishing its requests first;
if `serve` itself is killed outright, its processes stop by themselves.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.connection import wait

import click

from ..db import db

# Processes started by default: one per core, up to this many (each keeps
# up to ZCWEB_DATABASE_POOL PostgreSQL connections).
MAX_DEFAULT_PROCESSES = 4
# A process that exits this soon after starting failed to start.
QUICK_EXIT_SECONDS = 10
QUICK_EXITS_TO_STOP = 3
# How long a stopping process may take to finish its requests.
STOP_SECONDS = 10

_SPAWN = multiprocessing.get_context("spawn")  # nothing of the parent in a child, as on Windows


def default_processes() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；让内网访问时写本机的内网地址，如 192.168.1.20")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="端口")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help=f"服务进程数，默认为本机 CPU 核数（最多 {MAX_DEFAULT_PROCESSES}）")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="每个进程的线程数")
def serve_command(host: str, port: int, processes: int | None, threads: int):
    """Serve the app in production: waitress processes, one per core, on one address."""
    processes = processes or default_processes()
    try:
        listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                                        backlog=1024)
    except OSError as e:
        raise click.ClickException(f"无法在 {host}:{port} 上监听：{_why_not(e, host, port)}") from None
    # The children open their own connections: this process keeps none.
    db.close()
    if hasattr(db.obj, "close_all"):  # a PostgreSQL pool's idle connections
        db.obj.close_all()
    click.echo(f"zcweb 已启动：http://{host}:{port}/（{processes} 个服务进程，每个 {threads} 个线程；Ctrl+C 停止）")
    with listener:
        failure = supervise(listener, processes, _serve, (threads,))
    if failure:
        raise click.ClickException(failure)
    click.echo("zcweb 已停止。")


def _why_not(error: OSError, host: str, port: int) -> str:
    if isinstance(error, socket.gaierror):
        return f"“{host}”不是有效的地址，请写本机的 IP 地址（如 192.168.1.20）或 127.0.0.1。"
    if error.errno == errno.EADDRINUSE:
        return "端口已被占用（可能 zcweb 已在运行），请换一个端口（--port）或先停止占用它的程序。"
    if error.errno == errno.EACCES:
        return (f"没有使用端口 {port} 的权限（1024 以下的端口须有管理员权限），请换一个 1024 以上的端口。"
                if port < 1024 else "没有权限，请换一个端口（--port）。")
    if error.errno == errno.EADDRNOTAVAIL:
        return f"本机没有地址 {host}，请写本机的内网地址（如 192.168.1.20）或 127.0.0.1。"
    return f"{error.strerror or error}。"


def supervise(listener: socket.socket, processes: int, target, args: tuple) -> str | None:
    """Run `target(listener, *args)` in `processes` processes until Ctrl+C
    or SIGTERM, starting again any that exits; returns None once stopped,
    or why the server stopped by itself."""
    stopping = []
    previous = {number: signal.signal(number, lambda *_: stopping.append(True))
                for number in (signal.SIGINT, signal.SIGTERM)}

    def start() -> tuple[multiprocessing.Process, float]:
        child = _SPAWN.Process(target=target, args=(listener, *args), name="zcweb-server")
        child.start()
        return child, time.monotonic()

    children, quick_exits = [start() for _ in range(processes)], 0
    try:
        while not stopping:
            wait([child.sentinel for child, _ in children], timeout=0.5)
            for slot, (child, started) in enumerate(children):
                if child.is_alive() or stopping:
                    continue
                quick_exits = quick_exits + 1 if time.monotonic() - started < QUICK_EXIT_SECONDS else 0
                if quick_exits >= QUICK_EXITS_TO_STOP:
                    return (f"服务进程启动后随即退出（退出码 {child.exitcode}），已连续 {quick_exits} 次，"
                            "已停止。请按上面的错误信息检查设置（如 ZCWEB_DATABASE_URL）后重新启动。")
                click.echo(f"服务进程 {child.pid} 意外退出（退出码 {child.exitcode}），已重新启动。", err=True)
                children[slot] = start()
        return None
    finally:
        _stop([child for child, _ in children])
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop(children: list[multiprocessing.Process]) -> None:
    """Ask each process to stop, then end those that do not in time."""
    for child in children:
        if child.is_alive():
            child.terminate()  # SIGTERM: the child finishes its requests (`_serve`)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()


def _serve(listener: socket.socket, threads: int) -> None:
    """One server process: its own app, waitress on the shared socket."""
    from waitress import create_server

    from .. import create_app

    # The parent stops this process with SIGTERM, which ends waitress's loop:
    # the requests under way are finished (for up to 5 s), no new ones taken.
    # Ctrl+C reaches the parent, which stops every process so.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_stop_with, args=(multiprocessing.parent_process(),), daemon=True).start()
    logging.basicConfig()
    server = create_server(create_app(), sockets=[listener], threads=threads, ident="zcweb")
    server.run()


def _stop_with(parent) -> None:
    """A server process never outlives `serve` (killed outright, it cannot
    stop its processes): once the parent is gone this one stops too."""
    wait([parent.sentinel])
    os.kill(os.getpid(), signal.SIGTERM)
