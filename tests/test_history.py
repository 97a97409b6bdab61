"""Every applicant's history across years: a 2024 applicant who failed at
the 高评委 applies again in 2025; the review row, the detail page, the
review filter and `history --json` show 2024."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from zcweb.review import results
from zcweb.models import Applicant, Batch, Org, User
from zcweb.roster import workflow

from tests.helpers import valid_row
from tests.test_reconcile import gbk_csv
from zcweb.outputs import finalise as finalising

WANG = valid_row(1, name="王芳")
LI = valid_row(2, name="李强")


@pytest.fixture
def next_year(ctx, runner):
    """王芳 and 李强 recommended in 2024; the 高评委 passes only 李强; a 2025
    batch copied from 2024, where 王芳 applies again (with 赵敏, new)."""
    batch2024, officer = Batch.current(), User.get(User.username == "officer")
    baiguan = Org.get(Org.name == "百官街道")
    for row in (WANG, LI):
        Applicant.create(batch=batch2024, org=baiguan, id_number=row["id_number"], name=row["name"], data=row,
                         status=workflow.APPROVED)
    finalising.finalise(batch2024, officer)
    csv = gbk_csv([["姓名", "工作单位", "专业"], ["李强", LI["employer"], LI["specialty"]]])
    results.load_results(batch2024, officer, "2024评审结果.csv", csv)
    made = runner.invoke(args=["new-batch", "--copy-from", "2024", "--year", "2025"])
    assert made.exit_code == 0, made.output
    batch2025 = Batch.get(Batch.year == 2025)
    caoe = Org.get(Org.name == "曹娥街道")
    again = Applicant.create(batch=batch2025, org=caoe, id_number=WANG["id_number"], name="王芳", data=WANG)
    zhao = valid_row(3, name="赵敏")
    Applicant.create(batch=batch2025, org=caoe, id_number=zhao["id_number"], name="赵敏", data=zhao)
    return again


def test_the_review_row_shows_last_years_failure_and_the_filter_finds_it(client, next_year):
    client.login("officer")
    page = client.get("/review").get_data(as_text=True)
    assert Batch.current().year == 2025
    assert '<div class="past" title="2024：已推荐·未通过">2024：已推荐·未通过</div>' in page
    failed_before = client.get("/review?record=failed_before").get_data(as_text=True)
    assert "王芳" in failed_before and "赵敏" not in failed_before
    applied = client.get("/review?record=applied").get_data(as_text=True)
    assert "王芳" in applied and "赵敏" not in applied


def test_the_detail_page_has_a_table_of_earlier_years(client, next_year):
    client.login("officer")
    page = client.get(f"/applicants/{next_year.id}").get_data(as_text=True)
    start = page.index("<h2>往年申报记录</h2>")
    table = page[start:page.index("</table>", start)]
    assert "<td>2024</td><td>百官街道</td><td>高级工程师</td><td>石油和化学工程</td>" in table
    assert "已推荐" in table and "<td>未通过</td>" in table
    client.logout()
    client.login("caoe")  # a contact sees their row, not the other bodies' years
    assert "往年申报记录" not in client.get(f"/applicants/{next_year.id}").get_data(as_text=True)


def test_history_json_lists_every_year_oldest_first(runner, next_year):
    out = runner.invoke(args=["history", WANG["id_number"], "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == [
        {"year": 2024, "body": "百官街道", "level": "高级工程师", "specialty": "石油和化学工程",
         "status": "recommended", "reason": None, "result": "failed"},
        {"year": 2025, "body": "曹娥街道", "level": "高级工程师", "specialty": "石油和化学工程",
         "status": "pending", "reason": None, "result": None},
    ]
    text = runner.invoke(args=["history", WANG["id_number"]]).output
    assert "2024：已推荐·未通过  百官街道" in text


def test_new_batch_copy_from_refuses_a_missing_year(runner, ctx):
    out = runner.invoke(args=["new-batch", "--copy-from", "2019", "--year", "2025"])
    assert out.exit_code == 1 and "没有2019年度的批次可复制" in out.output


def test_a_contact_may_download_next_years_template_with_last_years_unsuccessful(client, next_year):
    client.login("baiguan")
    home = client.get("/").get_data(as_text=True)
    assert "下载预填上年度本单位未通过人员的模板" in home
    response = client.get("/template.xlsx?prefill=last-year")
    assert "%E9%A2%84%E5%A1%AB" in response.headers["Content-Disposition"]  # 预填 in the file name
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert "王芳" in cells and WANG["id_number"] in cells and "李强" not in cells
    blank = openpyxl.load_workbook(io.BytesIO(client.get("/template.xlsx").data))
    assert "王芳" not in {str(c.value) for s in blank.worksheets for row in s.iter_rows() for c in row}


def test_the_archive_export_has_each_persons_earlier_years(client, next_year):
    client.login("officer")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/exports/all.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "往年申报" in r)
    column, name = header.index("往年申报"), header.index("姓名")
    earlier = {r[name]: r[column] for r in rows[rows.index(header) + 1:] if r[name]}
    assert earlier == {"王芳": "2024：已推荐·未通过", "赵敏": None}
