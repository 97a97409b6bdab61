"""The rows' marks for the review filters (zcweb/marks.py) stay exactly what
the desk shows: after a list is loaded or replaced, an import, a decision,
new batch settings, 定稿 and a results list, and a body's new place in
the order. Each check compares every row's marks with the warnings the
review page itself puts on the row."""

from __future__ import annotations

import re

import pytest
from flask_login import login_user

from zcweb import marks
from zcweb.models import Applicant, ApplicantMark, Batch, Org, Upload, User
from zcweb.outputs import finalise as finalising
from zcweb.review import decisions, reconcile, results, sameperson
from zcweb.roster import rulenames, workflow

from tests.helpers import kept_tables, roster, true_tables, upload, valid_row
from tests.test_batch_settings import settings_form
from tests.test_reconcile import (A, B, C, D, gbk_csv, platform_rows, registry_rows, rosters,  # noqa: F401
                                  send_list, xlsx)

HX = {"HX-Request": "true"}
NOT_RULES = {marks.ANY, marks.NONE, marks.APPLIED, marks.FAILED_BEFORE}


def shown(app, batch) -> dict[int, set[str]]:
    """Every row's warning rules as the review page shows them to the officer."""
    with app.test_request_context():
        login_user(User.get(User.username == "officer"))
        rows = list(Applicant.select(Applicant, Org).join(Org).where(Applicant.batch == batch))
        reconcile.add_warnings(batch, rows)
        sameperson.add_warnings(batch, rows)
        submitted = Applicant.submitted_by(batch)
        return {a.id: {w["rule"] for w in a.warnings}
                | ({rulenames.DUPLICATE_OTHER_BODY} if a.other_bodies(submitted) else set()) for a in rows}


def kept(batch) -> dict[int, set[str]]:
    """Every row's marks (rows without any: an empty set)."""
    found = {i: set() for (i,) in Applicant.select(Applicant.id).where(Applicant.batch == batch).tuples()}
    for applicant_id, mark in ApplicantMark.select(ApplicantMark.applicant, ApplicantMark.mark).where(
            ApplicantMark.batch == batch).tuples():
        found[applicant_id].add(mark)
    return found


def assert_exact(app, batch) -> dict[int, set[str]]:
    """The marks are the rules shown, ANY or NONE accordingly, and each mark
    row copies its applicant's status, body and place; returns the rules."""
    rules, marked = shown(app, batch), kept(batch)
    assert {i: m - NOT_RULES for i, m in marked.items()} == rules
    assert {i: m & {marks.ANY, marks.NONE} for i, m in marked.items()} == {
        i: {marks.ANY if r else marks.NONE} for i, r in rules.items()}
    differs = ((ApplicantMark.status != Applicant.status) | (ApplicantMark.org != Applicant.org)
               | (ApplicantMark.org_order != Applicant.org_order) | (ApplicantMark.position != Applicant.position))
    copies = ApplicantMark.select().join(Applicant).where((ApplicantMark.batch == batch) & differs)
    assert copies.count() == 0
    return rules


def by_name(batch, rules: dict[int, set[str]]) -> dict[str, set[str]]:
    names = dict(Applicant.select(Applicant.id, Applicant.name).where(Applicant.batch == batch).tuples())
    return {names[i]: r for i, r in rules.items()}


def names_in(html: str) -> list[str]:
    return re.findall(r'<a href="/applicants/\d+[^"]*">([^<]+)</a>', html)


def test_marks_follow_each_list_loaded_and_replaced(app, rosters):
    batch = Batch.current()
    assert by_name(batch, assert_exact(app, batch)) == {"甲一": set(), "乙二": set(), "丙三": set(), "丁四": set()}
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx")
    rules = by_name(batch, assert_exact(app, batch))
    assert rules["乙二"] == {rulenames.PLATFORM_MISSING, rulenames.CE_REGISTRY_SHORT}
    assert rules["丙三"] == {rulenames.PLATFORM_DIFFERS, rulenames.CE_REGISTRY_SHORT, rulenames.CE_REGISTRY_DIFFERS}
    assert rules["甲一"] == set()
    assert names_in(rosters.get("/review?warning=platform.missing", headers=HX).get_data(as_text=True)) == ["乙二"]

    # A newer platform list has 乙二 and no longer 丙三.
    newer = [row for row in platform_rows() if row[0] != C["name"]]
    newer.append([B["name"], B["id_number"], "高级工程师", "石油和化学工程", B["employer"], "已提交"])
    send_list(rosters, "platform", xlsx(newer), "平台（更新）.xlsx")
    rules = by_name(batch, assert_exact(app, batch))
    assert rulenames.PLATFORM_MISSING not in rules["乙二"] and rulenames.PLATFORM_MISSING in rules["丙三"]
    html = rosters.get("/review?warning=platform.missing", headers=HX).get_data(as_text=True)
    assert names_in(html) == ["丙三"] and "共 1 人" in html
    assert names_in(rosters.get("/review?warning=none", headers=HX).get_data(as_text=True)) == ["甲一"]


def test_marks_follow_an_import_and_a_withdrawal(app, rosters):
    batch = Batch.current()
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    # 曹娥街道 sends 丁四 again with 甲一, whom 百官街道 sent too, and a 乙二 born the same month
    # under another number at the same employer.
    caoe = Org.get(Org.name == "曹娥街道")
    twin = valid_row(9, name=B["name"], employer=B["employer"])
    upload(rosters, roster(caoe, [D, A, twin]), org=caoe.id)
    rosters.post(f"/uploads/{caoe.uploads.order_by(-Upload.id).first().id}/confirm")
    rules = assert_exact(app, batch)
    jia = Applicant.select().where(Applicant.name == "甲一").order_by(Applicant.id)
    assert [rulenames.DUPLICATE_OTHER_BODY in rules[a.id] for a in jia] == [True, True]
    assert all(rulenames.SAME_PERSON in rules[a.id] for a in Applicant.select().where(Applicant.name == "乙二"))

    # The contact withdraws 曹娥街道's 甲一: 百官街道's is no longer sent twice.
    mine = jia.where(Applicant.org == caoe).get()
    decisions.decide(mine, User.get(User.username == "caoe"), "withdraw", None, mine.version)
    assert Applicant.get_by_id(mine.id).status == workflow.WITHDRAWN
    rules = assert_exact(app, batch)
    theirs = jia.where(Applicant.org != caoe).get()
    assert rulenames.DUPLICATE_OTHER_BODY not in rules[theirs.id]
    html = rosters.get("/review?warning=duplicate.other_body", headers=HX).get_data(as_text=True)
    assert "共 1 人" in html and names_in(html) == ["甲一"]  # the withdrawn row itself still shows it


def test_a_re_upload_remarks_the_rows_it_renames_and_withdraws_and_their_people(app, rosters):
    """The confirmation refreshes the rows it wrote or withdrew and the
    people they share a number or a name with, at other bodies too."""
    batch = Batch.current()
    caoe = Org.get(Org.name == "曹娥街道")
    twin = valid_row(9, name=B["name"], employer=B["employer"])

    def send(rows, **fields):
        upload(rosters, roster(caoe, rows), org=caoe.id)
        rosters.post(f"/uploads/{caoe.uploads.order_by(-Upload.id).first().id}/confirm", data=fields)
        return assert_exact(app, batch)

    baiguan = lambda name: Applicant.get((Applicant.name == name) & (Applicant.org != caoe)).id  # noqa: E731
    rules = send([A, twin])
    assert rulenames.DUPLICATE_OTHER_BODY in rules[baiguan("甲一")]
    assert rulenames.SAME_PERSON in rules[baiguan("乙二")]
    # The twin renamed: 百官街道's 乙二 has no namesake left at 曹娥街道.
    rules = send([A, dict(twin, name="乙三")])
    assert rulenames.SAME_PERSON not in rules[baiguan("乙二")]
    # 甲一 left out and withdrawn: 百官街道's 甲一 is sent once.
    rules = send([dict(twin, name="乙三")], withdraw_missing="1")
    assert rulenames.DUPLICATE_OTHER_BODY not in rules[baiguan("甲一")]
    assert Applicant.get((Applicant.name == "甲一") & (Applicant.org == caoe)).status == workflow.WITHDRAWN


def test_a_first_import_marks_its_own_people_and_the_shared_ones(app, rosters):
    """A body's first import: the rows no other row knows get the rules of
    their own warnings (set-based, in SQL), the ones sharing a number or a
    name are worked out with their people; all as the desk shows them."""
    batch = Batch.current()
    dongguan = Org.create(name="东关街道", kind="街道", sort_order=3)
    rows = [valid_row(20), valid_row(21, ce_2022=10),
            valid_row(22, ce_2022=10, current_title_date="2023-12-28"),
            A, valid_row(23, name=C["name"]), valid_row(24, name=D["name"], employer="另一家公司")]
    upload(rosters, roster(dongguan, rows), org=dongguan.id)
    rosters.post(f"/uploads/{dongguan.uploads.order_by(-Upload.id).first().id}/confirm")
    rules = assert_exact(app, batch)
    mine = {a.name: rules[a.id] for a in Applicant.select().where(Applicant.org == dongguan)}
    assert mine == {"测试20": set(), "测试21": {rulenames.CE_SHORT},
                    "测试22": {rulenames.CE_SHORT, rulenames.SENIORITY_SHORT},
                    "甲一": {rulenames.DUPLICATE_OTHER_BODY}, "丙三": {rulenames.SAME_PERSON}, "丁四": set()}
    assert kept_tables()["marks"] == true_tables()["marks"]
    html = rosters.get("/review?warning=ce.short", headers=HX).get_data(as_text=True)
    assert sorted(names_in(html)) == ["测试21", "测试22"]
    assert "测试20" in names_in(rosters.get("/review?warning=none", headers=HX).get_data(as_text=True))


def test_a_decision_moves_the_rows_marks_to_its_new_status(app, rosters):
    batch = Batch.current()
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    yi = Applicant.get(Applicant.name == "乙二")
    rosters.post(f"/applicants/{yi.id}/decide", data={"action": "approve", "version": yi.version}, headers=HX)
    assert_exact(app, batch)
    html = rosters.get("/review?warning=platform.missing&status=approved", headers=HX).get_data(as_text=True)
    assert names_in(html) == ["乙二"]
    assert 'data-status="approved"><span class="badge s-approved">拟推荐</span> <b>1</b>' in html
    assert 'data-status="pending"><span class="badge s-pending">待审核</span> <b>0</b>' in html


def test_new_batch_settings_remark_the_rows(app, rosters):
    batch = Batch.current()
    send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx")
    assert rulenames.CE_REGISTRY_SHORT not in by_name(batch, assert_exact(app, batch))["甲一"]
    rosters.post("/admin/batch", data=settings_form(rosters, ce_min_hours="100", action="save"))
    rules = by_name(batch, assert_exact(app, Batch.get_by_id(batch.id)))
    assert rulenames.CE_REGISTRY_SHORT in rules["甲一"]  # 96 registered hours: now short of 100


def test_a_bodys_new_place_in_the_order_moves_its_marks(app, rosters):
    batch = Batch.current()
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    assert names_in(rosters.get("/review?warning=any", headers=HX).get_data(as_text=True))[-1] == "丁四"
    caoe = Org.get(Org.name == "曹娥街道")
    caoe.sort_order = 0
    caoe.save()
    assert_exact(app, batch)
    assert names_in(rosters.get("/review?warning=any", headers=HX).get_data(as_text=True))[0] == "丁四"


def test_earlier_years_marks_follow_finalising_and_the_results(app, ctx, runner):
    batch2024, officer = Batch.current(), User.get(User.username == "officer")
    baiguan = Org.get(Org.name == "百官街道")
    wang, li = valid_row(1, name="王芳"), valid_row(2, name="李强")
    for row in (wang, li):
        Applicant.create(batch=batch2024, org=baiguan, id_number=row["id_number"], name=row["name"], data=row,
                         status=workflow.APPROVED)
    assert runner.invoke(args=["new-batch", "--copy-from", str(batch2024.year),
                               "--year", str(batch2024.year + 1)]).exit_code == 0
    batch2025 = Batch.get(Batch.year == batch2024.year + 1)
    for row in (wang, li):
        Applicant.create(batch=batch2025, org=baiguan, id_number=row["id_number"], name=row["name"], data=row)

    def records():
        return {name: kept(batch2025)[i] & {marks.APPLIED, marks.FAILED_BEFORE}
                for i, name in Applicant.select(Applicant.id, Applicant.name)
                .where(Applicant.batch == batch2025).tuples()}

    assert records() == {"王芳": {marks.APPLIED, marks.FAILED_BEFORE}, "李强": {marks.APPLIED, marks.FAILED_BEFORE}}
    finalising.finalise(batch2024, officer)  # 已推荐: not failed, until the results say so
    assert records() == {"王芳": {marks.APPLIED}, "李强": {marks.APPLIED}}
    results.load_results(batch2024, officer, "评审结果.csv",
                         gbk_csv([["姓名", "工作单位", "专业"], ["李强", li["employer"], li["specialty"]]]))
    assert records() == {"王芳": {marks.APPLIED, marks.FAILED_BEFORE}, "李强": {marks.APPLIED}}
    finalising.reopen_batch(batch2024, officer, "更正")  # 拟推荐 again: not recommended
    assert records() == {"王芳": {marks.APPLIED, marks.FAILED_BEFORE}, "李强": {marks.APPLIED, marks.FAILED_BEFORE}}


@pytest.mark.parametrize("query", ["warning=any", "warning=ce.short&org={org}", "record=applied&status=pending"])
def test_neighbours_within_a_mark_follow_the_list(app, client, ctx, query):
    """上一人/下一人 in a list served by the marks' index walk that list."""
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    ce_short = [{"level": "warning", "column": "ce_2023", "message": "学时不足", "rule": rulenames.CE_SHORT}]
    earlier = Batch.create(year=batch.year - 1, title="上年", settings=batch.settings)
    people = []
    for i in range(1, 6):
        row = valid_row(i, name=f"申报人{i}")
        if i != 3:
            Applicant.create(batch=earlier, org=org, id_number=row["id_number"], name=row["name"], data=row)
        people.append(Applicant.create(batch=batch, org=org, position=i, id_number=row["id_number"],
                                       name=row["name"], data=row, warnings=[] if i == 3 else ce_short))
    client.login("officer")
    url = "/review?" + query.format(org=org.id)
    html = client.get(url, headers=HX).get_data(as_text=True)
    assert names_in(html) == ["申报人1", "申报人2", "申报人4", "申报人5"]
    page = client.get(f"/applicants/{people[1].id}", query_string={"next": url}).get_data(as_text=True)
    assert re.search(r'<a rel="prev" href="/applicants/(\d+)\?', page).group(1) == str(people[0].id)
    assert re.search(r'<a rel="next" href="/applicants/(\d+)\?', page).group(1) == str(people[3].id)
