"""Who may see what: officer-only views and the per-body scope of contacts."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..models import Applicant, Batch, Upload


def officer_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_officer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def scope(query, model):
    """Limit a query over `model` (which has an `org` field) to the current
    user's body when the user is a contact."""
    if current_user.is_officer:
        return query
    return query.where(model.org == current_user.org_id)


def applicant_or_404(applicant_id: int) -> Applicant:
    found = scope(Applicant.select(), Applicant).where(Applicant.id == applicant_id).first()
    if found is None:
        abort(404)
    return found


def upload_or_404(upload_id: int) -> Upload:
    found = scope(Upload.select(), Upload).where(Upload.id == upload_id).first()
    if found is None:
        abort(404)
    return found


def current_batch_or_404() -> Batch:
    batch = Batch.current()
    if batch is None:
        abort(404)
    return batch


def me():
    """The logged-in User itself (not the proxy), for writing records."""
    return current_user._get_current_object()
