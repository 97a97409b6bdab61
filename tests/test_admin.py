"""The officer manages bodies, accounts and the batch in the browser."""

import datetime as dt
import re

import pytest

from zcweb.importer import deadline_for
from zcweb.models import Batch, Event, Extension, Org, User


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


def _batch_form(spec, **changes):
    form = {name: getattr(spec, name).isoformat() for name in
            ("individual_deadline", "upload_deadline", "city_deadline", "seniority_cutoff", "achievement_cutoff")}
    form.update({name: getattr(spec, name) for name in
                 ("breakthrough_min_score", "ce_min_hours", "ce_min_professional_hours", "notice_min_workdays",
                  "paper_copies")})
    form.update(title=spec.title, notice_first_day_counts="1", is_open="1", contact=spec.contact,
                levels="高级工程师：能源、材料\n正高级工程师：信息技术", reasons="重复申报\n逾期报送")
    form.update(changes)
    return form


def test_officer_edits_the_batch_rules(officer):
    spec = Batch.current().spec
    response = officer.post("/admin/batch", data=_batch_form(spec, ce_min_hours="72", upload_deadline="2030-09-06"))
    assert response.status_code == 303
    spec = Batch.current().spec
    assert spec.ce_min_hours == 72
    assert spec.upload_deadline == dt.date(2030, 9, 6)
    assert spec.levels == {"高级工程师": ["能源", "材料"], "正高级工程师": ["信息技术"]}
    assert spec.reasons == ["重复申报", "逾期报送"]
    assert Event.get(Event.action == "batch.updated").before["ce_min_hours"] == 90


def test_bad_batch_settings_are_refused_in_chinese(officer):
    spec = Batch.current().spec
    response = officer.post("/admin/batch", data=_batch_form(spec, upload_deadline="9月5日"))
    assert response.status_code == 400
    assert "“单位推荐（上传）截止”不是有效日期" in response.get_data(as_text=True)
    assert Batch.current().spec.upload_deadline == spec.upload_deadline


def test_extension_moves_one_bodys_deadline(officer):
    batch, org = Batch.current(), Org.get(Org.name == "曹娥街道")
    officer.post("/admin/batch/extensions", data={"org": org.id, "until": "2031-01-15"})
    assert deadline_for(batch, org) == dt.date(2031, 1, 15)
    assert deadline_for(batch, Org.get(Org.name == "百官街道")) == batch.spec.upload_deadline
    officer.post("/admin/batch/extensions", data={"org": org.id, "until": ""})
    assert Extension.select().count() == 0


def test_audit_log_lists_actions(officer):
    html = officer.get("/admin/events").get_data(as_text=True)
    assert "auth.login" in html
