"""Downloads: templates (blank, pre-filled, all bodies) and roster exports."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from .. import workbooks
from ..capacity import limited
from ..access import current_batch_or_404, me, officer_required
from ..models import Event, Org
from . import send_download

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
@limited
def template():
    batch = current_batch_or_404()
    data, name = workbooks.template_for(batch, _org())
    return send_download(data, name)


@bp.route("/my-rows.xlsx")
@login_required
@limited
def my_rows():
    batch = current_batch_or_404()
    org = _org()
    data, name = workbooks.template_for(batch, org, with_rows=True)
    Event.record(me(), "export.rows", batch=batch, org=org, detail=name)
    return send_download(data, name)


@bp.route("/templates.zip")
@officer_required
@limited
def all_templates():
    data, name = workbooks.all_templates_zip(current_batch_or_404())
    return send_download(data, name)


@bp.route("/exports/<kind>.xlsx")
@officer_required
@limited
def roster(kind: str):
    if kind not in workbooks.EXPORTS:
        abort(404)
    batch = current_batch_or_404()
    data, name, count = workbooks.roster_export(batch, kind)
    Event.record(me(), "export.roster", batch=batch, after={"kind": kind, "rows": count},
                 detail=f"导出 {name}（{count}人，含完整身份证号码）")
    return send_download(data, name)
