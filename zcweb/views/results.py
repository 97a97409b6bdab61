"""The officer's 评审结果 page: upload the 高评委's result list, resolve
ambiguous rows, see who was on it without our recommendation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from ..review import results
from ..access.scope import current_batch_or_404, me, officer_required
from ..models import ListUpload
from ..roster.results import LABELS
from . import render
from ..access.hygiene import number

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.route("")
@officer_required
def index():
    batch = current_batch_or_404()
    rows, found, people = results.outcome(batch)
    kept = list(ListUpload.select().where((ListUpload.batch == batch) & (ListUpload.kind == results.KIND))
                .order_by(ListUpload.id.desc()))
    counts = {label: sum(1 for a in people.values() if a.result == key) for key, label in LABELS.items()}
    return render("results.html", batch=batch, rows=rows, found=found, people=people, kept=kept, counts=counts)


@bp.post("")
@officer_required
def upload():
    batch = current_batch_or_404()
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("请选择高评委公布的评审结果名单文件。", "error")
        return redirect(url_for("results.index"), code=303)
    entry = results.load_results(batch, me(), file.filename, file.read())
    if entry.status == ListUpload.REFUSED:
        flash(f"评审结果名单未采用：{entry.message}", "error")
    else:
        flash(f"已读取{entry.kind_label}：{entry.rows}人" + ("，已替换此前的名单" if entry.replaced else "")
              + (f"；{entry.message}。" if entry.message else "。"), "success")
    return redirect(url_for("results.index"), code=303)


@bp.post("/resolve")
@officer_required
def resolve():
    batch = current_batch_or_404()
    problem = results.resolve(batch, me(), request.form.get("row", type=number) or 0,
                              request.form.get("applicant", type=number) or 0)
    flash(problem or "已确认，评审结果已更新。", "error" if problem else "success")
    return redirect(url_for("results.index"), code=303)
