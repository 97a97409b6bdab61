"""The `flask --app zcweb` commands other scripts rely on."""

import datetime as dt
import json

import click
import openpyxl

from zcweb import create_app
from zcweb.ops.cli import COMMANDS, MIGRATING
from zcweb.models import Applicant, Batch, FinalRoster, Org, User
from zcweb.roster import workflow

from tests.helpers import roster, valid_row
from zcweb.outputs import finalise as finalising


def test_init_db_is_safe_to_run_twice(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "已是最新" in result.output


def test_new_batch_preset_2024_is_the_notice(runner, ctx):
    Applicant.delete().execute()
    Batch.delete().execute()
    result = runner.invoke(args=["new-batch", "--preset", "2024"])
    assert result.exit_code == 0, result.output
    assert "2024年9月5日" in result.output
    spec = Batch.get(Batch.year == 2024).spec
    assert spec.upload_deadline == dt.date(2024, 9, 5)
    assert spec.individual_deadline == dt.date(2024, 8, 23)
    assert spec.city_deadline == dt.date(2024, 10, 18)
    assert spec.achievement_cutoff == dt.date(2024, 7, 31)
    assert spec.levels["正高级工程师"] == ["信息技术", "机电制造", "能源", "材料", "轻纺", "石油和化学工程"]
    assert spec.ce_years == [2022, 2023, 2024] and spec.ce_min_hours == 90
    assert spec.notice_min_workdays == 5 and spec.paper_copies == 3
    again = runner.invoke(args=["new-batch", "--preset", "2024"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_seed_demo_makes_bodies_accounts_and_an_open_batch(runner, ctx):
    Applicant.delete().execute()
    Batch.delete().execute()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "officer" in result.output and "崧厦街道" in result.output
    assert Org.select().count() == 22
    assert Org.by_name("崧厦镇").name == "崧厦街道"
    assert User.select().where(User.role == User.CONTACT).count() == 22 + 2
    batch = Batch.current()
    assert batch.is_demo and "演示数据" in batch.title
    assert batch.spec.upload_deadline > dt.date.today()
    assert batch.spec.seniority_cutoff == dt.date(2024, 12, 31)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # safe to run twice


def test_create_user_for_a_body(runner, ctx):
    result = runner.invoke(args=["create-user", "bg2", "--role", "contact", "--org", "百官街道",
                                 "--password", "lantern-river-42"])
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "bg2")
    assert user.org.name == "百官街道" and user.check_password("lantern-river-42")
    missing = runner.invoke(args=["create-user", "x", "--role", "contact", "--password", "p"])
    assert missing.exit_code != 0 and "--org" in missing.output


def test_template_command_writes_the_bodys_template(runner, tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(args=["template", "--org", "百官街道", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert "百官街道" in str(wb["申报人员"]["A1"].value)


def test_import_json_reports_rows_and_findings(runner, tmp_path, ctx):
    baiguan = Org.get(Org.name == "百官街道")
    path = tmp_path / "r.xlsx"
    path.write_bytes(roster(baiguan, [valid_row(1), valid_row(2, ce_2023=60), valid_row(3, sex="女")]))
    result = runner.invoke(args=["import", str(path), "--org", "百官街道", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["rows"], report["new"], report["updated"], report["unchanged"]) == (3, 2, 0, 0)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "性别")]
    assert [(w["row"], w["column"]) for w in report["warnings"]] == [(4, "继续教育学时2023")]
    assert Applicant.select().count() == 2


def test_import_dry_run_writes_nothing(runner, tmp_path, ctx):
    path = tmp_path / "r.xlsx"
    path.write_bytes(roster(Org.get(Org.name == "百官街道"), [valid_row(1)]))
    result = runner.invoke(args=["import", str(path), "--org", "百官街道", "--dry-run", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["new"] == 1
    assert Applicant.select().count() == 0


def test_import_of_a_refused_file_exits_1_with_the_reason(runner, tmp_path, ctx):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"%PDF-1.4 not a roster")
    result = runner.invoke(args=["import", str(path), "--org", "百官街道"])
    assert result.exit_code == 1
    assert "PDF" in result.output


def test_export_roster_holds_the_approved_rows(runner, tmp_path, ctx):
    baiguan = Org.get(Org.name == "百官街道")
    path = tmp_path / "r.xlsx"
    path.write_bytes(roster(baiguan, [valid_row(1, name="甲"), valid_row(2, name="乙")]))
    runner.invoke(args=["import", str(path), "--org", "百官街道"])
    Applicant.update(status=workflow.APPROVED).where(Applicant.name == "甲").execute()
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export-roster", "-o", str(out)])
    assert result.exit_code == 0 and "1人" in result.output
    ws = openpyxl.load_workbook(out).active
    names = [c.value for row in ws.iter_rows() for c in row if c.value in ("甲", "乙")]
    assert names == ["甲"]


def test_export_roster_writes_other_kinds_and_the_kept_final_file(runner, tmp_path, ctx):
    baiguan = Org.get(Org.name == "百官街道")
    path = tmp_path / "r.xlsx"
    path.write_bytes(roster(baiguan, [valid_row(1, name="甲"), valid_row(2, name="乙")]))
    runner.invoke(args=["import", str(path), "--org", "百官街道"])
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export-roster", "--final", "-o", str(out)])
    assert result.exit_code == 1 and "尚未定稿上报" in result.output
    result = runner.invoke(args=["export-roster", "--kind", "checklist", "-o", str(out)])
    assert result.exit_code == 0 and "2人" in result.output
    assert openpyxl.load_workbook(out).sheetnames == ["百官街道"]
    Applicant.update(status=workflow.APPROVED).where(Applicant.name == "甲").execute()
    kept = finalising.finalise(Batch.current(), User.get(User.username == "officer"))
    result = runner.invoke(args=["export-roster", "--final", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == bytes(kept.content)
    assert FinalRoster.select().count() == 1


def _arguments(command, tmp_path) -> list[str]:
    """Values for a command's required parameters, enough to reach its body."""
    existing = tmp_path / "any.xlsx"
    existing.write_bytes(b"x")
    args = []
    for param in command.params:
        if not param.required:
            continue
        if isinstance(param.type, click.Choice):
            value = param.type.choices[0]
        elif isinstance(param.type, click.Path):
            value = str(existing if param.type.exists else tmp_path / "out.xlsx")
        elif param.type is click.INT:
            value = "2024"
        elif isinstance(param.type, click.DateTime):
            value = "2024-09-30"
        else:
            value = "百官街道"
        args += [value] if isinstance(param, click.Argument) else [param.opts[0], value]
    return args


def test_every_command_before_init_db_says_to_run_it(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                      "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    ours = [c for name, c in app.cli.commands.items() if name not in MIGRATING]
    assert {c.name for c in ours} >= {c.name for c in COMMANDS} - MIGRATING
    for command in ours:
        result = runner.invoke(args=[command.name, *_arguments(command, tmp_path)])
        assert result.exit_code == 1, (command.name, result.output)
        assert "数据库尚未初始化，请先运行 flask --app zcweb init-db" in result.output, command.name
        assert result.exception is None or isinstance(result.exception, SystemExit), command.name
        assert "Traceback" not in result.output


def test_seed_demo_refuses_a_database_with_a_real_batch(runner, ctx):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "数据库中已有正式批次" in result.output and "Traceback" not in result.output
    assert Batch.select().count() == 1 and Applicant.select().count() == 0
