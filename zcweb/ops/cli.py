"""`flask --app zcweb …` commands (documented in the README)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from ..access import logins
from ..access.logins import DEMO_PASSWORD
from ..db import db, migrate
from ..intake import confirm, gate, preview, templates
from ..intake.deadlines import move_deadlines
from ..models import Applicant, Batch, Event, FinalRoster, ListUpload, Org, User
from ..outputs import exports
from ..review import history, reconcile, results
from ..roster.batch import format_date, load_preset
from . import demo
from .backup import backup_command
from .provision import Refused, copy_batch, create_batch, create_user
from .serve import serve_command

# 上虞区's submitting bodies (DOMAIN.md): (name, kind, old names).
SHANGYU_BODIES = [
    *[(n, "街道", [o] if o else []) for n, o in (
        ("百官街道", None), ("曹娥街道", None), ("东关街道", None), ("道墟街道", "道墟镇"),
        ("梁湖街道", "梁湖镇"), ("小越街道", "小越镇"), ("崧厦街道", "崧厦镇"))],
    *[(n, "镇", []) for n in ("长塘镇", "上浦镇", "汤浦镇", "章镇镇", "下管镇", "丰惠镇", "永和镇",
                             "驿亭镇", "谢塘镇", "盖北镇")],
    *[(n, "乡", []) for n in ("岭南乡", "陈溪乡", "丁宅乡")],
    ("杭州湾上虞经济技术开发区", "其他", []),
    ("曹娥江旅游度假区", "其他", []),
]


def _batch(year: int | None) -> Batch:
    batch = Batch.get_or_none(Batch.year == year) if year else Batch.current()
    if batch is None:
        raise click.ClickException(f"没有{year or ''}年度的申报批次，请先运行 new-batch。")
    return batch


def _org(name: str) -> Org:
    org = Org.by_name(name)
    if org is None:
        raise click.ClickException(f"没有名为“{name}”的报送单位。")
    return org


def refusals(callback):
    """A command whose domain refusals (provision.Refused) exit 1 with the reason."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except Refused as e:
            raise click.ClickException(e.message) from None
    return run


@click.command("new-batch")
@with_appcontext
@click.option("--preset", help="预设年度，如 2024（excel_templates/batch-2024.toml）")
@click.option("--copy-from", "origin", type=int, help="复制该年度批次的设置，如 2024")
@click.option("--year", type=int, help="新批次的年度（与 --copy-from 同用），如 2025")
@refusals
def new_batch_command(preset: str | None, origin: int | None, year: int | None):
    """Create a batch from a year's preset, or as a copy of an earlier batch."""
    if bool(preset) == bool(origin) or bool(origin) != bool(year):
        raise click.ClickException("请用 --preset 年度，或 --copy-from 原年度 --year 新年度。")
    with db.atomic():
        if origin:
            batch = copy_batch(origin, year)
        else:
            try:
                spec = load_preset(preset)
            except FileNotFoundError:
                raise click.ClickException(f"没有{preset}年度的预设。") from None
            batch = create_batch(spec)
    spec = batch.spec
    click.echo(f"已创建批次：{batch.title}（上传截止{format_date(spec.upload_deadline)}）")


@click.command("seed-demo")
@with_appcontext
@click.option("--reset", is_flag=True, help="删除演示批次及其全部数据后重建")
@refusals
def seed_demo_command(reset: bool):
    """Bodies of 上虞区, an officer and one contact per body, and a demo batch
    from the 2024 preset whose deadline is a week away (the cut-off dates
    for seniority and achievements stay as notified), filled with fictional
    applicants through the real import and review paths (zcweb/ops/demo.py).
    Refuses a database that holds a batch that is not a demo."""
    migrate()
    demo.refuse_unless_demo_only()
    spec = move_deadlines(load_preset(2024), demo.DAYS_BEFORE_DEADLINE)
    spec.title = f"{spec.title}（演示数据）"
    accounts, bodies = [], []
    with db.atomic():
        for order, (name, kind, aliases) in enumerate(SHANGYU_BODIES, start=1):
            org = Org.get_or_none(Org.name == name) or Org.create(
                name=name, kind=kind, aliases=aliases, sort_order=order)
            username = f"c{order:02d}"
            contact = User.get_or_none(User.username == username) or create_user(
                username, User.CONTACT, org, DEMO_PASSWORD, f"{name}联络员", phone=f"0575-8218{order:04d}")
            bodies.append((org, contact))
            accounts.append((username, f"联络员 · {name}"))
        officer = User.get_or_none(User.username == "officer") or create_user(
            "officer", User.OFFICER, None, DEMO_PASSWORD, "裘晶晶")
    existing = Batch.get_or_none(Batch.year == spec.year)
    if existing and not reset:
        click.echo(demo.EXISTING_DEMO.format(title=existing.title))
    else:
        if existing:
            with db.atomic():
                for old in Batch.select().where(Batch.is_demo == True):  # noqa: E712
                    demo.remove(old)
        batch = demo.build(spec, bodies, officer)
        with db.atomic():
            demo.last_year(batch, officer)
        count = Applicant.select().where(Applicant.batch == batch).count()
        click.echo(f"演示数据已就绪：{spec.title}，{count}名申报人，上传截止{format_date(spec.upload_deadline)}。")
    click.echo(f"所有演示账号的密码均为 {DEMO_PASSWORD}（仅限本机演示）：")
    click.echo("  officer  经信局经办人")
    for username, role in accounts:
        click.echo(f"  {username}      {role}")


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--role", type=click.Choice([User.OFFICER, User.CONTACT]), required=True)
@click.option("--org", "org_name", help="联络员所属报送单位")
@click.option("--password", help="不填则交互输入")
@refusals
def create_user_command(name: str, role: str, org_name: str | None, password: str | None):
    """Create an officer or a contact account."""
    if role == User.CONTACT and not org_name:
        raise click.ClickException("联络员须用 --org 指定报送单位。")
    org = _org(org_name) if org_name else None
    password = password or click.prompt("密码", hide_input=True, confirmation_prompt=True)
    problem = logins.password_problem(User(username=name), password, password)
    if problem:
        raise click.ClickException(problem.replace("新密码", "密码"))
    with db.atomic():
        create_user(name, role, org if role == User.CONTACT else None, password)
    click.echo(f"已创建账号 {name}（{User.ROLES[role]}{'，' + org.name if org else ''}）")


@click.command("unlock")
@with_appcontext
@click.argument("username")
def unlock_command(username: str):
    """End the login lock and delay of an account."""
    if User.get_or_none(User.username == username) is None:
        raise click.ClickException(f"没有用户名为“{username}”的账号。")
    logins.unlock(username, None)
    click.echo(f"已解除账号 {username} 的登录锁定。")


@click.command("template")
@with_appcontext
@click.option("--org", "org_name", required=True)
@click.option("--batch", "year", type=int)
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), required=True)
def template_command(org_name: str, year: int | None, output: str):
    """Write a body's roster template."""
    data, name = templates.template_for(_batch(year), _org(org_name))
    Path(output).write_bytes(data)
    click.echo(f"已写入 {output}（{name}）")


def _report(upload, row_findings, schema) -> dict:
    """The import's outcome as `import --json` prints it."""
    headers = {c.key: c.header for c in schema.columns}
    summary = upload.summary
    found = {"error": [], "warning": []}
    for row, findings in row_findings:
        for f in findings:
            found[f["level"]].append({"row": row, "column": headers.get(f["column"], ""),
                                      "message": f["message"], "rule": f["rule"]})
    return {"rows": summary["rows"], "new": summary["new"], "updated": summary["changed"],
            "unchanged": summary["unchanged"], "locked": summary["locked"], "missing": summary["missing"],
            "errors": found["error"], "warnings": found["warning"],
            "extra_headers": upload.preview["extra_headers"], "notes": upload.preview["notes"]}


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_name", required=True)
@click.option("--batch", "year", type=int)
@click.option("--dry-run", is_flag=True, help="只检查，不导入")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def import_command(file: str, org_name: str, year: int | None, dry_run: bool, as_json: bool):
    """Import a roster for a body: the same checks as the web upload."""
    batch, org = _batch(year), _org(org_name)
    data = Path(file).read_bytes()
    try:
        if dry_run:
            upload, found = preview.dry_run(batch, org, data)
        else:
            upload = preview.create_preview(batch, org, None, Path(file).name, data)
            if upload.status == upload.REFUSED:
                raise gate.ImportRefused(upload.message)
            found = preview.row_findings(upload)
            confirm.confirm(upload, None)
    except gate.ImportRefused as e:
        if as_json:
            click.echo(json.dumps({"refused": e.message}, ensure_ascii=False))
        else:
            click.echo(f"拒收：{e.message}", err=True)
        sys.exit(1)
    report = _report(upload, found, batch.schema)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    verb = "检查" if dry_run else "导入"
    click.echo(f"{verb}完成：共{report['rows']}行，新增{report['new']}，修改{report['updated']}，"
               f"无变化{report['unchanged']}，错误{len(report['errors'])}处，提示{len(report['warnings'])}处。")
    for f in report["errors"]:
        click.echo(f"  错误 第{f['row']}行 {f['column']}：{f['message']}")
    for f in report["warnings"]:
        click.echo(f"  提示 第{f['row']}行 {f['column']}：{f['message']}")


@click.command("export-roster")
@with_appcontext
@click.option("--batch", "year", type=int)
@click.option("--all", "everyone", is_flag=True, help="导出全部申报人员存档（同 --kind all）")
@click.option("--kind", type=click.Choice(list(exports.EXPORTS)), default="recommended",
              help="recommended 推荐人员汇总表；all 全部申报人员存档；checklist 评审表收件清单")
@click.option("--gongshi", is_flag=True, help="导出公示名单（同 --kind gongshi；不含身份证号码、电话、出生年月）")
@click.option("--final", is_flag=True, help="写出定稿上报时保存的推荐人员汇总表（原样）")
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), required=True)
def export_roster_command(year: int | None, everyone: bool, kind: str, gongshi: bool, final: bool, output: str):
    """Write the official roster (or another export, or the file kept at finalising)."""
    batch = _batch(year)
    if final:
        kept = FinalRoster.latest(batch)
        if kept is None:
            raise click.ClickException("本批次尚未定稿上报。")
        data, name, count = bytes(kept.content), kept.filename, kept.rows
        kind = "final"
    else:
        kind = "all" if everyone else "gongshi" if gongshi else kind
        data, name, count = exports.roster_export(batch, kind)
    Path(output).write_bytes(data)
    Event.record(None, "export.roster", batch=batch, after={"kind": kind, "rows": count},
                 detail=f"命令行导出 {name}")
    click.echo(f"已写入 {output}（{name}，{count}人）")


@click.command("gongshi")
@with_appcontext
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="公示开始日期，如 2024-09-30")
@click.option("--batch", "year", type=int)
def gongshi_command(start: dt.datetime, year: int | None):
    """Print the 公示 notice text, its end date counted in working days."""
    batch = _batch(year)
    click.echo(exports.gongshi_notice(batch, start.date())[2].text)


@click.command("reconcile")
@with_appcontext
@click.option("--platform", type=click.Path(exists=True, dir_okay=False), required=True,
              help="职称管理服务平台导出的申报名单")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False), help="继续教育学时登记系统导出的名单")
@click.option("--batch", "year", type=int)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def reconcile_command(platform: str, registry: str | None, year: int | None, as_json: bool):
    """Load the province's lists (replacing older ones) and compare them with the rosters."""
    batch = _batch(year)
    for kind, file in ((ListUpload.PLATFORM, platform), (ListUpload.REGISTRY, registry)):
        if file:
            entry = reconcile.load_list(batch, kind, None, Path(file).name, Path(file).read_bytes())
            if entry.status == ListUpload.REFUSED:
                reason = f"{entry.kind_label}被拒收：{entry.message}"
                click.echo(json.dumps({"refused": reason}, ensure_ascii=False) if as_json else reason,
                           err=not as_json)
                sys.exit(1)
    result = reconcile.reconcile(batch)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    counts = reconcile.counts(result)
    click.echo(f"平台未申报{counts['not_on_platform']}人，平台有但未报送{counts['not_on_roster']}人，"
               f"信息不一致{counts['mismatched']}处，登记学时不足{counts['ce_short']}人，"
               f"自填学时不符{counts['ce_differs']}人。")


@click.command("results")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch", "year", type=int)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def results_command(file: str, year: int | None, as_json: bool):
    """Load the 高评委's result list (replacing the older one) and give each 已推荐 applicant their result."""
    batch = _batch(year)
    entry = results.load_results(batch, None, Path(file).name, Path(file).read_bytes())
    if entry.status == ListUpload.REFUSED:
        reason = f"{entry.kind_label}被拒收：{entry.message}"
        click.echo(json.dumps({"refused": reason}, ensure_ascii=False) if as_json else reason, err=not as_json)
        sys.exit(1)
    found = results.as_json(batch)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    click.echo(f"通过{len(found['passed'])}人，未通过{len(found['failed'])}人，未出结果{len(found['pending'])}人；"
               f"名单中对应多人{len(found['ambiguous'])}行（请在网页上确认），未经本局推荐{len(found['not_recommended'])}人。")


@click.command("history")
@with_appcontext
@click.argument("id_number")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def history_command(id_number: str, as_json: bool):
    """An applicant's rows in every batch, oldest first."""
    found = history.of(id_number.strip().upper())
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:
        click.echo("各年度批次中都没有此身份证号码。")
    for entry in found:
        click.echo(f"{history.compact(entry)}  {entry['body']}  {entry['level']}  {entry['specialty']}"
                   + (f"  {entry['reason']}" if entry["reason"] else ""))


COMMANDS = (new_batch_command, gongshi_command, seed_demo_command, create_user_command, template_command,
            import_command, export_roster_command, reconcile_command, results_command, history_command,
            backup_command, unlock_command, serve_command)


NOT_INITIALISED = "数据库尚未初始化，请先运行 flask --app zcweb init-db"
# Commands that make the schema themselves.
MIGRATING = {"init-db", "seed-demo"}


def needs_schema(command: click.Command) -> click.Command:
    """`command`, refusing with what to run when the database has no
    tables yet, instead of a traceback (no such table: batch)."""
    callback = command.callback
    if getattr(callback, "needs_schema", False):  # commands are module objects: wrap once
        return command

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        if not Batch.table_exists():
            raise click.ClickException(NOT_INITIALISED)
        return callback(*args, **kwargs)

    checked.needs_schema = True
    command.callback = checked
    return command


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
    for name, command in app.cli.commands.items():
        if name not in MIGRATING:
            needs_schema(command)


def main() -> None:
    """The `zcweb` console command: the same as `flask --app zcweb`."""
    from flask.cli import FlaskGroup

    from .. import create_app

    FlaskGroup(name="zcweb", create_app=create_app, help="上虞区职称申报推荐花名册工具（同 flask --app zcweb）")()
