"""The import's vocabulary (导入结果): what a row of a file does to the roster.

A row of an uploaded file is checked (`RowCheck`, or `check_cells` for one
row alone), compared with the body's stored row of that person
(`stored_rows`, `outcome`) and gets one of five outcomes. The preview, a
cell correction and the confirmation all speak these words, so each is
decided here once.
"""

from __future__ import annotations

from typing import NamedTuple

from ..models import Applicant, Batch, Org
from ..roster import workflow
from ..roster.batch import BatchSpec
from ..roster.findings import ERROR, Finding
from ..roster.normalize import RowCleaner
from ..roster import rulenames
from ..roster.rules import RowChecker
from ..roster.schema import Schema

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


class StoredRow(NamedTuple):
    """A body's stored applicant, as an import compares a file's row with it."""

    id: int
    status: str
    version: int
    name: str
    data: dict


class RowCheck:
    """Clean then check row after row of one file: one per import, as the
    cleaner learns the file's values and the checker compiles the rules."""

    def __init__(self, schema: Schema, spec: BatchSpec):
        self.cleaner, self.checker = RowCleaner(schema), RowChecker(schema, spec)

    def __call__(self, cells: dict[str, object]) -> tuple[dict, list[Finding]]:
        """(cleaned values, findings) of a row's raw cells."""
        values, findings = self.cleaner.clean(cells)
        # A cell that failed cleaning already has its message; the rules
        # would only add "未填写" for it.
        findings += self.checker.check(values, skip={f.column for f in findings})
        return values, findings


def check_cells(schema: Schema, spec: BatchSpec, cells: dict[str, object]) -> tuple[dict, list[Finding]]:
    """(cleaned values, findings) of one row checked alone, as the import
    checks each row of a file."""
    return RowCheck(schema, spec)(cells)


def stored_rows(batch: Batch, org: Org) -> dict[str, StoredRow]:
    """The body's stored rows by identity number."""
    query = (Applicant.select(Applicant.id_number, Applicant.id, Applicant.status, Applicant.version,
                              Applicant.name, Applicant.data)
             .where((Applicant.batch == batch) & (Applicant.org == org)).tuples())
    return {id_number: StoredRow(*rest) for id_number, *rest in query}


def outcome(values: dict, findings: list[dict], current: StoredRow | None, columns: list[str]):
    """(outcome, changed cells or None, the stored row's status or None)
    for a row of the file against the body's stored row of that person."""
    if any(f["level"] == ERROR for f in findings):
        return ERRORS, None, current and current.status
    if current is None:
        return NEW, None, None
    stored, status = current.data, current.status
    changes = {key: [stored.get(key), values.get(key)] for key in columns if stored.get(key) != values.get(key)}
    if changes and status in workflow.LOCKED:
        return LOCKED, None, status
    # A withdrawn row in the file again is submitted again; a returned row
    # only when something in it changed (else it stays 退回修改).
    if changes or status == workflow.WITHDRAWN:
        return CHANGED, changes, status
    return UNCHANGED, None, status


def kept_warnings(findings: list[dict]) -> list[dict]:
    """The warnings a row keeps in the roster. Another body's copy of the
    same person is worked out when rows are shown, so that it appears on
    both rows and disappears with either."""
    return [f for f in findings if f["level"] != ERROR and f["rule"] != rulenames.DUPLICATE_OTHER_BODY]


def missing_people(stored: dict[str, StoredRow], seen: set[str]) -> list[dict]:
    """The body's people the file does not hold (a withdrawn one is not missed)."""
    return [{"id": row.id, "name": row.name, "id_number": number, "status": row.status}
            for number, row in stored.items() if number not in seen and row.status != workflow.WITHDRAWN]


def event_row(user, action, upload, applicant_id, stamp, before, after, detail) -> dict:
    """An Event of an upload's applicant, as a row for a bulk insert."""
    return {
        "at": stamp, "user": user.id if user else None, "action": action, "batch": upload.batch_id,
        "org": upload.org_id, "applicant": applicant_id, "upload": upload.id,
        "before": before, "after": after, "detail": detail,
    }
