"""The review table, a row's detail page and the inline actions on rows."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from peewee import JOIN
from flask_login import current_user, login_required
from htmx_flask import make_response
from jinja2_fragments.flask import render_blocks
from werkzeug.datastructures import MultiDict

from .. import marks
from ..review import decisions, flags, history, listing, reconcile, sameperson
from ..access.scope import applicant_or_404, current_batch_or_404, me, officer_required, scope
from ..outputs.finalcheck import final_check
from ..review.listing import page_window, review_filters, review_query, status_counts, url_args
from ..models import Applicant, Event, Org, Upload, UploadRow, User, now
from ..roster import rulenames, workflow
from ..roster.workflow import TransitionRefused
from ..access.safeurl import local_referrer, local_target
from . import back, render
from ..outputs import finalise as finalising
from ..access.hygiene import number

bp = Blueprint("review", __name__)


@bp.route("/review")
@officer_required
def index():
    batch = current_batch_or_404()
    filters = review_filters(request.args)
    shown = listing.list_page(batch, filters, request.args.get("page", 1, type=number), current_app.config["PAGE_SIZE"])
    marked = _annotate(batch, shown.rows)
    sent_twice = [a.id_number for a in shown.rows if rulenames.DUPLICATE_OTHER_BODY in marked[a.id]]
    return render(
        "review.html", "results", batch=batch, spec=batch.spec, schema=batch.schema,
        applicants=shown.rows, total=shown.total, page=shown.number, pages=shown.pages,
        window=page_window(shown.number, shown.pages),
        filters=filters, args=url_args(filters), orgs=Org.ordered(), listing=listing,
        submitted=Applicant.submitted_by(batch, sent_twice) if sent_twice else {},
        counts=shown.counts, list_url=request.full_path.rstrip("?"), as_of=now().isoformat(),
    )


def list_url(default: str = "review.index") -> str:
    """The filtered list page the user works in. Forms and links carry it
    as `next`, so that every action comes back to the same list."""
    return local_target(request.values.get("next")) or url_for(default)


def _list_filters(url: str) -> dict:
    return review_filters(MultiDict(parse_qsl(urlsplit(url).query)))


def _row_response(applicant: Applicant, error: str | None = None, editing: str | None = None,
                  seen: int | None = None, changed: bool = False):
    """The row for htmx; after a change, also the list's counts, swapped
    out of band."""
    batch, url = applicant.batch, list_url()
    _annotate(batch, [applicant])
    filters = _list_filters(url)
    context = dict(
        a=applicant, batch=batch, spec=batch.spec, schema=batch.schema, row_error=error, editing=editing,
        submitted=Applicant.submitted_by(batch, [applicant.id_number]), seen=seen or applicant.version,
        list_url=url, filters=filters, oob=True,
        counts=status_counts(batch, filters) if changed else None,
    )
    response = make_response(render_blocks("review.html", ["review_row", "counts"], **context))
    response.vary.add("HX-Request")
    return response


@bp.route("/applicants/<int:applicant_id>")
@login_required
def detail(applicant_id: int):
    a = applicant_or_404(applicant_id)
    batch = a.batch
    _annotate(batch, [a])
    events = list(Event.select(Event, User).join(User, join_type=JOIN.LEFT_OUTER)
                  .where(Event.applicant == a).order_by(Event.id.desc()))
    # The body's imported files that held this person (not their bytes).
    uploads = (Upload.select(Upload.id, Upload.filename, Upload.created_at)
               .join(UploadRow, on=(UploadRow.upload == Upload.id))
               .where((Upload.batch == batch) & (Upload.org == a.org_id) & (Upload.status == Upload.CONFIRMED)
                      & (UploadRow.id_number == a.id_number))
               .distinct().order_by(Upload.id.desc()))
    seen = request.args.get("version", a.version, type=number)
    back_url = list_url("review.index" if current_user.is_officer else "home.index")
    previous, following = (listing.neighbours(batch, _list_filters(back_url), a) if current_user.is_officer
                           else (None, None))
    return render(
        "applicant.html", a=a, batch=batch, spec=batch.spec, schema=batch.schema, events=events,
        others=a.other_bodies(Applicant.submitted_by(batch, [a.id_number])),
        actions=workflow.actions_for(a.status, current_user.is_officer), uploads=list(uploads),
        seen=seen, stale=decisions.changed_by(a) if seen != a.version else None,
        opened=request.args.get("action"), threshold=rulenames.threshold,
        back_url=back_url, previous=previous, following=following,
        platform=reconcile.side_by_side(batch, a) if current_user.is_officer else None,
        twins=_twins(a) if current_user.is_officer else [],
    )


def _twins(a: Applicant) -> list[Applicant]:
    """The same person's rows at other bodies of the batch (withdrawn aside)."""
    return list(Applicant.select(Applicant.id, Org.name).join(Org)
                .where((Applicant.batch == a.batch_id) & (Applicant.id_number == a.id_number)
                       & (Applicant.org != a.org_id) & (Applicant.status != workflow.WITHDRAWN))
                .order_by(Org.sort_order, Org.id))


@bp.route("/applicants/<int:applicant_id>/decide", methods=["GET", "POST"])
@login_required
def decide(applicant_id: int):
    """GET: the reason form for `action` (htmx: in the row; otherwise on
    the detail page), on the version the user saw. POST: apply it."""
    a = applicant_or_404(applicant_id)
    action = request.values.get("action", "")
    seen = request.values.get("version", type=number)
    if request.method == "GET":
        if not request.htmx:
            return redirect(url_for("review.detail", applicant_id=a.id, action=action, version=seen,
                                    next=list_url()))
        try:
            decisions.check_version(a, seen)
        except TransitionRefused as e:
            return _row_response(a, error=str(e))
        return _row_response(a, editing=action, seen=seen)
    if action == "withdraw" and not request.form.get("confirmed"):
        return _confirm(f"确定撤回“{a.name}”的申报吗？撤回后如需申报，须重新上传。", "确定撤回", "danger",
                        url_for("review.decide", applicant_id=a.id))
    reason = workflow.compose_reason(request.form.getlist("preset"), request.form.get("reason"))
    try:
        a = decisions.decide(a, me(), action, reason, seen)
    except TransitionRefused as e:
        if request.htmx:
            keep_form = workflow.ACTIONS.get(action) and not isinstance(e, decisions.StaleRow)
            current = applicant_or_404(applicant_id)
            return _row_response(current, error=str(e), editing=action if keep_form else None,
                                 seen=seen if keep_form else None)
        flash(f"{a.name}：{e}", "error")
        return back("review.detail", applicant_id=a.id)
    if request.htmx:
        return _row_response(a, changed=True)
    flash(f"{a.name}：已{workflow.ACTIONS[action].label}。", "success")
    return back("review.detail", applicant_id=a.id)


@bp.post("/applicants/<int:applicant_id>/copies")
@officer_required
def copies(applicant_id: int):
    a = applicant_or_404(applicant_id)
    try:
        a = decisions.set_copies(a, me(), request.form.get("copies", type=number, default=-1),
                                 request.form.get("version", type=number))
    except TransitionRefused as e:
        if request.htmx:
            return _row_response(applicant_or_404(applicant_id), error=str(e))
        flash(f"{a.name}：{e}", "error")
        return back("review.detail", applicant_id=a.id)
    if request.htmx:
        return _row_response(a, changed=True)
    return back("review.detail", applicant_id=a.id)


def _confirm(question: str, button: str, button_class: str, action_url: str, skip: str | None = None):
    """A page (htmx: a block) asking to confirm a POST: it repeats the
    form's fields with `confirmed` set; `skip` labels a second button
    that leaves the rows with warnings out. Works without JavaScript."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed", "skip_warned")]
    return render("confirm.html", "confirm", question=question, button=button, button_class=button_class,
                  action_url=action_url, fields=fields, skip=skip, cancel_url=list_url() if request.htmx
                  else local_target(request.form.get("next")) or local_referrer()
                  or url_for("home.index"))


@bp.post("/review/bulk")
@officer_required
def bulk():
    """One action with one reason on the ticked rows, or on every row
    matching the list's filter; confirmed first, then applied."""
    batch = current_batch_or_404()
    action = request.form.get("action", "")
    reason = workflow.compose_reason(request.form.getlist("preset"), request.form.get("reason"))
    rows = _bulk_rows(batch)
    act = workflow.ACTIONS.get(action)
    problem = ("无此批量操作。" if action not in decisions.BULK_ACTIONS or act is None
               else "请先勾选人员，或选择“全部符合筛选条件的人员”。" if not rows
               else f"{act.label}须填写原因。" if act.needs_reason and not reason else None)
    if problem:
        flash(problem, "error")
        return _back_to_list()
    if not request.form.get("confirmed"):
        return _ask_bulk(batch, rows, act, reason)
    if request.form.get("skip_warned"):
        warned = flags.shown_rules([a.id for a, _ in rows])
        rows = [(a, seen) for a, seen in rows if a.id not in warned]
    result = decisions.decide_many(rows, me(), action, reason)
    flash(_bulk_report(act.label, result), "success" if not (result.stale or result.refused) else "error")
    return _back_to_list()


# What a bulk decision reads of each row (not the roster data).
BULK_FIELDS = (Applicant.id, Applicant.batch, Applicant.org, Applicant.name, Applicant.status, Applicant.reason,
               Applicant.version, Applicant.updated_at)


def _bulk_rows(batch) -> list[tuple[Applicant, int | None]]:
    """(row, version seen). Ticked rows carry the version shown; with "all
    matching", a row changed after the list was shown (`as_of`) counts as
    seen at an older version, so it is reported rather than overwritten."""
    if request.form.get("all"):
        try:
            as_of = dt.datetime.fromisoformat(request.form.get("as_of", ""))
        except ValueError:
            as_of = dt.datetime.min  # no time shown: every row counts as changed since
        query = review_query(batch, _list_filters(list_url())).select(*BULK_FIELDS)
        return [(a, a.version if a.updated_at <= as_of else a.version - 1) for a in query]
    seen = {}
    for value in request.form.getlist("ids"):
        applicant_id, _, version = value.partition(":")
        with contextlib.suppress(ValueError):
            seen[number(applicant_id)] = number(version)
    query = (scope(Applicant.select(*BULK_FIELDS), Applicant)
             .where((Applicant.batch == batch) & Applicant.id.in_(list(seen))).order_by(Applicant.id))
    return [(a, seen[a.id]) for a in query]


def _ask_bulk(batch, rows: list, act: workflow.Action, reason: str):
    """The question before a bulk action: how many rows, and how many of
    them carry warnings, by rule, with a button to leave those out."""
    scope_text = f"符合当前筛选条件的全部 {len(rows)} 人" if request.form.get("all") else f"选中的 {len(rows)} 人"
    question = f"确定对{scope_text}执行“{act.label}”吗？" + (f"原因：{reason}" if reason else "")
    warned = flags.shown_rules([a.id for a, _ in rows])
    skip = None
    if warned:
        question += f"其中 {len(warned)} 人有提示：{flags.summary(warned)}。"
        if len(rows) > len(warned):
            skip = f"不含有提示的，只对 {len(rows) - len(warned)} 人{act.label}"
    return _confirm(question, f"确定{act.label}（{len(rows)}人）", "warn" if act.name == "return" else "ok",
                    url_for("review.bulk"), skip=skip)


def _bulk_report(label: str, result: decisions.BulkResult) -> str:
    text = f"已{label} {len(result.done)} 人。"
    if result.stale:
        text += f"{len(result.stale)} 人在列表显示后已被他人修改，未作改动：{_names(result.stale)}。"
    by_reason: dict[str, list] = {}
    for row, why in result.refused:
        by_reason.setdefault(why.rstrip("。"), []).append((row, why))
    for why, rows in by_reason.items():
        text += f"{len(rows)} 人未作改动（{why}）：{_names(rows)}。"
    return text


def _names(rows: list, limit: int = 20) -> str:
    return "、".join(a.name for a, _ in rows[:limit]) + ("等" if len(rows) > limit else "")


def _back_to_list():
    """After a bulk action: the same filtered list; htmx fetches it into
    the page (no reload), a plain form POST is redirected to it."""
    if request.htmx:
        response = make_response("")
        response.headers["HX-Location"] = json.dumps({"path": list_url(), "target": "#results"})
        return response
    return redirect(list_url(), code=303)


@bp.get("/review/finalise")
@officer_required
def finalise_check():
    """The check page before 定稿上报: what is still open, each count linked to its list."""
    batch = current_batch_or_404()
    return render("finalise.html", batch=batch, check=final_check(batch, dt.date.today()))


@bp.post("/review/finalise")
@officer_required
def finalise():
    batch = current_batch_or_404()
    if batch.finalised_at:
        abort(409)
    check = final_check(batch, dt.date.today())
    if check.needs_acknowledgement and request.form.get("acknowledged") != "1":
        flash("尚有未处理的情况：请逐项查看，确认后勾选“以上情况已知悉，仍要定稿”，再点“定稿上报”。", "error")
        return redirect(url_for("review.finalise_check"), code=303)
    kept = finalising.finalise(batch, me())
    flash(f"已定稿：{kept.rows}人列入推荐人员汇总表，批次已停止接收上传。定稿文件已保存，可在“导出”页下载。", "success")
    return redirect(url_for("home.index"), code=303)


def _annotate(batch, applicants: list[Applicant]) -> dict[int, set[str]]:
    """What a shown row carries besides its stored warnings: the lists'
    findings, a possible twin, and earlier years; the last two looked up
    only for the rows whose marks say they have one. Returns the marks."""
    reconcile.add_warnings(batch, applicants)
    marked = marks.of([a.id for a in applicants])
    sameperson.add_warnings(batch, [a for a in applicants if rulenames.SAME_PERSON in marked[a.id]])
    history.add_history(batch, [a for a in applicants if marks.APPLIED in marked[a.id]])
    return marked
