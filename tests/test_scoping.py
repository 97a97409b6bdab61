"""A contact sees and changes only their own body's rows and files."""

import pytest

from zcweb.models import Applicant, Batch, Org, Upload
from zcweb.roster import workflow

from tests.helpers import valid_row


@pytest.fixture
def rows(ctx):
    batch = Batch.current()
    made = {}
    for i, org_name in enumerate(("百官街道", "曹娥街道")):
        row = valid_row(i, name=f"{org_name[:2]}申报人")
        made[org_name] = Applicant.create(batch=batch, org=Org.get(Org.name == org_name),
                                          id_number=row["id_number"], name=row["name"], data=row)
    return made


def test_contact_home_lists_only_own_rows(client, rows):
    client.login("baiguan")
    html = client.get("/").get_data(as_text=True)
    assert "百官申报人" in html
    assert "曹娥申报人" not in html


def test_contact_cannot_open_another_bodys_row(client, rows):
    client.login("baiguan")
    assert client.get(f"/applicants/{rows['曹娥街道'].id}").status_code == 404
    assert client.get(f"/applicants/{rows['百官街道'].id}").status_code == 200


def test_contact_cannot_change_another_bodys_row(client, rows):
    client.login("baiguan")
    other = rows["曹娥街道"]
    response = client.post(f"/applicants/{other.id}/decide", data={"action": "withdraw"})
    assert response.status_code == 404
    assert Applicant.get_by_id(other.id).status == workflow.PENDING


def test_contact_cannot_decide_like_an_officer(client, rows):
    client.login("baiguan")
    own = rows["百官街道"]
    client.post(f"/applicants/{own.id}/decide", data={"action": "approve"})
    assert Applicant.get_by_id(own.id).status == workflow.PENDING


def test_contact_may_withdraw_own_pending_row_after_confirming(client, rows):
    client.login("baiguan")
    own = rows["百官街道"]
    asked = client.post(f"/applicants/{own.id}/decide", data={"action": "withdraw", "version": 1})
    assert "确定撤回" in asked.get_data(as_text=True) and 'name="confirmed"' in asked.get_data(as_text=True)
    assert Applicant.get_by_id(own.id).status == workflow.PENDING
    client.post(f"/applicants/{own.id}/decide", data={"action": "withdraw", "version": 1, "confirmed": "1"})
    assert Applicant.get_by_id(own.id).status == workflow.WITHDRAWN


@pytest.mark.parametrize("path", ["/review", "/exports/recommended.xlsx", "/exports/all.xlsx",
                                  "/templates.zip", "/admin/orgs", "/admin/users", "/admin/batch",
                                  "/admin/events"])
def test_officer_pages_are_forbidden_to_contacts(client, rows, path):
    client.login("baiguan")
    assert client.get(path).status_code == 403


def test_contact_cannot_see_another_bodys_upload(client, rows):
    upload = Upload.create(batch=Batch.current(), org=Org.get(Org.name == "曹娥街道"), filename="x.xlsx",
                           size=1, sha256="0" * 64, content=b"x", status=Upload.REFUSED)
    client.login("baiguan")
    assert client.get(f"/uploads/{upload.id}").status_code == 404
    assert client.get(f"/uploads/{upload.id}/file").status_code == 404
    assert "x.xlsx" not in client.get("/uploads").get_data(as_text=True)


def test_contact_template_is_always_their_own_body(client, rows):
    client.login("baiguan")
    caoe = Org.get(Org.name == "曹娥街道")
    response = client.get(f"/template.xlsx?org={caoe.id}")
    assert "%E7%99%BE%E5%AE%98" in response.headers["Content-Disposition"]  # 百官


def test_identity_numbers_are_masked_for_contacts_and_full_for_officer(client, rows):
    number = rows["百官街道"].id_number
    client.login("baiguan")
    html = client.get("/").get_data(as_text=True)
    assert number not in html
    assert number[:6] + "********" + number[-4:] in html
    client.logout()
    client.login("officer")
    listing = client.get("/review").get_data(as_text=True)
    assert number not in listing
    detail = client.get(f"/applicants/{rows['百官街道'].id}").get_data(as_text=True)
    assert number in detail
