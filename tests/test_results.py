"""The 高评委's result list back in: a passed-only list without identity
numbers (one name fits two applicants), and a list with identity numbers
and a 评审结果 column; the command line's JSON."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from zcweb.models import Applicant, Batch, Event, ListRow, ListUpload, Org, User
from zcweb.roster import workflow

from tests.helpers import valid_row
from tests.test_reconcile import gbk_csv, xlsx
from zcweb.outputs import finalise as finalising

CHEM, MATERIALS = "石油和化学工程", "材料"
# (name, body, employer, specialty); both 王芳 work at the same company.
PEOPLE = [
    ("王芳", "百官街道", "浙江上虞示例化工有限公司", CHEM),
    ("王芳", "曹娥街道", "浙江上虞示例化工有限公司", CHEM),
    ("李强", "百官街道", "浙江上虞示例化工有限公司", CHEM),
    ("赵敏", "曹娥街道", "浙江上虞新材料有限公司", MATERIALS),
    ("孙立", "百官街道", "浙江上虞示例化工有限公司", CHEM),
]


@pytest.fixture
def recommended(ctx):
    """Five applicants recommended through 定稿上报, and one 不予推荐."""
    batch, officer = Batch.current(), User.get(User.username == "officer")
    made = []
    for i, (name, body, employer, specialty) in enumerate(PEOPLE, start=1):
        data = valid_row(i, name=name, employer=employer, specialty=specialty)
        made.append(Applicant.create(batch=batch, org=Org.get(Org.name == body), id_number=data["id_number"],
                                     name=name, data=data, status=workflow.APPROVED))
    data = valid_row(9, name="周婷")
    Applicant.create(batch=batch, org=Org.get(Org.name == "百官街道"), id_number=data["id_number"], name="周婷",
                     data=data, status=workflow.REJECTED)
    finalising.finalise(batch, officer)
    return made


def result_of(a: Applicant) -> str | None:
    return Applicant.get_by_id(a.id).result


def send(client, data: bytes, name: str):
    return client.post("/results", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


PASSED_ONLY = [
    ["序号", "姓名", "工作单位", "专业"],
    [1, "王芳", "浙江上虞示例化工有限公司", CHEM],  # two 王芳 fit
    [2, "赵敏", "浙江上虞新材料有限公司 ", MATERIALS],  # a trailing space: normalised
    [3, "钱多", "某某公司", CHEM],  # never recommended
]


def test_a_passed_only_list_without_numbers(client, recommended):
    wang1, wang2, li, zhao, sun = recommended
    client.login("officer")
    page = send(client, gbk_csv(PASSED_ONLY), "评审结果.csv").get_data(as_text=True)
    assert "已读取高评委评审结果：3人" in page
    assert "1行对应多人，请逐一确认" in page and "1人不在本批次已推荐名单中" in page
    assert result_of(zhao) == "passed"
    # The others recommended in 石油和化学工程 failed; both 王芳 wait for the officer.
    assert (result_of(li), result_of(sun)) == ("failed", "failed")
    assert (result_of(wang1), result_of(wang2)) == (None, None)
    assert "钱多" in page and "某某公司" in page

    row = ListUpload.get(ListUpload.kind == "results").entries.order_by(ListRow.id).first()
    assert row.data["name"] == "王芳"
    page = client.post("/results/resolve", data={"row": row.id, "applicant": wang2.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "已确认" in page
    assert (result_of(wang1), result_of(wang2)) == ("failed", "passed")
    assert Event.get(Event.action == "results.resolved").applicant_id == wang2.id


def test_a_list_with_numbers_and_a_result_column_replaces_the_older_one(client, recommended):
    wang1, wang2, li, zhao, sun = recommended
    client.login("officer")
    send(client, gbk_csv(PASSED_ONLY), "评审结果.csv")
    rows = [["姓名", "身份证号", "工作单位", "申报专业", "评审结果"],
            ["王芳", wang1.id_number, "另一家公司", CHEM, "通过"],
            ["王芳", wang2.id_number, "浙江上虞示例化工有限公司", CHEM, "未通过"],
            ["李强", li.id_number, "浙江上虞示例化工有限公司", CHEM, "通过"]]
    page = send(client, xlsx(rows), "评审结果.xlsx").get_data(as_text=True)
    assert "已读取高评委评审结果：3人，已替换此前的名单" in page
    assert [result_of(a) for a in recommended] == ["passed", "failed", "passed", None, None]
    kept = ListUpload.select().where(ListUpload.kind == "results").order_by(ListUpload.id)
    assert [(e.filename, e.status) for e in kept] == [("评审结果.csv", "replaced"), ("评审结果.xlsx", "current")]


def test_the_command_line_prints_the_specified_json(runner, recommended, tmp_path):
    wang1, wang2, li, zhao, sun = recommended
    path = tmp_path / "评审结果.csv"
    path.write_bytes(gbk_csv(PASSED_ONLY))
    result = runner.invoke(args=["results", str(path), "--batch", str(Batch.current().year), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "passed": [zhao.id_number],
        "failed": [li.id_number, sun.id_number],
        "pending": [wang1.id_number, wang2.id_number],
        "not_recommended": [{"name": "钱多", "employer": "某某公司"}],
        "ambiguous": [{"name": "王芳", "candidates": [wang1.id_number, wang2.id_number]}],
    }


def test_the_command_line_refuses_a_list_without_names(runner, recommended, tmp_path):
    path = tmp_path / "评审结果.csv"
    path.write_bytes(gbk_csv([["单位", "专业"], ["某某公司", CHEM]]))
    result = runner.invoke(args=["results", str(path), "--json"])
    assert result.exit_code == 1
    assert "姓名" in json.loads(result.output)["refused"]


def test_the_dashboard_shows_pass_rates_per_body_and_per_level_and_specialty(client, recommended):
    client.login("officer")
    send(client, gbk_csv(PASSED_ONLY), "评审结果.csv")
    page = client.get("/").get_data(as_text=True)
    section = page[page.index("<h2>评审结果</h2>"):page.index("<h2>按级别、专业统计</h2>")]
    # 百官街道: 王芳 (waiting), 李强 and 孙立 failed; 曹娥街道: 王芳 (waiting), 赵敏 passed.
    assert "<td>百官街道</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">2</td>" \
           "<td class=\"num\">0%</td>" in section
    assert "<td>曹娥街道</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">0</td>" \
           "<td class=\"num\">50%</td>" in section
    assert "<td>高级工程师</td><td>材料</td><td class=\"num\">1</td><td class=\"num\">1</td>" in section


def test_results_show_on_the_review_row_with_a_filter_and_on_the_contacts_home(client, recommended):
    wang1, wang2, li, zhao, sun = recommended
    client.login("officer")
    send(client, gbk_csv(PASSED_ONLY), "评审结果.csv")
    page = client.get("/review?record=failed").get_data(as_text=True)
    assert "李强" in page and "孙立" in page and "赵敏" not in page
    assert 'class="badge result-failed">未通过' in page
    page = client.get("/review?record=pending").get_data(as_text=True)
    assert page.count("王芳") >= 2 and "李强" not in page
    client.logout()
    client.login("caoe")
    home = client.get("/").get_data(as_text=True)
    assert 'class="badge result-passed">通过' in home and 'class="badge result-pending">未出结果' in home


def test_the_feedback_export_has_the_result(client, recommended):
    client.login("officer")
    send(client, gbk_csv(PASSED_ONLY), "评审结果.csv")
    client.logout()
    client.login("caoe")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/feedback.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "评审结果" in r)
    column, name = header.index("评审结果"), header.index("姓名")
    assert {r[name]: r[column] for r in rows[rows.index(header) + 1:] if r[name]} == {"王芳": "未出结果",
                                                                                    "赵敏": "通过"}
