"""Roster import, second step (确认导入): a preview applied, or cancelled.

`confirm` applies a preview (zcweb.preview) in one transaction, comparing
again with the rows as they are at that moment: new rows go from the
preview into the roster in a single INSERT … SELECT (`insert_new_rows`),
changed ones in one prepared UPDATE. Confirming twice changes nothing the
second time.

The review desk's search table (SQLite's `applicant_search`) and counts
(`applicant_count`) learn of the new rows set-based, in the same
transaction: the rows carry their upload, which the insert triggers leave
alone (migration 0014), and `insert_new_rows` adds all of them with one
INSERT … SELECT into the search table and one grouped upsert of the counts.
The changed and withdrawn rows are updates: the per-row update triggers
keep both tables, as they do for every other writer. The rows' marks
(zcweb.marks.refresh_written) are written set-based too for the new rows
of people no other row knows, row by row for the others.
"""

from __future__ import annotations

from peewee import JOIN, chunked

from .. import marks
from .corrections import correction_events
from ..db import analyse_if_grown, db, execute_many, insert_rows, is_sqlite, quoted
from .gate import ImportRefused, refusal_for
from ..locks import lock_bodies, retried
from ..models import Applicant, Batch, Event, Org, Upload, UploadRow, User, now
from .outcomes import CHANGED, NEW, StoredRow, event_row, outcome, stored_rows
from ..roster import workflow
from ..roster.batch import format_date


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
        marks.lock(upload.batch_id)
        batch, org = Batch.get_by_id(upload.batch_id), Org.get_by_id(upload.org_id)
        refusal = refusal_for(batch, org, user)
        if refusal:
            raise ImportRefused(refusal + "本次上传未导入。")
        stamp = str(now())
        stored = stored_rows(batch, org)
        events, skipped = _update_changed(upload, stored, user, stamp)
        updated = len(events)
        new = insert_new_rows(upload, stamp)
        # New in the preview, stored meanwhile: another upload of the body imported them.
        already = max(0, (upload.summary or {}).get(NEW, 0) - new)
        events += correction_events(upload, user, stamp)
        withdrawn = []
        if withdraw_missing:
            withdrawn, moved = _withdraw_missing(upload, stored, user, stamp, events)
            skipped += moved
        marks.refresh_written(batch, upload.id, withdrawn,
                              {e["before"]["name"] for e in events if "name" in (e["before"] or {})})
        if events:
            insert_rows(Event, list(events[0]), (tuple(Event._meta.fields[k].db_value(v) for k, v in e.items())
                                                 for e in events))
        done = {"new": new, "updated": updated, "withdrawn": len(withdrawn), "already": already, "skipped": skipped}
        summary = dict(upload.summary or {}, committed=done)
        Upload.update(summary=summary).where(Upload.id == upload.id).execute()
        Event.record(user, "upload.confirmed", batch=batch, org=org, upload=upload, after=done,
                     detail=f"导入 {upload.filename}：新增{new}人，修改{updated}人，撤回{len(withdrawn)}人"
                            + (f"，{len(skipped)}人期间已被处理未覆盖" if skipped else ""))
    analyse_if_grown(["applicant", "applicant_mark"], new)
    return done


def _withdraw_missing(upload: Upload, stored: dict[str, StoredRow], user, stamp: str,
                      events: list[dict]) -> tuple[list[int], list[str]]:
    """Withdraw the people missing from the file, adding their log rows to
    `events`; returns the ids withdrawn and the names left alone."""
    ids, moved = _to_withdraw(upload.preview["missing"], stored)
    for chunk in chunked(ids, 500):
        Applicant.update(status=workflow.WITHDRAWN, version=Applicant.version + 1,
                         updated_at=stamp).where(Applicant.id.in_(chunk)).execute()
    events.extend(event_row(user, "applicant.withdrawn", upload, i, stamp, None,
                            {"status": workflow.WITHDRAWN}, f"上传 {upload.filename} 中没有此人，已撤回")
                  for i in ids)
    return ids, moved


def _to_withdraw(missing: list[dict], stored: dict[str, StoredRow]) -> tuple[list[int], list[str]]:
    """(ids to withdraw, names left alone): a person missing from the file
    is withdrawn only while still 待审核 or 退回修改 as the preview saw them;
    one whose status changed since is left as it is and named."""
    ids, moved = [], []
    for m in missing:
        row = stored.get(m["id_number"])
        status = row.status if row else None
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


def insert_new_rows(upload: Upload, stamp: str) -> int:
    """Every error-free row whose person the body has not submitted yet goes
    straight from the preview into the roster, in SQL. A row that a
    concurrent confirmation inserts first is skipped (ON CONFLICT), not an
    error: the confirmation that loses the race imports nothing twice.
    The rows inserted are then added to the search table and the counts
    (`_index_new_rows`)."""
    p, q = db.obj.param, quoted
    target = ", ".join(q(c) for c in ("batch_id", "org_id", "id_number", "name", "data", "warnings", "status",
                                      "version", "copies", "position", "upload_id", "created_at", "updated_at",
                                      "org_order", *Applicant.INDEXED_VALUES))
    values = ", ".join(f"r.{q(key)}" for key in Applicant.INDEXED_VALUES)  # worked out by the preview
    sql = (f"INSERT INTO {q('applicant')} ({target}) "
           f"SELECT {p}, {p}, r.{q('id_number')}, r.{q('name')}, r.{q('data')}, r.{q('warnings')}, {p}, 1, 0, "
           f"r.{q('row')}, r.{q('upload_id')}, {p}, {p}, "
           f"(SELECT {q('sort_order')} FROM {q('org')} WHERE {q('id')} = {p}), {values} FROM {q('upload_row')} r "
           f"WHERE r.{q('upload_id')} = {p} AND NOT r.{q('has_error')} AND NOT EXISTS ("
           f"SELECT 1 FROM {q('applicant')} a WHERE a.{q('batch_id')} = {p} AND a.{q('org_id')} = {p} "
           f"AND a.{q('id_number')} = r.{q('id_number')}) ON CONFLICT DO NOTHING")
    cursor = db.execute_sql(sql, (upload.batch_id, upload.org_id, workflow.PENDING, stamp, stamp, upload.org_id,
                                  upload.id, upload.batch_id, upload.org_id))
    inserted = cursor.rowcount
    if inserted:
        _index_new_rows(upload.id)
    return inserted


COUNT_KEY = ("batch_id", "org_id", "level", "specialty", "status", "copies")


def _index_new_rows(upload_id: int) -> None:
    """The search entries and counts of the rows just inserted for this
    upload, one statement each: the insert triggers leave rows with an
    upload to this (migration 0014). Only this confirm writes its upload's
    id into rows, and every update of a row raises its version: the rows
    with this upload at version 1 are exactly the ones just inserted (the
    changed ones, updated before, are at 2 or more)."""
    p, q = db.obj.param, quoted
    new_rows = f"FROM {q('applicant')} WHERE {q('upload_id')} = {p} AND {q('version')} = 1"
    key = ", ".join(q(c) for c in COUNT_KEY)
    db.execute_sql(f"INSERT INTO {q('applicant_count')} ({key}, {q('applicants')}) "
                   f"SELECT {key}, COUNT(*) {new_rows} GROUP BY {key} "
                   f"ON CONFLICT ({key}) DO UPDATE SET {q('applicants')} = "
                   f"{q('applicant_count')}.{q('applicants')} + excluded.{q('applicants')}", (upload_id,))
    if is_sqlite():
        db.execute_sql(f"INSERT INTO applicant_search(rowid, name, id_number, employer) "
                       f"SELECT id, name, id_number, employer {new_rows} ORDER BY id", (upload_id,))


@retried
def cancel(upload: Upload, user: User | None) -> bool:
    """Drop a preview unapplied; False when it was no longer a preview."""
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


def _update_changed(upload: Upload, stored: dict[str, StoredRow], user, stamp: str) -> tuple[list[dict], list[str]]:
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
    known = (UploadRow.select(UploadRow.id_number, UploadRow.data, UploadRow.warnings, UploadRow.status,
                              UploadRow.outcome, UploadRow.row)  # not the findings and changes, JSON read for nothing
             .where((UploadRow.upload == upload) & ~UploadRow.has_error & (UploadRow.outcome != NEW)
                    & UploadRow.id_number.in_(in_roster)))
    updates, events, skipped = [], [], []
    for row in known.iterator():
        values, current = row.values, stored[row.id_number]
        result, changes, status = outcome(values, [], current, columns)
        if status != row.status:  # decided meanwhile: the preview's plan no longer holds
            if row.outcome == CHANGED:
                skipped.append(current.name)
            continue
        if result != CHANGED:
            continue
        data = {k: v for k, v in current.data.items() if k not in columns}
        data.update(values)
        updates.append((
            Applicant.data.db_value(data), data.get("name", current.name), row.warnings,
            workflow.PENDING if status in workflow.RESUBMITTABLE else status,
            row.row, upload.id, stamp, *Applicant.indexed_values(data).values(),
            *sorted(workflow.RESUBMITTABLE), current.id,
        ))
        events.append(event_row(
            user, "applicant.updated", upload, current.id, stamp,
            {"status": status, **{k: old for k, (old, _) in changes.items()}},
            {k: new for k, (_, new) in changes.items()},
            f"上传 {upload.filename}：{'、'.join(headers.get(k, k) for k in changes) or '重新提交'}"))
    _write_changed(updates)
    return events, skipped


def _write_changed(updates: list[tuple]) -> int:
    """The changed rows' new values, in one prepared UPDATE."""
    p, q = db.obj.param, quoted
    assignments = ", ".join(f"{q(c)} = {p}" for c in
                            ("data", "name", "warnings", "status", "position", "upload_id", "updated_at",
                             *Applicant.INDEXED_VALUES))
    return execute_many(
        f"UPDATE {q('applicant')} SET {assignments}, "
        f"{q('reason')} = CASE WHEN {q('status')} IN ({p}, {p}) THEN NULL ELSE {q('reason')} END, "
        f"{q('version')} = {q('version')} + 1 WHERE {q('id')} = {p}",
        updates)
