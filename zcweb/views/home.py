"""The first page after login: a contact's own roster, the officer's overview."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from peewee import Case, fn

from ..importer import deadline_for
from ..models import Applicant, Batch, Org, Upload
from ..roster import workflow

bp = Blueprint("home", __name__)


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
    submitted = Applicant.submitted_by(batch, [a.id_number for a in applicants])
    uploads = list(
        Upload.select().where((Upload.batch == batch) & (Upload.org == org))
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
    orgs = list(Org.ordered())
    by_org = {o.id: dict.fromkeys(workflow.LABELS, 0) for o in orgs}
    copies = {}
    query = (Applicant.select(Applicant.org, Applicant.status, fn.COUNT(Applicant.id), fn.SUM(Applicant.copies))
             .where(Applicant.batch == batch).group_by(Applicant.org, Applicant.status).tuples())
    for org_id, status, count, copy_sum in query:
        by_org[org_id][status] = count
        copies[org_id] = copies.get(org_id, 0) + (copy_sum or 0)
    last_upload = dict(
        Upload.select(Upload.org, fn.MAX(Upload.created_at))
        .where((Upload.batch == batch) & (Upload.status == Upload.CONFIRMED))
        .group_by(Upload.org).tuples()
    )
    totals = {s: sum(c[s] for c in by_org.values()) for s in workflow.LABELS}
    return render_template(
        "officer_home.html", batch=batch, spec=batch.spec, orgs=orgs, by_org=by_org,
        copies=copies, last_upload=last_upload, totals=totals,
        pending_previews=Upload.select().where((Upload.batch == batch) & (Upload.status == Upload.PREVIEW)).count(),
    )
