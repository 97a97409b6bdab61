"""The officer's home: countdowns, where each body stands, the 催报 list,
totals by level × specialty × status with their SVG chart, nothing dead."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.helpers import roster, upload, valid_row
from zcweb.review import dashboard
from zcweb.review.charts import stacked_bars
from zcweb.models import Applicant, Batch, Extension, Org, Upload, User, now
from zcweb.roster import workflow


@pytest.fixture
def officer(client, ctx):
    client.login("officer")
    return client


def add(i: int, org: str, status: str = workflow.PENDING, copies: int = 0, **changes) -> Applicant:
    data = valid_row(i, **changes)
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org), id_number=data["id_number"],
                            name=data["name"], data=data, status=status, copies=copies)


def move_deadline(days: int) -> Batch:
    """The batch's upload deadline `days` from today."""
    batch = Batch.current()
    batch.settings = {**batch.settings, "upload_deadline": (dt.date.today() + dt.timedelta(days=days)).isoformat()}
    batch.save()
    return batch


def reminder_text(html: str) -> str:
    return re.search(r'<textarea id="reminder" class="reminder"[^>]*>(.*?)</textarea>', html, re.DOTALL).group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_countdown_in_days_to_each_deadline(officer):
    spec = move_deadline(3).spec
    html = text(officer.get("/").get_data(as_text=True))
    assert "单位推荐（上传）截止 " + f"{spec.upload_deadline.year}年{spec.upload_deadline.month}月{spec.upload_deadline.day}日 还有3天" in html
    days = (spec.city_deadline - dt.date.today()).days
    assert f"还有{days}天" in html


def test_countdown_words():
    assert dashboard.Deadline("x", dt.date.today(), 0).countdown == "今天截止"
    assert dashboard.Deadline("x", dt.date.today(), -2).countdown == "已过2天"


def test_bodies_table_shows_contact_phone_statuses_forms_and_extension(officer):
    User.update(phone="13857501234").where(User.username == "caoe").execute()
    add(1, "曹娥街道", workflow.APPROVED, copies=3)
    add(2, "曹娥街道", workflow.RETURNED, copies=1)
    add(3, "曹娥街道", workflow.WITHDRAWN)
    Extension.create(batch=Batch.current(), org=Org.get(Org.name == "曹娥街道"),
                     until=dt.date(2031, 1, 15), reason="公示延后")
    html = officer.get("/").get_data(as_text=True)
    row = text(re.search(r"<tr[^>]*>\s*<td><a[^>]*>曹娥街道</a>.*?</tr>", html, re.DOTALL).group(0))
    assert "曹娥联络员 13857501234" in row
    assert " 1 1 2 1/2 2031年1月15日 延期：公示延后" in row  # 拟推荐 1, 退回 1, total 2, forms 1 of 2


def test_bodies_with_nothing_uploaded_come_first_with_a_reminder_as_the_deadline_nears(officer):
    add(1, "百官街道")
    User.update(phone="13900000002").where(User.username == "caoe").execute()
    far = officer.get("/").get_data(as_text=True)
    assert far.index(">百官街道<") < far.index(">曹娥街道<")  # in order while the deadline is far
    assert 'class=" missing"' in far
    deadline = move_deadline(2).spec.upload_deadline
    near = officer.get("/").get_data(as_text=True)
    assert near.index(">曹娥街道<") < near.index(">百官街道<")
    assert 'class="urgent missing"' in near
    reminder = reminder_text(near)
    assert reminder.splitlines()[1:3] == [
        "尚未上传花名册：",
        f"1. 曹娥街道（截止{deadline.year}年{deadline.month}月{deadline.day}日，还有2天；"
        "联络员：曹娥联络员 13900000002）"]
    assert "百官街道" not in reminder


def test_no_reminder_once_the_batch_is_finalised(officer):
    batch = Batch.current()
    batch.finalised_at = now()
    batch.save()
    html = officer.get("/").get_data(as_text=True)
    assert "催报" not in html and 'class="urgent' not in html
    assert "代单位上传" not in html and "定稿上报</button>" not in html


def test_totals_by_level_specialty_and_status_with_a_chart(officer):
    for i in range(3):
        add(i, "百官街道", level="高级工程师", specialty="能源")
    add(5, "曹娥街道", workflow.APPROVED, level="高级工程师", specialty="能源")
    add(6, "曹娥街道", workflow.REJECTED, level="正高级工程师", specialty="信息技术")
    add(7, "曹娥街道", workflow.WITHDRAWN, level="正高级工程师", specialty="信息技术")
    assert dashboard.totals(Batch.current(), Batch.current().spec) == [
        ("高级工程师", "能源", {"pending": 3, "approved": 1}),
        ("正高级工程师", "信息技术", {"rejected": 1}),
    ]
    html = officer.get("/").get_data(as_text=True)
    assert "高级工程师 能源 3 1 4" in text(html)
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL).group(0)
    assert svg.count('class="st-pending"') == 2  # the bar's segment and the legend
    assert "高级工程师·能源 待审核：3人" in svg and "正高级工程师·信息技术 不予推荐：1人" in svg
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_chart_bars_are_proportional_on_one_scale():
    chart = stacked_bars([("a", {"p": 30, "q": 10}), ("b", {"q": 20})], ["p", "q"], width=500, label_width=100)
    a, b = chart.bars
    assert [s.key for s in a.segments] == ["p", "q"] and (a.total, b.total) == (40, 20)
    assert a.segments[0].width == pytest.approx(3 * a.segments[1].width)
    assert b.segments[0].width == pytest.approx(2 * a.segments[1].width)
    assert a.segments[1].x == pytest.approx(a.segments[0].x + a.segments[0].width)
    assert chart.ticks[0] == (100, 0) and chart.ticks[-1][1] >= 40


def test_a_preview_that_can_no_longer_be_confirmed_is_not_pending(client, ctx):
    client.login("baiguan")
    upload(client, roster(Org.get(Org.name == "百官街道"), [valid_row(1)]))
    preview = Upload.get()
    client.logout()
    client.login("officer")
    assert "1 个上传待联络员确认" in client.get("/").get_data(as_text=True)
    move_deadline(-1)
    assert "待联络员确认" not in client.get("/").get_data(as_text=True)
    assert "未确认（已失效）" in client.get("/uploads").get_data(as_text=True)
    client.logout()
    client.login("baiguan")
    html = client.get(f"/uploads/{preview.id}").get_data(as_text=True)
    assert "现已不能再确认" in html and "confirm-bar" not in html


def test_a_preview_left_when_the_batch_is_finalised_is_not_pending(client, ctx):
    client.login("officer")
    upload(client, roster(Org.get(Org.name == "百官街道"), [valid_row(1)]), org=Org.get(Org.name == "百官街道").id)
    assert Upload.get().status == Upload.PREVIEW
    assert "1 个上传待联络员确认" in client.get("/").get_data(as_text=True)
    batch = Batch.current()
    batch.finalised_at = now()
    batch.save()
    assert "待联络员确认" not in client.get("/").get_data(as_text=True)
    assert dashboard.live_previews(batch, dt.date.today()).count() == 0


def test_reminder_also_chases_unconfirmed_uploads_and_unfixed_returns(client, ctx):
    for org in Org.select():
        add(org.id, org.name)  # every body has sent someone
    add(9, "曹娥街道", workflow.RETURNED)
    add(10, "曹娥街道", workflow.RETURNED)
    client.login("baiguan")
    upload(client, roster(Org.get(Org.name == "百官街道"), [valid_row(1)]))
    client.logout()
    client.login("officer")
    html = client.get("/").get_data(as_text=True)
    assert "催报：2个单位待处理" in html
    lines = reminder_text(html).splitlines()
    deadline = Batch.current().spec.upload_deadline
    assert lines[1:] == [
        "已上传但联络员尚未确认导入：",
        f"1. 百官街道（1个文件待确认，截止{deadline.year}年{deadline.month}月{deadline.day}日，"
        f"还有{(deadline - dt.date.today()).days}天；联络员：百官联络员）",
        "有退回修改的人员尚未重新上传：",
        f"1. 曹娥街道（退回2人，截止{deadline.year}年{deadline.month}月{deadline.day}日，"
        f"还有{(deadline - dt.date.today()).days}天；联络员：曹娥联络员）",
    ]
    assert '<button type="button" data-copy="#reminder">复制</button>' in html


def test_the_waiting_upload_link_opens_the_waiting_uploads_only(client, ctx):
    client.login("officer")
    for name in ("百官街道", "曹娥街道"):
        org = Org.get(Org.name == name)
        upload(client, roster(org, [valid_row(org.id)]), name=f"{name}.xlsx", org=org.id)
    Upload.update(status=Upload.CANCELLED).where(Upload.filename == "百官街道.xlsx").execute()
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/uploads?waiting=1">1 个上传待联络员确认</a>' in home
    listed = client.get("/uploads?waiting=1").get_data(as_text=True)
    assert "曹娥街道.xlsx" in listed and "百官街道.xlsx" not in listed
    assert "百官街道.xlsx" in client.get("/uploads").get_data(as_text=True)
