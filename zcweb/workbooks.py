"""The workbooks the tool hands out: templates, pre-filled and error-marked
copies, and roster exports (glue between the models and roster/)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from flask import current_app
from peewee import JOIN

from .models import Applicant, Batch, Org, Upload, UploadRow, User
from .roster import workflow
from .roster.batch import format_date
from .roster.findings import ERROR
from .importer import limits
from .preview_edit import corrections
from .roster.reader import read_roster
from .roster.signing import make_token
from .roster.template import build_template, template_filename
from .roster.export import build_roster, roster_filename

# What each export holds: (file-name part, title part, statuses).
EXPORTS = {
    "recommended": ("推荐人员", "推荐人员花名册", (workflow.APPROVED, workflow.RECOMMENDED)),
    "all": ("全部申报人员", "申报人员汇总表", tuple(workflow.LABELS)),
}


def token_for(batch: Batch, org: Org) -> str:
    payload = {"template": batch.settings["template"], "batch": batch.year, "org": org.id, "org_name": org.name}
    return make_token(payload, current_app.config["SECRET_KEY"].encode())


def template_for(batch: Batch, org: Org, with_rows: bool = False) -> tuple[bytes, str]:
    """The body's blank template, or pre-filled with its current rows and
    their status and reason (for fixing returned rows in the sheet)."""
    rows = info = None
    if with_rows:
        applicants = list(
            Applicant.select()
            .where((Applicant.batch == batch) & (Applicant.org == org) & (Applicant.status != workflow.WITHDRAWN))
            .order_by(Applicant.position, Applicant.id)
        )
        rows = [a.data for a in applicants]
        info = [{"status": a.status_label, "reason": a.reason or ""} for a in applicants]
    data = build_template(batch.schema, batch.spec, org_name=org.name, token=token_for(batch, org),
                          rows=rows, info=info)
    return data, template_filename(batch.spec, org.name, "-已报数据" if with_rows else "")


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
    data = build_template(batch.schema, batch.spec, org_name=org.name, token=token_for(batch, org),
                          rows=rows, cell_notes=cell_notes, row_notes=row_notes)
    return data, template_filename(batch.spec, org.name, "-错误标注")


def export_rows(applicants) -> list[dict]:
    return [
        {
            **a.data,
            "org": a.org.name,
            "status": a.status_label,
            "reason": a.reason or "",
            "reviewer": a.reviewer.display_name if a.reviewer_id else "",
            "reviewed_at": a.reviewed_at.date().isoformat() if a.reviewed_at else "",
            "copies": a.copies,
        }
        for a in applicants
    ]


def roster_export(batch: Batch, kind: str) -> tuple[bytes, str, int]:
    """An export workbook, its file name and how many rows it holds."""
    name_part, title_part, statuses = EXPORTS[kind]
    applicants = list(
        Applicant.select(Applicant, Org, User)
        .join(Org).switch(Applicant).join(User, on=(Applicant.reviewer == User.id), join_type=JOIN.LEFT_OUTER)
        .where((Applicant.batch == batch) & (Applicant.status.in_(statuses)))
        .order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id)
    )
    spec = batch.spec
    subtitle = f"报送单位：{spec.bureau}　　导出时间：{format_date(dt.date.today())}"
    data = build_roster(batch.schema, spec, export_rows(applicants),
                        title=f"{batch.title}{title_part}", subtitle=subtitle)
    return data, roster_filename(spec, name_part), len(applicants)
