"""The first page after login: a contact's own roster, the officer's overview."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required
from peewee import Case

from ..review import dashboard, results, sameperson
from ..review.charts import stacked_bars
from ..intake.deadlines import deadline_for
from ..models import Applicant, Batch, Org, Upload
from ..roster import workflow

bp = Blueprint("home", __name__)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico before reading a page's icon link."""
    return current_app.send_static_file("favicon.svg")


@bp.route("/")
@login_required
def index():
    batch = Batch.current()
    if batch is None:
        return render_template("no_batch.html")
    if current_user.is_officer:
        return officer_home(batch)
    return contact_home(batch, current_user.org)


def contact_home(batch: Batch, org: Org):
    applicants = list(
        Applicant.select(Applicant, Org).join(Org)  # each row names its body for the duplicate note
        .where((Applicant.batch == batch) & (Applicant.org == org))
        # Returned rows first: they are what the contact has to act on.
        .order_by(Case(None, [(Applicant.status == workflow.RETURNED, 0)], 1), Applicant.position, Applicant.id)
    )
    # A contact sees their own body's rows only, so a possible twin needs two
    # of these with the same name, employer and birth month: usually none.
    keys = [(a.name, a.employer, a.id_number[6:12]) for a in applicants]
    if len(set(keys)) < len(keys):
        sameperson.add_warnings(batch, applicants)
    submitted = Applicant.submitted_by(batch, [a.id_number for a in applicants])
    uploads = list(  # what the list shows, not the files' bytes
        Upload.select(Upload.id, Upload.created_at, Upload.filename, Upload.status, Upload.message, Upload.summary,
                      Upload.preview)
        .where((Upload.batch == batch) & (Upload.org == org))
        .order_by(Upload.id.desc()).limit(10)
    )
    deadline = deadline_for(batch, org)
    return render_template(
        "contact_home.html", batch=batch, spec=batch.spec, org=org, applicants=applicants,
        submitted=submitted, uploads=uploads, deadline=deadline,
        days_left=(deadline - dt.date.today()).days,
        counts=_counts(applicants), schema=batch.schema,
    )


def _counts(applicants) -> dict[str, int]:
    counts = dict.fromkeys(workflow.LABELS, 0)
    for a in applicants:
        counts[a.status] += 1
    return counts


def officer_home(batch: Batch):
    spec, today = batch.spec, dt.date.today()
    bodies = dashboard.bodies(batch, spec, today)
    totals = dashboard.totals(batch, spec)
    by_status = {s: sum(c.get(s, 0) for *_, c in totals) for s in dashboard.STATUSES}
    accepting = dashboard.accepting(batch)
    chased = [b for b in bodies if b.chased] if accepting else []
    chart = stacked_bars([(f"{level}·{specialty}", counts) for level, specialty, counts in totals],
                         dashboard.STATUSES)
    return render_template(
        "officer_home.html", batch=batch, spec=spec, bodies=bodies, totals=totals, by_status=by_status,
        statuses=dashboard.STATUSES, deadlines=dashboard.deadlines(spec, today), chart=chart,
        accepting=accepting, chased=chased, reminder=dashboard.reminder(batch, chased) if chased else "",
        urgent_days=dashboard.URGENT_DAYS, pending_previews=dashboard.live_previews(batch, today).count(),
        orgs=list(Org.ordered().where(Org.active == True)),  # noqa: E712
        results=results.dashboard(batch),
    )
