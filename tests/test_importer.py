"""Upload → preview → confirm: what is written, what is refused, what is kept."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from zcweb.intake import confirm as confirmation
from zcweb.intake import outcomes, preview
from zcweb.models import Applicant, Batch, Event, Extension, Org, Upload, UploadRow
from zcweb.roster import workflow
from zcweb.roster.signing import make_token

from tests.helpers import applicants, last_upload, roster, upload, valid_row


def first_row():
    return last_upload().rows.order_by(UploadRow.row)[0]


def confirm(client, withdraw=False):
    data = {"withdraw_missing": "1"} if withdraw else {}
    return client.post(f"/uploads/{last_upload().id}/confirm", data=data, follow_redirects=True)


def test_upload_shows_a_preview_and_writes_no_rows(contact, baiguan):
    response = upload(contact, roster(baiguan, [valid_row(1), valid_row(2)]))
    assert response.status_code == 303
    page = contact.get(response.headers["Location"]).get_data(as_text=True)
    assert "上传检查结果" in page and "确认导入（2人）" in page
    saved = last_upload()
    assert saved.status == Upload.PREVIEW and saved.summary["new"] == 2
    assert applicants() == []


def test_htmx_upload_redirects_the_page_to_the_preview(contact, baiguan):
    response = upload(contact, roster(baiguan, [valid_row(1)]), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == f"/uploads/{last_upload().id}"


def test_confirm_imports_rows_as_pending(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="甲"), valid_row(2, name="乙")]))
    page = confirm(contact).get_data(as_text=True)
    assert "已导入2人（新增2人" in page
    rows = applicants("百官街道")
    assert [(a.name, a.status, a.version) for a in rows] == [("甲", "pending", 1), ("乙", "pending", 1)]
    assert rows[0].data["ce_2024"] == 96 and rows[0].data["notice_start"] == "2024-08-26"
    assert last_upload().status == Upload.CONFIRMED


def test_confirming_the_same_preview_twice_changes_nothing(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    confirm(contact)
    events = Event.select().count()
    second = confirm(contact).get_data(as_text=True)
    assert "确认导入，未重复导入" in second
    assert len(applicants()) == 1 and Event.select().count() == events


def test_cancel_writes_nothing(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    contact.post(f"/uploads/{last_upload().id}/cancel")
    assert last_upload().status == Upload.CANCELLED
    assert applicants() == []
    assert "取消，未导入任何数据。如需导入，请重新上传" in confirm(contact).get_data(as_text=True)


def test_rows_with_errors_are_left_out_and_the_rest_imported(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="好"), valid_row(2, name="坏", specialty="信息技术")]))
    summary = last_upload().summary
    assert (summary["new"], summary["error"]) == (1, 1)
    confirm(contact)
    assert [a.name for a in applicants()] == ["好"]


def test_preview_marks_errors_on_their_cells(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, specialty="信息技术")]))
    page = contact.get(f"/uploads/{last_upload().id}").get_data(as_text=True)
    assert 'class="cell-error' in page
    assert "信息技术" in page and "能源、材料、轻纺、石油和化学工程" in page


def test_a_changed_row_shows_old_and_new_and_updates_on_confirm(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000001")]))
    confirm(contact)
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000002")]))
    preview = first_row()
    assert preview.outcome == outcomes.CHANGED
    assert preview.changes == {"phone": ["13800000001", "13800000002"]}
    page = contact.get(f"/uploads/{last_upload().id}").get_data(as_text=True)
    assert "<s>13800000001</s> → 13800000002" in page
    confirm(contact)
    a = applicants()[0]
    assert a.data["phone"] == "13800000002" and a.version == 2
    event = Event.get(Event.action == "applicant.updated")
    assert event.before["phone"] == "13800000001" and event.after == {"phone": "13800000002"}


def test_an_unchanged_file_changes_nothing(contact, baiguan):
    data = roster(baiguan, [valid_row(1)])
    upload(contact, data)
    confirm(contact)
    upload(contact, data)
    assert last_upload().summary["unchanged"] == 1
    confirm(contact)
    assert applicants()[0].version == 1


def test_a_returned_row_fixed_in_the_sheet_goes_back_to_pending(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, ce_2023=60)]))
    confirm(contact)
    Applicant.update(status=workflow.RETURNED, reason="继续教育学时不足").execute()
    upload(contact, roster(baiguan, [valid_row(1, ce_2023=96)]))
    confirm(contact)
    a = applicants()[0]
    assert (a.status, a.reason, a.data["ce_2023"]) == (workflow.PENDING, None, 96)
    assert a.warnings == []


def test_rows_decided_by_the_officer_are_locked(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000001")]))
    confirm(contact)
    Applicant.update(status=workflow.APPROVED).execute()
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000009")]))
    assert first_row().outcome == outcomes.LOCKED
    confirm(contact)
    a = applicants()[0]
    assert (a.status, a.data["phone"]) == (workflow.APPROVED, "13800000001")


def test_rows_missing_from_the_file_stay_unless_withdrawn(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="甲"), valid_row(2, name="乙")]))
    confirm(contact)
    upload(contact, roster(baiguan, [valid_row(1, name="甲")]))
    assert last_upload().summary["missing"] == 1
    confirm(contact)
    assert [a.status for a in applicants()] == ["pending", "pending"]
    upload(contact, roster(baiguan, [valid_row(1, name="甲")]))
    confirm(contact, withdraw=True)
    assert {a.name: a.status for a in applicants()} == {"甲": "pending", "乙": "withdrawn"}


def test_a_withdrawn_row_uploaded_again_is_submitted_again(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    confirm(contact)
    Applicant.update(status=workflow.WITHDRAWN).execute()
    upload(contact, roster(baiguan, [valid_row(1)]))
    assert first_row().outcome == outcomes.CHANGED
    confirm(contact)
    assert applicants()[0].status == workflow.PENDING


def test_the_same_person_from_two_bodies_is_flagged_on_both(client, baiguan):
    caoe = Org.get(Org.name == "曹娥街道")
    client.login("caoe")
    upload(client, roster(caoe, [valid_row(1)]))
    confirm(client)
    client.logout()
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1)]))
    findings = first_row().findings
    assert [f["rule"] for f in findings] == ["duplicate.other_body"]
    confirm(client)
    client.logout()
    client.login("officer")
    html = client.get("/review").get_data(as_text=True)
    assert html.count("同一身份证号码也由") == 2
    assert "也由曹娥街道报送" in html and "也由百官街道报送" in html


def test_a_contact_is_refused_after_the_deadline_with_the_date(contact, baiguan):
    batch = Batch.current()
    settings = dict(batch.settings, upload_deadline="2024-09-05")
    Batch.update(settings=settings).execute()
    upload(contact, roster(baiguan, [valid_row(1)]))
    saved = last_upload()
    assert saved.status == Upload.REFUSED
    assert "本批次报送截止日期为2024年9月5日" in saved.message
    assert applicants() == []


def test_an_extension_lets_a_late_body_upload(contact, baiguan):
    batch = Batch.current()
    Batch.update(settings=dict(batch.settings, upload_deadline="2024-09-05")).execute()
    Extension.create(batch=batch, org=baiguan, until=dt.date.today())
    upload(contact, roster(baiguan, [valid_row(1)]))
    assert last_upload().status == Upload.PREVIEW


def test_the_officer_imports_on_a_bodys_behalf_after_the_deadline(client, baiguan):
    batch = Batch.current()
    Batch.update(settings=dict(batch.settings, upload_deadline="2024-09-05")).execute()
    client.login("officer")
    upload(client, roster(baiguan, [valid_row(1)]), org=baiguan.id)
    confirm(client)
    a = applicants()[0]
    assert a.org_id == baiguan.id and last_upload().user.username == "officer"


def test_another_bodys_template_is_refused(contact, baiguan):
    caoe = Org.get(Org.name == "曹娥街道")
    upload(contact, roster(caoe, [valid_row(1)]))
    assert "这是“曹娥街道”的模板，不能作为“百官街道”的花名册上传" in last_upload().message
    assert applicants() == []


def _with_token(data: bytes, token: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["_meta"]["A1"] = token
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_tampered_template_is_refused(contact, baiguan):
    data = roster(baiguan, [valid_row(1)])
    payload = {"template": "roster-2024", "batch": 2024, "org": baiguan.id, "org_name": baiguan.name}
    forged = _with_token(data, make_token(payload, b"another server's key"))
    upload(contact, forged)
    assert "模板标识校验不通过" in last_upload().message


def test_another_years_template_is_refused(contact, baiguan, app):
    data = roster(baiguan, [valid_row(1)])
    payload = {"template": "roster-2023", "batch": 2023, "org": baiguan.id, "org_name": baiguan.name}
    old = _with_token(data, make_token(payload, app.config["SECRET_KEY"].encode()))
    upload(contact, old)
    assert "这是2023年度的模板" in last_upload().message


def test_a_contacts_own_sheet_without_template_metadata_is_accepted(contact, baiguan):
    data = roster(baiguan, [valid_row(1)], token=False)
    upload(contact, data)
    assert last_upload().summary["new"] == 1


def test_every_upload_is_kept_with_its_bytes_and_hash(contact, baiguan):
    data = b"%PDF-1.7 this is not a roster"
    upload(contact, data, name="花名册.pdf")
    saved = last_upload()
    assert bytes(saved.content) == data and saved.size == len(data)
    assert saved.sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert saved.user.username == "baiguan" and saved.filename == "花名册.pdf"
    with contact.get(f"/uploads/{saved.id}/file") as response:
        assert response.data == data
    listing = contact.get("/uploads").get_data(as_text=True)
    assert "花名册.pdf" in listing and "被拒收" in listing


def test_a_refused_file_shows_why_and_changes_nothing(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    confirm(contact)
    before = [(a.id, a.version, a.data) for a in applicants()]
    response = upload(contact, b"\x00\x01garbage", name="x.xlsx")
    page = contact.get(response.headers["Location"]).get_data(as_text=True)
    assert "文件未导入，系统中的数据没有任何变化" in page
    assert [(a.id, a.version, a.data) for a in applicants()] == before


def test_marked_copy_shows_faulty_cells_and_a_fixed_copy_uploads_cleanly(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1), valid_row(2, sex="女")]))
    with contact.get(f"/uploads/{last_upload().id}/marked.xlsx") as response:
        assert "%E9%94%99%E8%AF%AF%E6%A0%87%E6%B3%A8" in response.headers["Content-Disposition"]  # 错误标注
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb["申报人员"]
    headers = {str(c.value).lstrip("*"): c.column for c in ws[2] if c.value}
    sex = ws.cell(row=4, column=headers["性别"])
    assert sex.value == "女" and sex.comment is not None and "身份证" in sex.comment.text
    assert sex.fill.fgColor.rgb.endswith("C7CE") or sex.fill.fill_type == "solid"
    assert "性别" in str(ws.cell(row=4, column=headers["错误说明"]).value)
    sex.value = "男"
    fixed = io.BytesIO()
    wb.save(fixed)
    upload(contact, fixed.getvalue())
    summary = last_upload().summary
    assert (summary["new"], summary["error"]) == (2, 0)


def test_contact_import_and_cli_json_agree(contact, baiguan, runner, tmp_path):
    import json

    data = roster(baiguan, [valid_row(1, ce_2022=10), valid_row(2, sex="女")])
    upload(contact, data)
    web = [(r.row, f["column"], f["message"]) for r in last_upload().rows for f in r.findings or []]
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    report = json.loads(runner.invoke(args=["import", str(path), "--org", "百官街道", "--dry-run", "--json"]).output)
    headers = {c.key: c.header for c in Batch.current().schema.columns}
    cli = [(f["row"], f["column"], f["message"]) for f in report["errors"] + report["warnings"]]
    assert sorted(cli) == sorted((row, headers[col], msg) for row, col, msg in web)
    assert len(web) == 2


def test_confirmation_records_who_confirmed_and_what_was_done(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    confirm(contact)
    saved = last_upload()
    assert saved.decided_by.username == "baiguan"
    assert saved.summary["committed"] == {"new": 1, "updated": 0, "withdrawn": 0, "already": 0, "skipped": []}


def test_a_crash_while_reading_refuses_the_file_keeps_it_and_writes_no_rows(contact, baiguan, monkeypatch):
    from zcweb.roster.normalize import RowCleaner

    calls = []

    def fail_on_third_row(self, cells, original=RowCleaner.clean):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("a bug")
        return original(self, cells)

    monkeypatch.setattr(RowCleaner, "clean", fail_on_third_row)
    response = upload(contact, roster(baiguan, [valid_row(i) for i in range(1, 5)]))
    assert response.status_code == 303
    kept = last_upload()
    assert kept.status == Upload.REFUSED and "系统出错，文件未导入" in kept.message
    assert kept.rows.count() == 0 and applicants() == []


def test_a_crash_while_confirming_leaves_no_half_written_rows(contact, baiguan, monkeypatch, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production: the 500 page
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000001")]))
    confirm(contact)
    upload(contact, roster(baiguan, [valid_row(1, phone="13800000002"), valid_row(2)]))

    def crash(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(confirmation, "insert_new_rows", crash)  # after the changed row was updated
    response = contact.post(f"/uploads/{last_upload().id}/confirm")
    assert response.status_code == 500
    assert "您的数据未被修改" in response.get_data(as_text=True)
    [a] = applicants()
    assert (a.data["phone"], a.version) == ("13800000001", 1)
    assert last_upload().status == Upload.PREVIEW


def test_imported_and_updated_rows_keep_level_specialty_route_and_employer_in_columns(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, route="破格", self_score=125)]))
    confirm(contact)
    a = applicants()[0]
    assert (a.level, a.specialty, a.route, a.employer, a.org_order) == (
        "高级工程师", "石油和化学工程", "破格", "浙江上虞示例化工有限公司", baiguan.sort_order)
    upload(contact, roster(baiguan, [valid_row(1, specialty="材料", employer="上虞新材料有限公司")]))
    confirm(contact)
    a = applicants()[0]
    assert (a.specialty, a.route, a.employer) == ("材料", "正常", "上虞新材料有限公司")
    assert Applicant.select().where(Applicant.specialty == "材料").count() == 1


def test_a_returned_row_uploaded_unchanged_stays_returned(contact, baiguan):
    data = roster(baiguan, [valid_row(1, ce_2023=60)])
    upload(contact, data)
    confirm(contact)
    Applicant.update(status=workflow.RETURNED, reason="继续教育学时不足").execute()
    upload(contact, data)
    assert first_row().outcome == outcomes.UNCHANGED and last_upload().summary["changed"] == 0
    page = contact.get(f"/uploads/{last_upload().id}").get_data(as_text=True)
    assert "退回后未修改" in page
    confirm(contact)
    a = applicants()[0]
    assert (a.status, a.reason, a.version) == (workflow.RETURNED, "继续教育学时不足", 1)


def test_counts_say_people_imported_and_rows_left_out(contact, baiguan):
    rows = [valid_row(i, name=f"人{i}") for i in range(1, 6)] + [valid_row(6, name="坏", specialty="信息技术")]
    upload(contact, roster(baiguan, rows))
    assert "6行，1行有错" in contact.get("/uploads").get_data(as_text=True)  # not yet confirmed
    message = confirm(contact).get_data(as_text=True)
    assert "已导入5人，1行有错未导入（新增5人，修改0人）。" in message
    for page in (contact.get("/uploads").get_data(as_text=True), contact.get("/").get_data(as_text=True)):
        assert "<td>已导入5人，1行有错未导入</td>" in page and "6行" not in page


def test_a_file_past_the_memory_budget_is_spooled_and_stored_the_same(contact, baiguan, monkeypatch):
    """The analysis keeps the first records in memory and spools the rest
    to a file: rows from both are stored, in file order, and a person held
    twice across the two is an error on both rows."""
    monkeypatch.setattr(preview, "CHUNK", 2)
    monkeypatch.setattr(preview, "KEPT_IN_MEMORY", 1)  # the first chunk in memory, the rest spooled
    rows = [valid_row(i) for i in range(1, 6)] + [valid_row(1, phone="13900000001")]
    upload(contact, roster(baiguan, rows))
    stored = list(UploadRow.select().where(UploadRow.upload == last_upload()).order_by(UploadRow.row))
    assert [r.values["name"] for r in stored] == ["测试1", "测试2", "测试3", "测试4", "测试5", "测试1"]
    assert [r.outcome for r in stored] == [outcomes.ERRORS] + [outcomes.NEW] * 4 + [outcomes.ERRORS]
    confirm(contact)
    assert sorted(a.name for a in applicants()) == ["测试2", "测试3", "测试4", "测试5"]
