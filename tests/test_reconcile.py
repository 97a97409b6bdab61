"""Reconciling the rosters with the provincial platform's list and the
CE-hours registry, both built here as the province's systems export them
(header variants, GBK CSV and xlsx)."""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pytest

from zcweb.models import Applicant, Event, ListRow, ListUpload, Org, Upload

from tests.helpers import make_id, roster, upload, valid_row

A, B, C, D = (valid_row(i, name=n) for i, n in ((1, "甲一"), (2, "乙二"), (3, "丙三"), (4, "丁四")))
E = make_id("19790101", 11)  # on the platform, on no roster


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def gbk_csv(rows: list[list]) -> bytes:
    return "\r\n".join(",".join(str(v) for v in row) for row in rows).encode("gbk")


def web_page(rows: list[list]) -> bytes:
    """The platform's "导出 Excel" as many such systems write it: an HTML
    table in GBK, saved as .xls, a title cell across the columns above."""
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    return (f"<html><head><meta charset=gbk></head><body><table><tr><td colspan={len(rows[0])}>"
            f"职称申报人员名单</td></tr>{cells}</table></body></html>").encode("gbk")


def platform_rows(level_header="申报资格", specialty_header="评审专业", state_header="审核状态") -> list[list]:
    return [
        ["姓名", "身份证号码", level_header, specialty_header, "工作单位", state_header],
        [A["name"], A["id_number"], "高级工程师", "石油和化学工程", A["employer"], "已提交"],
        [C["name"], C["id_number"], "高级工程师", "材料", "浙江上虞另一家公司", "已提交"],
        [D["name"], D["id_number"], "正高级工程师", "石油和化学工程", D["employer"], "单位审核中"],
        ["戊五", E, "高级工程师", "能源", "某能源公司", "已提交"],
    ]


def registry_rows(professional_header="专业科目学时") -> list[list]:
    rows = [["身份证号码", "姓名", "年度", "总学时", professional_header]]
    for person, hours in ((A, {2022: (96, 60), 2023: (96, 60), 2024: (96, 60)}),
                          (C, {2022: (96, 60), 2023: (72, 60), 2024: (96, 60)}),
                          (D, {2022: (96, 60), 2023: (96, 60), 2024: (96, 50)})):
        rows += [[person["id_number"], person["name"], year, total, professional]
                 for year, (total, professional) in hours.items()]
    return rows


@pytest.fixture
def rosters(client, ctx):
    """百官街道 sends 甲一, 乙二, 丙三; 曹娥街道 sends 丁四."""
    client.login("officer")
    for org_name, people in (("百官街道", [A, B, C]), ("曹娥街道", [D])):
        org = Org.get(Org.name == org_name)
        upload(client, roster(org, people), org=org.id)
        preview = org.uploads.order_by(-Upload.id).first()
        client.post(f"/uploads/{preview.id}/confirm")
    return client


def send_list(client, kind: str, data: bytes, name: str):
    return client.post("/reconcile/lists", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("platform_file", [
    ("平台名单.xlsx", lambda: xlsx(platform_rows())),
    ("平台名单.csv", lambda: gbk_csv(platform_rows("申报级别", "申报专业", "申报状态"))),
    ("平台名单.xls", lambda: web_page(platform_rows())),
])
def test_each_class_of_mismatch_on_the_page(rosters, platform_file):
    name, build = platform_file
    page = send_list(rosters, "platform", build(), name).get_data(as_text=True)
    assert "已读取职称平台申报名单：4人" in page
    not_on_platform = page.split("已报送但平台未申报")[1].split("</section>")[0]
    assert "乙二" in not_on_platform and "甲一" not in not_on_platform
    missed = page.split("平台已申报但未在任何花名册中")[1].split("</section>")[0]
    assert "戊五" in missed and E not in missed and "197901********" not in missed and E[:6] in missed
    mismatched = page.split("花名册与平台信息不一致")[1].split("</section>")[0]
    assert "丙三" in mismatched and "申报专业" in mismatched and "材料" in mismatched
    assert "工作单位(全称)" in mismatched and "浙江上虞另一家公司" in mismatched
    assert "丁四" in mismatched and "正高级工程师" in mismatched and "甲一" not in mismatched
    assert "（3处）" in mismatched


def test_counts_per_body(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    page = send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx").get_data(as_text=True)
    table = page.split("各单位核对情况")[1].split("</table>")[0]
    baiguan = table.split("百官街道")[1].split("</tr>")[0]
    caoe = table.split("曹娥街道")[1].split("</tr>")[0]
    cells = lambda row: [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]  # noqa: E731
    # rows, not on platform, mismatched, CE short, CE differs
    assert cells(baiguan) == ["3", "1", "1", "2", "1"]
    assert cells(caoe) == ["1", "", "1", "1", ""]


def test_registry_hours_replace_the_self_declared_check(rosters):
    page = send_list(rosters, "registry", gbk_csv(registry_rows("专业课学时")), "学时.csv").get_data(as_text=True)
    assert "已读取继续教育学时登记名单：3人" in page
    assert "自填学时与登记系统不符 (自填 96, 登记 72)" in page
    assert "登记学时不足（2023年登记72学时，不足90学时）" in page
    assert "登记学时不足（2024年专业科目登记50学时，不足60学时）" in page
    assert "继续教育学时登记系统中没有此人的登记记录" in page  # 乙二


def test_warnings_reach_the_review_rows(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx")
    html = rosters.get("/review").get_data(as_text=True)
    rows = {name: html.split(f">{name}</a>")[1].split("</tr>")[0] for name in ("甲一", "乙二", "丙三", "丁四")}
    assert "平台未申报" in rows["乙二"] and "平台未申报" not in rows["甲一"]
    assert "自填学时与登记系统不符 (自填 96, 登记 72)" in rows["丙三"]
    assert "申报专业与平台不一致" in rows["丙三"]
    assert "登记学时不足" in rows["丁四"] and "⚠" not in rows["甲一"]


def test_a_newer_list_replaces_the_older_and_both_are_kept(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "旧.xlsx")
    newer = platform_rows() + [[B["name"], B["id_number"], "高级工程师", "石油和化学工程", B["employer"], "已提交"]]
    page = send_list(rosters, "platform", xlsx(newer), "新.xlsx").get_data(as_text=True)
    lists = list(ListUpload.select().order_by(ListUpload.id))
    assert [(x.filename, x.status, x.rows) for x in lists] == [("旧.xlsx", "replaced", 4), ("新.xlsx", "current", 5)]
    assert lists[0].sha256 == hashlib.sha256(bytes(lists[0].content)).hexdigest()
    assert len(lists[1].sha256) == 64 and lists[1].user.username == "officer"
    assert "（0人）" in page.split("已报送但平台未申报")[1].split("</h2>")[0]
    assert ListRow.select().where(ListRow.list == lists[0]).count() == 4


def test_a_refused_list_is_kept_and_the_current_one_stays(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    page = send_list(rosters, "platform", xlsx([["甲", "乙"], [1, 2]]), "错.xlsx").get_data(as_text=True)
    assert "职称平台申报名单未采用" in page
    statuses = [x.status for x in ListUpload.select().order_by(ListUpload.id)]
    assert statuses == ["current", "refused"]


def test_a_list_that_is_no_spreadsheet_is_refused_as_a_list_not_as_a_roster(rosters):
    page = send_list(rosters, "platform", b"%PDF-1.7 ...", "平台.pdf").get_data(as_text=True)
    assert "这是 PDF 文件，不是 Excel 名单。请上传名单（.xlsx 文件）。" in page
    page = send_list(rosters, "registry", b"", "学时.xlsx").get_data(as_text=True)
    assert "文件是空的，请选择名单重新上传。" in page
    assert "不是 Excel 花名册" not in page and "填好的花名册" not in page


def test_the_export_holds_each_class_and_is_logged(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    send_list(rosters, "registry", xlsx(registry_rows()), "学时.xlsx")
    response = rosters.get("/reconcile/result.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    values = {sheet.title: [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] for sheet in book}
    assert values["平台未申报"] == [["百官街道", "乙二", B["id_number"]]]
    assert values["平台有但未报送"][0][:2] == ["戊五", E]
    assert ["曹娥街道", "丁四", D["id_number"], "申报级别", "高级工程师", "正高级工程师"] in values["信息不一致"]
    assert values["各单位汇总"][0] == ["百官街道", 3, 1, 1, 2, 1]
    event = Event.get(Event.action == "export.reconcile")
    assert event.user.username == "officer" and event.after["not_on_platform"] == 1


def test_contacts_cannot_reconcile(client, ctx):
    client.login("baiguan")
    assert client.get("/reconcile").status_code == 403
    assert send_list(client, "platform", xlsx(platform_rows()), "x.xlsx").status_code == 403


def test_cli_prints_the_json(rosters, runner, tmp_path):
    platform, registry = tmp_path / "平台.csv", tmp_path / "学时.xlsx"
    platform.write_bytes(gbk_csv(platform_rows()))
    registry.write_bytes(xlsx(registry_rows()))
    result = runner.invoke(args=["reconcile", "--platform", str(platform), "--registry", str(registry), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["not_on_platform"] == [B["id_number"]]
    assert found["not_on_roster"] == [E]
    assert {"id": D["id_number"], "column": "申报级别", "roster": "高级工程师", "platform": "正高级工程师"} \
        in found["mismatched"]
    assert {m["column"] for m in found["mismatched"]} == {"申报级别", "申报专业", "工作单位(全称)"}
    assert sorted(found["ce_short"]) == sorted([B["id_number"], C["id_number"], D["id_number"]])
    assert found["ce_differs"] == [C["id_number"]]


def test_cli_exits_1_when_a_list_is_refused(rosters, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("甲,乙\n1,2\n".encode("gbk"))
    result = runner.invoke(args=["reconcile", "--platform", str(bad), "--json"])
    assert result.exit_code == 1
    assert "职称平台申报名单被拒收" in json.loads(result.output)["refused"]


def test_the_export_keeps_formula_looking_names_as_text_and_list_downloads_are_logged(rosters):
    send_list(rosters, "platform", xlsx(platform_rows()), "平台.xlsx")
    Applicant.update(name="=1+1").where(Applicant.name == "乙二").execute()
    response = rosters.get("/reconcile/result.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["平台未申报"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+1", "s")
    assert sheet["C2"].data_type == "s" and len(sheet["C2"].value) == 18
    listed = ListUpload.get()
    assert rosters.get(f"/reconcile/lists/{listed.id}/file").data == bytes(listed.content)
    assert Event.get(Event.action == "export.list_original").user.username == "officer"
