"""The review list: filters, sorting, search, paging and the kept counts."""

import re

import pytest
from flask_login import login_user
from werkzeug.datastructures import MultiDict

from zcweb.review import decisions, reconcile
from zcweb.review.listing import page_window, review_count, review_filters, review_query, status_counts
from zcweb.models import Applicant, Batch, ListRow, ListUpload, Org, Upload, User
from zcweb.roster import workflow

from tests.helpers import kept_counts, roster, upload, valid_row

HX = {"HX-Request": "true"}


def add(org_name: str, i: int, **values) -> Applicant:
    data = valid_row(i, **values)
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org_name),
                            id_number=data["id_number"], name=data["name"], data=data,
                            warnings=values.pop("_warnings", []))


def names(html: str) -> list[str]:
    """The names in the table, in their order (the link to the detail page)."""
    return re.findall(r'<a href="/applicants/\d+[^"]*">([^<]+)</a>', html)


@pytest.fixture
def officer(client):
    client.login("officer")
    return client


@pytest.fixture
def people(ctx):
    """Five applicants in two bodies."""
    ce_short = [{"level": "warning", "column": "ce_2023", "message": "2023年继续教育学时不足", "rule": "ce.short"}]
    rows = [
        add("曹娥街道", 1, name="丁一", specialty="材料", employer="上虞材料厂"),
        add("百官街道", 2, name="乙二", route="破格", self_score=125),
        add("百官街道", 3, name="甲三", level="正高级工程师", specialty="信息技术", current_title="高级工程师",
            employer="浙江卧龙电气有限公司"),
        add("曹娥街道", 4, name="丙四", _warnings=ce_short),
        add("百官街道", 5, name="王芳"),
    ]
    Applicant.update(copies=3).where(Applicant.name == "乙二").execute()
    Applicant.update(copies=1).where(Applicant.name == "甲三").execute()
    return rows


def test_default_order_is_by_body_then_file_order(officer, people):
    html = officer.get("/review").get_data(as_text=True)
    # 百官街道 (sort order 1) before 曹娥街道 (2); each body in the order its rows were added.
    assert names(html) == ["乙二", "甲三", "王芳", "丁一", "丙四"]


@pytest.mark.parametrize("query, expected", [
    ("specialty=材料", ["丁一"]),
    ("route=破格", ["乙二"]),
    ("warning=ce.short", ["丙四"]),
    ("copies=0", ["王芳", "丁一", "丙四"]),
    ("copies=partial", ["甲三"]),
    ("copies=complete", ["乙二"]),
    ("level=正高级工程师&specialty=信息技术", ["甲三"]),
])
def test_filters_select_the_matching_rows(officer, people, query, expected):
    html = officer.get(f"/review?{query}", headers=HX).get_data(as_text=True)
    assert names(html) == expected
    assert f"共 {len(expected)} 人" in html


def platform_list(*people: Applicant) -> None:
    """A current platform list holding `people` only (the others: 平台未申报),
    loaded as an uploaded one is."""
    def store(entry, _):
        reconcile.store_rows(entry, ((a.id_number, {"name": a.name, "level": a.level}) for a in people))
        return len(people), None

    reconcile.load_list(Batch.current(), ListUpload.PLATFORM, None, "平台.xlsx", b"x", store=store)


@pytest.mark.parametrize("query, expected", [
    ("warning=any", ["甲三", "丁一", "丁一", "丙四", "乙二"]),
    ("warning=none", ["乙二", "王芳"]),
    ("warning=platform.missing", ["甲三", "丙四"]),
    # As the badge: a row is a duplicate while another body's row of the person is not withdrawn.
    ("warning=duplicate.other_body", ["丁一", "丁一", "乙二"]),
])
def test_every_warning_the_desk_shows_is_a_filter(officer, people, query, expected):
    ding, yi, jia, bing, wang = people
    platform_list(ding, yi, wang)
    add("百官街道", 1, name="丁一", specialty="材料", employer="上虞材料厂")
    again = add("曹娥街道", 2, name="乙二", route="破格", self_score=125)
    decisions.decide(again, User.get(User.username == "caoe"), "withdraw", None, again.version)
    html = officer.get(f"/review?{query}", headers=HX).get_data(as_text=True)
    assert names(html) == expected
    assert f"共 {len(expected)} 人" in html


def test_the_warning_filter_offers_every_rule_and_any_or_none(officer, people):
    html = officer.get("/review").get_data(as_text=True)
    for label in ("有提示", "无提示", "提示：平台未申报", "提示：登记学时不足", "提示：自填学时不符",
                  "提示：重复报送", "提示：继续教育学时不足"):
        assert f">{label}" in html

def test_the_form_shows_the_filters_of_the_url(officer, people):
    html = officer.get("/review?route=破格&warning=ce.short&copies=partial&sort=-name").get_data(as_text=True)
    assert "<option selected>破格</option>" in html
    assert '<option value="ce.short" selected>' in html
    assert '<option value="partial" selected>' in html
    assert '<option value="-name" selected>按姓名降序</option>' in html


def test_unknown_filter_values_are_ignored(officer, people):
    html = officer.get("/review?status=nope&warning=nope&copies=9&sort=data", headers=HX).get_data(as_text=True)
    assert "共 5 人" in html


@pytest.mark.parametrize("sort, expected", [
    ("name", ["丁一", "丙四", "乙二", "王芳", "甲三"]),  # code point order of the names
    ("-name", ["甲三", "王芳", "乙二", "丙四", "丁一"]),
    ("employer", ["丁一", "乙二", "丙四", "王芳", "甲三"]),  # the same employer: in the order added
    ("-org", ["丙四", "丁一", "王芳", "甲三", "乙二"]),
])
def test_sorting_by_a_column(officer, people, sort, expected):
    html = officer.get(f"/review?sort={sort}", headers=HX).get_data(as_text=True)
    assert names(html) == expected


def test_sort_by_status_and_last_change(officer, people):
    Applicant.update(status=workflow.APPROVED, updated_at="2030-01-01 08:00:00").where(
        Applicant.name == "丙四").execute()
    assert names(officer.get("/review?sort=status", headers=HX).get_data(as_text=True))[0] == "丙四"
    assert names(officer.get("/review?sort=-updated", headers=HX).get_data(as_text=True))[0] == "丙四"


def test_header_links_keep_the_filters_and_toggle_the_direction(officer, people):
    html = officer.get("/review?route=正常&sort=name", headers=HX).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)"[^>]*class="sort on"[^>]*>姓名 ▲</a>', html)
    assert link, html
    assert "route=%E6%AD%A3%E5%B8%B8" in link.group(1) and "sort=-name" in link.group(1)
    # the sort control outside the results is updated by an out-of-band swap
    assert 'id="sort" aria-label="排序" hx-swap-oob="true"' in html


@pytest.mark.parametrize("q, expected", [
    ("甲三", ["甲三"]),
    ("王", ["王芳"]),  # one or two characters: names only
    ("卧龙电气", ["甲三"]),  # employer
])
def test_search_by_name_employer(officer, people, q, expected):
    html = officer.get("/review", query_string={"q": q}, headers=HX).get_data(as_text=True)
    assert names(html) == expected


def test_search_by_part_of_an_identity_number(officer, people):
    number = people[3].id_number
    html = officer.get("/review", query_string={"q": number[-6:].lower()}, headers=HX).get_data(as_text=True)
    assert names(html) == ["丙四"]


def test_search_follows_renamed_and_deleted_rows(officer, people):
    Applicant.update(name="戊五六").where(Applicant.id == people[0].id).execute()
    html = officer.get("/review", query_string={"q": "戊五六"}, headers=HX).get_data(as_text=True)
    assert "共 1 人" in html and f'id="a{people[0].id}"' in html
    Applicant.delete().where(Applicant.id == people[0].id).execute()
    assert "共 0 人" in officer.get("/review", query_string={"q": "戊五六"}, headers=HX).get_data(as_text=True)


def test_page_window_links_first_last_and_three_around():
    assert page_window(1, 1) == [1]
    assert page_window(1, 20) == [1, 2, 3, 4, None, 20]
    assert page_window(10, 20) == [1, None, 7, 8, 9, 10, 11, 12, 13, None, 20]
    assert page_window(5, 9) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_pager_shows_a_window_and_a_go_to_page_form_keeping_the_filters(officer, app, ctx):
    for i in range(1, 41):
        add("百官街道", i, name=f"人{i:02d}")
    app.config["PAGE_SIZE"] = 2
    html = officer.get("/review?route=正常&page=10", headers=HX).get_data(as_text=True)
    assert "共 40 人，第 10/20 页" in html
    pager = html[html.index('class="pager"'):]
    shown = re.findall(r">(\d+)</(?:a|strong)>", pager)
    assert shown == ["1", "7", "8", "9", "10", "11", "12", "13", "20"]
    assert '<strong aria-current="page">10</strong>' in pager
    assert 'hx-swap="innerHTML show:#results:top"' in pager
    assert '<input type="hidden" name="route" value="正常">' in pager
    assert names(html) == ["人19", "人20"]
    last = officer.get("/review?page=999", headers=HX).get_data(as_text=True)
    assert names(last) == ["人39", "人40"]


def test_kept_counts_follow_imports_decisions_and_copies(client, ctx):
    baiguan = Org.get(Org.name == "百官街道")
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(1), valid_row(2)]))
    client.post(f"/uploads/{Upload.get(Upload.org == baiguan).id}/confirm")
    client.logout()
    client.login("officer")
    a = Applicant.get(Applicant.name == "测试1")
    client.post(f"/applicants/{a.id}/decide", data={"action": "approve", "version": a.version})
    client.post(f"/applicants/{a.id}/copies", data={"copies": 2, "version": Applicant.get_by_id(a.id).version})
    assert kept_counts(Batch.current()) == [(baiguan.id, "approved", 1, 2), (baiguan.id, "pending", 1, 0)]
    html = client.get("/review?status=approved", headers=HX).get_data(as_text=True)
    assert "共 1 人" in html and names(html) == ["测试1"]
    assert "共 2 人" in client.get(f"/review?org={baiguan.id}", headers=HX).get_data(as_text=True)


def test_status_counts_over_the_filter_agree_with_the_rows(app, people):
    """From the kept counts (no filter, a body) or counted (other filters)."""
    Applicant.update(status=workflow.APPROVED).where(Applicant.name.in_(["乙二", "丁一"])).execute()
    baiguan = Org.get(Org.name == "百官街道")
    for args in ({}, {"org": baiguan.id}, {"route": "正常"}, {"org": baiguan.id, "status": "approved"},
                 {"level": "高级工程师", "specialty": "材料"}, {"copies": "partial"}, {"copies": "0", "q": "丁一"}):
        with app.test_request_context():
            login_user(User.get(User.username == "officer"))
            filters = review_filters(MultiDict(args))
            rows = list(review_query(Batch.current(), dict(filters, status="")))
            expected = {s: sum(1 for a in rows if a.status == s) for s in workflow.LABELS}
            assert status_counts(Batch.current(), filters) == expected, args
            assert review_count(Batch.current(), filters) == (expected["approved"] if "status" in args else len(rows))


def links(html: str) -> dict[str, str]:
    """The detail page's rel="prev"/"next" links → the name they lead to."""
    return dict(re.findall(r'<a rel="(prev|next)" href="/applicants/(\d+)[^"]*"', html))


@pytest.mark.parametrize("list_url, expected", [
    # The default order: 乙二 甲三 王芳 | 丁一 丙四.
    ("/review", {"甲三": ("乙二", "王芳"), "王芳": ("甲三", "丁一"), "乙二": (None, "甲三"), "丙四": ("丁一", None)}),
    ("/review?copies=0", {"丁一": ("王芳", "丙四"), "王芳": (None, "丁一")}),
    ("/review?sort=-name", {"王芳": ("甲三", "乙二"), "丁一": ("丙四", None)}),
])
def test_detail_page_links_the_previous_and_next_person_of_the_list(officer, people, list_url, expected):
    by_name = {a.name: a.id for a in people}
    for name, (before, after) in expected.items():
        html = officer.get(f"/applicants/{by_name[name]}", query_string={"next": list_url}).get_data(as_text=True)
        shown = {rel: int(i) for rel, i in links(html).items()}
        assert shown == {rel: by_name[n] for rel, n in (("prev", before), ("next", after)) if n}


def test_detail_page_links_the_duplicate_and_shows_the_platform_values(officer, people):
    ding, yi, jia, bing, wang = people
    platform_list(ding)
    twin = add("百官街道", 1, name="丁一", specialty="材料", employer="上虞材料厂")
    html = officer.get(f"/applicants/{ding.id}").get_data(as_text=True)
    assert f'也由<a href="/applicants/{twin.id}?next=/review">百官街道</a>报送' in html
    assert "<th>花名册</th><th>省平台/学时登记</th>" in html
    row = r"<tr><th>([^<]*)</th><td>([^<]*)</td><td([^>]*)>([^<]*)</td>"
    cells = {th: tds for th, *tds in re.findall(row, html)}
    assert cells["申报级别"] == ["高级工程师", "", "高级工程师"]
    assert cells["工作单位(全称)"] == ["上虞材料厂", "", ""]  # not in the platform's list: not compared
    ListRow.update(data={"name": "丁一", "level": "正高级工程师"}).execute()
    html = officer.get(f"/applicants/{ding.id}").get_data(as_text=True)
    assert '<th>申报级别</th><td>高级工程师</td><td class="differs">正高级工程师</td>' in html
