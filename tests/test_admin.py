"""The officer manages bodies, accounts and the batch in the browser."""

import io
import re

import openpyxl
import pytest

from zcweb.models import Applicant, Batch, Event, Org, User

from tests.helpers import valid_row


@pytest.fixture
def officer(client, ctx):
    client.login("officer")
    return client


def test_add_a_body(officer):
    officer.post("/admin/orgs", data={"name": "杭州湾上虞经济技术开发区", "kind": "其他", "sort_order": 3})
    assert Org.get(Org.name == "杭州湾上虞经济技术开发区").kind == "其他"
    again = officer.post("/admin/orgs", data={"name": "百官街道", "kind": "街道"}, follow_redirects=True)
    assert "已有名为“百官街道”的报送单位" in again.get_data(as_text=True)


def test_renaming_a_body_keeps_the_old_name_as_alias(officer):
    org = Org.get(Org.name == "百官街道")
    officer.post(f"/admin/orgs/{org.id}", data={"name": "百官新街道", "kind": "街道", "aliases": "", "sort_order": 1})
    renamed = Org.get_by_id(org.id)
    assert renamed.name == "百官新街道" and "百官街道" in renamed.aliases
    assert Org.by_name("百官街道").id == org.id


def test_disabled_body_locks_its_contacts_out(officer, client):
    org = Org.get(Org.name == "曹娥街道")
    officer.post(f"/admin/orgs/{org.id}", data={"active": "0"})
    assert not Org.get_by_id(org.id).active
    officer.logout()
    response = client.post("/login", data={"username": "caoe", "password": "secret-pass"})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_new_contact_gets_a_password_shown_once(officer, client):
    org = Org.get(Org.name == "百官街道")
    html = officer.post("/admin/users", data={"username": "bg2", "display_name": "小王", "role": "contact",
                                              "org": org.id}).get_data(as_text=True)
    password = re.search(r'<p class="password">(\w+)</p>', html).group(1)
    assert "只显示这一次" in html
    user = User.get(User.username == "bg2")
    assert user.check_password(password) and user.must_change_password and user.org_id == org.id
    assert password not in officer.get("/admin/users").get_data(as_text=True)


def test_contact_needs_a_body(officer):
    response = officer.post("/admin/users", data={"username": "nobody", "role": "contact"}, follow_redirects=True)
    assert "联络员须属于一个报送单位" in response.get_data(as_text=True)
    assert User.get_or_none(User.username == "nobody") is None


def test_reset_password(officer):
    user = User.get(User.username == "baiguan")
    html = officer.post(f"/admin/users/{user.id}", data={"action": "reset"}).get_data(as_text=True)
    password = re.search(r'<p class="password">(\w+)</p>', html).group(1)
    assert User.get_by_id(user.id).check_password(password)
    assert Event.get(Event.action == "user.password_reset").detail == "baiguan"


def test_disable_a_user_but_not_oneself(officer):
    user = User.get(User.username == "baiguan")
    officer.post(f"/admin/users/{user.id}", data={"action": "disable"})
    assert not User.get_by_id(user.id).active
    me = User.get(User.username == "officer")
    response = officer.post(f"/admin/users/{me.id}", data={"action": "disable"}, follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    assert User.get_by_id(me.id).active


def log_rows(html: str) -> list[list[str]]:
    """The log table's rows as the cells' text."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def logged(officer):
    """A login (by the fixture), an approval of 王工 and one of 李工 a day earlier."""
    officer_user = User.get(User.username == "officer")
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    for i, (name, day) in enumerate([("王工", "2030-03-02 10:00:00"), ("李工", "2030-03-01 09:00:00")]):
        data = valid_row(i + 1, name=name)
        a = Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=name, data=data)
        Event.create(user=officer_user, action="applicant.approve", batch=batch, org=org, applicant=a,
                     detail=f"{name}：待审核 → 拟推荐", at=day)
    return officer


def test_audit_log_speaks_chinese(logged):
    rows = log_rows(logged.get("/admin/events").get_data(as_text=True))
    assert [r[2] for r in rows[:3]] == ["拟推荐", "拟推荐", "登录"]
    assert not any("." in r[2] for r in rows)


@pytest.mark.parametrize("query, expected", [
    ("action=applicant.approve", ["李工：待审核 → 拟推荐", "王工：待审核 → 拟推荐"]),  # newest recorded first
    ("action=auth.login", ["officer（地址 127.0.0.1）"]),
    ("applicant=李", ["李工：待审核 → 拟推荐"]),
    ("start=2030-03-02&end=2030-03-02", ["王工：待审核 → 拟推荐"]),
    ("start=2030-03-01&end=2030-03-01", ["李工：待审核 → 拟推荐"]),
])
def test_audit_log_filters(logged, query, expected):
    assert [r[3] for r in log_rows(logged.get(f"/admin/events?{query}").get_data(as_text=True))] == expected


def test_audit_log_filter_by_person(logged):
    contact = User.get(User.username == "baiguan")
    Event.record(contact, "auth.login", detail="baiguan")
    html = logged.get(f"/admin/events?user={contact.id}").get_data(as_text=True)
    assert [r[1:4] for r in log_rows(html)] == [[contact.display_name, "登录", "baiguan"]]


def test_audit_log_export_keeps_the_filter(logged):
    response = logged.get("/admin/events.xlsx?action=applicant.approve")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["时间", "操作人", "操作", "内容", "地址"]
    assert [r[1:4] for r in rows[1:]] == [["裘晶晶", "拟推荐", "李工：待审核 → 拟推荐"],
                                         ["裘晶晶", "拟推荐", "王工：待审核 → 拟推荐"]]
    assert rows[1][0] == "2030-03-01 09:00:00"


def test_contact_phone_is_set_when_added_and_edited_on_the_accounts_page(officer):
    html = officer.post("/admin/users", data={"username": "songxia", "display_name": "崧厦联络员", "phone": "13900001111",
                                              "role": "contact", "org": Org.get(Org.name == "百官街道").id}
                        ).get_data(as_text=True)
    assert "songxia" in html
    user = User.get(User.username == "songxia")
    assert user.phone == "13900001111"
    officer.post(f"/admin/users/{user.id}", data={"action": "phone", "phone": "0575-82212393"})
    assert User.get_by_id(user.id).phone == "0575-82212393"
    assert 'value="0575-82212393"' in officer.get("/admin/users").get_data(as_text=True)
    assert Event.get(Event.action == "user.phone").detail == "songxia 联系电话 13900001111 → 0575-82212393"
