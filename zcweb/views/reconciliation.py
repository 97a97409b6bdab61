"""The officer's reconciliation with the province's lists (平台核对)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from peewee import JOIN

from ..review import reconcile
from ..access.scope import current_batch_or_404, me, officer_required
from .capacity import limited
from ..models import Event, ListUpload, User
from . import render, send_download

bp = Blueprint("reconciliation", __name__, url_prefix="/reconcile")


@bp.route("")
@officer_required
def index():
    batch = current_batch_or_404()
    history = list(ListUpload.select(ListUpload.id, ListUpload.kind, ListUpload.created_at, ListUpload.filename,
                                     ListUpload.size, ListUpload.sha256, ListUpload.status, ListUpload.message,
                                     ListUpload.rows, User)
                   .join(User, JOIN.LEFT_OUTER, on=(ListUpload.user == User.id))
                   .where(ListUpload.batch == batch).order_by(ListUpload.id.desc()).limit(50))
    return render("reconcile.html", batch=batch, result=reconcile.reconcile(batch), history=history,
                  kinds={kind: ListUpload.KIND_LABELS[kind] for kind in reconcile.SCHEMAS})


@bp.post("/lists")
@officer_required
def upload():
    batch = current_batch_or_404()
    kind, file = request.form.get("kind"), request.files.get("file")
    if kind not in reconcile.SCHEMAS or file is None or not file.filename:
        flash("请选择名单类型和要上传的文件。", "error")
        return redirect(url_for("reconciliation.index"), code=303)
    entry = reconcile.load_list(batch, kind, me(), file.filename, file.read())
    if entry.status == ListUpload.REFUSED:
        flash(f"{entry.kind_label}未采用：{entry.message}", "error")
    else:
        flash(f"已读取{entry.kind_label}：{entry.rows}人" + (f"；{entry.message}" if entry.message else "")
              + ("，已替换此前的名单。" if entry.replaced else "。"), "success")
    return redirect(url_for("reconciliation.index"), code=303)


@bp.route("/lists/<int:list_id>/file")
@officer_required
def original(list_id: int):
    entry = ListUpload.get_or_none(ListUpload.id == list_id)
    if entry is None:
        abort(404)
    Event.record(me(), "export.list_original", batch=entry.batch_id, detail=f"下载名单原文件 {entry.filename}")
    return send_download(bytes(entry.content), entry.filename)


@bp.route("/result.xlsx")
@officer_required
@limited
def export():
    batch = current_batch_or_404()
    result = reconcile.reconcile(batch)
    data, name = reconcile.workbook(batch, result)
    Event.record(me(), "export.reconcile", batch=batch, after=reconcile.counts(result),
                 detail=f"导出 {name}（含完整身份证号码）")
    return send_download(data, name)
