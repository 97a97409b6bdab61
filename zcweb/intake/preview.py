"""Roster import, first step (导入预览): what a file would do, before anyone
confirms it.

`create_preview` reads every row, cleaned, checked and compared with what
the body already has, keeping them in memory up to 16 MB and spooling the
rest to a temporary file (a large file is never held whole in memory); only then does it open a transaction that
keeps the file in an `Upload` and its rows in `UploadRow`s, so that the
database is locked only while they are written and any server process can
show and confirm the preview (zcweb.confirm). `dry_run` does the same
analysis and writes nothing at all. The web upload and `flask import` both
go through here.
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import tempfile
from collections import Counter
from typing import NamedTuple

import orjson
from flask import current_app
from peewee import Case, chunked

from ..db import CHUNK, db, insert_rows
from .deadlines import spec_for
from .gate import UNEXPECTED, ImportRefused, check_token, limits, refusal_for
from ..models import Applicant, Batch, Event, Org, Upload, UploadRow, User, to_json
from .outcomes import CLASS_LABELS, ERRORS, ID, SHOWN_ORDER, RowCheck, kept_warnings, missing_people, outcome, stored_rows
from ..roster import workflow
from ..roster.findings import ERROR
from ..roster.reader import RosterRefused, read_roster
from ..roster.rules import check_duplicates, other_body_warning


class PreviewRecord(NamedTuple):
    """An UploadRow's values, without its upload, as the analysis spools them."""

    row: int
    id_number: str | None
    name: str
    data: str
    findings: str | None
    warnings: str
    has_error: bool
    outcome: str
    changes: str | None
    status: str | None
    # Applicant.INDEXED_VALUES, in that order.
    level: str
    specialty: str
    route: str
    employer: str


PREVIEW_ROW_FIELDS = ("upload", *PreviewRecord._fields)
INDEXED_VALUES = Applicant.INDEXED_VALUES  # as Applicant.indexed_values makes them, for each row


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
                     detail=upload.message or summary_text(upload.summary))
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


# Roughly how much of the records (bytes of their JSON) is kept in memory;
# the rest of a larger file is spooled.
KEPT_IN_MEMORY = 16 * 1024 * 1024


class Analysis:
    """A file read, cleaned, checked and compared with what the body has,
    nothing written: the preview and summary, and the rows kept until `store`
    writes them: in memory up to KEPT_IN_MEMORY (some 15,000 rows of the
    2024 roster), the rest of a larger file spooled to a temporary file a chunk
    at a time; used as a context manager, which removes that file. Raises
    ImportRefused."""

    def __init__(self, batch: Batch, org: Org, data: bytes):
        self.spool = tempfile.TemporaryFile()
        self.kept: list[list[PreviewRecord]] = []
        try:
            with _collector_paused():
                raw, rows, records = analyse(batch, org, data)
                kept = 0
                for chunk in chunked(records, CHUNK):
                    if kept < KEPT_IN_MEMORY:
                        self.kept.append(chunk)
                        kept += sum(len(r.data) for r in chunk) * 2  # mostly Chinese text: two bytes a character
                    else:
                        # As plain tuples: a named tuple costs five times as much to pickle.
                        pickle.dump([tuple(r) for r in chunk], self.spool, pickle.HIGHEST_PROTOCOL)
        except BaseException as e:
            self.spool.close()
            if isinstance(e, RosterRefused):
                raise ImportRefused(e.message) from None
            raise
        self.duplicates = rows.duplicates(batch.schema)
        missing = missing_people(rows.stored, {id_number for _, id_number in rows.numbers})
        self.preview = {"columns": raw.columns, "extra_headers": raw.extra_headers, "notes": raw.notes,
                        "missing": missing}
        counts = {k: rows.counts[k] for k in CLASS_LABELS}
        counts.update(rows=len(rows.numbers), missing=len(missing), warnings=rows.counts["warnings"])
        self.summary = counts

    def store(self, upload: Upload) -> int:
        """Write the rows as the upload's UploadRows."""
        return insert_rows(UploadRow, PREVIEW_ROW_FIELDS,
                           ((upload.id, *self._marked(r)) for r in self._records()))

    def findings(self) -> list[tuple[int, list[dict]]]:
        """(row number, findings) of the rows that have any, as
        `row_findings` reads them back once stored."""
        marked = (self._marked(PreviewRecord._make(r)) for r in self._records())
        return [(r.row, orjson.loads(r.findings)) for r in marked if r.findings]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.spool.close()

    def _records(self):
        """The records, those kept in memory first, then the spooled ones."""
        for chunk in self.kept:
            yield from chunk
        self.spool.seek(0)
        while True:
            try:
                yield from pickle.load(self.spool)
            except EOFError:
                return

    def _marked(self, record: tuple) -> tuple:
        """A row of a person the file holds twice becomes an error."""
        if not self.duplicates:  # the usual file: nothing to look up
            return record
        record = PreviewRecord._make(record)
        found = self.duplicates.get(record.row)
        if not found:
            return record
        findings = orjson.loads(record.findings) if record.findings else []
        findings += [f.to_dict() for f in found]
        return record._replace(findings=to_json(findings), has_error=True, outcome=ERRORS, changes=None)


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while a file's rows are analysed: they
    make no reference cycles (reference counting frees them), and its
    passes over the hundreds of thousands of young objects they make cost
    a tenth of the analysis."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def analyse(batch: Batch, org: Org, data: bytes):
    """Read, clean, check and compare (the analysis without storing it):
    the file as read, the `PreviewRows` that counts, and a generator of
    PreviewRecords; nothing is read past the header until it is consumed.
    Raises RosterRefused, ImportRefused."""
    raw = read_roster(data, batch.schema, limits())
    if raw.token:
        check_token(raw.token, batch, org)
    rows = PreviewRows(org, raw.columns, stored_rows(batch, org), sent_by_others(batch, org))
    check = RowCheck(batch.schema, spec_for(batch, org))
    return raw, rows, (rows.record(raw_row.number, *check(raw_row.cells)) for raw_row in raw.rows)


def sent_by_others(batch: Batch, org: Org) -> set[str]:
    """The identity numbers other bodies have sent in the batch (their
    withdrawn rows aside): one column of the batch's rows, read straight
    from the cursor, as every upload reads it whatever the batch's size."""
    query = (Applicant.select(Applicant.id_number).distinct()
             .where((Applicant.batch == batch) & (Applicant.org != org) & (Applicant.status != workflow.WITHDRAWN)))
    return {number for (number,) in db.execute(query)}


class PreviewRows:
    """Turns checked rows into PreviewRecords, counting outcomes and
    remembering each row's identity number for the duplicate check."""

    def __init__(self, org, columns, stored, others: set[str]):
        self.org_name, self.columns = org.name, columns
        self.stored, self.others = stored, others
        self.numbers = []  # (row number, identity number)
        self.outcomes = []  # each row's outcome, in the same order
        self.counts = Counter()

    def record(self, number: int, values: dict, findings: list) -> PreviewRecord:
        id_number = values.get(ID)
        self.numbers.append((number, id_number))
        # Stored without the other body's name: the preview, its marked copy
        # and the contact's pages never show it (the officer's preview adds it).
        if id_number in self.others:
            findings.append(other_body_warning())
        found = [f.to_dict() for f in findings]
        result, changes, status = outcome(values, found, self.stored.get(id_number), self.columns)
        self.outcomes.append(result)
        self.counts[result] += 1
        if found:
            self.counts["warnings"] += sum(1 for f in found if f["level"] != ERROR)
        return PreviewRecord(number, id_number, values.get("name", ""), to_json(values),
                             to_json(found) if found else None, to_json(kept_warnings(found)) if found else "[]",
                             result == ERRORS, result, to_json(changes) if changes else None, status,
                             *[str(values.get(key) or "") for key in INDEXED_VALUES])

    def duplicates(self, schema) -> dict:
        """The same person twice in one file: row number → the findings that
        make each such row an error (known once the whole file is read)."""
        twice = {n for n, count in Counter(i for _, i in self.numbers if i).items() if count > 1}
        if not twice:
            return {}
        found = check_duplicates([(row, {ID: i}) for row, i in self.numbers if i in twice], schema)
        for (row, _), result in zip(self.numbers, self.outcomes):
            if row in found:
                self.counts[result] -= 1
                self.counts[ERRORS] += 1
        return found


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


def summary_text(summary: dict | None) -> str:
    """A preview's counts in a sentence, as the upload's event says them."""
    if not summary:
        return ""
    return "，".join(f"{CLASS_LABELS[k]}{summary[k]}行" for k in CLASS_LABELS if summary.get(k))
