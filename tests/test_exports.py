"""Downloads: Chinese file names, templates per body, exports logged."""

import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest

from zcweb.models import Applicant, Batch, Event, Org
from zcweb.roster import workflow

from tests.helpers import valid_row


@pytest.fixture
def rows(ctx):
    batch = Batch.current()
    made = []
    for i, (name, status) in enumerate([("甲", workflow.APPROVED), ("乙", workflow.RETURNED),
                                        ("丙", workflow.RECOMMENDED)], start=1):
        data = valid_row(i, name=name)
        made.append(Applicant.create(batch=batch, org=Org.get(Org.name == "百官街道"), id_number=data["id_number"],
                                     name=name, data=data, status=status, reason="重复申报" if name == "乙" else None))
    return made


def disposition_name(response) -> str:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;")
    return header.split("filename*=UTF-8''")[1]


def test_template_download_has_an_rfc5987_chinese_name(client, ctx):
    client.login("baiguan")
    with client.get("/template.xlsx") as response:
        assert disposition_name(response) == quote("2024年度职称申报推荐花名册-百官街道.xlsx")
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_officer_downloads_any_bodys_template_and_all_at_once(client, ctx):
    client.login("officer")
    caoe = Org.get(Org.name == "曹娥街道")
    with client.get(f"/template.xlsx?org={caoe.id}") as response:
        assert disposition_name(response) == quote("2024年度职称申报推荐花名册-曹娥街道.xlsx")
    with client.get("/templates.zip") as response:
        names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == ["2024年度职称申报推荐花名册-百官街道.xlsx", "2024年度职称申报推荐花名册-曹娥街道.xlsx"]


def test_my_rows_brings_back_each_row_with_status_and_reason(client, rows):
    client.login("baiguan")
    with client.get("/my-rows.xlsx") as response:
        ws = openpyxl.load_workbook(io.BytesIO(response.data))["申报人员"]
    headers = [str(c.value).lstrip("*") for c in ws[2]]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=5)]
    got = {r[headers.index("姓名")]: (r[headers.index("审核状态")], r[headers.index("审核意见/退回原因")])
           for r in values}
    assert got == {"甲": ("拟推荐", None), "乙": ("退回修改", "重复申报"), "丙": ("已推荐", None)}


def test_recommended_export_holds_approved_and_recommended_rows_and_is_logged(client, rows):
    client.login("officer")
    with client.get("/exports/recommended.xlsx") as response:
        assert disposition_name(response) == quote("2024年度推荐人员汇总表.xlsx")
        ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = {c.value for row in ws.iter_rows() for c in row} & {"甲", "乙", "丙"}
    assert names == {"甲", "丙"}
    event = Event.get(Event.action == "export.roster")
    assert event.user.username == "officer" and event.after == {"kind": "recommended", "rows": 2}


def test_export_of_all_rows_carries_statuses_and_reasons(client, rows):
    client.login("officer")
    with client.get("/exports/all.xlsx") as response:
        ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in cells if "审核状态" in r)
    body = cells[cells.index(header) + 1:]
    assert [(r[header.index("姓名")], r[header.index("审核状态")]) for r in body] == [
        ("甲", "拟推荐"), ("乙", "退回修改"), ("丙", "已推荐")]
    assert body[1][header.index("审核意见/退回原因")] == "重复申报"


def test_unknown_export_is_404(client, ctx):
    client.login("officer")
    assert client.get("/exports/everything.xlsx").status_code == 404
