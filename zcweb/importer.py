"""Roster import (花名册导入): a preview first, then a commit on confirmation.

`analyse` reads, cleans, checks and compares a file with what the body
already has, without writing. `create_preview` keeps the file and that result
in an `Upload`, so that any server process can show and confirm it.
`confirm` applies the preview in one transaction, comparing again with the
rows as they are at that moment; confirming twice changes nothing the
second time. The web upload and `flask import` both go through here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from flask import current_app
from peewee import chunked

from .db import db
from .models import Applicant, Batch, Event, Extension, Org, Upload, User, now
from .roster import workflow
from .roster.batch import format_date
from .roster.findings import ERROR
from .roster.normalize import RowCleaner
from .roster.reader import Limits, RosterRefused, read_roster
from .roster.rules import check_duplicates, check_row, other_body_warning
from .roster.signing import TokenInvalid, read_token

NEW, CHANGED, UNCHANGED, LOCKED, ERRORS = "new", "changed", "unchanged", "locked", "error"
CLASS_LABELS = {
    NEW: "新增",
    CHANGED: "修改",
    UNCHANGED: "无变化",
    LOCKED: "已审定，不修改",
    ERRORS: "有错误，不导入",
}


class ImportRefused(Exception):
    """The file or the moment is refused as a whole; nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Analysis:
    """What a file would do to a body's rows. JSON-able through `to_dict`."""

    rows: list[dict]
    missing: list[dict]
    columns: list[str]
    extra_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        counts = {k: 0 for k in CLASS_LABELS}
        for row in self.rows:
            counts[row["class"]] += 1
        counts["rows"] = len(self.rows)
        counts["missing"] = len(self.missing)
        counts["warnings"] = sum(
            1 for row in self.rows for f in row["findings"] if f["level"] != ERROR
        )
        return counts

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "missing": self.missing,
            "columns": self.columns,
            "extra_headers": self.extra_headers,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Analysis":
        return cls(**data)


def deadline_for(batch: Batch, org: Org) -> dt.date:
    """The body's upload deadline: its extension, else the batch's."""
    extension = Extension.get_or_none(Extension.batch == batch, Extension.org == org)
    return extension.until if extension else batch.spec.upload_deadline


def refusal_for(batch: Batch, org: Org, user: User | None, today: dt.date | None = None) -> str | None:
    """Why this user may not import into this body's roster now, or None.
    The officer (and the command line, user None) may import after the
    deadline on a body's behalf."""
    if batch.finalised_at:
        return f"{batch.title}已于{format_date(batch.finalised_at.date())}定稿上报，不再接收上传。"
    if not batch.is_open:
        return f"{batch.title}已关闭，不再接收上传。"
    if not org.active:
        return f"报送单位“{org.name}”已停用。"
    if user is not None and not user.is_officer:
        deadline = deadline_for(batch, org)
        if (today or dt.date.today()) > deadline:
            return (
                f"本批次报送截止日期为{format_date(deadline)}，已过截止日期，不能再上传。"
                "如需补报，请联系经信局。"
            )
    return None


def _check_token(token: str, batch: Batch, org: Org) -> None:
    try:
        payload = read_token(token, current_app.config["SECRET_KEY"].encode())
    except TokenInvalid:
        raise ImportRefused(
            "文件中的模板标识校验不通过（模板的隐藏信息被改动过，或不是本系统下载的模板）。"
            "请重新下载本单位模板，把数据复制进去后再上传。"
        ) from None
    if payload.get("batch") != batch.year:
        raise ImportRefused(
            f"这是{payload.get('batch')}年度的模板，请下载{batch.year}年度的模板重新填写后上传。"
        )
    if payload.get("template") != batch.settings["template"]:
        raise ImportRefused("模板版本与本批次不符，请下载本批次的模板重新填写后上传。")
    if payload.get("org") != org.id:
        raise ImportRefused(
            f"这是“{payload.get('org_name', '其他单位')}”的模板，不能作为“{org.name}”的花名册上传。"
            "请下载本单位的模板，把数据复制进去后再上传。"
        )


def limits() -> Limits:
    config = current_app.config
    return Limits(
        max_rows=config["IMPORT_MAX_ROWS"],
        max_uncompressed=config["IMPORT_MAX_UNCOMPRESSED"],
        time_limit=config["IMPORT_TIME_LIMIT"],
    )


def analyse(batch: Batch, org: Org, data: bytes) -> Analysis:
    """Read, clean and check a file and compare it with the body's rows.
    Raises ImportRefused for a file-level problem. Writes nothing."""
    schema, spec = batch.schema, batch.spec
    try:
        raw = read_roster(data, schema, limits())
    except RosterRefused as e:
        raise ImportRefused(e.message) from None
    if raw.token:
        _check_token(raw.token, batch, org)

    cleaner = RowCleaner(schema)
    rows = []
    for raw_row in raw.rows:
        values, findings = cleaner.clean(raw_row.cells)
        values = {k: v for k, v in values.items() if v is not None}
        # A cell that failed cleaning already has its message; the rules
        # would only add "未填写" for it.
        unreadable = {f.column for f in findings}
        findings.extend(f for f in check_row(values, schema, spec) if f.column not in unreadable)
        rows.append({"row": raw_row.number, "values": values, "findings": findings})

    duplicates = check_duplicates([(r["row"], r["values"]) for r in rows], schema)
    submitted = Applicant.submitted_by(batch)
    for row in rows:
        row["findings"].extend(duplicates.get(row["row"], ()))
        others = submitted.get(row["values"].get("id_number"), set()) - {org.name}
        if others:
            row["findings"].append(other_body_warning(sorted(others)))
        row["findings"] = [f.to_dict() for f in row["findings"]]

    analysis = Analysis(rows, [], raw.columns, raw.extra_headers, raw.notes)
    compare(analysis, batch, org)
    return analysis


def _existing(batch: Batch, org: Org) -> dict[str, Applicant]:
    return {
        a.id_number: a
        for a in Applicant.select().where((Applicant.batch == batch) & (Applicant.org == org))
    }


def compare(analysis: Analysis, batch: Batch, org: Org) -> dict[str, Applicant]:
    """Class every row against the body's rows as they are now (new, changed,
    unchanged, locked, error) and list the rows missing from the file."""
    existing = _existing(batch, org)
    seen = set()
    for row in analysis.rows:
        row.pop("changes", None)
        row.pop("current", None)
        id_number = row["values"].get("id_number")
        seen.add(id_number)
        current = existing.get(id_number)
        if any(f["level"] == ERROR for f in row["findings"]):
            row["class"] = ERRORS
        elif current is None:
            row["class"] = NEW
        else:
            row["current"] = {"id": current.id, "version": current.version, "status": current.status}
            changes = {
                key: [current.data.get(key), row["values"].get(key)]
                for key in analysis.columns
                if current.data.get(key) != row["values"].get(key)
            }
            if changes and current.status in workflow.LOCKED:
                row["class"] = LOCKED
            elif changes or current.status in workflow.RESUBMITTABLE:
                row["class"] = CHANGED
                row["changes"] = changes
            else:
                row["class"] = UNCHANGED
    analysis.missing = [
        {"id": a.id, "name": a.name, "id_number": a.id_number, "status": a.status}
        for id_number, a in existing.items()
        if id_number not in seen and a.status != workflow.WITHDRAWN
    ]
    return existing


def create_preview(batch: Batch, org: Org, user: User | None, filename: str, data: bytes) -> Upload:
    """Keep the file and what it would do; refused files are kept too."""
    upload = Upload(
        batch=batch,
        org=org,
        user=user,
        filename=(filename or "未命名文件")[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )
    try:
        refusal = refusal_for(batch, org, user)
        if refusal:
            raise ImportRefused(refusal)
        analysis = analyse(batch, org, data)
    except ImportRefused as e:
        upload.status, upload.message = Upload.REFUSED, e.message
    else:
        upload.preview, upload.summary = analysis.to_dict(), analysis.counts()
    with db.atomic():
        upload.save()
        Event.record(user, "upload." + upload.status, batch=batch, org=org, upload=upload,
             detail=upload.message or _summary_text(upload.summary))
    return upload


def confirm(upload: Upload, user: User | None, withdraw_missing: bool = False) -> dict | None:
    """Apply a preview: insert new rows, update changed ones, optionally
    withdraw the rows missing from the file. Returns what was done, or None
    when the preview was already confirmed or cancelled."""
    batch, org = upload.batch, upload.org
    refusal = refusal_for(batch, org, user)
    if refusal:
        raise ImportRefused(refusal)
    with db.atomic():
        claimed = (
            Upload.update(status=Upload.CONFIRMED, decided_at=now(), decided_by=user)
            .where((Upload.id == upload.id) & (Upload.status == Upload.PREVIEW))
            .execute()
        )
        if not claimed:
            return None
        analysis = Analysis.from_dict(upload.preview)
        existing = compare(analysis, batch, org)
        done = _apply(analysis, existing, upload, user, withdraw_missing)
        summary = dict(upload.summary or {}, committed=done)
        Upload.update(summary=summary).where(Upload.id == upload.id).execute()
        Event.record(user, "upload.confirmed", batch=batch, org=org, upload=upload, after=done,
             detail=f"导入 {upload.filename}：新增{done['new']}人，修改{done['updated']}人，撤回{done['withdrawn']}人")
    return done


def cancel(upload: Upload, user: User | None) -> bool:
    with db.atomic():
        cancelled = (
            Upload.update(status=Upload.CANCELLED, decided_at=now(), decided_by=user)
            .where((Upload.id == upload.id) & (Upload.status == Upload.PREVIEW))
            .execute()
        )
        if cancelled:
            Event.record(user, "upload.cancelled", batch=upload.batch, org=upload.org, upload=upload,
                         detail=upload.filename)
    return bool(cancelled)


def _warnings(findings: list[dict]) -> list[dict]:
    # Another body's copy of the same person is worked out when rows are
    # shown, so that it appears on both rows and disappears with either.
    return [f for f in findings if f["level"] != ERROR and f["rule"] != "duplicate.other_body"]


def _apply(analysis: Analysis, existing: dict, upload: Upload, user, withdraw_missing: bool) -> dict:
    stamp = now()
    headers = {c.key: c.header for c in upload.batch.schema.columns}
    events = []
    new_rows = []
    updated = 0
    for row in analysis.rows:
        values = row["values"]
        if row["class"] == NEW:
            new_rows.append({
                "batch": upload.batch_id, "org": upload.org_id, "id_number": values["id_number"],
                "name": values.get("name", ""), "data": values, "warnings": _warnings(row["findings"]),
                "status": workflow.PENDING, "position": row["row"], "upload": upload.id,
                "created_at": stamp, "updated_at": stamp,
            })
        elif row["class"] == CHANGED:
            current = existing[values["id_number"]]
            data = {**current.data, **{k: values.get(k) for k in analysis.columns}}
            data = {k: v for k, v in data.items() if v is not None}
            (Applicant.update(
                data=data, name=data.get("name", current.name), warnings=_warnings(row["findings"]),
                status=workflow.PENDING if current.status in workflow.RESUBMITTABLE else current.status,
                reason=None if current.status in workflow.RESUBMITTABLE else current.reason,
                version=Applicant.version + 1, position=row["row"], upload=upload.id, updated_at=stamp,
            ).where(Applicant.id == current.id).execute())
            updated += 1
            changed = "、".join(headers[k] for k in row["changes"]) or "重新提交"
            events.append(_event_row(user, "applicant.updated", upload, current.id,
                                     {"status": current.status, **{k: v[0] for k, v in row["changes"].items()}},
                                     {k: v[1] for k, v in row["changes"].items()},
                                     f"上传 {upload.filename}：{changed}"))
    for chunk in chunked(new_rows, 200):
        Applicant.insert_many(chunk).execute()
    withdrawn = 0
    if withdraw_missing:
        ids = [m["id"] for m in analysis.missing if m["status"] in (workflow.PENDING, workflow.RETURNED)]
        for chunk in chunked(ids, 500):
            withdrawn += (Applicant.update(status=workflow.WITHDRAWN, version=Applicant.version + 1, updated_at=stamp)
                          .where(Applicant.id.in_(chunk)).execute())
        events.extend(_event_row(user, "applicant.withdrawn", upload, i, None, {"status": workflow.WITHDRAWN},
                                 f"上传 {upload.filename} 中没有此人，已撤回")
                      for i in ids)
    for chunk in chunked(events, 200):
        Event.insert_many(chunk).execute()
    return {"new": len(new_rows), "updated": updated, "withdrawn": withdrawn}


def _event_row(user, action, upload, applicant_id, before, after, detail) -> dict:
    return {
        "at": now(), "user": user.id if user else None, "action": action, "batch": upload.batch_id,
        "org": upload.org_id, "applicant": applicant_id, "upload": upload.id,
        "before": before, "after": after, "detail": detail,
    }


def _summary_text(summary: dict | None) -> str:
    if not summary:
        return ""
    return "，".join(f"{CLASS_LABELS[k]}{summary[k]}行" for k in CLASS_LABELS if summary.get(k))

