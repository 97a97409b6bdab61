"""Jinja filters and globals shared by every page."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from markupsafe import Markup, escape

from ..access import eventlog
from ..review import history
from ..intake import counts as uploadcounts
from ..roster import results, rulenames, workflow
from ..roster.batch import format_date
from ..roster.idcard import mask


def cn_date(value) -> str:
    """2024年9月5日 from a date, datetime or ISO string."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value)


def cn_datetime(value) -> str:
    if not value:
        return ""
    return f"{format_date(value.date())} {value:%H:%M}"


def cell(value, column, full: bool = False) -> str:
    """A cleaned roster value as a user reads it. Identity numbers are
    masked unless `full` (the officer's detail view)."""
    if value is None or value == "":
        return ""
    if column.type == "date":
        return cn_date(value)
    if column.type == "month":
        year, month = str(value).split("-")[:2]
        return f"{year}年{int(month)}月"
    if column.type == "idcard" and not full:
        return mask(str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def preview_cells(values: dict, ordered: list[str], schema, by_column: dict, changes: dict | None,
                  editing: str | None) -> list[tuple[str | None, Markup | None]]:
    """The cells of a preview row after its number, as the template walks
    them: (key, None) for a cell it marks up itself (findings, a change, the
    cell being corrected: `editing`), (None, markup) for a run of plain
    cells, which most rows are made of whole, written here at once rather
    than cell by cell in Jinja. The first column always comes alone, as the
    结果 cell follows it; it is the frozen one (f-name)."""
    found, run = [], []
    for index, key in enumerate(ordered):
        if by_column.get(key) or (changes and key in changes) or key == editing:
            if run:
                found.append((None, Markup("".join(run))))
                run = []
            found.append((key, None))
            continue
        text = escape(cell(values.get(key), schema[key])) if key in schema else ""
        run.append(f"<td>{text}</td>" if index else f'<td class="f-name">{text}</td>')
        if not index:
            found.append((None, Markup(run.pop())))
    if run:
        found.append((None, Markup("".join(run))))
    return found


def num(value) -> str:
    """A count with thousands separators: 100,000 (nothing stays nothing)."""
    return "" if value is None or value == "" else f"{value:,}"


def init_app(app: Flask) -> None:
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_datetime)
    app.add_template_filter(mask)
    app.add_template_filter(workflow.label, "status_label")
    app.add_template_filter(rulenames.short_name, "rule_name")
    app.add_template_filter(eventlog.action_name)
    app.add_template_filter(num)
    app.add_template_global(cell)
    app.add_template_global(preview_cells)
    app.add_template_filter(uploadcounts.imported_text, "imported_text")
    app.add_template_filter(uploadcounts.checked_text, "checked_text")
    app.add_template_global(rulenames.presets_for)
    app.add_template_global(workflow.LABELS, "STATUS_LABELS")
    app.add_template_global(workflow.ACTIONS, "ACTIONS")
    app.add_template_global(results.LABELS, "RESULT_LABELS")
    app.add_template_global(history.RECORDS, "RECORDS")
    app.add_template_global(history.compact, "compact_history")
