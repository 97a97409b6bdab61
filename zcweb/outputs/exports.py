"""The officer's exports of a batch: the official roster, the archive, a
body's feedback, the 评审表 checklist and the 公示 list (glue between the
models and roster/)."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, fn

from ..models import Applicant, Batch, Event, Org, User
from ..review import history
from ..roster import workflow
from ..roster.batch import format_date
from ..roster.results import LABELS as RESULT_LABELS

# The workbook writers (roster/export, official, gongshi) load openpyxl, a
# tenth of a second: each is imported where a workbook is written, so that
# a command that writes none (import --dry-run) starts without it.

# The officer's exports of a batch: kind → (name, what it holds) on the exports page.
EXPORTS = {
    "recommended": ("推荐人员汇总表", "上报格式：拟推荐和已推荐人员，按级别分表，按专业、单位、姓氏笔画排序，A4 横向"),
    "all": ("全部申报人员存档", "全部人员全部列，含审核状态、原因、评审表份数、评审结果、提示及规则、最近一次操作、往年申报"),
    "checklist": ("评审表收件清单", "每个单位一页：应交、已收、缺少份数和签字栏，可打印签收"),
    "gongshi": ("公示名单", "拟推荐和已推荐人员，按级别分表、按官方名单顺序，只有姓名、工作单位、申报级别和专业，A4 纵向"),
}


def export_rows(applicants) -> list[dict]:
    return [
        {
            **a.data,
            "org": a.org.name,
            "org_order": (a.org.sort_order, a.org.id),
            "status": a.status_label,
            "reason": a.reason or "",
            "reviewer": a.reviewer.display_name if a.reviewer_id else "",
            "reviewed_at": a.reviewed_at.date().isoformat() if a.reviewed_at else "",
            "copies": a.copies,
            "result": RESULT_LABELS[a.result] if a.status == workflow.RECOMMENDED else "",
        }
        for a in applicants
    ]


def _applicants(batch: Batch, statuses=None, org: Org | None = None):
    query = (Applicant.select(Applicant, Org, User)
             .join(Org).switch(Applicant).join(User, on=(Applicant.reviewer == User.id), join_type=JOIN.LEFT_OUTER)
             .where(Applicant.batch == batch)
             .order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id))
    if statuses is not None:
        query = query.where(Applicant.status.in_(statuses))
    if org is not None:
        query = query.where(Applicant.org == org)
    return query


def official_roster(batch: Batch, day: dt.date) -> tuple[bytes, str, int]:
    """推荐人员汇总表 of the 拟推荐 and 已推荐 rows, dated `day`."""
    from ..roster.official import build_official, official_filename
    rows = export_rows(_applicants(batch, (workflow.APPROVED, workflow.RECOMMENDED)))
    return build_official(batch.spec, rows, day=day), official_filename(batch.spec), len(rows)


def _last_events(batch: Batch) -> dict[int, str]:
    """applicant id → its last event, as 2024年9月6日 裘晶晶：王晓燕：待审核 → 拟推荐."""
    last = (Event.select(fn.MAX(Event.id)).where((Event.batch == batch) & Event.applicant.is_null(False))
            .group_by(Event.applicant))
    events = (Event.select(Event.applicant, Event.at, Event.detail, User.id, User.display_name)
              .join(User, JOIN.LEFT_OUTER).where(Event.id.in_(last)))
    return {e.applicant_id: f"{format_date(e.at.date())} {e.user.display_name if e.user_id else '系统'}：{e.detail}"
            for e in events}


def archive_export(batch: Batch) -> tuple[bytes, str, int]:
    """Every row, every column, status, reason, copies, warnings with their
    rule and the last event: the bureau's record of the year."""
    from ..roster.export import build_roster, roster_filename
    applicants = list(_applicants(batch))
    last = _last_events(batch)
    earlier = history.entries(before_year=batch.year)
    rows = [{**row, "warnings": "\n".join(f"{w['message']}（{w['rule']}）" for w in a.warnings or []),
             "last_event": last.get(a.id, ""), "history": "\n".join(map(history.compact, earlier.get(a.id_number, [])))}
            for a, row in zip(applicants, export_rows(applicants))]
    spec = batch.spec
    subtitle = f"报送单位：{spec.bureau}　　导出时间：{format_date(dt.date.today())}"
    data = build_roster(batch.schema, spec, rows, title=f"{batch.title}申报人员存档", subtitle=subtitle,
                        archive=True)
    return data, roster_filename(spec, "全部申报人员存档"), len(rows)


def feedback_export(batch: Batch, org: Org) -> tuple[bytes, str, int]:
    """审核结果反馈 of one body: its rows with status, reason and copies."""
    from ..roster.export import build_feedback, roster_filename
    rows = export_rows(_applicants(batch, org=org).where(Applicant.status != workflow.WITHDRAWN))
    data = build_feedback(batch.schema, batch.spec, org.name, rows, day=dt.date.today())
    return data, roster_filename(batch.spec, f"审核结果反馈-{org.name}"), len(rows)


def checklist_export(batch: Batch, org: Org | None = None) -> tuple[bytes, str, int]:
    """评审表收件清单: every body with applicants (or one), a sheet each."""
    from ..roster.export import build_checklist, roster_filename
    applicants = _applicants(batch, org=org).where(
        Applicant.status.not_in((workflow.WITHDRAWN, workflow.RETURNED, workflow.REJECTED)))
    bodies: dict[str, list[dict]] = {}
    for row in export_rows(applicants):
        bodies.setdefault(row["org"], []).append(row)
    if not bodies:  # still a titled sheet, that says so
        bodies[org.name if org else "全部单位"] = []
    data = build_checklist(batch.schema, batch.spec, list(bodies.items()), day=dt.date.today())
    what = f"评审表收件清单-{org.name}" if org else "评审表收件清单"
    return data, roster_filename(batch.spec, what), sum(map(len, bodies.values()))


def roster_export(batch: Batch, kind: str) -> tuple[bytes, str, int]:
    """An export workbook of `kind` (see EXPORTS), its file name and how many rows it holds."""
    if kind == "recommended":
        return official_roster(batch, dt.date.today())
    if kind == "checklist":
        return checklist_export(batch)
    if kind == "gongshi":
        return gongshi_export(batch)
    return archive_export(batch)


def gongshi_people(batch: Batch) -> dict[str, list[dict]]:
    """The 公示 list: 拟推荐 and 已推荐 people by level (in the batch's
    order), each level sorted like the official roster. Only what a public
    list shows: name, employer, level, specialty."""
    from ..roster.official import official_order
    applicants = (Applicant.select(Applicant.name, Applicant.employer, Applicant.level, Applicant.specialty,
                                   Applicant.org_order, Applicant.org)
                  .where((Applicant.batch == batch)
                         & Applicant.status.in_((workflow.APPROVED, workflow.RECOMMENDED))).dicts())
    people: dict[str, list[dict]] = {level: [] for level in batch.spec.levels}
    for row in applicants:
        row["org_order"] = (row["org_order"], row.pop("org"))
        people.setdefault(row["level"], []).append(row)
    for level, rows in people.items():
        rows.sort(key=official_order(batch.spec, level))
    return {level: rows for level, rows in people.items() if rows}


def gongshi_notice(batch: Batch, start: dt.date):
    """(the 公示 list, its period from `start`, the notice)."""
    from ..roster.gongshi import notice, notice_period
    people = gongshi_people(batch)
    period = notice_period(batch.spec, start)
    return people, period, notice(batch.spec, period, {level: len(rows) for level, rows in people.items()})


def gongshi_export(batch: Batch) -> tuple[bytes, str, int]:
    from ..roster.gongshi import build_gongshi, gongshi_filename
    people = gongshi_people(batch)
    data = build_gongshi(batch.spec, people)
    return data, gongshi_filename(batch.spec), sum(map(len, people.values()))
