"""The batch settings (批次设置): new batches, the year's rules with a
re-check of the stored rows before saving, and per-body extensions."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, request, url_for
from peewee import fn

from .. import marks
from ..review import recheck
from ..access.scope import current_batch_or_404, me, officer_required
from ..db import db
from ..models import Applicant, Batch, Event, Extension, Org
from ..ops.provision import Refused, create_batch
from ..roster import batch as rules
from ..roster import batch_settings
from . import render
from ..access.hygiene import number

bp = Blueprint("batches", __name__, url_prefix="/admin")


@bp.route("/batch", methods=["GET", "POST"])
@officer_required
def edit():
    batch = current_batch_or_404()
    spec, new, error, found, result = batch.spec, None, None, [], None
    if request.method == "POST":
        try:
            new = batch_settings.spec_from_form(spec, request.form)
        except batch_settings.SettingsError as e:
            error = str(e)
        else:
            is_open = request.form.get("is_open") == "1" and not batch.finalised_at
            found = batch_settings.changes(spec, new)
            if is_open != batch.is_open:
                found.append(batch_settings.Change("is_open", "接收上传",
                                                   *("是" if v else "否" for v in (batch.is_open, is_open))))
            if request.form.get("action") == "save":
                _save(batch, new, is_open, found)
                return redirect(url_for("batches.edit"), code=303)
            result = recheck.recheck(batch, new) if new != spec else None
    shown = new or spec
    extensions = {e.org_id: e for e in Extension.select().where(Extension.batch == batch)}
    return render(
        "admin_batch.html", "preview", batch=batch, spec=shown, error=error, changes=found, recheck=result,
        settings=batch_settings.SETTINGS, form_value=batch_settings.form_value,
        roster_definitions=rules.roster_definitions(),
        official_views=rules.roster_definitions("official"), gongshi_views=rules.roster_definitions("gongshi"),
        level_rows=batch_settings.level_rows(shown),
        rule_rows=batch_settings.rule_rows(shown), orgs=list(Org.ordered()), extensions=extensions,
    ), 400 if error and not request.htmx else 200  # htmx swaps only a 2xx answer into the page


def _save(batch: Batch, spec: rules.BatchSpec, is_open: bool, found: list) -> None:
    """Store the new settings and the warnings of the stored rows checked
    again under them, in one transaction; nothing at all when nothing changed."""
    if not found:
        flash("设置没有变化，未保存。", "success")
        return
    before = batch.settings | {"is_open": batch.is_open}
    after = spec.to_dict() | {"is_open": is_open}
    detail, result = "；".join(str(c) for c in found), None
    with db.atomic():
        if spec != batch.spec:
            result = recheck.recheck(batch, spec)
            recheck.apply(result)
            detail += f"。重新检查已报{result.rows}行：{result.summary}"
        batch.settings, batch.title, batch.is_open = spec.to_dict(), spec.title, is_open
        batch.save()
        if result:  # the warnings and the lists' findings under the new rules
            marks.refresh_batch(batch)
        Event.record(me(), "batch.updated", batch=batch, detail=detail,
                     before={c.name: before.get(c.name) for c in found}, after={c.name: after[c.name] for c in found})
    flash("批次设置已保存。" + (f"已报数据已重新检查：{result.summary}。" if result else ""), "success")


@bp.route("/batches", methods=["GET", "POST"])
@officer_required
def index():
    """Every batch, and a new one from a preset or as a copy of another."""
    if request.method == "POST":
        error = _create(request.form)
        if error is None:
            return redirect(url_for("batches.edit"), code=303)
        flash(error, "error")
    batches = list(Batch.select().order_by(Batch.year.desc()))
    counts = dict(Applicant.select(Applicant.batch, fn.COUNT(Applicant.id)).group_by(Applicant.batch).tuples())
    latest = batches[0].year + 1 if batches else dt.date.today().year
    return render("admin_batches.html", batches=batches, counts=counts, presets=rules.preset_years(),
                  next_year=latest)


def _create(form) -> str | None:
    year = form.get("year", type=number)
    source = form.get("source", "")
    if not year or not 2000 <= year <= 2100:
        return "请填写有效的年度，如 2025。"
    kind, _, key = source.partition(":")
    try:
        key = number(key)
    except ValueError:
        return "请选择新批次的来源。"
    if kind == "preset" and key in rules.preset_years():
        spec = rules.load_preset(key)
    elif kind == "batch" and (origin := Batch.get_or_none(Batch.id == key)):
        spec = origin.spec
    else:
        return "请选择新批次的来源。"
    spec = rules.for_year(spec, year)
    try:
        with db.atomic():
            create_batch(spec, user=me())
    except Refused as e:
        return e.message
    flash(f"已创建{spec.title}，请核对各项日期和条件。", "success")
    return None


@bp.post("/batch/extensions")
@officer_required
def extension():
    batch = current_batch_or_404()
    org = Org.get_or_none(Org.id == request.form.get("org", type=number)) or abort(404)
    text, reason = request.form.get("until", "").strip(), request.form.get("reason", "").strip()
    until = None
    if text:
        try:
            until = dt.date.fromisoformat(text)
        except ValueError:
            flash("延期日期无效。", "error")
            return redirect(url_for("batches.edit"), code=303)
        if not reason:
            flash(f"请填写“{org.name}”延期报送的原因。", "error")
            return redirect(url_for("batches.edit"), code=303)
    with db.atomic():
        Extension.delete().where((Extension.batch == batch) & (Extension.org == org)).execute()
        if until:
            Extension.create(batch=batch, org=org, until=until, reason=reason)
        Event.record(me(), "batch.extension", batch=batch, org=org, after={"until": text or None, "reason": reason},
                     detail=f"{org.name} 延期至 {text}（{reason}）" if until else f"{org.name} 取消延期")
    flash(f"已保存“{org.name}”的报送截止日期。", "success")
    return redirect(url_for("batches.edit"), code=303)
