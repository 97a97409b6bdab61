"""Downloads: templates (blank, pre-filled, all bodies), the exports page,
roster exports, each body's feedback and the rosters kept at 定稿上报.
Every download of personal data is recorded as an Event."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, request
from flask_login import current_user, login_required

from ..access.scope import current_batch_or_404, me, officer_required
from ..intake import templates
from ..models import Event, FinalRoster, Org
from ..outputs import exports
from ..outputs import finalise as finalising
from ..review import history
from ..roster.workdays import earliest_end
from ..roster.workflow import TransitionRefused
from . import back, render, send_download
from .capacity import limited, template_limited
from ..access.hygiene import number

bp = Blueprint("exports", __name__)


def _org() -> Org:
    """A contact's own body; the officer names one with ?org=ID."""
    if not current_user.is_officer:
        return current_user.org
    org = Org.get_or_none(Org.id == request.args.get("org", type=number))
    if org is None:
        abort(404)
    return org


@bp.route("/template.xlsx")
@login_required
@template_limited
def template():
    batch, org = current_batch_or_404(), _org()
    last_year = None
    if request.args.get("prefill") == "last-year":
        last_year = [a.data for a in history.unsuccessful_last_year(batch, org)]
    data, name = templates.template_for(batch, org, last_year=last_year)
    return send_download(data, name)


@bp.route("/my-rows.xlsx")
@login_required
@limited
def my_rows():
    batch = current_batch_or_404()
    org = _org()
    data, name = templates.template_for(batch, org, with_rows=True)
    Event.record(me(), "export.rows", batch=batch, org=org, detail=name)
    return send_download(data, name)


@bp.route("/feedback.xlsx")
@login_required
@limited
def feedback():
    """审核结果反馈: a contact gets their own body's; the officer any body's."""
    batch = current_batch_or_404()
    org = _org()
    data, name, count = exports.feedback_export(batch, org)
    Event.record(me(), "export.feedback", batch=batch, org=org, after={"rows": count},
                 detail=f"导出 {name}（{count}人）")
    return send_download(data, name)


@bp.route("/templates.zip")
@officer_required
@limited
def all_templates():
    data, name = templates.all_templates_zip(current_batch_or_404())
    return send_download(data, name)


@bp.route("/exports")
@officer_required
def index():
    batch = current_batch_or_404()
    finals = list(FinalRoster.select(FinalRoster.id, FinalRoster.created_at, FinalRoster.created_by,
                                     FinalRoster.filename, FinalRoster.size, FinalRoster.sha256, FinalRoster.rows)
                  .where(FinalRoster.batch == batch).order_by(FinalRoster.id.desc()))
    return render("exports.html", batch=batch, exports=exports.EXPORTS, finals=finals,
                  orgs=list(Org.ordered()), reopen_default=batch.spec.upload_deadline >= dt.date.today())


@bp.route("/exports/<kind>.xlsx")
@officer_required
@limited
def roster(kind: str):
    if kind not in exports.EXPORTS:
        abort(404)
    batch = current_batch_or_404()
    org = None
    if kind == "checklist" and request.args.get("org"):
        org = _org()
        data, name, count = exports.checklist_export(batch, org)
    else:
        data, name, count = exports.roster_export(batch, kind)
    Event.record(me(), "export.roster", batch=batch, org=org, after={"kind": kind, "rows": count},
                 detail=f"导出 {name}（{count}人）")
    return send_download(data, name)


@bp.route("/exports/final/<int:final_id>.xlsx")
@officer_required
def final(final_id: int):
    """The exact roster kept at 定稿上报, byte for byte."""
    kept = FinalRoster.get_or_none(FinalRoster.id == final_id)
    if kept is None:
        abort(404)
    Event.record(me(), "export.final", batch=kept.batch_id, after={"sha256": kept.sha256},
                 detail=f"下载定稿文件 {kept.filename}")
    return send_download(bytes(kept.content), kept.filename)


@bp.post("/exports/reopen")
@officer_required
def reopen():
    """撤销定稿: decisions may change again (an Event says who and why)."""
    try:
        reopen_uploads = request.form.get("reopen_uploads") == "1"
        count = finalising.reopen_batch(current_batch_or_404(), me(), request.form.get("reason", ""), reopen_uploads)
    except TransitionRefused as e:
        flash(str(e), "error")
    else:
        flash(f"已撤销定稿，{count}人恢复为“拟推荐”，{finalising.reopened_text(reopen_uploads)}。修改后请重新定稿上报。",
              "success")
    return back("exports.index")


@bp.route("/gongshi")
@officer_required
def gongshi():
    """The 公示: the notice text for a chosen start date, and the list."""
    batch = current_batch_or_404()
    start, error = _start_date(request.args.get("start", ""))
    people, period, notice = exports.gongshi_notice(batch, start)
    return render("gongshi.html", batch=batch, spec=batch.spec, period=period, notice=notice, people=people,
                  total=sum(map(len, people.values())), error=error)


def _start_date(text: str) -> tuple[dt.date, str | None]:
    """The chosen start date, else the first working day from today."""
    error = None
    if text:
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            error = f"“{text}”不是有效的日期，已改用今天起的第一个工作日。"
    return earliest_end(dt.date.today(), 1)[0], error
