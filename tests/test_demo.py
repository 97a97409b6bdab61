"""`seed-demo`: the week before the deadline, built through the real import
and review paths, on a database of its own (built once for the module: no
test here may use conftest's `app`, which would bind `db` elsewhere)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from werkzeug.security import generate_password_hash

from zcweb import create_app, models
from zcweb.review import reconcile
from zcweb.ops.cli import DEMO_PASSWORD, SHANGYU_BODIES
from zcweb.db import db
from zcweb.models import Applicant, Batch, Event, Extension, Org, Upload
from zcweb.roster import rulenames, workflow
from zcweb.roster.idcard import check_idcard

from tests.conftest import Client, _empty_database
from tests.helpers import kept_tables, true_tables, upload

WARNING_RULES = {"seniority.short", "breakthrough.score", "ce.short", "notice.short", "post.unverified"}
SILENT = {"下管镇", "岭南乡", "陈溪乡", "丁宅乡", "曹娥江旅游度假区"}


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    app = create_app({"TESTING": True, "DATABASE_URL": _empty_database(tmp), "SECRET_KEY": "demo-key"})
    app.test_client_class = Client
    with pytest.MonkeyPatch.context() as patch:  # as conftest's fast_password_hashing, for the module
        patch.setattr(models, "generate_password_hash",
                      lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "151名申报人" in result.output
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def officer(demo_app):
    client = demo_app.test_client()
    client.login("officer", DEMO_PASSWORD)
    return client


def snapshot() -> list[tuple]:
    return [(a.org.name, a.name, a.id_number, a.status, a.reason, a.copies)
            for a in Applicant.select(Applicant, Org).join(Org)
            .order_by(Org.sort_order, Applicant.position, Applicant.id)]


def test_demo_holds_every_status_level_specialty_and_fictional_valid_ids(demo_app):
    with demo_app.app_context():
        batch = Batch.current()
        assert batch.is_demo and "演示数据" in batch.title
        applicants = list(Applicant.select().where(Applicant.batch == batch))
        assert 140 <= len(applicants) <= 160
        statuses = {a.status for a in applicants}
        assert statuses == {workflow.PENDING, workflow.APPROVED, workflow.RETURNED, workflow.REJECTED,
                            workflow.WITHDRAWN}
        reasons = {a.reason for a in applicants if a.status in (workflow.RETURNED, workflow.REJECTED)}
        assert None not in reasons and reasons <= set(batch.spec.reasons)
        assert {a.copies for a in applicants} == {0, 1, 2, 3}
        for level, specialties in batch.spec.levels.items():
            assert {a.data["specialty"] for a in applicants if a.data["level"] == level} == set(specialties)
        assert all(check_idcard(a.id_number) == [] for a in applicants)
        bodies = {a.org.name for a in applicants}
        assert len(bodies) == 17 and not bodies & SILENT


def test_demo_shows_a_warning_of_every_rule_on_the_review_desk(demo_app, officer):
    with demo_app.app_context():
        rules = {w["rule"] for a in Applicant.select() for w in a.warnings}
        assert rules >= WARNING_RULES
        twice = [n for n, bodies in Applicant.submitted_by(Batch.current()).items() if len(bodies) == 2]
        assert len(twice) == 1
        # With the CE registry uploaded, the desk shows its hours instead of those the roster states.
        applicants = list(Applicant.select())
        reconcile.add_warnings(Batch.current(), applicants)
        shown = {w["rule"]: w["message"] for a in applicants for w in a.warnings}
        expected = WARNING_RULES - {"ce.short"} | {rulenames.CE_REGISTRY_SHORT, rulenames.PLATFORM_MISSING}
        assert set(shown) >= expected
        messages = [shown[rule] for rule in expected]
    pages, page = "", 1
    while True:
        html = officer.get(f"/review?page={page}").get_data(as_text=True)
        pages += html
        if f"page={page + 1}" not in html:
            break
        page += 1
    for label in ("待审核", "拟推荐", "退回修改", "不予推荐", "已撤回"):
        assert f">{label}<" in pages
    for message in messages:
        assert message in pages
    assert "同一身份证号码也由" in pages
    assert "演示数据：本系统中的人员、单位和身份证号码均为虚构" in pages


def test_demo_keeps_its_marks_counts_and_search_exact(demo_app):
    """Built by imports (their new rows marked set-based), decisions, lists,
    定稿 and results of an earlier year: what the desk reads instead of the
    rows is what the rows say."""
    with demo_app.app_context():
        kept, true = kept_tables(), true_tables()
        assert len(kept["marks"]) > Applicant.select().count()
        assert kept == true


def test_demo_uploads_have_history_a_refusal_a_waiting_preview_and_an_extension(demo_app):
    with demo_app.app_context():
        uploads = list(Upload.select())
        assert {u.status for u in uploads} == {Upload.CONFIRMED, Upload.REFUSED, Upload.PREVIEW}
        assert sum(u.status == Upload.REFUSED for u in uploads) == 1
        assert sum(u.status == Upload.PREVIEW for u in uploads) == 1
        per_body = {}
        for u in uploads:
            per_body[u.org_id] = per_body.get(u.org_id, 0) + 1
        assert max(per_body.values()) >= 2
        assert [e.org.name for e in Extension.select()] == ["章镇镇"]
        # The contacts and the officer did it: the trail names them.
        actions = {e.action for e in Event.select()}
        assert {"upload.confirmed", "upload.refused", "applicant.approve", "applicant.return",
                "applicant.reject", "applicant.withdraw", "applicant.copies"} <= actions


def test_demo_holds_the_province_lists_with_something_to_reconcile(demo_app):
    with demo_app.app_context():
        found = reconcile.counts(reconcile.reconcile(Batch.current()))
    assert all(found.values()), found


def test_demo_holds_a_finalised_2023_with_results_so_that_history_shows(demo_app, officer):
    with demo_app.app_context():
        earlier = Batch.get(Batch.year == 2023)
        results = {r for (r,) in Applicant.select(Applicant.result).where(Applicant.batch == earlier).tuples()}
        statuses = {s for (s,) in Applicant.select(Applicant.status).where(Applicant.batch == earlier).tuples()}
    assert earlier.finalised_at and {"passed", "failed"} <= results and statuses == {"recommended", "rejected"}
    html = officer.get("/review?record=failed_before").get_data(as_text=True)
    assert '<div class="past" title="2023：已推荐·未通过">2023：已推荐·未通过</div>' in html
    assert '<div class="past" title="2023：不予推荐">2023：不予推荐</div>' in html


def test_dashboard_shows_the_five_bodies_that_uploaded_nothing(officer):
    html = officer.get("/").get_data(as_text=True)
    silent = set(re.findall(r'<a href="/review\?org=\d+">([^<]+)</a>(?:(?!</tr>).)*未上传', html, re.S))
    assert silent == SILENT
    assert "1 个上传待联络员确认" in html
    phones = re.findall(r'<td class="phone">([^<]*)</td>', html)
    assert len(phones) == len(SHANGYU_BODIES) and all(re.fullmatch(r"0575-8218\d{4}", p) for p in phones)


def test_every_export_of_the_demo_is_non_empty(demo_app, officer):
    with demo_app.app_context():
        approved = Applicant.select().where(Applicant.status == workflow.APPROVED).count()
        total = Applicant.select().count()
        org = Org.get(Org.name == "百官街道")
    for path, rows in (("/exports/recommended.xlsx", approved), ("/exports/all.xlsx", total)):
        response = officer.get(path)
        assert response.status_code == 200, path
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert len(values) > rows * 5, path
    archive = zipfile.ZipFile(io.BytesIO(officer.get("/templates.zip").data))
    assert len(archive.namelist()) == 22
    for path in (f"/template.xlsx?org={org.id}", f"/my-rows.xlsx?org={org.id}", "/reconcile/result.xlsx"):
        response = officer.get(path)
        assert response.status_code == 200 and len(response.data) > 1000, path


def test_seed_demo_again_keeps_the_demo_and_reset_rebuilds_it_the_same(demo_app):
    runner = demo_app.test_cli_runner()
    with demo_app.app_context():
        before = snapshot()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "演示数据已存在" in again.output and "--reset" in again.output
    reset = runner.invoke(args=["seed-demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    with demo_app.app_context():
        assert [b.year for b in Batch.select().order_by(Batch.year)] == [2023, 2024]
        assert snapshot() == before


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# What each example shows besides its counts (the README says it in words).
EXAMPLE_TEXT = {
    "02-常见错误.xlsx": ["显示为科学计数法", "校验位（末位）不正确", "不含“建筑工程”", "“2016年12月底”不是有效日期"],
    "03-乡镇自制表格.xlsx": ["以下列不属于花名册，已忽略：所在社区"],
    "06-人事系统导出的网页表格.xls": ["第 7—13 行只填了序号，没有人员信息，已跳过。",
                                  "第 14 行“填表人：王丽 联系电话：0575-821…”不是人员信息，已跳过。"],
}


def documented_outcomes() -> dict[str, tuple[int, int]]:
    """file name -> (new rows, rows with errors), as examples/README.md says."""
    text = (EXAMPLES / "README.md").read_text()
    return {name: (int(new), int(errors))
            for name, new, errors in re.findall(r"^\| `([^`]+)` \| 新增 (\d+) 行，(\d+) 行有错误 \|", text, re.M)}


def test_every_example_uploads_with_its_documented_outcome(demo_app):
    outcomes = documented_outcomes()
    files = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".xlsx", ".xls", ".csv"))
    assert sorted(outcomes) == files and len(files) == 6
    contact = demo_app.test_client()
    contact.login("c01", DEMO_PASSWORD)
    for name in files:
        response = upload(contact, (EXAMPLES / name).read_bytes(), name)
        assert response.status_code == 303, name
        page = contact.get(response.headers["Location"]).get_data(as_text=True)
        with demo_app.app_context():
            sent = Upload.select().order_by(Upload.id.desc()).get()
            assert (sent.org.name, sent.filename, sent.status) == ("百官街道", name, Upload.PREVIEW)
            assert (sent.summary["new"], sent.summary["error"]) == outcomes[name], name
        new, errors = outcomes[name]
        assert f"<b>{new}</b>新增" in page and f"<b>{errors}</b>有错误" in page, name
        for text in EXAMPLE_TEXT.get(name, []):
            assert text in page, (name, text)
        assert contact.post(f"/uploads/{sent.id}/cancel").status_code == 303
