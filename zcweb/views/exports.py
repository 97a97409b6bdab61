"""Downloads: templates (blank, pre-filled, all bodies) and roster exports."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from .. import workbooks
from ..access import current_batch_or_404, me, officer_required
from ..models import Event, Org
from ..roster.gongshi import notice_period, notice_text
from ..roster.workdays import earliest_end
from . import render, send_download

bp = Blueprint("exports", __name__)


def _org() -> Org:
    """A contact's own body; the officer names one with ?org=ID."""
    if not current_user.is_officer:
        return current_user.org
    org = Org.get_or_none(Org.id == request.args.get("org", type=int))
    if org is None:
        abort(404)
    return org


@bp.route("/template.xlsx")
@login_required
def template():
    batch = current_batch_or_404()
    data, name = workbooks.template_for(batch, _org())
    return send_download(data, name)


@bp.route("/my-rows.xlsx")
@login_required
def my_rows():
    batch = current_batch_or_404()
    org = _org()
    data, name = workbooks.template_for(batch, org, with_rows=True)
    Event.record(me(), "export.rows", batch=batch, org=org, detail=name)
    return send_download(data, name)


@bp.route("/templates.zip")
@officer_required
def all_templates():
    data, name = workbooks.all_templates_zip(current_batch_or_404())
    return send_download(data, name)


@bp.route("/exports/<kind>.xlsx")
@officer_required
def roster(kind: str):
    if kind not in workbooks.EXPORTS:
        abort(404)
    batch = current_batch_or_404()
    data, name, count = workbooks.roster_export(batch, kind)
    Event.record(me(), "export.roster", batch=batch, after={"kind": kind, "rows": count},
                 detail=f"导出 {name}（{count}人，含完整身份证号码）")
    return send_download(data, name)


@bp.route("/gongshi")
@officer_required
def gongshi():
    """The 公示: the notice text for a chosen start date and the list."""
    batch = current_batch_or_404()
    spec = batch.spec
    start, error = _start_date(request.args.get("start", ""))
    period = notice_period(spec, start)
    people = workbooks.gongshi_people(batch)
    text = notice_text(spec, period, {level: len(rows) for level, rows in people.items()})
    return render("gongshi.html", batch=batch, spec=spec, period=period, text=text, people=people,
                  total=sum(map(len, people.values())), error=error)


def _start_date(text: str) -> tuple[dt.date, str | None]:
    """The chosen start date, else the first working day from today."""
    if text:
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            error = f"“{text}”不是有效的日期，已改用今天起的第一个工作日。"
    else:
        error = None
    return earliest_end(dt.date.today(), 1)[0], error


@bp.route("/exports/gongshi.xlsx")
@officer_required
def gongshi_list():
    batch = current_batch_or_404()
    data, name, count = workbooks.gongshi_export(batch)
    Event.record(me(), "export.gongshi", batch=batch, after={"rows": count}, detail=f"导出 {name}（{count}人）")
    return send_download(data, name)
