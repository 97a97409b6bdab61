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
import dataclasses
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
ID = "id_number"  # the identity column: one applicant per number and body
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
    """What a file would do to a body's rows; stored as the upload's preview.

    Rows are kept compact, since a file may hold tens of thousands: each is
    ``{"row": n, "class": c, "values": [...]}`` with the values in the order
    of `columns`, plus ``findings``, ``changes`` ({key: [old, new]}) and
    ``current`` (the stored row's id, version, status) only when there are any.
    """

    rows: list[dict]
    missing: list[dict]
    columns: list[str]
    extra_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def values(self, row: dict) -> dict:
        """A row's values by column key, empty cells left out."""
        return {k: v for k, v in zip(self.columns, row["values"]) if v is not None}

    def counts(self) -> dict:
        counts = {k: 0 for k in CLASS_LABELS}
        warnings = 0
        for row in self.rows:
            counts[row["class"]] += 1
            warnings += sum(1 for f in row.get("findings", ()) if f["level"] != ERROR)
        counts.update(rows=len(self.rows), missing=len(self.missing), warnings=warnings)
        return counts

    def to_dict(self) -> dict:
        # Shallow on purpose: asdict would deep-copy every row.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

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
        if raw.token:
            _check_token(raw.token, batch, org)
        rows = _check_rows(raw, schema, spec)
    except RosterRefused as e:
        raise ImportRefused(e.message) from None

    ids = [row["id"] for row in rows]
    duplicates = check_duplicates([(row["row"], {ID: id_number}) for row, id_number in zip(rows, ids)], schema)
    submitted = Applicant.submitted_by(batch)
    for row, id_number in zip(rows, ids):
        findings = row.pop("found")
        findings.extend(duplicates.get(row["row"], ()))
        others = submitted.get(id_number, set()) - {org.name}
        if others:
            findings.append(other_body_warning(sorted(others)))
        if findings:
            row["findings"] = [f.to_dict() for f in findings]

    analysis = Analysis(rows, [], raw.columns, raw.extra_headers, raw.notes)
    compare(analysis, batch, org, ids)
    for row in rows:
        del row["id"]
    return analysis


def _check_rows(raw, schema, spec) -> list[dict]:
    """Clean and check each row as the reader yields it; the raw cells are
    dropped as soon as they are cleaned."""
    cleaner = RowCleaner(schema)
    columns = raw.columns
    rows = []
    for raw_row in raw.rows:
        values, findings = cleaner.clean(raw_row.cells)
        values = {k: v for k, v in values.items() if v is not None}
        # A cell that failed cleaning already has its message; the rules
        # would only add "未填写" for it.
        unreadable = {f.column for f in findings}
        findings.extend(f for f in check_row(values, schema, spec) if f.column not in unreadable)
        rows.append({"row": raw_row.number, "values": [values.get(k) for k in columns],
                     "found": findings, "id": values.get(ID)})
    return rows


def _existing(batch: Batch, org: Org) -> dict[str, tuple]:
    """The body's stored rows: id number → (id, status, version, name, data)."""
    query = (Applicant.select(Applicant.id_number, Applicant.id, Applicant.status, Applicant.version,
                              Applicant.name, Applicant.data)
             .where((Applicant.batch == batch) & (Applicant.org == org)).tuples())
    return {id_number: tuple(rest) for id_number, *rest in query}


def compare(analysis: Analysis, batch: Batch, org: Org, ids: list | None = None) -> dict[str, tuple]:
    """Class every row against the body's rows as they are now (new, changed,
    unchanged, locked, error) and list the rows missing from the file."""
    existing = _existing(batch, org)
    columns = analysis.columns
    if ids is None:
        position = columns.index(ID) if ID in columns else None
        ids = [row["values"][position] if position is not None else None for row in analysis.rows]
    for row, id_number in zip(analysis.rows, ids):
        row.pop("changes", None)
        row.pop("current", None)
        current = existing.get(id_number)
        if any(f["level"] == ERROR for f in row.get("findings", ())):
            row["class"] = ERRORS
        elif current is None:
            row["class"] = NEW
        else:
            applicant_id, status, version, _, stored = current
            changes = {key: [stored.get(key), value] for key, value in zip(columns, row["values"])
                       if stored.get(key) != value}
            row["current"] = {"id": applicant_id, "version": version, "status": status}
            if changes and status in workflow.LOCKED:
                row["class"] = LOCKED
            elif changes or status in workflow.RESUBMITTABLE:
                row["class"] = CHANGED
                row["changes"] = changes
            else:
                row["class"] = UNCHANGED
    seen = set(ids)
    analysis.missing = [
        {"id": applicant_id, "name": name, "id_number": id_number, "status": status}
        for id_number, (applicant_id, status, _, name, _) in existing.items()
        if id_number not in seen and status != workflow.WITHDRAWN
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
    stamp = str(now())
    headers = {c.key: c.header for c in upload.batch.schema.columns}
    inserts, updates, events = [], [], []
    for row in analysis.rows:
        if row["class"] == NEW:
            values = analysis.values(row)
            inserts.append((
                upload.batch_id, upload.org_id, values[ID], values.get("name", ""),
                Applicant.data.db_value(values), Applicant.warnings.db_value(_warnings(row.get("findings", []))),
                workflow.PENDING, 1, 0, row["row"], upload.id, stamp, stamp,
            ))
        elif row["class"] == CHANGED:
            values = analysis.values(row)
            applicant_id, status, _, name, stored = existing[values[ID]]
            data = {**stored, **dict(zip(analysis.columns, row["values"]))}
            data = {k: v for k, v in data.items() if v is not None}
            updates.append((
                Applicant.data.db_value(data), data.get("name", name),
                Applicant.warnings.db_value(_warnings(row.get("findings", []))),
                workflow.PENDING if status in workflow.RESUBMITTABLE else status,
                row["row"], upload.id, stamp, applicant_id,
            ))
            changes = row["changes"]
            events.append(_event_row(
                user, "applicant.updated", upload, applicant_id, stamp,
                {"status": status, **{k: old for k, (old, _) in changes.items()}},
                {k: new for k, (_, new) in changes.items()},
                f"上传 {upload.filename}：{'、'.join(headers.get(k, k) for k in changes) or '重新提交'}"))
    _insert(Applicant, NEW_ROW_FIELDS, inserts)
    _update_changed(updates)
    withdrawn = 0
    if withdraw_missing:
        ids = [m["id"] for m in analysis.missing if m["status"] in (workflow.PENDING, workflow.RETURNED)]
        for chunk in chunked(ids, 500):
            withdrawn += (Applicant.update(status=workflow.WITHDRAWN, version=Applicant.version + 1, updated_at=stamp)
                          .where(Applicant.id.in_(chunk)).execute())
        events.extend(_event_row(user, "applicant.withdrawn", upload, i, stamp, None, {"status": workflow.WITHDRAWN},
                                 f"上传 {upload.filename} 中没有此人，已撤回") for i in ids)
    if events:
        _insert(Event, list(events[0]), [tuple(Event._meta.fields[k].db_value(v) for k, v in e.items())
                                         for e in events])
    return {"new": len(inserts), "updated": len(updates), "withdrawn": withdrawn}


def _quoted(name: str) -> str:
    start, end = db.obj.quote
    return f"{start}{name}{end}"


def _executemany(sql: str, params: list[tuple]) -> None:
    """One prepared statement for many rows: building peewee's SQL text per
    chunk costs more than the inserts themselves for a large file."""
    cursor = db.cursor()
    for chunk in chunked(params, 1000):
        cursor.executemany(sql, chunk)


NEW_ROW_FIELDS = ("batch", "org", "id_number", "name", "data", "warnings", "status", "version", "copies",
                  "position", "upload", "created_at", "updated_at")


def _insert(model, names: list[str], rows: list[tuple]) -> None:
    """Insert rows of values already in database form, in the order of `names`."""
    columns = ", ".join(_quoted(model._meta.fields[name].column_name) for name in names)
    sql = (f"INSERT INTO {_quoted(model._meta.table_name)} ({columns}) "
           f"VALUES ({', '.join([db.obj.param] * len(names))})")
    _executemany(sql, rows)


def _update_changed(updates: list[tuple]) -> None:
    """Changed rows get the new values; a returned or withdrawn row is
    submitted again, so its reason is cleared."""
    p = db.obj.param
    columns = ("data", "name", "warnings", "status", "position", "upload_id", "updated_at")
    assignments = ", ".join(f"{_quoted(c)} = {p}" for c in columns)
    sql = (f"UPDATE {_quoted('applicant')} SET {assignments}, "
           f"{_quoted('reason')} = CASE WHEN {_quoted('status')} IN ({p}, {p}) THEN NULL ELSE {_quoted('reason')} END, "
           f"{_quoted('version')} = {_quoted('version')} + 1 WHERE {_quoted('id')} = {p}")
    _executemany(sql, [(*u[:-1], *sorted(workflow.RESUBMITTABLE), u[-1]) for u in updates])


def _event_row(user, action, upload, applicant_id, stamp, before, after, detail) -> dict:
    return {
        "at": stamp, "user": user.id if user else None, "action": action, "batch": upload.batch_id,
        "org": upload.org_id, "applicant": applicant_id, "upload": upload.id,
        "before": before, "after": after, "detail": detail,
    }


def _summary_text(summary: dict | None) -> str:
    if not summary:
        return ""
    return "，".join(f"{CLASS_LABELS[k]}{summary[k]}行" for k in CLASS_LABELS if summary.get(k))

