"""zcweb: the district bureau's desk for collecting, reviewing and exporting
高级工程师/正高级工程师 recommendation rosters."""

from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db
from .access import headers, hygiene, logins, sessions
from .resources import resource_dir

csrf = CSRFProtect()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        # None: Flask's choice, `instance/` in a checkout, <prefix>/var/zcweb-instance when installed.
        instance_path=os.environ.get("ZCWEB_INSTANCE_PATH") or None,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.from_object("zcweb.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ZCWEB")
    if test_config:
        app.config.update(test_config)
    # The instance folder holds the database and the secret key: created owner only.
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")

    if app.config["TRUSTED_PROXIES"]:
        # Behind N reverse proxies: the client's address and scheme are the ones they forward.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    db.init_app(app)
    hygiene.init_app(app)
    csrf.init_app(app)
    Htmx(app)
    logins.limiter.init_app(app)
    sessions.init_app(app)
    headers.init_app(app)

    from .views import capacity, filters
    from .ops import cli, demo
    from .outputs import finalcheck
    from .views import admin, auth, batches, exports, home, reconciliation, results, review, uploads

    filters.init_app(app)
    demo.init_app(app)
    finalcheck.init_app(app)
    for module in (auth, home, uploads, review, exports, admin, reconciliation, results, batches):
        app.register_blueprint(module.bp)
    cli.init_app(app)
    _init_errors(app)
    capacity.init_app(app)
    if not app.testing:
        # The app's objects live as long as the process: keep the cyclic
        # collector from walking them at every full collection, and once
        # more at exit (a command line's import is 6% faster). Not in tests,
        # which make hundreds of apps in one process and drop them.
        gc.freeze()
    return app


def _instance_secret(path: Path) -> str:
    """The secret key kept in the instance folder, made on first run."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _init_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        response = make_response(render_template("error.html", title=title, message=message), code)
        if request.headers.get("HX-Request"):
            # An htmx request shows the error as the whole page, not nothing.
            response.headers["HX-Retarget"] = "body"
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(400, "页面已过期", "页面已过期或来源不明，请刷新页面后重试。")

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, "无权访问", "您没有访问此页面的权限。")

    @app.errorhandler(404)
    def not_found(e):
        return page(404, "未找到", "找不到您要的页面或记录。")

    @app.errorhandler(413)
    def too_large(e):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(413, "文件过大", f"上传的文件超过 {limit} MB 上限。请删除多余的工作表、图片或空行后重新上传。")

    @app.errorhandler(429)
    def too_many(e):
        return page(429, "请求过于频繁", "登录尝试过于频繁，请稍后再试。")

    @app.errorhandler(500)
    def server_error(e):
        return page(500, "系统出错", "系统处理时出错，您的数据未被修改。请稍后重试或联系经信局。")
