"""The officer's inline actions on rows, paper forms, finalising."""

import pytest

from zcweb.models import Applicant, Batch, Event, Org, Upload
from zcweb.roster import workflow

from tests.helpers import upload, valid_row

HX = {"HX-Request": "true"}


@pytest.fixture
def row(ctx):
    data = valid_row(1, name="王工")
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "百官街道"),
                            id_number=data["id_number"], name="王工", data=data)


@pytest.fixture
def officer(client):
    client.login("officer")
    return client


def test_review_lists_rows_of_all_bodies(officer, row, ctx):
    data = valid_row(2, name="曹工")
    Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "曹娥街道"),
                     id_number=data["id_number"], name="曹工", data=data)
    html = officer.get("/review").get_data(as_text=True)
    assert "王工" in html and "曹工" in html
    assert "共 2 人" in html


def test_review_search_by_name_returns_only_the_results_block_to_htmx(officer, row):
    response = officer.get("/review?q=王", headers=HX)
    html = response.get_data(as_text=True)
    assert "王工" in html
    assert "<html" not in html and "共 1 人" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "没有符合条件的人员" in officer.get("/review?q=李", headers=HX).get_data(as_text=True)


def test_approve_inline_returns_only_the_new_row(officer, row):
    response = officer.post(f"/applicants/{row.id}/decide", data={"action": "approve", "version": 1}, headers=HX)
    html = response.get_data(as_text=True)
    assert html.strip().startswith(f'<tr id="a{row.id}"')
    assert "拟推荐" in html
    saved = Applicant.get_by_id(row.id)
    assert saved.status == workflow.APPROVED
    assert saved.reviewer.username == "officer" and saved.reviewed_at is not None
    event = Event.get(Event.action == "applicant.approve")
    assert event.before == {"status": "pending", "reason": None}
    assert event.after["status"] == "approved"


def test_return_asks_for_a_reason_in_the_row(officer, row):
    form = officer.get(f"/applicants/{row.id}/decide?action=return&version=1", headers=HX).get_data(as_text=True)
    assert 'name="reason"' in form and "确定退回" in form
    refused = officer.post(f"/applicants/{row.id}/decide", data={"action": "return", "version": 1}, headers=HX)
    assert "退回修改须填写原因" in refused.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).status == workflow.PENDING
    officer.post(f"/applicants/{row.id}/decide",
                 data={"action": "return", "version": 1, "reason": "继续教育学时不足"}, headers=HX)
    saved = Applicant.get_by_id(row.id)
    assert (saved.status, saved.reason) == (workflow.RETURNED, "继续教育学时不足")


def test_reject_needs_a_reason_and_works_as_a_plain_form_post(officer, row):
    response = officer.post(f"/applicants/{row.id}/decide",
                            data={"action": "reject", "version": 1, "reason": "重复申报"})
    assert response.status_code == 303
    assert Applicant.get_by_id(row.id).status == workflow.REJECTED


def test_a_stale_version_is_refused_not_overwritten(officer, row):
    officer.post(f"/applicants/{row.id}/decide", data={"action": "approve", "version": 1}, headers=HX)
    stale = officer.post(f"/applicants/{row.id}/decide",
                         data={"action": "reject", "version": 1, "reason": "重复申报"}, headers=HX)
    assert "该记录已被裘晶晶于" in stale.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).status == workflow.APPROVED


def test_paper_copies_are_recorded_between_zero_and_three(officer, row):
    officer.post(f"/applicants/{row.id}/copies", data={"copies": 3, "version": 1}, headers=HX)
    assert Applicant.get_by_id(row.id).copies == 3
    refused = officer.post(f"/applicants/{row.id}/copies", data={"copies": 4, "version": 2}, headers=HX)
    assert "份数应在0到3之间" in refused.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).copies == 3


def test_contact_sees_status_and_reason(client, row):
    client.login("officer")
    client.post(f"/applicants/{row.id}/decide",
                data={"action": "return", "version": 1, "reason": "现职称年限不足"})
    client.logout()
    client.login("baiguan")
    html = client.get("/").get_data(as_text=True)
    assert "退回修改" in html and "现职称年限不足" in html


def test_finalise_marks_approved_rows_recommended_and_closes_uploads(officer, row, ctx):
    officer.post(f"/applicants/{row.id}/decide", data={"action": "approve", "version": 1})
    officer.post("/review/finalise", data={"acknowledged": "1"})
    assert Applicant.get_by_id(row.id).status == workflow.RECOMMENDED
    batch = Batch.current()
    assert batch.finalised_at is not None and not batch.is_open
    response = upload(officer, b"x", name="a.csv", org=row.org_id)
    kept = Upload.select().order_by(Upload.id.desc()).first()
    assert kept.status == Upload.REFUSED and "定稿上报" in kept.message
    assert response.status_code == 303


def test_review_filters_by_level_and_pages_in_the_database(officer, row, app, ctx):
    batch, org = Batch.current(), Org.get(Org.name == "曹娥街道")
    for i in range(2, 5):
        data = valid_row(i, name=f"正高{i}", level="正高级工程师", specialty="信息技术", current_title="高级工程师")
        Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=data["name"], data=data)
    html = officer.get("/review?level=正高级工程师", headers=HX).get_data(as_text=True)
    assert "共 3 人" in html and "王工" not in html
    app.config["PAGE_SIZE"] = 2
    second = officer.get("/review?page=2", headers=HX).get_data(as_text=True)
    assert "共 4 人，第 2/2 页" in second
    assert second.count('<tr id="a') == 2
