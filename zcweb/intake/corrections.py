"""Correcting a cell of an upload's preview in the browser (在线更正).

The uploaded bytes stay as they are: each correction is a `PreviewEdit`
laid over the file's raw row, which is then cleaned and checked again with
the import's own cleaner and rules, and compared again with the body's
stored rows, so the corrected row is exactly what the import would have
made of a file holding that value. The in-file duplicate check is done
again over the rows that held the old or hold the new identity number, and
the preview's counts and missing people follow.
"""

from __future__ import annotations

from collections import Counter

from peewee import JOIN

from ..db import db
from .deadlines import spec_for
from .gate import limits, refusal_for
from ..models import Applicant, Event, PreviewEdit, Upload, UploadRow, User, to_json
from .outcomes import CHANGED, ERRORS, ID, NEW, check_cells, event_row, kept_warnings, missing_people, outcome, stored_rows
from ..roster.batch import format_date
from ..roster.findings import ERROR
from ..roster.idcard import mask
from ..roster.normalize import cell_text
from ..roster.reader import read_roster
from ..roster.rules import check_duplicates, other_body_warning

DUPLICATE_RULE = "duplicate.in_file"


class EditRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refusal(upload: Upload, user: User | None) -> str | None:
    """Why this user may not correct this preview now, or None."""
    if upload.status == Upload.CONFIRMED:
        when = format_date(upload.decided_at.date()) if upload.decided_at else ""
        return f"此文件已于{when}确认导入，检查结果不能再修改。如需更正，请在审核前重新上传。"
    if upload.status == Upload.CANCELLED:
        return "此文件的上传已取消，不能再修改。请重新上传。"
    if upload.status != Upload.PREVIEW:
        return "此文件未通过检查，不能修改。"
    return refusal_for(upload.batch, upload.org, user)


def as_text(value) -> str:
    return "" if value is None else cell_text(value)


def shown(key: str, value: str | None, schema) -> str:
    """A corrected value as a list shows it: identity numbers masked."""
    if value and key in schema and schema[key].type == "idcard":
        return mask(value)
    return value or ""


def raw_row(upload: Upload, number: int) -> dict[str, object]:
    """The file's raw cells of row `number` with the corrections made so far.
    The file is read again up to that row: it is kept, and this costs one
    read per correction, not a copy of every raw value of every upload."""
    cells: dict[str, object] = {}
    for raw in read_roster(bytes(upload.content), upload.batch.schema, limits()).rows:
        if raw.number == number:
            cells = dict(raw.cells)
            break
    cells.update(corrections(upload, number).get(number, {}))
    return cells


def corrections(upload: Upload, number: int | None = None) -> dict[int, dict[str, str | None]]:
    """row number → column → the value it was last corrected to (None: emptied)."""
    query = PreviewEdit.select().where(PreviewEdit.upload == upload).order_by(PreviewEdit.id)
    if number is not None:
        query = query.where(PreviewEdit.row == number)
    found: dict[int, dict[str, str | None]] = {}
    for edit in query:
        found.setdefault(edit.row, {})[edit.column] = edit.new_value or None
    return found


def current_value(upload: Upload, number: int, key: str) -> str:
    """What the cell holds now, as the input offers it for correcting."""
    return as_text(raw_row(upload, number).get(key))


def correct(upload: Upload, number: int, key: str, value: str, user: User | None) -> list[UploadRow]:
    """Correct one cell and check its row again; returns the preview rows
    that changed (the corrected one first). Raises EditRefused."""
    value = (value or "").strip()
    with db.atomic():
        # Taking the upload's row first serialises a correction with a
        # confirmation or cancellation of the same preview.
        Upload.update(status=Upload.PREVIEW).where((Upload.id == upload.id)
                                                   & (Upload.status == Upload.PREVIEW)).execute()
        upload = Upload.get_by_id(upload.id)
        why = refusal(upload, user)
        if why:
            raise EditRefused(why)
        if key not in (upload.preview or {}).get("columns", []):
            raise EditRefused("这一列不在上传的文件中，不能在此更正。")
        row = UploadRow.get_or_none((UploadRow.upload == upload) & (UploadRow.row == number))
        if row is None:
            raise EditRefused(f"文件中没有第{number}行。")
        batch = upload.batch
        cells = raw_row(upload, number)
        old = as_text(cells.get(key))
        cells[key] = value or None
        values, findings = check_cells(batch.schema, spec_for(batch, upload.org_id), cells)
        PreviewEdit.create(upload=upload, row=number, column=key, old_value=old, new_value=value, user=user)
        header = batch.schema[key].header
        Event.record(user, "upload.edited", batch=batch, org=upload.org, upload=upload,
                     before={key: shown(key, old, batch.schema)}, after={key: shown(key, value, batch.schema)},
                     detail=f"在浏览器中更正第{number}行“{header}”")
        changed = _recheck(upload, row, values, [f.to_dict() for f in findings])
    return changed


def _recheck(upload: Upload, row: UploadRow, values: dict, findings: list[dict]) -> list[UploadRow]:
    """Store the corrected row and redo the in-file duplicate check over
    the rows it concerns; update the preview's counts and missing people."""
    batch, org, schema = upload.batch, upload.org, upload.batch.schema
    stored = stored_rows(batch, org)
    counts = Counter(upload.summary or {})
    old_id, new_id = row.id_number, values.get(ID)
    if new_id:
        others = Applicant.submitted_by(batch, [new_id]).get(new_id, set()) - {org.name}
        if others:
            findings.append(other_body_warning().to_dict())  # no name: see preview.PreviewRows
    row.id_number, row.name, row.data = new_id, values.get("name", ""), to_json(values)
    for key, value in Applicant.indexed_values(values).items():
        setattr(row, key, value)
    # The rows sharing the old or the new number: their duplicate findings
    # are worked out again together.
    numbers = [n for n in {old_id, new_id} if n]
    group = [row] + list(UploadRow.select().where((UploadRow.upload == upload) & (UploadRow.id != row.id)
                                                  & UploadRow.id_number.in_(numbers)))
    duplicates = check_duplicates([(r.row, {ID: r.id_number}) for r in group], schema)
    changed = []
    for r in group:
        base = findings if r is row else [f for f in r.findings or [] if f["rule"] != DUPLICATE_RULE]
        found = base + [f.to_dict() for f in duplicates.get(r.row, ())]
        if r is not row and found == (r.findings or []):
            continue
        counts[r.outcome] -= 1
        counts["warnings"] -= _warning_count(r.findings)
        r.outcome, r.changes, r.status = outcome(r.values, found, stored.get(r.id_number),
                                                 upload.preview["columns"])
        r.findings, r.has_error = found or None, r.outcome == ERRORS
        r.warnings = to_json(kept_warnings(found))
        counts[r.outcome] += 1
        counts["warnings"] += _warning_count(found)
        r.save()
        changed.append(r)
    seen = {n for (n,) in UploadRow.select(UploadRow.id_number).where(UploadRow.upload == upload).tuples()}
    missing = missing_people(stored, seen)
    counts["missing"] = len(missing)
    upload.summary = dict(counts)
    upload.preview = dict(upload.preview, missing=missing)
    upload.save(only=[Upload.summary, Upload.preview])
    return changed


def _warning_count(findings: list[dict] | None) -> int:
    return sum(1 for f in findings or [] if f["level"] != ERROR)


def edits(upload: Upload) -> list[PreviewEdit]:
    return list(PreviewEdit.select(PreviewEdit, User).join(User, JOIN.LEFT_OUTER, on=(PreviewEdit.user == User.id))
                .where(PreviewEdit.upload == upload).order_by(PreviewEdit.id))


def correction_events(upload: Upload, user: User | None, stamp: str) -> list[dict]:
    """On confirmation: for each imported row that was corrected, an event
    on the applicant saying which values came from a correction in the
    browser rather than from the file."""
    by_row: dict[int, dict[str, tuple[str | None, str]]] = {}
    for edit in PreviewEdit.select().where(PreviewEdit.upload == upload).order_by(PreviewEdit.id):
        first_old = by_row.get(edit.row, {}).get(edit.column, (edit.old_value,))[0]
        by_row.setdefault(edit.row, {})[edit.column] = (first_old, edit.new_value)
    if not by_row:
        return []
    imported = dict(UploadRow.select(UploadRow.row, UploadRow.id_number)
                    .where((UploadRow.upload == upload) & UploadRow.outcome.in_([NEW, CHANGED])
                           & UploadRow.row.in_(list(by_row)))
                    .tuples())
    ids = dict(Applicant.select(Applicant.id_number, Applicant.id)
               .where((Applicant.batch == upload.batch_id) & (Applicant.org == upload.org_id)
                      & Applicant.id_number.in_(list(imported.values()))).tuples())
    schema, events = upload.batch.schema, []
    for number, id_number in imported.items():
        if id_number not in ids:
            continue
        cells = by_row[number]
        said = "；".join(f"{schema[k].header}由“{shown(k, old, schema)}”改为“{shown(k, new, schema)}”"
                        for k, (old, new) in cells.items())
        events.append(event_row(user, "applicant.corrected", upload, ids[id_number], stamp,
                                {k: old for k, (old, _) in cells.items()},
                                {k: new for k, (_, new) in cells.items()},
                                f"上传 {upload.filename} 第{number}行的值来自浏览器中的更正：{said}"))
    return events
