"""Every POST needs the CSRF token; htmx sends it as a header."""

from zcweb.models import Applicant, Batch, Org
from zcweb.roster import workflow

from tests.helpers import valid_row


def _applicant():
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "百官街道"),
                            id_number=valid_row()["id_number"], name="测试1", data=valid_row())


def test_post_without_token_is_refused_and_changes_nothing(client, ctx):
    a = _applicant()
    client.login("officer")
    response = client.post(f"/applicants/{a.id}/decide", data={"action": "approve"}, csrf=False)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert Applicant.get_by_id(a.id).status == workflow.PENDING


def test_login_without_token_is_refused(client):
    response = client.post("/login", data={"username": "officer", "password": "secret-pass"}, csrf=False)
    assert response.status_code == 400


def test_htmx_request_with_token_header_is_accepted(client, ctx):
    a = _applicant()
    client.login("officer")
    token = client.csrf_token()
    response = client.post(f"/applicants/{a.id}/decide", data={"action": "approve", "version": 1},
                           headers={"HX-Request": "true", "X-CSRFToken": token}, csrf=False)
    assert response.status_code == 200
    assert Applicant.get_by_id(a.id).status == workflow.APPROVED
