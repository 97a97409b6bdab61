"""Roster import (花名册导入): a preview first, then a commit on confirmation.

`create_preview` reads every row, cleaned, checked and compared with what
the body already has, spooling them to a temporary file (a large file is
never held whole in memory); only then does it open a transaction that
keeps the file in an `Upload` and its rows in `UploadRow`s, so that the
database is locked only while they are written and any server process can
show and confirm the preview. `confirm` applies a preview in one
transaction, comparing again with the rows as they are at that moment: new
rows go from the preview into the roster in a single INSERT … SELECT.
Confirming twice changes nothing the second time. The web upload and
`flask import` both go through here; a dry run is a preview rolled back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
import tempfile
from collections import Counter

import orjson

from flask import current_app
from peewee import JOIN, Case, chunked

from .db import db, json_text
from .deadlines import deadline_for, spec_for
from .locks import lock_bodies, retried
from .models import Applicant, Batch, Event, Org, Upload, UploadRow, User, now, to_json
from .roster import rulenames, workflow
from .roster.batch import format_date
from .roster.findings import ERROR
from .roster.normalize import RowCleaner
from .roster.reader import Limits, RosterRefused, read_roster
from .roster.rules import RowChecker, check_duplicates, other_body_warning
from .roster.signing import TokenInvalid, read_token

NEW, CHANGED, UNCHANGED, LOCKED, ERRORS = "new", "changed", "unchanged", "locked", "error"
CLASS_LABELS = {
    NEW: "新增",
    CHANGED: "修改",
    UNCHANGED: "无变化",
    LOCKED: "已审定，不修改",
    ERRORS: "有错误，不导入",
}
# The preview lists errors first, then what will change.
SHOWN_ORDER = (ERRORS, CHANGED, NEW, LOCKED, UNCHANGED)
ID = "id_number"  # the identity column: one applicant per number and body
UNEXPECTED = ("读取这个文件时系统出错，文件未导入，数据没有任何变化。请确认文件能用 Excel 或 WPS 正常打开，"
              "另存为 .xlsx 后重新上传；如仍不行，请联系经信局并说明上传时间。")
CHUNK = 1000


class ImportRefused(Exception):
    """The file or the moment is refused as a whole; nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


def create_preview(batch: Batch, org: Org, user: User | None, filename: str, data: bytes) -> Upload:
    """Keep the file and what it would do; refused files are kept too. The
    file is read and checked before the write transaction opens, so that
    the database is locked only while the rows are written."""
    upload = Upload(batch=batch, org=org, user=user, **Upload.kept(filename, data))
    analysis = None
    try:
        refusal = refusal_for(batch, org, user)
        if refusal:
            raise ImportRefused(refusal)
        analysis = Analysis(batch, org, data)
        upload.preview, upload.summary = analysis.preview, analysis.summary
    except ImportRefused as e:
        upload.status, upload.message = Upload.REFUSED, e.message
    except Exception:  # a file we failed on is still the user's file: answer, keep it, log it
        current_app.logger.exception("preview of %s for %s failed", upload.filename, org.name)
        upload.status, upload.message = Upload.REFUSED, UNEXPECTED
    with analysis or contextlib.nullcontext(), db.atomic():
        upload.save()
        if analysis:
            analysis.store(upload)
        Event.record(user, "upload." + upload.status, batch=batch, org=org, upload=upload,
                     detail=upload.message or _summary_text(upload.summary))
    return upload


def dry_run(batch: Batch, org: Org, data: bytes) -> tuple[Upload, list[tuple[int, list[dict]]]]:
    """What a file would do, with nothing written: an unsaved Upload that
    carries the preview and summary, and the findings of the rows that have
    any, in file order. Raises ImportRefused."""
    refusal = refusal_for(batch, org, None)
    if refusal:
        raise ImportRefused(refusal)
    with Analysis(batch, org, data) as analysis:
        found = analysis.findings()
    upload = Upload(batch=batch, org=org, filename="", size=len(data), sha256="", content=b"",
                    preview=analysis.preview, summary=analysis.summary)
    return upload, found


class Analysis:
    """A file read, cleaned, checked and compared with what the body has,
    nothing written: the preview and summary, and the rows spooled to a
    temporary file (a chunk at a time in memory) until `store` writes them;
    used as a context manager, which removes that file. Raises ImportRefused."""

    def __init__(self, batch: Batch, org: Org, data: bytes):
        self.spool = tempfile.TemporaryFile()
        try:
            raw, rows, records = analyse(batch, org, data)
            for chunk in chunked(records, CHUNK):
                pickle.dump(chunk, self.spool, pickle.HIGHEST_PROTOCOL)
        except BaseException as e:
            self.spool.close()
            if isinstance(e, RosterRefused):
                raise ImportRefused(e.message) from None
            raise
        self.duplicates = rows.duplicates(batch.schema)
        seen = {id_number for _, id_number in rows.numbers}
        missing = [{"id": a_id, "name": name, "id_number": id_number, "status": status}
                   for id_number, (a_id, status, _, name, _) in rows.existing.items()
                   if id_number not in seen and status != workflow.WITHDRAWN]
        self.preview = {"columns": raw.columns, "extra_headers": raw.extra_headers, "notes": raw.notes,
                        "missing": missing}
        counts = {k: rows.counts[k] for k in CLASS_LABELS}
        counts.update(rows=len(rows.numbers), missing=len(missing), warnings=rows.counts["warnings"])
        self.summary = counts

    def store(self, upload: Upload) -> int:
        """Write the spooled rows as the upload's UploadRows."""
        self.spool.seek(0)
        return _insert(UploadRow, PREVIEW_ROW_FIELDS, ((upload.id, *self._marked(r)) for r in self._records()))

    def findings(self) -> list[tuple[int, list[dict]]]:
        """(row number, findings) of the spooled rows that have any, as
        `row_findings` reads them back once stored."""
        self.spool.seek(0)
        return [(r[0], orjson.loads(r[4])) for r in map(self._marked, self._records()) if r[4]]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.spool.close()

    def _records(self):
        while True:
            try:
                yield from pickle.load(self.spool)
            except EOFError:
                return

    def _marked(self, record: tuple) -> tuple:
        """A row of a person the file holds twice becomes an error."""
        found = self.duplicates.get(record[0])
        if not found:
            return record
        findings = orjson.loads(record[4]) if record[4] else []
        findings += [f.to_dict() for f in found]
        return (*record[:4], to_json(findings), record[5], True, ERRORS, None, record[9])


def analyse(batch: Batch, org: Org, data: bytes):
    """Read, clean, check and compare (the analysis without storing it):
    the file as read, the `_PreviewRows` that counts, and a generator of
    UploadRow records without their upload; nothing is read past the header
    until it is consumed. Raises RosterRefused, ImportRefused."""
    raw = read_roster(data, batch.schema, limits())
    if raw.token:
        _check_token(raw.token, batch, org)
    rows = _PreviewRows(org, raw.columns, _existing(batch, org), Applicant.submitted_by(batch))
    return raw, rows, (rows.record(*checked) for checked in _checked_rows(raw, batch.schema, spec_for(batch, org)))


def _checked_rows(raw, schema, spec):
    """(row number, cleaned values, findings) for each row the reader yields."""
    cleaner, checker = RowCleaner(schema), RowChecker(schema, spec)
    for raw_row in raw.rows:
        values, findings = cleaner.clean(raw_row.cells)
        # A cell that failed cleaning already has its message; the rules
        # would only add "未填写" for it.
        findings += checker.check(values, skip={f.column for f in findings})
        yield raw_row.number, values, findings


PREVIEW_ROW_FIELDS = ("upload", "row", "id_number", "name", "data", "findings", "warnings", "has_error",
                      "outcome", "changes", "status")


class _PreviewRows:
    """Turns checked rows into UploadRow records, counting outcomes and
    remembering each row's identity number for the duplicate check."""

    def __init__(self, org, columns, existing, submitted):
        self.org_name, self.columns = org.name, columns
        self.existing, self.submitted = existing, submitted
        self.numbers = []  # (row number, identity number)
        self.outcomes = []  # each row's outcome, in the same order
        self.counts = Counter()

    def record(self, number: int, values: dict, findings: list) -> tuple:
        id_number = values.get(ID)
        self.numbers.append((number, id_number))
        # Stored without the other body's name: the preview, its marked copy
        # and the contact's pages never show it (the officer's preview adds it).
        if self.submitted.get(id_number, set()) - {self.org_name}:
            findings.append(other_body_warning())
        found = [f.to_dict() for f in findings]
        outcome, changes, status = _outcome(values, found, self.existing.get(id_number), self.columns)
        self.outcomes.append(outcome)
        self.counts[outcome] += 1
        if found:
            self.counts["warnings"] += sum(1 for f in found if f["level"] != ERROR)
        return (number, id_number, values.get("name", ""), to_json(values),
                to_json(found) if found else None, to_json(_warnings(found)) if found else "[]",
                outcome == ERRORS, outcome, to_json(changes) if changes else None, status)

    def duplicates(self, schema) -> dict:
        """The same person twice in one file: row number → the findings that
        make each such row an error (known once the whole file is read)."""
        twice = {n for n, count in Counter(i for _, i in self.numbers if i).items() if count > 1}
        if not twice:
            return {}
        found = check_duplicates([(row, {ID: i}) for row, i in self.numbers if i in twice], schema)
        for (row, _), outcome in zip(self.numbers, self.outcomes):
            if row in found:
                self.counts[outcome] -= 1
                self.counts[ERRORS] += 1
        return found


def _outcome(values: dict, findings: list[dict], current: tuple | None, columns: list[str]):
    """(outcome, changed cells or None, the stored row's status or None)
    for a row of the file against the body's stored row of that person."""
    if any(f["level"] == ERROR for f in findings):
        return ERRORS, None, current and current[1]
    if current is None:
        return NEW, None, None
    _, status, _, _, stored = current
    changes = {key: [stored.get(key), values.get(key)] for key in columns if stored.get(key) != values.get(key)}
    if changes and status in workflow.LOCKED:
        return LOCKED, None, status
    # A withdrawn row in the file again is submitted again; a returned row
    # only when something in it changed (else it stays 退回修改).
    if changes or status == workflow.WITHDRAWN:
        return CHANGED, changes, status
    return UNCHANGED, None, status


def preview_rows(upload: Upload, limit: int | None = None):
    """The preview's rows as a person reads them: errors first, then
    changes, new rows, locked and unchanged ones, each in file order."""
    order = Case(None, [(UploadRow.outcome == o, i) for i, o in enumerate(SHOWN_ORDER)])
    query = UploadRow.select().where(UploadRow.upload == upload).order_by(order, UploadRow.row)
    return query.limit(limit) if limit else query


def row_findings(upload: Upload) -> list[tuple[int, list[dict]]]:
    """(row number, findings) of the preview's rows that have any, in file
    order: a clean file of 10,000 rows reads nothing back."""
    return list(UploadRow.select(UploadRow.row, UploadRow.findings)
                .where((UploadRow.upload == upload) & UploadRow.findings.is_null(False))
                .order_by(UploadRow.row).tuples())


def _existing(batch: Batch, org: Org) -> dict[str, tuple]:
    """The body's stored rows: id number → (id, status, version, name, data)."""
    query = (Applicant.select(Applicant.id_number, Applicant.id, Applicant.status, Applicant.version,
                              Applicant.name, Applicant.data)
             .where((Applicant.batch == batch) & (Applicant.org == org)).tuples())
    return {id_number: tuple(rest) for id_number, *rest in query}


@retried
def confirm(upload: Upload, user: User | None, withdraw_missing: bool = False) -> dict | None:
    """Apply a preview: insert new rows, update changed ones, optionally
    withdraw the rows missing from the file. Returns what was done, or None
    when the preview was already confirmed or cancelled.

    The body is locked first (zcweb.locks) and its rows read after that, so
    every write is computed from the rows as they are now. A row whose status
    the officer (or the contact) changed since the preview is left as they
    left it and named in `done["skipped"]`."""
    with db.atomic():
        claimed = (
            Upload.update(status=Upload.CONFIRMED, decided_at=now(), decided_by=user)
            .where((Upload.id == upload.id) & (Upload.status == Upload.PREVIEW))
            .execute()
        )
        if not claimed:
            return None
        lock_bodies([upload.org_id])
        batch, org = Batch.get_by_id(upload.batch_id), Org.get_by_id(upload.org_id)
        refusal = refusal_for(batch, org, user)
        if refusal:
            raise ImportRefused(refusal + "本次上传未导入。")
        stamp = str(now())
        existing = _existing(batch, org)
        events, skipped = _update_changed(upload, existing, user, stamp)
        updated = len(events)
        new = _insert_new(upload, stamp)
        # New in the preview, stored meanwhile: another upload of the body imported them.
        already = max(0, (upload.summary or {}).get(NEW, 0) - new)
        from .preview_edit import correction_events  # that module builds on this one
        events += correction_events(upload, user, stamp)
        withdrawn = 0
        if withdraw_missing:
            ids, moved = _to_withdraw(upload.preview["missing"], existing)
            skipped += moved
            for chunk in chunked(ids, 500):
                withdrawn += (Applicant.update(status=workflow.WITHDRAWN, version=Applicant.version + 1,
                                               updated_at=stamp).where(Applicant.id.in_(chunk)).execute())
            events.extend(_event_row(user, "applicant.withdrawn", upload, i, stamp, None,
                                     {"status": workflow.WITHDRAWN}, f"上传 {upload.filename} 中没有此人，已撤回")
                          for i in ids)
        if events:
            _insert(Event, list(events[0]), (tuple(Event._meta.fields[k].db_value(v) for k, v in e.items())
                                             for e in events))
        done = {"new": new, "updated": updated, "withdrawn": withdrawn, "already": already, "skipped": skipped}
        summary = dict(upload.summary or {}, committed=done)
        Upload.update(summary=summary).where(Upload.id == upload.id).execute()
        Event.record(user, "upload.confirmed", batch=batch, org=org, upload=upload, after=done,
                     detail=f"导入 {upload.filename}：新增{new}人，修改{updated}人，撤回{withdrawn}人"
                            + (f"，{len(skipped)}人期间已被处理未覆盖" if skipped else ""))
    return done


def _to_withdraw(missing: list[dict], existing: dict) -> tuple[list[int], list[str]]:
    """(ids to withdraw, names left alone): a person missing from the file
    is withdrawn only while still 待审核 or 退回修改 as the preview saw them;
    one whose status changed since is left as it is and named."""
    ids, moved = [], []
    for m in missing:
        status = existing.get(m["id_number"], (None, None))[1]
        if status != m["status"]:
            moved.append(m["name"])
        elif status in (workflow.PENDING, workflow.RETURNED):
            ids.append(m["id"])
    return ids, moved


def skipped_text(names: list[str]) -> str:
    """The confirm's report of rows changed by someone else meanwhile."""
    shown = "、".join(names[:10]) + ("等" if len(names) > 10 else "")
    return f"{len(names)}人在导入期间已被审核或撤回，未覆盖：{shown}。"


def settled_text(upload: Upload, asked: str) -> str:
    """The true answer when a confirm or a cancel (`asked`) found the upload
    no longer a preview: someone (or another tab) confirmed or cancelled it."""
    upload = Upload.select(Upload, User).join(User, JOIN.LEFT_OUTER, on=(Upload.decided_by == User.id)) \
        .where(Upload.id == upload.id).get()
    who = upload.decided_by.display_name if upload.decided_by else "系统"
    when = f"{who}于{format_date(upload.decided_at.date())} {upload.decided_at:%H:%M}"
    if upload.status == Upload.CANCELLED:
        return f"此次上传已由{when}取消，未导入任何数据。如需导入，请重新上传。" if asked == "confirm" \
            else f"此次上传已由{when}取消，无需再次取消。"
    return f"此文件已由{when}确认导入，未重复导入。" if asked == "confirm" \
        else f"此文件已由{when}确认导入，不能再取消。如需更改，请修改花名册后重新上传。"


def _insert_new(upload: Upload, stamp: str) -> int:
    """Every error-free row whose person the body has not submitted yet goes
    straight from the preview into the roster, in SQL. A row that a
    concurrent confirmation inserts first is skipped (ON CONFLICT), not an
    error: the confirmation that loses the race imports nothing twice."""
    p, q = db.obj.param, _quoted
    target = ", ".join(q(c) for c in ("batch_id", "org_id", "id_number", "name", "data", "warnings", "status",
                                      "version", "copies", "position", "upload_id", "created_at", "updated_at",
                                      "org_order", *Applicant.INDEXED_VALUES))
    values = ", ".join(json_text(f"r.{q('data')}", key) for key in Applicant.INDEXED_VALUES)
    sql = (f"INSERT INTO {q('applicant')} ({target}) "
           f"SELECT {p}, {p}, r.{q('id_number')}, r.{q('name')}, r.{q('data')}, r.{q('warnings')}, {p}, 1, 0, "
           f"r.{q('row')}, r.{q('upload_id')}, {p}, {p}, "
           f"(SELECT {q('sort_order')} FROM {q('org')} WHERE {q('id')} = {p}), {values} FROM {q('upload_row')} r "
           f"WHERE r.{q('upload_id')} = {p} AND NOT r.{q('has_error')} AND NOT EXISTS ("
           f"SELECT 1 FROM {q('applicant')} a WHERE a.{q('batch_id')} = {p} AND a.{q('org_id')} = {p} "
           f"AND a.{q('id_number')} = r.{q('id_number')}) ON CONFLICT DO NOTHING")
    cursor = db.execute_sql(sql, (upload.batch_id, upload.org_id, workflow.PENDING, stamp, stamp, upload.org_id,
                                  upload.id, upload.batch_id, upload.org_id))
    return cursor.rowcount


@retried
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
    return [f for f in findings if f["level"] != ERROR and f["rule"] != rulenames.DUPLICATE_OTHER_BODY]


def _update_changed(upload: Upload, existing: dict, user, stamp: str) -> tuple[list[dict], list[str]]:
    """Rows of people the body already has: compared again now, and the
    changed ones get the file's values (a column the file lacks keeps its
    stored value); a returned or withdrawn row is submitted again, so its
    reason is cleared. A row whose status is no longer the one the preview
    saw was decided meanwhile: left alone. Returns the log rows, one per
    changed applicant, and the names of the rows left alone."""
    columns = upload.preview["columns"]
    headers = {c.key: c.header for c in upload.batch.schema.columns}
    in_roster = Applicant.select(Applicant.id_number).where(
        (Applicant.batch == upload.batch_id) & (Applicant.org == upload.org_id))
    # A row new in the preview and stored since was imported by another upload: left as it is.
    known = UploadRow.select().where((UploadRow.upload == upload) & ~UploadRow.has_error
                                     & (UploadRow.outcome != NEW) & UploadRow.id_number.in_(in_roster))
    updates, events, skipped = [], [], []
    for row in known.iterator():
        values = row.values
        outcome, changes, status = _outcome(values, [], existing[row.id_number], columns)
        if status != row.status:  # decided meanwhile: the preview's plan no longer holds
            if row.outcome == CHANGED:
                skipped.append(existing[row.id_number][3])
            continue
        if outcome != CHANGED:
            continue
        applicant_id, _, _, name, stored = existing[row.id_number]
        data = {k: v for k, v in stored.items() if k not in columns}
        data.update(values)
        updates.append((
            Applicant.data.db_value(data), data.get("name", name), row.warnings,
            workflow.PENDING if status in workflow.RESUBMITTABLE else status,
            row.row, upload.id, stamp, *Applicant.indexed_values(data).values(),
            *sorted(workflow.RESUBMITTABLE), applicant_id,
        ))
        events.append(_event_row(
            user, "applicant.updated", upload, applicant_id, stamp,
            {"status": status, **{k: old for k, (old, _) in changes.items()}},
            {k: new for k, (_, new) in changes.items()},
            f"上传 {upload.filename}：{'、'.join(headers.get(k, k) for k in changes) or '重新提交'}"))
    p = db.obj.param
    assignments = ", ".join(f"{_quoted(c)} = {p}" for c in
                            ("data", "name", "warnings", "status", "position", "upload_id", "updated_at",
                             *Applicant.INDEXED_VALUES))
    _executemany(
        f"UPDATE {_quoted('applicant')} SET {assignments}, "
        f"{_quoted('reason')} = CASE WHEN {_quoted('status')} IN ({p}, {p}) THEN NULL ELSE {_quoted('reason')} END, "
        f"{_quoted('version')} = {_quoted('version')} + 1 WHERE {_quoted('id')} = {p}",
        updates)
    return events, skipped


def _quoted(name: str) -> str:
    start, end = db.obj.quote
    return f"{start}{name}{end}"


def _executemany(sql: str, params) -> int:
    """One prepared statement for many rows (an iterable, consumed in chunks
    so that all of them are never built at once): building peewee's SQL text
    per chunk costs more than the writes themselves for a large file.
    Returns how many rows were written."""
    cursor = db.cursor()
    count = 0
    for chunk in chunked(params, CHUNK):
        cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


def _insert(model, names: list[str], rows) -> int:
    """Insert rows of values already in database form, in the order of `names`."""
    columns = ", ".join(_quoted(model._meta.fields[name].column_name) for name in names)
    sql = (f"INSERT INTO {_quoted(model._meta.table_name)} ({columns}) "
           f"VALUES ({', '.join([db.obj.param] * len(names))})")
    return _executemany(sql, rows)


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

