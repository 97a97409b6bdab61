"""Downloads over HTTP: Chinese file names, templates per body, exports logged."""

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


def header_and_body(ws, marker: str = "姓名"):
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in cells if marker in r)
    start = cells.index(header) + 1
    return header, ws, start + 1, cells[start:]


def test_contact_gets_feedback_of_their_own_body_only_and_it_is_logged(client, rows, ctx):
    caoe = Org.get(Org.name == "曹娥街道")
    other = valid_row(9, name="外单位")
    Applicant.create(batch=Batch.current(), org=caoe, id_number=other["id_number"], name="外单位", data=other)
    Applicant.update(reason="=1+1", copies=2).where(Applicant.name == "甲").execute()
    client.login("baiguan")
    with client.get(f"/feedback.xlsx?org={caoe.id}") as response:  # ?org is ignored for a contact
        assert disposition_name(response) == quote("2024年度职称申报推荐花名册-审核结果反馈-百官街道.xlsx")
        ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "百官街道" in ws["A2"].value and "反馈日期" in ws["A2"].value
    header, ws, first, body = header_and_body(ws)
    got = [(r[header.index("序号")], r[header.index("姓名")], r[header.index("审核状态")],
            r[header.index("审核意见/退回原因")], r[header.index("评审表已收(份)")]) for r in body]
    assert got == [(1, "甲", "拟推荐", "=1+1", 2), (2, "乙", "退回修改", "重复申报", 0), (3, "丙", "已推荐", None, 0)]
    reason = ws.cell(first, header.index("审核意见/退回原因") + 1)
    assert reason.data_type == "s"
    id_cell = ws.cell(first, header.index("身份证号") + 1)
    assert (id_cell.value, id_cell.data_type, id_cell.number_format) == (rows[0].id_number, "s", "@")
    assert len(id_cell.value) == 18
    event = Event.get(Event.action == "export.feedback")
    assert event.user.username == "baiguan" and event.org.name == "百官街道" and event.after == {"rows": 3}


def test_officer_gets_any_bodys_feedback_and_checklist_from_the_exports_page(client, rows, ctx):
    client.login("officer")
    baiguan = Org.get(Org.name == "百官街道")
    html = client.get("/exports").get_data(as_text=True)
    assert f"/feedback.xlsx?org={baiguan.id}" in html and f"/exports/checklist.xlsx?org={baiguan.id}" in html
    with client.get(f"/feedback.xlsx?org={baiguan.id}") as response:
        assert response.status_code == 200
    Applicant.update(copies=1).where(Applicant.name == "甲").execute()
    with client.get(f"/exports/checklist.xlsx?org={baiguan.id}") as response:
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["百官街道"]
    ws = wb["百官街道"]
    assert "收件清单" in ws["A1"].value
    header, ws, _first, body = header_and_body(ws)
    table = [r for r in body if r[0] is not None and isinstance(r[0], int)]
    # Returned rows send no paper forms; pending, approved and recommended do.
    assert [(r[header.index("姓名")], r[header.index("应交(份)")], r[header.index("已收(份)")],
             r[header.index("缺(份)")]) for r in table] == [("甲", 3, 1, 2), ("丙", 3, 0, 3)]
    assert any("收件人（签字）" in str(r[0]) for r in body)
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$3:$3"
    event = Event.select().where(Event.action == "export.roster").order_by(Event.id.desc()).get()
    assert event.org.name == "百官街道" and event.after == {"kind": "checklist", "rows": 2}


def test_checklist_of_all_bodies_has_a_sheet_each(client, rows, ctx):
    data = valid_row(9, name="曹工")
    Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "曹娥街道"), id_number=data["id_number"],
                     name="曹工", data=data)
    client.login("officer")
    with client.get("/exports/checklist.xlsx") as response:
        assert openpyxl.load_workbook(io.BytesIO(response.data)).sheetnames == ["百官街道", "曹娥街道"]


def test_archive_holds_warnings_with_their_rule_and_the_last_event(client, rows, ctx):
    Applicant.update(warnings=[{"level": "warning", "column": "ce_2022", "message": "2022年继续教育不足90学时",
                                "rule": "ce.hours"}]).where(Applicant.name == "甲").execute()
    client.login("officer")
    client.post(f"/applicants/{rows[1].id}/decide", data={"action": "reject", "reason": "重复申报", "version": 1})
    with client.get("/exports/all.xlsx") as response:
        ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header, ws, first, body = header_and_body(ws, "提示（规则）")
    by_name = {r[header.index("姓名")]: r for r in body}
    assert by_name["甲"][header.index("提示（规则）")] == "2022年继续教育不足90学时（ce.hours）"
    assert "乙：退回修改 → 不予推荐" in by_name["乙"][header.index("最近操作")]
    assert "裘晶晶" in by_name["乙"][header.index("最近操作")]
    assert by_name["丙"][header.index("最近操作")] is None
    id_cell = ws.cell(first, header.index("身份证号") + 1)
    assert id_cell.data_type == "s" and len(id_cell.value) == 18


def test_downloading_the_marked_copy_and_the_original_file_are_events(client, ctx):
    from tests.helpers import roster, upload
    from zcweb.models import Upload
    baiguan = Org.get(Org.name == "百官街道")
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1, id_number="123")]))
    kept = Upload.get()
    assert client.get(f"/uploads/{kept.id}/marked.xlsx").status_code == 200
    assert client.get(f"/uploads/{kept.id}/file").data == bytes(kept.content)
    events = {e.action: e for e in Event.select().where(Event.action.startswith("export."))}
    assert set(events) == {"export.marked", "export.original"}
    assert all(e.user.username == "baiguan" and e.upload_id == kept.id for e in events.values())


def test_checklist_of_a_body_with_no_applicants_is_a_titled_sheet_saying_so(client, rows, ctx):
    caoe = Org.get(Org.name == "曹娥街道")
    client.login("officer")
    with client.get(f"/exports/checklist.xlsx?org={caoe.id}") as response:
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["曹娥街道"] and "收件清单" in wb["曹娥街道"]["A1"].value
    assert any(row[0] == "无申报人员" for row in wb["曹娥街道"].iter_rows(values_only=True))
