"""The review desk's decisions: versions, stale rows, reasons, counts, bulk
actions, the detail page and the contact's side."""

import datetime as dt
import re

import pytest

from zcweb.review import decisions
from zcweb.models import Applicant, Batch, Event, Org, User
from zcweb.roster import workflow
from zcweb.roster.workflow import ACTIONS, LABELS, TransitionRefused

from tests.helpers import roster, upload, valid_row

HX = {"HX-Request": "true"}
CE_WARNING = {"level": "warning", "column": "ce_2023", "message": "继续教育学时2023：登记60学时，不足90学时",
              "rule": "ce.short"}


def add(org_name: str, i: int, name: str, **fields) -> Applicant:
    data = valid_row(i, name=name)
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org_name),
                            id_number=data["id_number"], name=name, data=data, **fields)


@pytest.fixture
def officer(client, ctx):
    client.login("officer")
    return client


@pytest.fixture
def row(ctx):
    return add("百官街道", 1, "王工")


# --- every transition -------------------------------------------------------

@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", list(LABELS))
def test_every_transition_is_allowed_exactly_from_its_sources(action, status):
    act = ACTIONS[action]
    if status in act.sources:
        assert workflow.apply(action, status, "原因", officer=act.officer)[0] == act.target
    else:
        with pytest.raises(TransitionRefused, match=f"当前为“{LABELS[status]}”，不能{act.label}"):
            workflow.apply(action, status, "原因", officer=act.officer)


@pytest.mark.parametrize("action", ["return", "reject"])
def test_return_and_reject_need_a_reason(action):
    with pytest.raises(TransitionRefused, match="须填写原因"):
        workflow.apply(action, workflow.PENDING, "  ", officer=True)


def test_officer_and_contact_actions_are_not_interchangeable():
    with pytest.raises(TransitionRefused, match="无此操作"):
        workflow.apply("withdraw", workflow.PENDING, None, officer=True)
    with pytest.raises(TransitionRefused, match="无此操作"):
        workflow.apply("approve", workflow.PENDING, None, officer=False)


def test_reopen_and_withdraw_clear_the_reason():
    assert workflow.apply("reopen", workflow.RETURNED, "旧原因", officer=True) == (workflow.PENDING, None)
    assert workflow.apply("withdraw", workflow.RETURNED, "x", officer=False) == (workflow.WITHDRAWN, None)


def test_reason_joins_ticked_presets_and_free_text_each_once():
    assert workflow.compose_reason(["现职称年限不足", "继续教育学时不足", "现职称年限不足"], " 请补证明 ") \
        == "现职称年限不足；继续教育学时不足；请补证明"
    assert workflow.compose_reason([], "  ") is None


# --- versions ---------------------------------------------------------------

@pytest.mark.parametrize("version", [None, "", "abc", "1.5"])
def test_a_decision_without_a_valid_version_is_refused(officer, row, version):
    data = {"action": "approve"} | ({} if version is None else {"version": version})
    html = officer.post(f"/applicants/{row.id}/decide", data=data, headers=HX).get_data(as_text=True)
    assert "缺少有效的记录版本号，未作修改" in html
    assert Applicant.get_by_id(row.id).status == workflow.PENDING
    assert not Event.select().where(Event.applicant == row.id).exists()


def test_a_plain_post_without_version_is_refused_with_a_message(officer, row):
    page = officer.post(f"/applicants/{row.id}/decide", data={"action": "approve"}, follow_redirects=True)
    assert "缺少有效的记录版本号" in page.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).status == workflow.PENDING


def test_stale_decision_names_who_changed_the_row_and_shows_it_as_it_is(officer, row):
    officer.post(f"/applicants/{row.id}/decide", data={"action": "approve", "version": 1}, headers=HX)
    html = officer.post(f"/applicants/{row.id}/decide",
                        data={"action": "return", "version": 1, "reason": "重复申报"}, headers=HX).get_data(as_text=True)
    assert re.search(r"该记录已被裘晶晶于 \d\d:\d\d 改为 拟推荐", html)
    assert 'class="badge s-approved"' in html and 'name="reason"' not in html
    assert 'value="%d:2"' % row.id in html  # the row now carries the current version
    saved = Applicant.get_by_id(row.id)
    assert (saved.status, saved.reason, saved.version) == (workflow.APPROVED, None, 2)


def test_reason_form_keeps_the_version_the_user_saw(officer, row):
    form = officer.get(f"/applicants/{row.id}/decide?action=return&version=1", headers=HX).get_data(as_text=True)
    assert 'name="version" value="1"' in form
    # Meanwhile another officer approves: the form's POST must not overwrite it.
    decisions.decide(Applicant.get_by_id(row.id), User.get(User.username == "officer"), "approve", None, 1)
    html = officer.post(f"/applicants/{row.id}/decide",
                        data={"action": "return", "version": 1, "preset": "重复申报"}, headers=HX).get_data(as_text=True)
    assert "改为 拟推荐" in html
    assert Applicant.get_by_id(row.id).status == workflow.APPROVED


def test_opening_the_reason_form_needs_the_version_seen(officer, row):
    html = officer.get(f"/applicants/{row.id}/decide?action=return", headers=HX).get_data(as_text=True)
    assert "缺少有效的记录版本号" in html and 'name="reason"' not in html


def test_opening_the_reason_form_on_a_stale_row_shows_the_row_as_it_is(officer, row):
    Applicant.update(status=workflow.APPROVED, version=2, updated_at=dt.datetime.now()).where(
        Applicant.id == row.id).execute()
    html = officer.get(f"/applicants/{row.id}/decide?action=return&version=1", headers=HX).get_data(as_text=True)
    assert "被修改" in html and 'name="reason"' not in html and "s-approved" in html


def test_paper_copies_need_the_version_seen(officer, row):
    refused = officer.post(f"/applicants/{row.id}/copies", data={"copies": 2}, headers=HX).get_data(as_text=True)
    assert "缺少有效的记录版本号" in refused
    officer.post(f"/applicants/{row.id}/copies", data={"copies": 2, "version": 1}, headers=HX)
    stale = officer.post(f"/applicants/{row.id}/copies", data={"copies": 1, "version": 1},
                         headers=HX).get_data(as_text=True)
    assert re.search(r"该记录已被裘晶晶于 \d\d:\d\d 将评审表改为 2 份", stale)
    saved = Applicant.get_by_id(row.id)
    assert (saved.copies, saved.version) == (2, 2)


# --- reasons and history ----------------------------------------------------

def test_event_records_the_reason_and_the_history_shows_it(officer, row):
    officer.post(f"/applicants/{row.id}/decide", headers=HX, data={
        "action": "return", "version": 1, "preset": ["继续教育学时不足", "现职称年限不足"], "reason": "请补登记"})
    reason = "继续教育学时不足；现职称年限不足；请补登记"
    event = Event.get(Event.action == "applicant.return")
    assert event.after == {"status": workflow.RETURNED, "reason": reason}
    assert event.detail == f"王工：待审核 → 退回修改，原因：{reason}"
    assert Applicant.get_by_id(row.id).reason == reason
    history = officer.get(f"/applicants/{row.id}").get_data(as_text=True)
    assert f"原因：{reason}" in history


# --- counts -----------------------------------------------------------------

def test_an_inline_action_returns_the_filtered_counts_out_of_band(officer, row):
    add("百官街道", 2, "李工")
    add("曹娥街道", 3, "曹工")
    org = Org.get(Org.name == "百官街道").id
    html = officer.post(f"/applicants/{row.id}/decide", headers=HX, data={
        "action": "approve", "version": 1, "next": f"/review?org={org}"}).get_data(as_text=True)
    counts = html[html.index('id="counts"'):]
    assert 'hx-swap-oob="true"' in counts
    found = dict(re.findall(r'data-status="(\w+)">.*?<b>(\d+)</b>', counts, re.S))
    assert found["pending"] == "1" and found["approved"] == "1"  # 曹工 is outside the filter


def test_review_page_shows_counts_per_status_over_the_filter(officer, row):
    add("曹娥街道", 2, "曹工", status=workflow.RETURNED)
    html = officer.get("/review?status=returned").get_data(as_text=True)
    found = dict(re.findall(r'data-status="(\w+)">.*?<b>(\d+)</b>', html, re.S))
    assert (found["pending"], found["returned"]) == ("1", "1")


# --- warnings ---------------------------------------------------------------

def test_warning_badge_names_the_rules(officer, ctx):
    add("百官街道", 1, "王工", warnings=[CE_WARNING, dict(CE_WARNING, column="ce_2024")])
    add("曹娥街道", 1, "王工")  # the same person from another body
    html = officer.get("/review").get_data(as_text=True)
    assert "⚠ 学时不足 · 重复报送</span>" in html


# --- bulk -------------------------------------------------------------------

def test_bulk_return_of_ticked_rows_asks_first_then_applies_one_event_per_row(officer, ctx):
    rows = [add("百官街道", i, f"人{i}") for i in range(1, 4)]
    form = {"action": "return", "preset": "逾期报送", "next": "/review",
            "ids": [f"{a.id}:1" for a in rows[:2]]}
    asked = officer.post("/review/bulk", data=form).get_data(as_text=True)
    assert "确定对选中的 2 人执行“退回修改”吗？原因：逾期报送" in asked
    assert Applicant.select().where(Applicant.status == workflow.RETURNED).count() == 0
    done = officer.post("/review/bulk", data=form | {"confirmed": "1"})
    assert done.status_code == 303 and done.headers["Location"] == "/review"
    assert [Applicant.get_by_id(a.id).status for a in rows] == [workflow.RETURNED, workflow.RETURNED,
                                                                 workflow.PENDING]
    events = list(Event.select().where(Event.action == "applicant.return"))
    assert sorted(e.applicant_id for e in events) == [rows[0].id, rows[1].id]
    assert all(e.after["reason"] == "逾期报送" for e in events)


def test_bulk_reports_stale_rows_and_leaves_them_as_they_are(officer, ctx):
    a, b = add("百官街道", 1, "甲"), add("百官街道", 2, "乙")
    decisions.decide(b, User.get(User.username == "officer"), "reject", "重复申报", 1)
    page = officer.post("/review/bulk", follow_redirects=True, data={
        "action": "approve", "confirmed": "1", "next": "/review", "ids": [f"{a.id}:1", f"{b.id}:1"]})
    text = page.get_data(as_text=True)
    assert "已拟推荐 1 人。1 人在列表显示后已被他人修改，未作改动：乙。" in text
    assert Applicant.get_by_id(b.id).status == workflow.REJECTED
    assert Applicant.get_by_id(a.id).status == workflow.APPROVED


def test_bulk_on_all_rows_matching_the_filter(officer, ctx):
    ours = [add("百官街道", i, f"百{i}") for i in range(1, 4)]
    other = add("曹娥街道", 9, "曹工")
    org = ours[0].org_id
    shown_at = dt.datetime.now().replace(microsecond=0)
    # Changed after the list was shown: reported, not overwritten.
    Applicant.update(updated_at=shown_at + dt.timedelta(seconds=5), reason="备注").where(
        Applicant.id == ours[2].id).execute()
    form = {"action": "return", "reason": "信息与证书不一致", "all": "1", "as_of": shown_at.isoformat(),
            "next": f"/review?org={org}"}
    asked = officer.post("/review/bulk", data=form).get_data(as_text=True)
    assert "符合当前筛选条件的全部 3 人" in asked
    done = officer.post("/review/bulk", data=form | {"confirmed": "1"}, headers=HX)
    assert '"path": "/review?org=%d"' % org in done.headers["HX-Location"]
    assert [Applicant.get_by_id(a.id).status for a in ours] == [workflow.RETURNED] * 2 + [workflow.PENDING]
    assert Applicant.get_by_id(other.id).status == workflow.PENDING


def test_bulk_on_all_rows_without_the_time_the_list_was_shown_changes_nothing(officer, row):
    page = officer.post("/review/bulk", follow_redirects=True, data={
        "action": "approve", "confirmed": "1", "all": "1", "as_of": "gestern", "next": "/review"})
    assert "已拟推荐 0 人。1 人在列表显示后已被他人修改，未作改动：王工。" in page.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).status == workflow.PENDING


def test_bulk_return_without_a_reason_changes_nothing(officer, row):
    page = officer.post("/review/bulk", follow_redirects=True, data={
        "action": "return", "confirmed": "1", "ids": f"{row.id}:1", "next": "/review"})
    assert "退回修改须填写原因" in page.get_data(as_text=True)
    assert Applicant.get_by_id(row.id).status == workflow.PENDING


def test_bulk_is_for_officers_and_two_actions_only(client, row):
    client.login("baiguan")
    assert client.post("/review/bulk", data={"action": "approve", "ids": f"{row.id}:1"}).status_code == 403
    client.logout()
    client.login("officer")
    with pytest.raises(TransitionRefused):
        decisions.decide_many([(row, 1)], User.get(User.username == "officer"), "reject", "x")


# --- without JavaScript -----------------------------------------------------

def test_plain_post_redirects_back_to_the_same_filtered_list(officer, row):
    back = "/review?org=1&q=%E7%8E%8B"
    done = officer.post(f"/applicants/{row.id}/decide", data={"action": "approve", "version": 1, "next": back})
    assert done.status_code == 303 and done.headers["Location"] == back


def test_reason_link_without_javascript_opens_the_form_on_the_detail_page(officer, row):
    opened = officer.get(f"/applicants/{row.id}/decide?action=return&version=1&next=/review?org=1")
    assert opened.status_code == 302
    page = officer.get(opened.headers["Location"]).get_data(as_text=True)
    assert '<details class="presets" open>' in page and 'href="/review?org=1"' in page


# --- detail page and the contact's side -------------------------------------

def test_detail_links_the_upload_shows_thresholds_and_returns_to_the_filtered_list(client, ctx):
    client.login("baiguan")
    baiguan = Org.get(Org.name == "百官街道")
    upload(client, roster(baiguan, [valid_row(1, name="刘洋", ce_2023=60)]))
    from tests.test_importer import confirm
    confirm(client)
    client.logout()
    client.login("officer")
    a = Applicant.get(Applicant.name == "刘洋")
    page = client.get(f"/applicants/{a.id}?next=/review?status=pending").get_data(as_text=True)
    assert "花名册.xlsx</a>" in page and f'href="/uploads/{a.upload_id}"' in page
    assert "<b>学时不足</b>" in page and "本批次每年继续教育不少于90学时，其中专业科目不少于60学时" in page
    assert 'href="/review?status=pending">← 返回列表' in page


def test_contact_sees_returned_rows_first_with_what_to_do_next(client, ctx):
    add("百官街道", 1, "甲", position=1)
    add("百官街道", 2, "乙", position=2, status=workflow.RETURNED, reason="继续教育学时不足")
    client.login("baiguan")
    html = client.get("/").get_data(as_text=True)
    rows = html[html.index('id="my-rows"'):]
    assert rows.index("乙") < rows.index("甲")
    assert 'class="st-returned"' in rows and "修改后重新上传" in rows and 'my-rows.xlsx">下载本单位已报数据' in rows


def test_bulk_question_counts_the_warned_rows_by_rule_and_can_leave_them_out(officer, ctx):
    plain, twice = add("百官街道", 1, "甲"), add("百官街道", 3, "丙")
    short = add("百官街道", 2, "乙", warnings=[CE_WARNING])
    add("曹娥街道", 3, "丙")  # the same person sent by a second body: 重复报送
    form = {"action": "approve", "next": "/review", "ids": [f"{a.id}:1" for a in (plain, short, twice)]}
    asked = officer.post("/review/bulk", data=form).get_data(as_text=True)
    assert "确定对选中的 3 人执行“拟推荐”吗？其中 2 人有提示：学时不足 1 人、重复报送 1 人。" in asked
    assert '<button class="ok" name="skip_warned" value="1">不含有提示的，只对 1 人拟推荐</button>' in asked
    done = officer.post("/review/bulk", data=form | {"confirmed": "1", "skip_warned": "1"}, follow_redirects=True)
    assert "已拟推荐 1 人。" in done.get_data(as_text=True)
    assert [Applicant.get_by_id(a.id).status for a in (plain, short, twice)] == [
        workflow.APPROVED, workflow.PENDING, workflow.PENDING]
    only_warned = officer.post("/review/bulk", data=form | {"ids": [f"{short.id}:1"]}).get_data(as_text=True)
    assert "其中 1 人有提示：学时不足 1 人。" in only_warned and "skip_warned" not in only_warned
