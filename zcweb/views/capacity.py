"""When the server cannot serve now: the database busy or down, and the
limit on workbooks built at once. Both answer a Chinese 503 page rendered
without the database, so that it shows even when nothing else can."""

from __future__ import annotations

import functools
import threading

from flask import Flask, Response, current_app, request
from peewee import InterfaceError, OperationalError
from playhouse.pool import MaxConnectionsExceeded

from ..access.safeurl import local_referrer

RETRY_AFTER = 5  # seconds a browser or client is told to wait


class ServerBusy(Exception):
    """Every workbook slot stayed taken while this request waited."""


def init_app(app: Flask) -> None:
    app.extensions["zcweb.workbook_slots"] = threading.BoundedSemaphore(app.config["WORKBOOK_BUILDS"])
    app.extensions["zcweb.template_slots"] = threading.BoundedSemaphore(app.config["TEMPLATE_BUILDS"])

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(MaxConnectionsExceeded)  # every pooled connection stayed in use
    def database_unavailable(e):
        app.logger.warning("database unavailable for %s %s: %s", request.method, request.path, e)
        return unavailable("数据库暂时不可用",
                           "数据库正忙或暂时无法连接，您刚才的操作没有完成，数据没有被修改。请稍等片刻后重试。")

    @app.errorhandler(ServerBusy)
    def server_busy(e):
        return unavailable("系统繁忙", "系统繁忙，请稍后再试。正在生成的表格较多，请稍等片刻后重新下载。")


def unavailable(title: str, message: str) -> Response:
    """The 503 page. Jinja renders it directly, past the context processors:
    Flask-Login's would load the user from the database."""
    retry = request.full_path if request.method == "GET" else local_referrer() or "/"
    html = current_app.jinja_env.get_template("unavailable.html").render(title=title, message=message, retry=retry)
    response = Response(html, 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    if request.headers.get("HX-Request"):
        # htmx shows it as the whole page (app.js swaps error answers that carry HX-Retarget).
        response.headers["HX-Retarget"] = "body"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def limited_by(slots_name: str, wait_setting: str):
    """At most so many workbooks of one kind are built at once in this
    process (the app's `slots_name` semaphore); another request waits up to
    `wait_setting` seconds for a slot, then gets the busy page, so downloads
    never take every thread from logins."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            slots = current_app.extensions[slots_name]
            if not slots.acquire(timeout=current_app.config[wait_setting]):
                raise ServerBusy()
            try:
                return view(*args, **kwargs)
            finally:
                slots.release()

        return wrapper

    return decorate


# Exports and other workbooks of rows share WORKBOOK_BUILDS slots; a blank
# template (wanted by every contact at once) has slots of its own, so that it
# never waits behind a large export, and a longer wait: a template takes
# about a second to build, and ten contacts may ask at once.
limited = limited_by("zcweb.workbook_slots", "WORKBOOK_WAIT")
template_limited = limited_by("zcweb.template_slots", "TEMPLATE_WAIT")
