"""The check page before 定稿上报, the acknowledgement it needs, what a
finalised batch looks like, and 撤销定稿 that reopens uploads."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login import login_user

from zcweb.outputs.finalcheck import final_check
from zcweb.models import Applicant, Batch, Event, Org, User
from zcweb.roster import workflow

from tests.helpers import valid_row
from tests.test_reconcile import D, platform_rows, registry_rows, rosters, send_list, xlsx  # noqa: F401 (fixture)
from zcweb.outputs import finalise as finalising

ACK = "以上情况已知悉，仍要定稿"


@pytest.fixture
def people(ctx):
    """At 百官街道: 王芳 拟推荐 with 1 of 3 评审表 and a 学时 warning, 丁一 拟推荐
    with all forms, 李强 待审核, 赵六 退回修改."""
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    made = {}
    for i, (name, status, copies, warnings) in enumerate([
            ("王芳", workflow.APPROVED, 1, [{"rule": "ce.short", "message": "继续教育学时不足"}]),
            ("丁一", workflow.APPROVED, 3, []), ("李强", workflow.PENDING, 0, []),
            ("赵六", workflow.RETURNED, 0, [])], start=1):
        data = valid_row(i, name=name)
        made[name] = Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=name, data=data,
                                      status=status, copies=copies, warnings=warnings, reason="改" if i == 4 else "")
    return made


def counts(check) -> dict[str, int]:
    return {item.label: item.count for item in check.items}


def test_the_check_counts_what_is_still_open(app, people):
    batch = Batch.current()
    with app.test_request_context():
        login_user(User.get(User.username == "officer"))
        check = final_check(batch, batch.spec.upload_deadline - dt.timedelta(days=7))
    found = counts(check)
    assert found["待审核"] == 1 and found["退回修改，尚未重新报送"] == 1
    assert found["拟推荐，评审表未收"] == 0 and found["拟推荐，评审表未收齐"] == 1
    assert found["拟推荐，有提示：继续教育学时不足（自填）"] == 1
    assert "拟推荐，有提示：任职年限不足" not in found  # rules that flag no one are left out
    assert found["单位尚未报送任何人员"] == Org.select().where(Org.active == True).count() - 1  # noqa: E712
    assert check.days_left == 7 and check.needs_acknowledgement


def test_check_page_links_each_count_to_its_list(client, people):
    client.login("officer")
    html = client.get("/review/finalise").get_data(as_text=True)
    assert "定稿上报前检查" in html and ACK in html
    assert 'href="/review?status=pending">1</a>' in html
    assert 'href="/review?status=approved&amp;copies=partial">1</a>' in html
    assert 'href="/review?status=approved&amp;warning=ce.short">1</a>' in html
    listed = client.get("/review?status=approved&copies=partial").get_data(as_text=True)
    assert "王芳" in listed and "丁一" not in listed


def test_finalising_without_the_acknowledgement_is_refused(client, people):
    client.login("officer")
    page = client.post("/review/finalise", follow_redirects=True).get_data(as_text=True)
    assert "请逐项查看" in page and ACK in page
    assert Batch.current().finalised_at is None
    assert Applicant.get_by_id(people["丁一"].id).status == workflow.APPROVED
    client.post("/review/finalise", data={"acknowledged": "1"})
    assert Batch.current().finalised_at is not None
    assert Applicant.get_by_id(people["丁一"].id).status == workflow.RECOMMENDED


def test_nothing_open_needs_no_acknowledgement(client, ctx):
    batch = Batch.current()
    for org in Org.select():
        data = valid_row(org.id)
        Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=data["name"], data=data,
                         status=workflow.APPROVED, copies=batch.spec.paper_copies)
    client.login("officer")
    html = client.get("/review/finalise").get_data(as_text=True)
    assert "各项均已处理完毕" in html and ACK not in html
    client.post("/review/finalise")
    assert Batch.current().finalised_at is not None


def test_after_finalising_every_screen_says_so_and_rows_have_no_actions(client, people):
    finalising.finalise(Batch.current(), User.get(User.username == "officer"))
    day = Batch.current().finalised_at.date()
    banner = f"已于{day.year}年{day.month}月{day.day}日定稿上报"
    client.login("officer")
    review = client.get("/review").get_data(as_text=True)
    assert banner in review and 'name="action"' not in review and 'name="copies" aria-label="评审表已收份数"' not in review
    assert "退回修改</button>" not in review and "已定稿" in review
    assert banner in client.get("/exports").get_data(as_text=True)
    client.logout()
    client.login("baiguan")
    home = client.get("/").get_data(as_text=True)
    assert banner in home and "本批次已定稿上报，不能再修改后重新上传" in home
    assert "在上方上传" not in home and 'type="file"' not in home


def test_reopening_with_uploads_brings_them_back(client, people):
    batch = Batch.current()
    finalising.finalise(batch, User.get(User.username == "officer"))
    client.login("officer")
    exports = client.get("/exports").get_data(as_text=True)
    assert 'name="reopen_uploads" value="1" checked' in exports  # the deadline has not passed
    page = client.post("/exports/reopen", data={"reason": "漏报一人", "reopen_uploads": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已撤销定稿，2人恢复为“拟推荐”，已重新接收各单位上传" in page
    assert Batch.current().is_open and Batch.current().finalised_at is None
    assert Event.get(Event.action == "batch.reopened").after["uploads_reopened"] is True
    home = client.get("/").get_data(as_text=True)
    assert "催报" in home and "代单位上传" in home and "定稿上报" in home
    client.logout()
    client.login("baiguan")
    assert 'type="file"' in client.get("/").get_data(as_text=True)


def test_reopening_without_uploads_keeps_them_closed(client, people):
    finalising.finalise(Batch.current(), User.get(User.username == "officer"))
    client.login("officer")
    page = client.post("/exports/reopen", data={"reason": "更正专业"}, follow_redirects=True).get_data(as_text=True)
    assert "各单位上传仍关闭" in page and not Batch.current().is_open
    assert "各单位上传仍关闭" in Event.get(Event.action == "batch.reopened").detail


def test_the_check_counts_warnings_from_the_lists_and_other_bodies(rosters):
    """甲一, 乙二, 丙三 (百官街道) and 丁四 (曹娥街道) 拟推荐; 乙二 is not on the
    platform, 3 are short of registered hours; 丁四 is sent by 百官街道 too."""
    Applicant.update(status=workflow.APPROVED).execute()
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx")
    twin = Applicant.get(Applicant.name == D["name"])
    Applicant.create(batch=twin.batch, org=Org.get(Org.name == "百官街道"), id_number=twin.id_number, name=twin.name,
                     data=twin.data)
    html = rosters.get("/review/finalise").get_data(as_text=True)
    row = lambda label: html.split(f"<td>{label}</td>")[1].split("</tr>")[0]  # noqa: E731
    assert 'href="/review?status=approved&amp;warning=platform.missing">1</a>' in row("拟推荐，有提示：平台未申报")
    assert 'href="/review?status=approved&amp;warning=ce.registry_short">3</a>' in row("拟推荐，有提示：登记学时不足")
    assert ('href="/review?status=approved&amp;warning=duplicate.other_body">1</a>'
            in row("拟推荐，有提示：重复报送（多个单位报送同一人）"))
