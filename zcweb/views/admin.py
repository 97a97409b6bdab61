"""The officer's settings: bodies, accounts, the batch, the audit trail."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from peewee import JOIN

from .. import logins, sessions
from ..access import current_batch_or_404, me, officer_required
from ..db import db
from ..models import Event, Extension, Org, User
from ..roster.batch import BatchSpec
from . import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


def new_password(user: User) -> str:
    """A password that is easy to read out over the phone (no 0/O, 1/l) and
    that the password policy accepts for `user`."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(logins.MIN_PASSWORD))
        if logins.password_problem(user, password, password) is None:
            return password


# --- bodies ---------------------------------------------------------------

@bp.route("/orgs")
@officer_required
def orgs():
    return render("admin_orgs.html", orgs=list(Org.ordered()), kinds=Org.KINDS)


def _org_fields(form) -> tuple[dict, str | None]:
    name = form.get("name", "").strip()
    kind = form.get("kind", "其他")
    aliases = [a for a in re.split(r"[\s,，、;；]+", form.get("aliases", "")) if a]
    if not name:
        return {}, "请填写单位名称。"
    if kind not in Org.KINDS:
        return {}, "单位类别无效。"
    return {"name": name, "kind": kind, "aliases": aliases,
            "sort_order": form.get("sort_order", type=int, default=0)}, None


@bp.post("/orgs")
@officer_required
def org_create():
    fields, error = _org_fields(request.form)
    if not error and Org.get_or_none(Org.name == fields["name"]):
        error = f"已有名为“{fields['name']}”的报送单位。"
    if error:
        flash(error, "error")
    else:
        with db.atomic():
            org = Org.create(**fields)
            Event.record(me(), "org.created", org=org, after=fields, detail=org.name)
        flash(f"已添加报送单位“{org.name}”。", "success")
    return redirect(url_for("admin.orgs"), code=303)


@bp.post("/orgs/<int:org_id>")
@officer_required
def org_update(org_id: int):
    org = Org.get_or_none(Org.id == org_id) or abort(404)
    before = {"name": org.name, "kind": org.kind, "aliases": org.aliases, "active": org.active}
    if "active" in request.form:
        org.active = request.form["active"] == "1"
        fields = {"active": org.active}
    else:
        fields, error = _org_fields(request.form)
        clash = Org.get_or_none((Org.name == fields.get("name")) & (Org.id != org.id))
        if error or clash:
            flash(error or f"已有名为“{fields['name']}”的报送单位。", "error")
            return redirect(url_for("admin.orgs"), code=303)
        if fields["name"] != org.name and org.name not in fields["aliases"]:
            # Files still carry the old name: keep it as an alias.
            fields["aliases"].append(org.name)
        for key, value in fields.items():
            setattr(org, key, value)
    with db.atomic():
        org.save()
        Event.record(me(), "org.updated", org=org, before=before, after=fields, detail=org.name)
    flash(f"已保存“{org.name}”。", "success")
    return redirect(url_for("admin.orgs"), code=303)


# --- accounts ---------------------------------------------------------------

@bp.route("/users")
@officer_required
def users():
    users = (User.select(User, Org).join(Org, JOIN.LEFT_OUTER)
             .order_by(User.role.desc(), Org.sort_order, User.id))
    return render("admin_users.html", users=list(users),
                  orgs=list(Org.ordered()), roles=User.ROLES)


@bp.post("/users")
@officer_required
def user_create():
    form = request.form
    username = form.get("username", "").strip()
    role = form.get("role", User.CONTACT)
    org = Org.get_or_none(Org.id == form.get("org", type=int))
    error = None
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,40}", username):
        error = "用户名须为2至40位字母、数字、点、横线或下划线。"
    elif User.get_or_none(User.username == username):
        error = f"用户名“{username}”已存在。"
    elif role not in User.ROLES:
        error = "角色无效。"
    elif role == User.CONTACT and org is None:
        error = "联络员须属于一个报送单位。"
    if error:
        flash(error, "error")
        return redirect(url_for("admin.users"), code=303)
    user = User(username=username, display_name=form.get("display_name", "").strip() or username,
                role=role, org=org if role == User.CONTACT else None, must_change_password=True)
    password = new_password(user)
    with db.atomic():
        user.set_password(password)
        user.save()
        Event.record(me(), "user.created", org=user.org, detail=username)
    return render_template("admin_password_shown.html", user=user, password=password)


@bp.post("/users/<int:user_id>")
@officer_required
def user_update(user_id: int):
    user = User.get_or_none(User.id == user_id) or abort(404)
    action = request.form.get("action")
    if action == "reset":
        password = new_password(user)
        with db.atomic():
            user.set_password(password)
            user.must_change_password = True
            user.save()
            sessions.invalidate(user)
            Event.record(me(), "user.password_reset", org=user.org, detail=user.username)
        return render_template("admin_password_shown.html", user=user, password=password)
    if action in ("disable", "enable"):
        if user.id == me().id:
            flash("不能停用自己的账号。", "error")
        else:
            user.active = action == "enable"
            with db.atomic():
                user.save()
                sessions.invalidate(user)
                Event.record(me(), f"user.{action}d", org=user.org, detail=user.username)
            flash(f"已{'启用' if user.active else '停用'}账号“{user.username}”。", "success")
    return redirect(url_for("admin.users"), code=303)


# --- the batch ---------------------------------------------------------------

DATE_FIELDS = {
    "individual_deadline": "个人网上申报截止",
    "upload_deadline": "单位推荐（上传）截止",
    "city_deadline": "市级审核推荐截止",
    "seniority_cutoff": "资历计算截止",
    "achievement_cutoff": "业绩材料截止",
}
NUMBER_FIELDS = {
    "breakthrough_min_score": "破格申报量化自评分不低于",
    "ce_min_hours": "继续教育每年不少于（学时）",
    "ce_min_professional_hours": "其中专业科目不少于（学时）",
    "notice_min_workdays": "公示不少于（工作日）",
    "paper_copies": "评审表份数",
}


def levels_text(levels: dict) -> str:
    return "\n".join(f"{level}：{'、'.join(specialties)}" for level, specialties in levels.items())


def parse_levels(text: str) -> dict[str, list[str]]:
    levels = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        level, _, rest = line.replace("：", ":").partition(":")
        specialties = [s for s in re.split(r"[\s,，、;；]+", rest) if s]
        if not level.strip() or not specialties:
            raise ValueError(f"无法识别“{line.strip()}”，请写成“高级工程师：能源、材料”。")
        levels[level.strip()] = specialties
    if not levels:
        raise ValueError("至少需要一个申报级别。")
    return levels


@bp.route("/batch", methods=["GET", "POST"])
@officer_required
def batch():
    batch = current_batch_or_404()
    spec = batch.spec
    error = None
    if request.method == "POST":
        try:
            settings = _batch_settings(spec, request.form)
        except ValueError as e:
            error = str(e)
        else:
            with db.atomic():
                before = batch.settings
                batch.settings = settings
                batch.title = settings["title"]
                batch.is_open = request.form.get("is_open") == "1" and not batch.finalised_at
                batch.save()
                Event.record(me(), "batch.updated", batch=batch, before=before, after=settings,
                             detail=batch.title)
            flash("批次设置已保存。", "success")
            return redirect(url_for("admin.batch"), code=303)
    extensions = {e.org_id: e.until for e in Extension.select().where(Extension.batch == batch)}
    return render("admin_batch.html", batch=batch, spec=spec, error=error, date_fields=DATE_FIELDS,
                  number_fields=NUMBER_FIELDS, levels_text=levels_text(spec.levels),
                  orgs=list(Org.ordered()), extensions=extensions), 400 if error else 200


def _batch_settings(spec: BatchSpec, form) -> dict:
    settings = spec.to_dict()
    settings["title"] = form.get("title", "").strip() or spec.title
    for name, label in DATE_FIELDS.items():
        try:
            settings[name] = dt.date.fromisoformat(form.get(name, "")).isoformat()
        except ValueError:
            raise ValueError(f"“{label}”不是有效日期。") from None
    for name, label in NUMBER_FIELDS.items():
        try:
            value = float(form.get(name, ""))
        except ValueError:
            raise ValueError(f"“{label}”须为数字。") from None
        if value < 0:
            raise ValueError(f"“{label}”不能为负数。")
        settings[name] = int(value) if value.is_integer() else value
    settings["notice_first_day_counts"] = form.get("notice_first_day_counts") == "1"
    settings["contact"] = form.get("contact", "").strip()
    settings["levels"] = parse_levels(form.get("levels", ""))
    settings["reasons"] = [r.strip() for r in form.get("reasons", "").splitlines() if r.strip()]
    return BatchSpec.from_dict(settings).to_dict()


@bp.post("/batch/extensions")
@officer_required
def extension():
    batch = current_batch_or_404()
    org = Org.get_or_none(Org.id == request.form.get("org", type=int)) or abort(404)
    text = request.form.get("until", "").strip()
    with db.atomic():
        Extension.delete().where((Extension.batch == batch) & (Extension.org == org)).execute()
        if text:
            try:
                until = dt.date.fromisoformat(text)
            except ValueError:
                flash("延期日期无效。", "error")
                return redirect(url_for("admin.batch"), code=303)
            Extension.create(batch=batch, org=org, until=until)
        Event.record(me(), "batch.extension", batch=batch, org=org, after={"until": text or None},
                     detail=f"{org.name} 延期至 {text or '（取消延期）'}")
    flash(f"已保存“{org.name}”的报送截止日期。", "success")
    return redirect(url_for("admin.batch"), code=303)


@bp.route("/events")
@officer_required
def events():
    page = max(1, request.args.get("page", 1, type=int))
    query = (Event.select(Event, User).join(User, join_type=JOIN.LEFT_OUTER)
             .order_by(Event.id.desc()).paginate(page, 100))
    return render("admin_events.html", events=list(query), page=page)
