"""Jinja filters and globals shared by every page."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Flask, g, url_for
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


UNUSED_ID = 2_000_000_007  # no row has it: marks where a row's id goes in its URL


def row_url(endpoint: str, applicant_id: int, **values) -> str:
    """url_for(endpoint, applicant_id=…, **values) for one of many rows:
    built once per request for the other values, then the id put in (50
    rows called url_for 150 times, a tenth of the page's time)."""
    patterns = g.setdefault("row_urls", {})
    key = (endpoint, *values.items())
    if key not in patterns:
        patterns[key] = url_for(endpoint, applicant_id=UNUSED_ID, **values).split(str(UNUSED_ID))
    before, after = patterns[key]
    return f"{before}{applicant_id}{after}"


def warning_note(warnings: list[dict], others: list[str], officer: bool) -> Markup:
    """A row's ⚠ with the short names of its warnings' rules (another body
    sending the person too among them), every message in its title. In
    Python rather than a macro: it is drawn on each of 50 rows."""
    if not warnings and not others:
        return Markup("")
    title = Markup("").join(escape(w["message"]) + Markup("&#10;") for w in warnings)
    if others:
        title += escape(f"同一身份证号码也由{'、'.join(others) if officer else '其他单位'}报送")
    rules = [w["rule"] for w in warnings] + ([rulenames.DUPLICATE_OTHER_BODY] if others else [])
    names = " · ".join(dict.fromkeys(rulenames.short_name(rule) for rule in rules))
    return Markup('<span class="warn" title="{}">⚠ {}</span>').format(title, names)


@lru_cache(maxsize=64)
def copies_options(needed: int, selected: int) -> Markup:
    """The <option>s of a 评审表 count, 0 to `needed` copies: the same
    few strings on each of 50 rows, made once."""
    option = Markup('<option value="{0}"{1}>{0}份</option>')
    return Markup("").join(option.format(n, Markup(" selected") if n == selected else "") for n in range(needed + 1))


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
    app.add_template_global(row_url)
    app.add_template_global(warning_note)
    app.add_template_global(copies_options)
    app.add_template_filter(uploadcounts.imported_text, "imported_text")
    app.add_template_filter(uploadcounts.checked_text, "checked_text")
    app.add_template_global(rulenames.presets_for)
    app.add_template_global(workflow.LABELS, "STATUS_LABELS")
    app.add_template_global(workflow.ACTIONS, "ACTIONS")
    app.add_template_global(results.LABELS, "RESULT_LABELS")
    app.add_template_global(history.RECORDS, "RECORDS")
    app.add_template_global(history.compact, "compact_history")
