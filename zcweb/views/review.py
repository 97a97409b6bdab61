"""The review table, a row's detail page and the inline actions on rows."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, url_for
from peewee import JOIN
from flask_login import current_user, login_required
from htmx_flask import make_response

from .. import decisions, reconcile
from ..access import applicant_or_404, current_batch_or_404, me, officer_required
from ..listing import review_filters, review_query
from ..models import Applicant, Event, Org, User
from ..roster import workflow
from ..roster.workflow import TransitionRefused
from . import back, render

bp = Blueprint("review", __name__)


@bp.route("/review")
@officer_required
def index():
    batch = current_batch_or_404()
    filters = review_filters(request.args)
    query = review_query(batch, filters)
    total = query.count()
    page_size = current_app.config["PAGE_SIZE"]
    pages = max(1, (total + page_size - 1) // page_size)
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    shown = list(query.paginate(page, page_size))
    reconcile.add_warnings(batch, shown)
    return render(
        "review.html", "results", batch=batch, spec=batch.spec, schema=batch.schema,
        applicants=shown, total=total, page=page, pages=pages, filters=filters,
        orgs=list(Org.ordered()), submitted=Applicant.submitted_by(batch, [a.id_number for a in shown]),
    )


def _row_response(applicant: Applicant, error: str | None = None, editing: str | None = None):
    batch = applicant.batch
    reconcile.add_warnings(batch, [applicant])
    return render(
        "review.html", "row", a=applicant, batch=batch, spec=batch.spec, schema=batch.schema,
        submitted=Applicant.submitted_by(batch, [applicant.id_number]), row_error=error, editing=editing,
    )


@bp.route("/applicants/<int:applicant_id>")
@login_required
def detail(applicant_id: int):
    a = applicant_or_404(applicant_id)
    batch = a.batch
    reconcile.add_warnings(batch, [a])
    events = list(Event.select(Event, User).join(User, join_type=JOIN.LEFT_OUTER)
                  .where(Event.applicant == a).order_by(Event.id.desc()))
    return render(
        "applicant.html", a=a, batch=batch, spec=batch.spec, schema=batch.schema, events=events,
        others=a.other_bodies(Applicant.submitted_by(batch, [a.id_number])),
        actions=workflow.actions_for(a.status, current_user.is_officer),
    )


@bp.route("/applicants/<int:applicant_id>/decide", methods=["GET", "POST"])
@login_required
def decide(applicant_id: int):
    """GET (htmx): the row with a reason form for `action`. POST: apply it."""
    a = applicant_or_404(applicant_id)
    action = request.values.get("action", "")
    if request.method == "GET":
        if not request.htmx:
            return back("review.detail", applicant_id=a.id)
        return _row_response(a, editing=action)
    try:
        a = decisions.decide(a, me(), action, request.form.get("reason"),
                             request.form.get("version", type=int))
    except TransitionRefused as e:
        if request.htmx:
            return _row_response(applicant_or_404(applicant_id), error=str(e),
                                 editing=action if workflow.ACTIONS.get(action) else None)
        flash(str(e), "error")
        return back("review.detail", applicant_id=a.id)
    if request.htmx:
        return _row_response(a)
    flash(f"{a.name}：已{workflow.ACTIONS[action].label}。", "success")
    return back("review.detail", applicant_id=a.id)


@bp.post("/applicants/<int:applicant_id>/copies")
@officer_required
def copies(applicant_id: int):
    a = applicant_or_404(applicant_id)
    try:
        a = decisions.set_copies(a, me(), request.form.get("copies", type=int, default=-1))
    except TransitionRefused as e:
        if request.htmx:
            return _row_response(a, error=str(e))
        flash(str(e), "error")
        return back("review.detail", applicant_id=a.id)
    if request.htmx:
        return _row_response(a)
    return back("review.detail", applicant_id=a.id)


@bp.post("/review/finalise")
@officer_required
def finalise():
    batch = current_batch_or_404()
    if batch.finalised_at:
        abort(409)
    count = decisions.finalise(batch, me())
    flash(f"已定稿：{count}人标记为“已推荐”，批次已停止接收上传。", "success")
    response = back("home.index")
    if request.htmx:
        response = make_response("")
        response.headers["HX-Redirect"] = url_for("home.index")
    return response
