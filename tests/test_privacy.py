"""A contact never learns which other body submitted the same person; the
officer does."""

from __future__ import annotations

import io

import openpyxl
import pytest

from zcweb.models import Applicant, Org, Upload, UploadRow

from tests.helpers import roster, upload, valid_row

GENERIC = "该身份证号码已由其他单位报送"


def workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                texts.append(str(c.value or ""))
                if c.comment:
                    texts.append(c.comment.text)
    return "\n".join(texts)


@pytest.fixture
def shared_person(client, ctx):
    """曹娥街道 has imported two people; 百官街道 uploads the first of them
    (and a row with an error, so that the marked copy has something to mark)."""
    client.login("caoe")
    assert upload(client, roster(Org.get(Org.name == "曹娥街道"), [valid_row(1), valid_row(3)])).status_code == 303
    client.post(f"/uploads/{Upload.select().order_by(Upload.id.desc()).first().id}/confirm")
    client.logout()
    client.login("baiguan")
    rows = [valid_row(1), valid_row(2, sex="女")]
    upload(client, roster(Org.get(Org.name == "百官街道"), rows))
    return Upload.select().order_by(Upload.id.desc()).first()


def test_contacts_preview_and_marked_copy_do_not_name_the_other_body(client, shared_person):
    html = client.get(f"/uploads/{shared_person.id}").get_data(as_text=True)
    assert GENERIC in html
    assert "曹娥" not in html
    marked = client.get(f"/uploads/{shared_person.id}/marked.xlsx")
    assert marked.status_code == 200
    text = workbook_text(marked.data)
    assert "提示：" + GENERIC in text
    assert "曹娥" not in text


def test_a_contacts_correction_in_the_preview_does_not_name_the_other_body(client, shared_person):
    number = UploadRow.get((UploadRow.upload == shared_person) & (UploadRow.name == "测试2")).row
    response = client.post(f"/uploads/{shared_person.id}/rows/{number}", headers={"HX-Request": "true"},
                           data={"column": "id_number", "value": valid_row(3)["id_number"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and GENERIC in html
    assert "曹娥" not in html


def test_contacts_pages_and_download_after_import_do_not_name_the_other_body(client, shared_person):
    client.post(f"/uploads/{shared_person.id}/confirm")
    mine = Applicant.select().join(Org).where(Org.name == "百官街道").get()
    home = client.get("/").get_data(as_text=True)
    detail = client.get(f"/applicants/{mine.id}").get_data(as_text=True)
    row = client.get(f"/applicants/{mine.id}/decide", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "其他单位报送" in home and "其他单位报送" in detail and "其他单位报送" in row
    for html in (home, detail, row, workbook_text(client.get("/my-rows.xlsx").data)):
        assert "曹娥" not in html


def test_officer_sees_which_body_in_the_preview_and_the_review(client, shared_person):
    client.post(f"/uploads/{shared_person.id}/confirm")
    client.logout()
    client.login("officer")
    preview = client.get(f"/uploads/{shared_person.id}").get_data(as_text=True)
    assert "该身份证号码已由曹娥街道报送" in preview
    review = client.get("/review").get_data(as_text=True)
    assert "也由曹娥街道报送" in review and "也由百官街道报送" in review
