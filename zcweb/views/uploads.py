"""Upload a roster, see its preview, confirm or cancel; the kept files."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from htmx_flask import make_response
from peewee import JOIN

from .. import importer, workbooks
from ..access import me, upload_or_404
from ..capacity import limited
from ..models import Batch, Org, Upload, User
from ..roster.idcard import mask
from . import render, send_download

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

PREVIEW_ROWS = 500  # rows shown at once in a preview; errors come first


def _target_org() -> Org:
    """A contact uploads for their own body; the officer names the body."""
    if not current_user.is_officer:
        return current_user.org
    org = Org.get_or_none(Org.id == request.form.get("org", type=int))
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
    upload = importer.create_preview(batch, _target_org(), me(), file.filename, file.read())
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
    uploads = list(query.order_by(Upload.id.desc()).limit(300))
    return render("uploads.html", uploads=uploads)


@bp.route("/<int:upload_id>")
@login_required
def show(upload_id: int):
    upload = upload_or_404(upload_id)
    batch = upload.batch
    total = upload.summary["rows"] if upload.summary else 0
    limit = None if request.args.get("all") == "1" else PREVIEW_ROWS
    rows = list(importer.preview_rows(upload, limit)) if upload.preview else []
    return render(
        "upload_preview.html", upload=upload, batch=batch, schema=batch.schema, rows=rows, total=total,
        class_labels=importer.CLASS_LABELS, mask=mask,
    )


@bp.post("/<int:upload_id>/confirm")
@login_required
def confirm(upload_id: int):
    upload = upload_or_404(upload_id)
    try:
        done = importer.confirm(upload, me(), withdraw_missing=request.form.get("withdraw_missing") == "1")
    except importer.ImportRefused as e:
        flash(e.message, "error")
        return redirect(url_for("uploads.show", upload_id=upload.id), code=303)
    if done is None:
        flash("此文件已处理过，未重复导入。", "info")
    elif done["already"] and not (done["new"] or done["updated"] or done["withdrawn"]):
        flash(f"本次上传的{done['already']}人已由另一次上传导入，未重复导入。", "info")
    else:
        flash(f"已导入：新增{done['new']}人，修改{done['updated']}人"
              + (f"，撤回{done['withdrawn']}人" if done["withdrawn"] else "") + "。"
              + (f"另有{done['already']}人已由另一次上传导入，未重复导入。" if done["already"] else ""), "success")
    return redirect(url_for("home.index"), code=303)


@bp.post("/<int:upload_id>/cancel")
@login_required
def cancel(upload_id: int):
    upload = upload_or_404(upload_id)
    if importer.cancel(upload, me()):
        flash("已取消，本次上传未导入任何数据。", "info")
    return redirect(url_for("home.index"), code=303)


@bp.route("/<int:upload_id>/marked.xlsx")
@login_required
@limited
def marked(upload_id: int):
    upload = upload_or_404(upload_id)
    if not upload.preview:
        abort(404)
    data, name = workbooks.marked_copy(upload)
    return send_download(data, name)


@bp.route("/<int:upload_id>/file")
@login_required
def original(upload_id: int):
    upload = upload_or_404(upload_id)
    return send_download(bytes(upload.content), upload.filename)

