"""Correcting a faulty cell in an upload's preview (在线更正): the row is
checked again with the import's rules, the counts follow, the file stays
as uploaded and confirming imports the corrected value."""

from __future__ import annotations

import hashlib
import io
from html.parser import HTMLParser

import openpyxl

from zcweb.models import Applicant, Batch, Event, PreviewEdit, UploadRow

from tests.helpers import applicants, last_upload, make_id, roster, upload, valid_row

BAD_ID = "330604198506121234"  # wrong check digit


def row(number: int) -> UploadRow:
    return UploadRow.get((UploadRow.upload == last_upload()) & (UploadRow.row == number))


def number_of(name: str) -> int:
    return UploadRow.get((UploadRow.upload == last_upload()) & (UploadRow.name == name)).row


def fix(client, number: int, column: str, value: str, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/uploads/{last_upload().id}/rows/{number}", data={"column": column, "value": value},
                       headers=headers)


def test_a_corrected_identity_number_makes_the_row_importable(contact, baiguan):
    good = valid_row(2, name="李四")
    upload(contact, roster(baiguan, [valid_row(1, name="张三"), dict(good, id_number=BAD_ID)]))
    before = last_upload()
    original = bytes(before.content)
    assert before.summary["error"] == 1 and before.summary["new"] == 1
    number = number_of("李四")
    assert "校验" in str(row(number).findings) or row(number).has_error

    opened = contact.get(f"/uploads/{before.id}/rows/{number}/edit?column=id_number", headers={"HX-Request": "true"})
    html = opened.get_data(as_text=True)
    assert f'value="{BAD_ID}"' in html and 'class="cell-edit"' in html

    response = fix(contact, number, "id_number", good["id_number"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="row-{number}"' in html and "新增" in html
    assert 'id="preview-counts" hx-swap-oob="true"' in html and "确认导入（2人）" in html
    assert "在线更正记录" in html
    after = last_upload()
    assert after.summary["error"] == 0 and after.summary["new"] == 2
    assert bytes(after.content) == original and after.sha256 == hashlib.sha256(original).hexdigest()
    edit = PreviewEdit.get()
    assert (edit.row, edit.column, edit.old_value, edit.new_value) == (number, "id_number", BAD_ID,
                                                                        good["id_number"])
    assert edit.user.username == "baiguan"

    contact.post(f"/uploads/{after.id}/confirm")
    li = Applicant.get(Applicant.name == "李四")
    assert li.id_number == good["id_number"] and li.data["id_number"] == good["id_number"]
    event = Event.get((Event.applicant == li) & (Event.action == "applicant.corrected"))
    assert "浏览器中的更正" in event.detail and event.after == {"id_number": good["id_number"]}
    page = contact.get(f"/uploads/{after.id}").get_data(as_text=True)
    assert "在线更正记录" in page and "更正</a>" not in page  # read only once confirmed


def test_a_bad_correction_gets_the_imports_message(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, id_number=BAD_ID)]))
    html = fix(contact, 3, "id_number", "3306041985061212").get_data(as_text=True)
    assert "15位" in html or "位数" in html or "18位" in html
    assert last_upload().summary["error"] == 1


def test_correcting_a_duplicate_clears_it_on_both_rows(contact, baiguan):
    same = valid_row(1)
    upload(contact, roster(baiguan, [dict(same, name="甲"), dict(same, name="乙"), valid_row(3, name="丙")]))
    assert last_upload().summary["error"] == 2
    a, b = number_of("甲"), number_of("乙")
    assert "重复" in str(row(a).findings)
    html = fix(contact, b, "id_number", make_id("19850612", 111)).get_data(as_text=True)
    # The other row of the pair changed too: it comes back out of band.
    assert f'id="row-{a}" class="c-new" hx-swap-oob="true"' in html
    assert not row(a).has_error and not row(b).has_error
    assert last_upload().summary["error"] == 0 and last_upload().summary["new"] == 3


def test_correcting_into_a_duplicate_flags_both_rows(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="甲"), valid_row(2, name="乙")]))
    fix(contact, number_of("乙"), "id_number", valid_row(1)["id_number"])
    assert row(number_of("甲")).has_error and row(number_of("乙")).has_error
    assert last_upload().summary["error"] == 2 and last_upload().summary["new"] == 0


def test_a_stale_preview_refuses_the_correction(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="张三"), valid_row(2, id_number=BAD_ID)]))
    number = number_of("测试2")
    contact.post(f"/uploads/{last_upload().id}/confirm")
    response = fix(contact, number, "id_number", valid_row(2)["id_number"])
    assert response.status_code == 409
    assert "已于" in response.get_data(as_text=True) and "确认导入" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#edit-message"
    assert PreviewEdit.select().count() == 0
    # Without JavaScript: a message on the page.
    plain = fix(contact, number, "id_number", valid_row(2)["id_number"], htmx=False)
    assert plain.status_code == 303


def test_a_contact_cannot_correct_after_the_deadline_but_the_officer_can(client, baiguan):
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1, id_number=BAD_ID)]))
    batch = Batch.current()
    Batch.update(settings=dict(batch.settings, upload_deadline="2024-09-05")).execute()
    assert "更正</a>" not in client.get(f"/uploads/{last_upload().id}").get_data(as_text=True)
    refused = fix(client, 3, "id_number", valid_row(1)["id_number"])
    assert refused.status_code == 409 and "截止日期" in refused.get_data(as_text=True)
    client.logout()
    client.login("officer")
    assert fix(client, 3, "id_number", valid_row(1)["id_number"]).status_code == 200
    assert not row(3).has_error


def test_a_contact_cannot_correct_another_bodys_preview(client, baiguan):
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1, id_number=BAD_ID)]))
    client.logout()
    client.login("caoe")
    assert fix(client, 3, "id_number", valid_row(1)["id_number"]).status_code == 404
    assert row(3).has_error


def test_correcting_needs_the_csrf_token(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, id_number=BAD_ID)]))
    response = contact.post(f"/uploads/{last_upload().id}/rows/3", data={"column": "id_number", "value": "x"},
                            csrf=False)
    assert response.status_code == 400 and PreviewEdit.select().count() == 0


def test_without_javascript_the_cell_opens_in_the_full_page(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, sex="女")]))
    html = contact.get(f"/uploads/{last_upload().id}/rows/3/edit?column=sex").get_data(as_text=True)
    assert "<html" in html and 'class="cell-edit"' in html and "<option selected>女</option>" in html
    response = fix(contact, 3, "sex", "男", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#row-3")  # back to the corrected row
    assert not row(3).has_error and applicants() == []


def test_the_marked_copy_carries_the_corrections(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="张三", sex="女"), valid_row(2, id_number=BAD_ID)]))
    fix(contact, 3, "sex", "男")
    book = openpyxl.load_workbook(io.BytesIO(contact.get(f"/uploads/{last_upload().id}/marked.xlsx").data))
    sheet = book["申报人员"]
    headers = {str(c.value).lstrip("*"): c.column for c in sheet[2] if c.value}
    assert sheet.cell(row=3, column=headers["性别"]).value == "男"
    assert sheet.cell(row=3, column=headers["性别"]).comment is None
    assert sheet.cell(row=4, column=headers["身份证号"]).comment is not None


# ---------------------------------------------------------------- the preview's layout


class _Row(HTMLParser):
    """The cells of one preview row: attributes, text, and the text and
    attributes of the links and divs inside each."""

    def __init__(self, number: int):
        super().__init__()
        self.row_id, self.inside, self.cells, self.open = f"row-{number}", False, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.inside = attrs.get("id") == self.row_id
        elif self.inside and tag == "td":
            self.cells.append({"attrs": attrs, "text": "", "parts": []})
        elif self.inside and self.cells and tag in ("a", "div"):
            self.open.append({"tag": tag, "attrs": attrs, "text": ""})
            self.cells[-1]["parts"].append(self.open[-1])

    def handle_endtag(self, tag):
        if tag == "tr":
            self.inside = False
        elif tag in ("a", "div") and self.inside and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.inside and self.cells:
            self.cells[-1]["text"] += data
            for part in self.open:
                part["text"] += data


def cells_of(html: str, number: int) -> list[dict]:
    parser = _Row(number)
    parser.feed(html)
    return parser.cells


def words(text: str) -> str:
    return " ".join(text.split())


def test_row_number_name_and_result_come_first_and_stay_in_view(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="张三", specialty="材料工程")]))
    cells = cells_of(contact.get(f"/uploads/{last_upload().id}").get_data(as_text=True), 3)
    assert [c["attrs"]["class"].split()[-1] for c in cells[:3]] == ["f-num", "f-name", "f-result"]
    assert [words(c["text"]) for c in cells[:2]] == ["3", "张三"]
    # "见：申报专业" is a link to the faulty cell.
    [link] = [p for p in cells[2]["parts"] if p["attrs"].get("class") == "see-cell"]
    assert (link["text"], link["attrs"]["href"]) == ("申报专业", "#cell-3-specialty")
    [target] = [c for c in cells if c["attrs"].get("id") == "cell-3-specialty"]
    assert "材料工程" in target["text"] and "cell-error" in target["attrs"]["class"]


def test_what_changed_is_shown_beside_the_name(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, name="张三")]))
    contact.post(f"/uploads/{last_upload().id}/confirm")
    upload(contact, roster(baiguan, [valid_row(1, name="张三", specialty="材料")]))
    cells = cells_of(contact.get(f"/uploads/{last_upload().id}").get_data(as_text=True), 3)
    changes = [words(p["text"]) for p in cells[2]["parts"] if p["attrs"].get("class") == "change"]
    assert changes == ["申报专业：石油和化学工程 → 材料"]


def test_a_choice_column_is_corrected_from_the_batchs_values(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, specialty="材料工程")]))
    html = contact.get(f"/uploads/{last_upload().id}/rows/3/edit?column=specialty",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<input name="value"' not in html
    options = [" ".join(o.split()) for o in html.split("<select name=\"value\"")[1].split("</select>")[0]
               .replace("<option selected>", "<option>").split("<option")[1:]]
    assert options == ['value="" selected>请选择（原值：材料工程）</option>', ">能源</option>", ">材料</option>",
                       ">轻纺</option>", ">石油和化学工程</option>"]
    fix(contact, 3, "specialty", "材料")
    assert not row(3).has_error


def test_a_free_text_column_is_corrected_in_a_text_box(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1, id_number=BAD_ID)]))
    html = contact.get(f"/uploads/{last_upload().id}/rows/3/edit?column=id_number",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'<input name="value" value="{BAD_ID}"' in html and "<select" not in html
