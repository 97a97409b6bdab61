"""Upload a roster, see its preview, confirm or cancel; the kept files."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from htmx_flask import make_response
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape
from peewee import JOIN

from ..intake import confirm as confirmation
from ..intake import corrections, gate, outcomes, preview, counts as uploadcounts
from ..review import dashboard
from ..intake import templates
from ..access.scope import me, upload_or_404
from .capacity import limited
from ..models import Applicant, Batch, Event, Org, Upload, UploadRow, User
from ..roster.idcard import mask
from ..roster.rules import other_body_warning
from . import render, send_download
from .filters import cell
from ..access.hygiene import number

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

PREVIEW_ROWS = 500  # rows shown at once in a preview; errors come first
OTHER_BODY = other_body_warning().rule


def _target_org() -> Org:
    """A contact uploads for their own body; the officer names the body."""
    if not current_user.is_officer:
        return current_user.org
    org = Org.get_or_none(Org.id == request.form.get("org", type=number))
    if org is None:
        abort(400, "请选择报送单位。")
    return org


@bp.post("")
@login_required
def create():
    batch = Batch.current()
    file = request.files.get("file")
    if batch is None or file is None or not file.filename:
        flash("请选择要上传的花名册文件。", "error")
        return redirect(url_for("home.index"), code=303)
    upload = preview.create_preview(batch, _target_org(), me(), file.filename, file.read())
    target = url_for("uploads.show", upload_id=upload.id)
    if request.htmx:
        response = make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


@bp.route("")
@login_required
def index():
    # The file's bytes and the preview stay in the database: only what the
    # list shows, with each row's body and uploader in the same query.
    query = (Upload.select(Upload.id, Upload.created_at, Upload.filename, Upload.size, Upload.sha256,
                           Upload.status, Upload.message, Upload.summary, Org, User)
             .join(Org).switch(Upload).join(User, JOIN.LEFT_OUTER, on=(Upload.user == User.id)))
    if not current_user.is_officer:
        query = query.where(Upload.org == current_user.org_id)
    batch = Batch.current()
    live = {u.id for u in dashboard.live_previews(batch, dt.date.today()).select(Upload.id)} if batch else set()
    waiting = request.args.get("waiting") == "1"  # only the previews still waiting for a confirmation
    if waiting:
        query = query.where(Upload.id.in_(list(live)))
    uploads = list(query.order_by(Upload.id.desc()).limit(300))
    return render("uploads.html", uploads=uploads, live=live, waiting=waiting)


@bp.route("/<int:upload_id>")
@login_required
def show(upload_id: int, editing: tuple[int, str] | None = None):
    upload = upload_or_404(upload_id)
    total = upload.summary["rows"] if upload.summary else 0
    limit = None if request.args.get("all") == "1" else PREVIEW_ROWS
    rows = _name_other_bodies(upload, list(preview.preview_rows(upload, limit)) if upload.preview else [])
    return render(
        "upload_preview.html", **_preview_context(upload), rows=rows, total=total, mask=mask,
        edits=corrections.edits(upload), editing=editing,
        current=editing and corrections.current_value(upload, *editing),
    )


def _name_other_bodies(upload: Upload, rows: list) -> list:
    """For the officer: which other bodies submitted the same person (the
    stored findings do not say, so that a contact never learns it)."""
    if not current_user.is_officer:
        return rows
    numbers = [r.id_number for r in rows if any(f["rule"] == OTHER_BODY for f in r.findings or [])]
    submitted = Applicant.submitted_by(upload.batch, numbers) if numbers else {}
    for r in rows:
        names = sorted(submitted.get(r.id_number, set()) - {upload.org.name})
        for f in r.findings or []:
            if f["rule"] == OTHER_BODY and names:
                f["message"] = other_body_warning(names).message
    return rows


def _preview_context(upload) -> dict:
    # A preview that can no longer be confirmed is not offered as pending.
    refusal = gate.refusal_for(upload.batch, upload.org, me()) if upload.status == Upload.PREVIEW else None
    columns = (upload.preview or {}).get("columns", [])
    return {"upload": upload, "batch": upload.batch, "schema": upload.batch.schema, "refusal": refusal,
            "class_labels": outcomes.CLASS_LABELS, "editable": not corrections.refusal(upload, me()),
            "shown": corrections.shown,
            # 姓名 first (it is required in any roster), then the file's columns in its order.
            "ordered": (["name"] if "name" in columns else []) + [k for k in columns if k != "name"],
            "preview_cells": preview_cells}


def preview_cells(values: dict, ordered: list[str], schema, by_column: dict, changes: dict | None,
                  editing: str | None) -> list[tuple[str | None, Markup | None]]:
    """The cells of a preview row after its number, as the template walks
    them: (key, None) for a cell it marks up itself (findings, a change, the
    cell being corrected: `editing`), (None, markup) for a run of plain
    cells, which most rows are made of whole, written here at once rather
    than cell by cell in Jinja (200 rows: a third of the time, a quarter of
    the bytes). The first column always comes alone, as the 结果 cell
    follows it; it is the frozen one (f-name)."""
    found, run = [], []
    for index, key in enumerate(ordered):
        if by_column.get(key) or (changes and key in changes) or key == editing:
            if run:
                found.append((None, Markup("".join(run))))
                run = []
            found.append((key, None))
            continue
        text = escape(cell(values.get(key), schema[key])) if key in schema else ""
        run.append(f"<td>{text}</td>" if index else f'<td class="f-name">{text}</td>')
        if not index:
            found.append((None, Markup(run.pop())))
    if run:
        found.append((None, Markup("".join(run))))
    return found


def _row(upload_id: int, number: int):
    upload = upload_or_404(upload_id)
    row = UploadRow.get_or_none((UploadRow.upload == upload) & (UploadRow.row == number))
    if row is None:
        abort(404)
    return upload, row


@bp.route("/<int:upload_id>/rows/<int:number>")
@login_required
def row(upload_id: int, number: int):
    """One preview row as shown (htmx: cancelling a correction)."""
    upload, r = _row(upload_id, number)
    if not request.htmx:
        return redirect(url_for("uploads.show", upload_id=upload.id), code=303)
    _name_other_bodies(upload, [r])
    return render_block("upload_preview.html", "preview_row", r=r, **_preview_context(upload))


@bp.route("/<int:upload_id>/rows/<int:number>/edit")
@login_required
def edit_cell(upload_id: int, number: int):
    """The row with an input in place of one cell (在线更正)."""
    upload, r = _row(upload_id, number)
    key = request.args.get("column", "")
    why = corrections.refusal(upload, me())
    if why or key not in upload.preview["columns"]:
        return _refused(upload, why or "这一列不在上传的文件中，不能在此更正。")
    if not request.htmx:
        return show(upload.id, editing=(number, key))
    _name_other_bodies(upload, [r])
    return render_block("upload_preview.html", "preview_row", r=r, editing=(number, key),
                        current=corrections.current_value(upload, number, key), **_preview_context(upload))


@bp.post("/<int:upload_id>/rows/<int:number>")
@login_required
def save_cell(upload_id: int, number: int):
    """Save a correction; the row (and any row whose duplicate finding
    changed) comes back checked again, the counts and history out of band."""
    upload, _ = _row(upload_id, number)
    try:
        changed = corrections.correct(upload, number, request.form.get("column", ""),
                                       request.form.get("value", ""), me())
    except corrections.EditRefused as e:
        return _refused(upload, e.message)
    if not request.htmx:
        flash(f"第{number}行已更正并重新检查。", "success")
        return redirect(url_for("uploads.show", upload_id=upload.id, _anchor=f"row-{number}"), code=303)
    upload = Upload.get_by_id(upload.id)
    _name_other_bodies(upload, changed)
    context = _preview_context(upload)
    # Out-of-band parts go in <template>s, which htmx 2 unwraps, so that
    # the parser, put in table mode by the first row, keeps them whole.
    oob = [render_block("upload_preview.html", "preview_row", r=r, oob=True, **context) for r in changed[1:]]
    oob.append(render_block("upload_preview.html", "counts", oob=True, **context))
    oob.append(render_block("upload_preview.html", "history", oob=True, edits=corrections.edits(upload), **context))
    main = render_block("upload_preview.html", "preview_row", r=changed[0], **context)
    return make_response(main + "".join(f"<template>{part}</template>" for part in oob))


def _refused(upload, message: str):
    """A correction refused: the message above the table (htmx), or flashed."""
    if not request.htmx:
        flash(message, "error")
        return redirect(url_for("uploads.show", upload_id=upload.id), code=303)
    response = make_response(f'<p class="flash error">{escape(message)}</p>', 409)
    response.headers["HX-Retarget"] = "#edit-message"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.post("/<int:upload_id>/confirm")
@login_required
def confirm(upload_id: int):
    upload = upload_or_404(upload_id)
    try:
        done = confirmation.confirm(upload, me(), withdraw_missing=request.form.get("withdraw_missing") == "1")
    except gate.ImportRefused as e:
        flash(e.message, "error")
        return redirect(url_for("uploads.show", upload_id=upload.id), code=303)
    if done is None:
        flash(confirmation.settled_text(upload, "confirm"), "info")
        return redirect(url_for("home.index"), code=303)
    if done["already"] and not (done["new"] or done["updated"] or done["withdrawn"]):
        flash(f"本次上传的{done['already']}人已由另一次上传导入，未重复导入。", "info")
    else:
        flash(f"{uploadcounts.imported_text(dict(upload.summary or {}, committed=done))}（新增{done['new']}人，修改{done['updated']}人"
              + (f"，撤回{done['withdrawn']}人" if done["withdrawn"] else "") + "）。"
              + (f"另有{done['already']}人已由另一次上传导入，未重复导入。" if done["already"] else ""), "success")
    if done["skipped"]:
        flash(confirmation.skipped_text(done["skipped"]), "info")
    return redirect(url_for("home.index"), code=303)


@bp.post("/<int:upload_id>/cancel")
@login_required
def cancel(upload_id: int):
    upload = upload_or_404(upload_id)
    if confirmation.cancel(upload, me()):
        flash("已取消，本次上传未导入任何数据。", "info")
    else:
        flash(confirmation.settled_text(upload, "cancel"), "info")
    return redirect(url_for("home.index"), code=303)


@bp.route("/<int:upload_id>/marked.xlsx")
@login_required
@limited
def marked(upload_id: int):
    upload = upload_or_404(upload_id)
    if not upload.preview:
        abort(404)
    data, name = templates.marked_copy(upload)
    Event.record(me(), "export.marked", batch=upload.batch_id, org=upload.org_id, upload=upload, detail=name)
    return send_download(data, name)


@bp.route("/<int:upload_id>/file")
@login_required
def original(upload_id: int):
    upload = upload_or_404(upload_id)
    Event.record(me(), "export.original", batch=upload.batch_id, org=upload.org_id, upload=upload,
                 detail=f"下载原文件 {upload.filename}")
    return send_download(bytes(upload.content), upload.filename)

