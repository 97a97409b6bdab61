"""The officer's settings: bodies, accounts, the audit trail (the batch: batches.py)."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from peewee import JOIN

from ..access import eventlog, logins, sessions
from ..access.scope import me, officer_required
from .capacity import limited
from ..db import db
from ..models import Event, Org, User
from . import render, send_download
from ..access.hygiene import number

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
            "sort_order": form.get("sort_order", type=number, default=0)}, None


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
    return render("admin_users.html", users=list(users), failures=logins.recent_failures(),
                  orgs=list(Org.ordered()), roles=User.ROLES)


@bp.post("/users")
@officer_required
def user_create():
    form = request.form
    username = form.get("username", "").strip()
    role = form.get("role", User.CONTACT)
    org = Org.get_or_none(Org.id == form.get("org", type=number))
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
                phone=form.get("phone", "").strip()[:40], role=role, org=org if role == User.CONTACT else None)
    password = new_password(user)
    with db.atomic():
        logins.give_temporary_password(user, password)
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
            logins.give_temporary_password(user, password)
            user.save()
            sessions.invalidate(user)
            Event.record(me(), "user.password_reset", org=user.org, detail=user.username)
        return render_template("admin_password_shown.html", user=user, password=password)
    if action == "unlock":
        logins.unlock(user.username, me())
        flash(f"已解除“{user.display_name}”的登录锁定。", "success")
    if action == "phone":
        before, user.phone = user.phone, request.form.get("phone", "").strip()[:40]
        with db.atomic():
            user.save()
            Event.record(me(), "user.phone", org=user.org, before={"phone": before}, after={"phone": user.phone},
                         detail=f"{user.username} 联系电话 {before or '（空）'} → {user.phone or '（空）'}")
        flash(f"已保存“{user.display_name}”的联系电话。", "success")
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


# --- the audit trail ----------------------------------------------------------

@bp.route("/events")
@officer_required
def events():
    filters = eventlog.log_filters(request.args)
    page = max(1, request.args.get("page", 1, type=number))
    shown = list(eventlog.log_query(filters).paginate(page, eventlog.PAGE_SIZE))
    args = {key: value for key, value in filters.items() if value}
    return render("admin_events.html", events=shown, page=page, filters=filters, args=args,
                  users=list(User.select().order_by(User.display_name)), action_names=eventlog.ACTION_NAMES,
                  more=len(shown) == eventlog.PAGE_SIZE)


@bp.route("/events.xlsx")
@officer_required
@limited
def events_export():
    data, name = eventlog.workbook(eventlog.log_query(eventlog.log_filters(request.args)))
    return send_download(data, name)
