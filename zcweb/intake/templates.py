"""The workbooks handed out to a body: its template (blank, or pre-filled
with its rows or last year's unsuccessful people), every body's template in
one zip, and an upload's error-marked copy."""

from __future__ import annotations

import io
import zipfile

from flask import current_app

from ..models import Applicant, Batch, Org, Upload, UploadRow
from ..roster import workflow
from ..roster.findings import ERROR
from ..roster.reader import read_roster
from ..roster.signing import make_token
from .corrections import corrections
from .deadlines import spec_for
from .gate import limits

# The template writer (roster/template) loads openpyxl, a tenth of a
# second: it is imported where a workbook is written, so that a command
# that writes none (import --dry-run) starts without it.


def token_for(batch: Batch, org: Org) -> str:
    payload = {"template": batch.settings["template"], "batch": batch.year, "org": org.id, "org_name": org.name}
    return make_token(payload, current_app.config["SECRET_KEY"].encode())


def template_for(batch: Batch, org: Org, with_rows: bool = False,
                 last_year: list[dict] | None = None) -> tuple[bytes, str]:
    """The body's blank template, or pre-filled with its current rows and
    their status and reason (for fixing returned rows in the sheet), or
    with `last_year`'s rows (its people of the year before who did not pass)."""
    from ..roster.template import build_template, template_filename
    rows = info = None
    suffix = "-已报数据" if with_rows else ""
    if last_year is not None:
        rows, suffix = last_year, "-预填上年度未通过人员"
    if with_rows:
        applicants = list(
            Applicant.select()
            .where((Applicant.batch == batch) & (Applicant.org == org) & (Applicant.status != workflow.WITHDRAWN))
            .order_by(Applicant.position, Applicant.id)
        )
        rows = [a.data for a in applicants]
        info = [{"status": a.status_label, "reason": a.reason or ""} for a in applicants]
    data = build_template(batch.schema, spec_for(batch, org), org_name=org.name, token=token_for(batch, org),
                          rows=rows, info=info)
    return data, template_filename(batch.spec, org.name, suffix)


def all_templates_zip(batch: Batch) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for org in Org.ordered().where(Org.active == True):  # noqa: E712
            data, name = template_for(batch, org)
            zf.writestr(name, data)
    return buffer.getvalue(), f"{batch.year}年度职称申报推荐花名册模板-全部报送单位.zip"


def marked_copy(upload: Upload) -> tuple[bytes, str]:
    """The uploaded rows back in the template, each faulty cell red with its
    message, so the contact fixes them and uploads again."""
    from ..roster.template import build_template, template_filename
    batch, org = upload.batch, upload.org
    raw = read_roster(bytes(upload.content), batch.schema, limits())
    by_row = dict(UploadRow.select(UploadRow.row, UploadRow.findings)
                  .where((UploadRow.upload == upload) & UploadRow.findings.is_null(False)).tuples())
    corrected = corrections(upload)
    rows, cell_notes, row_notes = [], {}, {}
    for index, raw_row in enumerate(raw.rows):
        rows.append({**raw_row.cells, **corrected.get(raw_row.number, {})})
        findings = by_row.get(raw_row.number, [])
        for f in findings:
            if f["level"] == ERROR and f["column"]:
                cell_notes[(index, f["column"])] = f["message"]
        if findings:
            row_notes[index] = "；".join(
                ("" if f["level"] == ERROR else "提示：") + f["message"] for f in findings
            )
    data = build_template(batch.schema, spec_for(batch, org), org_name=org.name, token=token_for(batch, org),
                          rows=rows, cell_notes=cell_notes, row_notes=row_notes)
    return data, template_filename(batch.spec, org.name, "-错误标注")
