"""What an upload did, in people and rows: "已导入5人，1行有错未导入", the
same words in the upload list, the success message and a contact's home."""

from __future__ import annotations


def imported(summary: dict | None) -> int:
    """People a confirmed upload wrote: added or changed (rows unchanged or
    already decided are not imported again)."""
    done = (summary or {}).get("committed") or {}
    return done.get("new", 0) + done.get("updated", 0)


def imported_text(summary: dict | None) -> str:
    summary = summary or {}
    text = f"已导入{imported(summary)}人"
    if summary.get("error"):
        text += f"，{summary['error']}行有错未导入"
    return text


def checked_text(summary: dict | None) -> str:
    """A preview not yet confirmed: rows checked, rows with errors."""
    summary = summary or {}
    return f"{summary.get('rows', 0)}行" + (f"，{summary['error']}行有错" if summary.get("error") else "")
