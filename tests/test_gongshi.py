"""The 公示: its period on known calendars and the notice text."""

import datetime as dt

from zcweb.roster.batch import load_preset
from zcweb.roster.gongshi import notice, notice_period


def test_period_skips_national_day():
    # 9月30日 is a Monday, then the National Day holiday runs to 10月7日.
    period = notice_period(load_preset(2024), dt.date(2024, 9, 30))
    assert period.end == dt.date(2024, 10, 11)
    assert period.text == "2024年9月30日至2024年10月11日（5个工作日）"
    assert not period.approximate


def test_period_skips_qingming_and_counts_the_working_sunday():
    # 清明 4月4日–6日 off; Sunday 4月7日 is a 调休 working day.
    period = notice_period(load_preset(2024), dt.date(2024, 4, 3))
    assert period.end == dt.date(2024, 4, 10)


def test_period_follows_the_batch_settings():
    spec = load_preset(2024)
    spec.notice_min_workdays = 7
    spec.notice_first_day_counts = False
    # From Friday 9月6日, not counting it: 9–13 (5), 14 Saturday is a 调休 working day (6), 18 (7):
    # 15–17 is the Mid-Autumn holiday.
    assert notice_period(spec, dt.date(2024, 9, 6)).end == dt.date(2024, 9, 18)


def test_period_without_calendar_data_counts_weekdays_and_says_so():
    period = notice_period(load_preset(2024), dt.date(2031, 3, 7))  # a Friday
    assert period.end == dt.date(2031, 3, 13)
    assert period.approximate
    assert "按周一至周五计算" in notice(load_preset(2024), period, {"高级工程师": 1}).text


def test_notice_text_names_the_period_counts_and_contact():
    spec = load_preset(2024)
    text = notice(spec, notice_period(spec, dt.date(2024, 9, 6)), {"高级工程师": 12, "正高级工程师": 3}).text
    assert text.startswith("关于2024年度高级工程师和正高级工程师职务任职资格评审推荐人员的公示\n")
    assert "公示时间：2024年9月6日至2024年9月12日（5个工作日）。" in text
    assert "共15人：高级工程师12人、正高级工程师3人" in text
    assert "联系人：裘晶晶，电话 82212393" in text
    assert text.endswith("绍兴市上虞区经济和信息化局\n2024年9月6日")


# ---------------------------------------------------------------- the list, the page, the commands

import io  # noqa: E402

import openpyxl  # noqa: E402
import pytest  # noqa: E402

from zcweb.models import Applicant, Batch, Org
from zcweb.roster import workflow

from tests.helpers import make_id, valid_row  # noqa: E402

# (body, name, level, specialty, status)
PEOPLE = [
    ("曹娥街道", "王伟", "高级工程师", "材料", workflow.APPROVED),
    ("百官街道", "陈静", "高级工程师", "材料", workflow.RECOMMENDED),
    ("百官街道", "方芳", "高级工程师", "材料", workflow.APPROVED),
    ("百官街道", "王芳", "高级工程师", "材料", workflow.APPROVED),
    ("百官街道", "金鑫", "高级工程师", "能源", workflow.APPROVED),
    ("百官街道", "邓超", "正高级工程师", "信息技术", workflow.APPROVED),
    ("百官街道", "丁一", "高级工程师", "能源", workflow.PENDING),
    ("曹娥街道", "马六", "高级工程师", "能源", workflow.REJECTED),
]


@pytest.fixture
def people(ctx):
    batch = Batch.current()
    for i, (body, name, level, specialty, status) in enumerate(PEOPLE, start=1):
        data = valid_row(i, name=name, level=level, specialty=specialty, phone="13900000000",
                         employer=f"{name}的公司")
        Applicant.create(batch=batch, org=Org.get(Org.name == body), id_number=data["id_number"], name=name,
                         data=data, status=status)


def test_gongshi_list_holds_the_recommended_in_official_order_and_nothing_private(client, people):
    client.login("officer")
    with client.get("/exports/gongshi.xlsx") as response:
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["高级工程师", "正高级工程师"]
    sheet = book["高级工程师"]
    assert sheet["A1"].value == "2024年度高级工程师职务任职资格拟推荐人员公示名单"
    assert [c.value for c in sheet[2]] == ["序号", "姓名", "工作单位", "申报级别", "申报专业"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=6)]
    # 能源 before 材料 (the batch's order); in 材料 百官街道 before 曹娥街道, then 王 (1121) before
    # 方 (4153), both 4 strokes, before 陈 (7).
    assert [r[1] for r in rows] == ["金鑫", "王芳", "方芳", "陈静"]
    assert rows[0] == [1, "金鑫", "金鑫的公司", "高级工程师", "能源"]
    assert [c.value for c in sheet[7]] == [5, "王伟", "王伟的公司", "高级工程师", "材料"]
    assert sheet["A8"].value == "合计：5人"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert book["正高级工程师"]["A1"].value == "2024年度正高级工程师职务任职资格拟推荐人员公示名单"
    everything = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    for person in Applicant.select():
        assert person.id_number not in everything
    assert "13900000000" not in everything and "1985" not in everything
    assert "丁一" not in everything and "马六" not in everything


def test_gongshi_page_counts_working_days_and_lists_people(client, people):
    client.login("officer")
    html = client.get("/gongshi?start=2024-09-30").get_data(as_text=True)
    assert "2024年9月30日至2024年10月11日（5个工作日）" in html
    assert "共6人：高级工程师5人、正高级工程师1人" in html
    assert html.index("金鑫") < html.index("王芳") < html.index("方芳") < html.index("陈静") < html.index("王伟")
    assert make_id("19850612", 103) not in html  # no identity number on the page


def test_gongshi_page_explains_a_bad_date_and_is_for_the_officer_only(client, people):
    client.login("officer")
    html = client.get("/gongshi?start=2024-13-01").get_data(as_text=True)
    assert "“2024-13-01”不是有效的日期" in html
    client.logout()
    client.login("baiguan")
    assert client.get("/gongshi").status_code == 403
    assert client.get("/exports/gongshi.xlsx").status_code == 403


def test_gongshi_command_prints_the_notice(runner, people):
    result = runner.invoke(args=["gongshi", "--start", "2024-04-03"])
    assert result.exit_code == 0, result.output
    assert "公示时间：2024年4月3日至2024年4月10日（5个工作日）。" in result.output
    assert "共6人" in result.output


def test_export_roster_gongshi_writes_the_list(runner, people, tmp_path):
    out = tmp_path / "gs.xlsx"
    result = runner.invoke(args=["export-roster", "--gongshi", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "6人" in result.output
    assert openpyxl.load_workbook(out).sheetnames == ["高级工程师", "正高级工程师"]
