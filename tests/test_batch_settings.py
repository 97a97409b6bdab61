"""Batch settings in the browser: every field of the preset, the levels and
seniority tables, a new batch from the preset or last year's, extensions
with a reason, and the re-check of stored rows before a threshold is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from werkzeug.datastructures import MultiDict

from tests.helpers import roster, upload, valid_row
from zcweb.intake.deadlines import deadline_for
from zcweb.models import Applicant, Batch, Event, Extension, Org, Upload
from zcweb.roster import batch as rules
from zcweb.roster import batch_settings
from zcweb.roster.batch import load_preset
from zcweb.roster.rules import check_row


class _Form(HTMLParser):
    """The fields a browser would submit from one form of a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields, self._textarea = form_id, False, MultiDict(), None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name") and a.get("type") != "submit":
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.add(a["name"], a.get("value", ""))
        elif self.inside and tag == "textarea":
            self._textarea = a["name"]
            self.fields.add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            values = self.fields.getlist(self._textarea)
            values[-1] += data
            self.fields.setlist(self._textarea, values)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def settings_form(client, **changes) -> MultiDict:
    """The settings form as the page fills it, with `changes` typed in."""
    parser = _Form("settings-form")
    parser.feed(client.get("/admin/batch").get_data(as_text=True))
    form = parser.fields
    for name, value in changes.items():
        form.setlist(name, value if isinstance(value, list) else [value])
    return form


@pytest.fixture
def officer(client, ctx):
    client.login("officer")
    return client


def stored(i: int, org: str = "百官街道", **changes) -> Applicant:
    data = valid_row(i, **changes)
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org), id_number=data["id_number"],
                            name=data["name"], data=data)


# --- the pure part ------------------------------------------------------------

def test_every_simple_field_has_an_input_kind_from_its_type():
    kinds = {s.name: s.kind for s in batch_settings.SETTINGS}
    assert kinds["upload_deadline"] == "date" and kinds["ce_min_hours"] == "number"
    assert kinds["paper_copies"] == "integer" and kinds["ce_years"] == "numbers"
    assert kinds["reasons"] == "lines" and kinds["notice_first_day_counts"] == "flag"
    # Every field of the preset is on the form, but the year, which names the batch.
    edited = set(kinds) | set(batch_settings.TABLE_LABELS)
    assert edited == {f.name for f in dataclasses.fields(rules.BatchSpec)} - {"year"}


def test_last_years_batch_is_carried_to_the_next_year(spec):
    spec.upload_deadline = dt.date(2024, 2, 29)
    carried = rules.for_year(spec, 2025)
    assert carried.year == 2025
    assert carried.title == "2025年度高级工程师和正高级工程师职务任职资格评审推荐"
    assert carried.upload_deadline == dt.date(2025, 2, 28)
    assert carried.seniority_cutoff == dt.date(2025, 12, 31)
    assert carried.ce_years == [2023, 2024, 2025]
    assert carried.levels == spec.levels and carried.seniority == spec.seniority


def test_changes_read_before_and_after(spec):
    after = rules.for_year(spec, 2024)
    after.ce_min_hours = 100
    after.breakthrough_levels = []
    assert [str(c) for c in batch_settings.changes(spec, after)] == [
        "继续教育学时每年最低 90 → 100", "可破格申报的级别 高级工程师 → （无）"]
    assert batch_settings.changes(spec, rules.for_year(spec, 2024)) == []


def test_form_rows_give_back_the_preset(spec):
    form = MultiDict([("template", spec.template), ("official_view", spec.official_view),
                      ("gongshi_view", spec.gongshi_view)])
    for s in batch_settings.SETTINGS:
        if s.kind != "flag" or getattr(spec, s.name):
            form.add(s.name, batch_settings.form_value(s, spec) if s.kind != "flag" else "1")
    for i, row in enumerate(batch_settings.level_rows(spec)):
        for key in ("name", "specialties", "title", "step"):
            form.add(f"level_{key}", row[key])
        if row["breakthrough"]:
            form.add("level_breakthrough", str(i))
    for row in batch_settings.rule_rows(spec):
        for key, value in row.items():
            form.add(f"rule_{key}", value)
    assert batch_settings.spec_from_form(spec, form) == spec


def test_a_route_not_open_this_year_is_an_error_at_import(spec, schema):
    spec.routes = ["正常", "破格"]
    findings = check_row(valid_row(1, route="高技能人才", skill_level="高级技师 2019-06"), schema, spec)
    assert [(f.level, f.rule) for f in findings] == [("error", "route.closed")]
    spec.routes = []  # none listed: every route of the roster
    assert check_row(valid_row(1, route="高技能人才", skill_level="高级技师 2019-06"), schema, spec) == []


def test_a_seniority_rule_for_a_level_without_a_title_is_refused(spec):
    form = MultiDict([("title", "x"), ("level_name", "高级工程师"), ("level_specialties", "能源"),
                      ("level_title", ""), ("rule_level", "高级工程师"), ("rule_label", "博士"),
                      ("rule_education", "博士研究生"), ("rule_degrees", ""), ("rule_years", "2")]
                     + [(s.name, batch_settings.form_value(s, spec)) for s in batch_settings.SETTINGS
                        if s.kind not in ("flag", "text")])
    with pytest.raises(batch_settings.SettingsError, match="没有名为“roster-1999”的花名册列定义"):
        batch_settings.spec_from_form(spec, MultiDict(form) | {"template": "roster-1999"})
    with pytest.raises(batch_settings.SettingsError, match="须现任的职称"):
        batch_settings.spec_from_form(spec, form)


# --- the settings page ------------------------------------------------------------

def test_officer_edits_levels_breakthrough_and_seniority_as_table_rows(officer):
    form = settings_form(officer)
    form.setlist("level_name", ["高级工程师", "正高级工程师", "工程师", ""])
    form.setlist("level_specialties", ["能源、材料", "信息技术", "机电制造", ""])
    form.setlist("level_title", ["工程师", "高级工程师", "助理工程师", ""])
    form.setlist("level_breakthrough", ["0", "1"])
    form.setlist("level_step", ["评审推荐", "审核推荐", "评审推荐", ""])
    rows = {"level": ["高级工程师", "正高级工程师", "工程师"], "label": ["本科", "本科", "大专"],
            "education": ["大学本科", "大学本科", "大学专科"], "degrees": ["学士", "学士", ""], "years": ["4", "5", "3.5"]}
    for key, values in rows.items():
        form.setlist(f"rule_{key}", values)
    form["action"] = "save"
    assert officer.post("/admin/batch", data=form).status_code == 303
    spec = Batch.current().spec
    assert spec.levels == {"高级工程师": ["能源", "材料"], "正高级工程师": ["信息技术"], "工程师": ["机电制造"]}
    assert spec.breakthrough_levels == ["高级工程师", "正高级工程师"]
    assert spec.district_steps == {"高级工程师": "评审推荐", "正高级工程师": "审核推荐", "工程师": "评审推荐"}
    assert spec.seniority["工程师"] == {"title": ["助理工程师"], "rules": [
        {"label": "大专", "education": ["大学专科"], "degrees": [], "years": 3.5}]}
    html = officer.get("/admin/batch").get_data(as_text=True)
    assert 'value="助理工程师"' in html and 'value="3.5"' in html


def test_every_simple_field_is_on_the_page_and_saved(officer):
    html = officer.get("/admin/batch").get_data(as_text=True)
    for s in batch_settings.SETTINGS:
        assert f'name="{s.name}"' in html and s.label in html
    form = settings_form(officer, bureau="绍兴市上虞区经信局", ce_years="2023、2024", excluded_employer_types="参公事业单位\n机关",
                         paper_copies="2", action="save")
    officer.post("/admin/batch", data=form)
    spec = Batch.current().spec
    assert (spec.bureau, spec.ce_years, spec.paper_copies) == ("绍兴市上虞区经信局", [2023, 2024], 2)
    assert spec.excluded_employer_types == ["参公事业单位", "机关"]


def test_bad_batch_settings_are_refused_in_chinese(officer):
    spec = Batch.current().spec
    response = officer.post("/admin/batch", data=settings_form(officer, upload_deadline="9月5日", action="save"))
    assert response.status_code == 400
    assert "“单位推荐（上传）截止”不是有效日期" in response.get_data(as_text=True)
    assert Batch.current().spec.upload_deadline == spec.upload_deadline


def test_a_bad_value_is_explained_in_the_preview(officer):
    response = officer.post("/admin/batch", data=settings_form(officer, ce_min_hours="九十", action="preview"),
                            headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "“继续教育学时每年最低”须为数字" in html


def test_threshold_change_is_previewed_with_the_recheck_and_nothing_is_written(officer):
    short = [stored(i, ce_2023=95) for i in range(3)]
    stored(10)  # 96 hours: short of 100 as well
    stored(11, ce_2022=120, ce_2023=120, ce_2024=120)
    events = Event.select().count()
    html = officer.post("/admin/batch", data=settings_form(officer, ce_min_hours="100", action="preview"),
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "继续教育学时每年最低 <b>90</b> → <b>100</b>：4行新增提示，0行消除提示" in html
    assert "<html" not in html and "确认保存" in html
    assert Batch.current().spec.ce_min_hours == 90
    assert Event.select().count() == events
    assert all(Applicant.get_by_id(a.id).warnings == [] for a in short)


def test_saving_a_threshold_updates_stored_warnings_and_logs_before_and_after(officer):
    short = stored(1, ce_2023=95)
    fine = stored(2, ce_2022=120, ce_2023=120, ce_2024=120)
    officer.post("/admin/batch", data=settings_form(officer, ce_min_hours="100", action="save"))
    warnings = Applicant.get_by_id(short.id).warnings
    assert {w["column"] for w in warnings} == {"ce_2022", "ce_2023", "ce_2024"}
    assert "登记95学时，不足100学时" in warnings[1]["message"]
    assert Applicant.get_by_id(fine.id).warnings == []
    event = Event.get(Event.action == "batch.updated")
    assert (event.before, event.after) == ({"ce_min_hours": 90}, {"ce_min_hours": 100})
    assert event.detail == "继续教育学时每年最低 90 → 100。重新检查已报2行：1行新增提示，0行消除提示"
    assert "继续教育学时每年最低 90 → 100" in officer.get("/admin/events").get_data(as_text=True)
    # Lowering it again clears them.
    officer.post("/admin/batch", data=settings_form(officer, ce_min_hours="90", action="save"))
    assert Applicant.get_by_id(short.id).warnings == []


def test_a_rule_a_stored_row_now_breaks_is_kept_as_a_warning(officer):
    row = stored(1, level="高级工程师", specialty="轻纺")
    form = settings_form(officer, action="save")
    form.setlist("level_specialties", ["能源、材料", form.getlist("level_specialties")[1], "", ""])
    officer.post("/admin/batch", data=form)
    [warning] = Applicant.get_by_id(row.id).warnings
    assert warning["level"] == "warning" and warning["rule"] == "specialty.not_offered"
    assert "专业不在范围" in officer.get("/review").get_data(as_text=True)


def test_routes_open_this_year_are_a_setting_checked_on_stored_rows(officer):
    skilled = stored(1, route="高技能人才", skill_level="高级技师 2019-06")
    officer.post("/admin/batch", data=settings_form(officer, routes="正常\n破格", action="save"))
    assert Batch.current().spec.routes == ["正常", "破格"]
    [warning] = Applicant.get_by_id(skilled.id).warnings
    assert warning["rule"] == "route.closed" and "本批次不设“高技能人才”途径，可选：正常、破格" in warning["message"]


def test_a_save_without_changes_writes_nothing(officer):
    stored(1)
    Applicant.update(warnings=[{"level": "warning", "column": "x", "message": "旧提示", "rule": "old"}]).execute()
    events, settings = Event.select().count(), Batch.current().settings
    response = officer.post("/admin/batch", data=settings_form(officer, action="save"), follow_redirects=True)
    assert "设置没有变化，未保存" in response.get_data(as_text=True)
    assert Event.select().count() == events + 0
    assert Batch.current().settings == settings
    assert Applicant.get().warnings[0]["message"] == "旧提示"  # no row re-checked or written


# --- new batches ----------------------------------------------------------------------

def test_new_batch_as_a_copy_of_last_year(officer):
    last = Batch.current()
    officer.post("/admin/batch", data=settings_form(officer, ce_min_hours="100", action="save"))
    response = officer.post("/admin/batches", data={"year": last.year + 1, "source": f"batch:{last.id}"})
    assert response.status_code == 303
    new = Batch.get(Batch.year == last.year + 1)
    assert Batch.current().id == new.id
    assert new.spec.ce_min_hours == 100
    assert new.spec.upload_deadline == rules._add_years(last.spec.upload_deadline, 1)
    assert Event.get(Event.action == "batch.created", Event.batch == new).user.username == "officer"
    again = officer.post("/admin/batches", data={"year": last.year + 1, "source": f"batch:{last.id}"},
                         follow_redirects=True)
    assert f"{last.year + 1}年度批次已存在" in again.get_data(as_text=True)


def test_new_batch_from_the_preset(officer):
    officer.post("/admin/batches", data={"year": 2031, "source": "preset:2024"})
    new = Batch.get(Batch.year == 2031)
    assert new.title == "2031年度高级工程师和正高级工程师职务任职资格评审推荐"
    assert new.spec.ce_min_hours == load_preset(2024).ce_min_hours
    html = officer.get("/admin/batches").get_data(as_text=True)
    assert "2031年9月5日" in html and "2024年度预设" in html


# --- extensions -----------------------------------------------------------------------

def test_extension_needs_a_reason_and_moves_one_bodys_deadline(officer):
    batch, org = Batch.current(), Org.get(Org.name == "曹娥街道")
    refused = officer.post("/admin/batch/extensions", data={"org": org.id, "until": "2031-01-15"}, follow_redirects=True)
    assert "请填写“曹娥街道”延期报送的原因" in refused.get_data(as_text=True)
    assert Extension.select().count() == 0
    officer.post("/admin/batch/extensions", data={"org": org.id, "until": "2031-01-15", "reason": "公示延后"})
    assert deadline_for(batch, org) == dt.date(2031, 1, 15)
    assert Extension.get().reason == "公示延后"
    assert deadline_for(batch, Org.get(Org.name == "百官街道")) == batch.spec.upload_deadline
    assert "曹娥街道 延期至 2031-01-15（公示延后）" in officer.get("/admin/events").get_data(as_text=True)
    officer.post("/admin/batch/extensions", data={"org": org.id, "until": ""})
    assert Extension.select().count() == 0


def test_extended_body_uploads_after_the_deadline_while_another_is_refused(client, ctx):
    batch = Batch.current()
    batch.settings = {**batch.settings, "upload_deadline": (dt.date.today() - dt.timedelta(days=1)).isoformat()}
    batch.save()
    caoe, baiguan = Org.get(Org.name == "曹娥街道"), Org.get(Org.name == "百官街道")
    Extension.create(batch=batch, org=caoe, until=dt.date.today() + dt.timedelta(days=3), reason="公示延后")
    client.login("caoe")
    upload(client, roster(caoe, [valid_row(1)]))
    assert Upload.select().order_by(Upload.id.desc()).first().status == Upload.PREVIEW
    template = openpyxl.load_workbook(io.BytesIO(client.get("/template.xlsx").data))
    text = " ".join(str(c.value) for ws in template for row in ws.iter_rows() for c in row if c.value)
    until = dt.date.today() + dt.timedelta(days=3)
    assert f"{until.year}年{until.month}月{until.day}日" in text
    client.logout()
    client.login("baiguan")
    upload(client, roster(baiguan, [valid_row(2)]))
    refused = Upload.select().order_by(Upload.id.desc()).first()
    assert refused.status == Upload.REFUSED and "已过截止日期，不能再上传" in refused.message


def test_contacts_cannot_change_or_create_batches(client, ctx):
    client.login("baiguan")
    assert client.get("/admin/batches").status_code == 403
    assert client.post("/admin/batches", data={"year": 2031, "source": "preset:2024"}).status_code == 403
    assert client.post("/admin/batch", data={"ce_min_hours": "100", "action": "save"}).status_code == 403
    assert Batch.select().count() == 1 and Batch.current().spec.ce_min_hours == 90
