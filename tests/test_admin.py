"""The officer manages bodies, accounts and the batch in the browser."""

import re

import pytest

from zcweb.models import Event, Org, User


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


def test_audit_log_lists_actions(officer):
    html = officer.get("/admin/events").get_data(as_text=True)
    assert "auth.login" in html


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
