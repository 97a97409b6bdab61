"""The officer's home (总览): where every body stands, in a handful of
GROUP BY queries however many applicants there are (none per body or row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, fn

from ..intake.deadlines import deadline_for, deadline_sql
from ..models import ApplicantCount, Batch, Extension, Org, Upload, User
from ..roster import workflow
from ..roster.batch import BatchSpec, format_date

URGENT_DAYS = 7  # from this many days before its deadline a body with nothing uploaded is chased
STATUSES = [s for s in workflow.LABELS if s != workflow.WITHDRAWN]  # what a body has sent


@dataclass(frozen=True)
class Deadline:
    label: str
    date: dt.date
    days: int  # days left; negative once passed

    @property
    def countdown(self) -> str:
        if self.days > 0:
            return f"还有{self.days}天"
        return "今天截止" if self.days == 0 else f"已过{-self.days}天"


def deadlines(spec: BatchSpec, today: dt.date) -> list[Deadline]:
    return [Deadline(label, day, (day - today).days) for label, day in (
        ("个人网上申报截止", spec.individual_deadline),
        ("单位推荐（上传）截止", spec.upload_deadline),
        ("市级审核推荐截止", spec.city_deadline),
    )]


@dataclass
class Body:
    """One body's standing in the batch."""

    org: Org
    deadline: dt.date
    days_left: int
    extension: Extension | None = None
    contacts: list[User] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    forms_complete: int = 0  # applicants whose paper forms are all in
    last_upload: dt.datetime | None = None
    urgent: bool = False  # nothing uploaded and its deadline near or passed
    unconfirmed: int = 0  # uploads still waiting for the contact's confirmation

    @property
    def chased(self) -> bool:
        """Anything to remind the body of (催报)."""
        return any(needs(self) for _, needs, _ in CHASED)

    @property
    def returned(self) -> int:
        """Applicants returned for changes and not sent again yet."""
        return self.counts.get(workflow.RETURNED, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.get(s, 0) for s in STATUSES)

    @property
    def missing(self) -> bool:
        return self.total == 0


def accepting(batch: Batch) -> bool:
    return batch.is_open and not batch.finalised_at


def bodies(batch: Batch, spec: BatchSpec, today: dt.date) -> list[Body]:
    """Every active body, those with nothing uploaded whose deadline is
    near or passed first (while the batch takes uploads), then in order."""
    extensions = {e.org_id: e for e in Extension.select().where(Extension.batch == batch)}
    until = {org_id: e.until for org_id, e in extensions.items()}
    found = {}
    for org in Org.ordered().where(Org.active == True):  # noqa: E712
        deadline = deadline_for(batch, org, until)
        found[org.id] = Body(org, deadline, (deadline - today).days, extensions.get(org.id))
    for user in (User.select().where((User.role == User.CONTACT) & (User.active == True)  # noqa: E712
                                     & User.org.in_(list(found))).order_by(User.id)):
        found[user.org_id].contacts.append(user)
    # From the counts the database keeps per (body, level, specialty, status, copies).
    complete = fn.SUM(Case(None, [(ApplicantCount.copies >= spec.paper_copies, ApplicantCount.applicants)], 0))
    for org_id, status, count, forms in (
            ApplicantCount.select(ApplicantCount.org, ApplicantCount.status,
                                  fn.SUM(ApplicantCount.applicants), complete)
            .where(ApplicantCount.batch == batch)
            .group_by(ApplicantCount.org, ApplicantCount.status).tuples()):
        if org_id in found:
            found[org_id].counts[status] = count
            if status != workflow.WITHDRAWN:
                found[org_id].forms_complete += forms or 0
    for org_id, last in (Upload.select(Upload.org, fn.MAX(Upload.created_at))
                         .where((Upload.batch == batch) & (Upload.status != Upload.REFUSED))
                         .group_by(Upload.org).tuples()):
        if org_id in found:
            found[org_id].last_upload = last
    for org_id, waiting in (live_previews(batch, today).select(Upload.org, fn.COUNT(Upload.id))
                            .group_by(Upload.org).tuples()):
        if org_id in found:
            found[org_id].unconfirmed = waiting
    for body in found.values():
        body.urgent = accepting(batch) and body.missing and body.days_left <= URGENT_DAYS
    return sorted(found.values(), key=lambda b: not b.urgent)


# What a body is chased for (催报), in the reminder's order.
CHASED = (
    ("尚未上传花名册", lambda b: b.missing, lambda b: ""),
    ("已上传但联络员尚未确认导入", lambda b: b.unconfirmed, lambda b: f"{b.unconfirmed}个文件待确认"),
    ("有退回修改的人员尚未重新上传", lambda b: b.returned, lambda b: f"退回{b.returned}人"),
)


def reminder(batch: Batch, bodies: list[Body]) -> str:
    """The 催报 text the officer copies into a chat: who has sent nothing,
    whose upload waits for its confirmation, whose returned people are not
    sent again, with each body's deadline and contacts."""
    lines = [f"【催报】{batch.title}：请以下单位抓紧处理。"]
    for title, needs, what in CHASED:
        chosen = [b for b in bodies if needs(b)]
        if chosen:
            lines.append(f"{title}：")
            lines += [f"{i}. {_reminder_line(body, what(body))}" for i, body in enumerate(chosen, start=1)]
    return "\n".join(lines)


def _reminder_line(body: Body, what: str) -> str:
    contacts = "、".join(f"{u.display_name}{' ' + u.phone if u.phone else ''}" for u in body.contacts)
    when = "今天截止" if body.days_left == 0 else (
        f"还有{body.days_left}天" if body.days_left > 0 else f"已过截止{-body.days_left}天")
    return (f"{body.org.name}（{what + '，' if what else ''}截止{format_date(body.deadline)}，{when}"
            f"{'；联络员：' + contacts if contacts else ''}）")


def totals(batch: Batch, spec: BatchSpec) -> list[tuple[str, str, dict[str, int]]]:
    """(level, specialty, counts by status) in the notice's order, then any
    other value a row holds; withdrawn rows aside."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for level, specialty, status, count in (
            ApplicantCount.select(ApplicantCount.level, ApplicantCount.specialty, ApplicantCount.status,
                                  fn.SUM(ApplicantCount.applicants))
            .where((ApplicantCount.batch == batch) & (ApplicantCount.status != workflow.WITHDRAWN))
            .group_by(ApplicantCount.level, ApplicantCount.specialty, ApplicantCount.status).tuples()):
        counts.setdefault((level, specialty), {})[status] = count
    order = {key: i for i, key in enumerate((lv, sp) for lv, sps in spec.levels.items() for sp in sps)}
    return [(level, specialty, counts[level, specialty])
            for level, specialty in sorted(counts, key=lambda k: (order.get(k, len(order)), k))]


def live_previews(batch: Batch, today: dt.date):
    """Previews still waiting for a confirmation that can still be given:
    none once the batch is closed or finalised, and a contact's only up to
    the body's deadline (the officer's own may be confirmed after it)."""
    query = (Upload.select().join(User, JOIN.LEFT_OUTER, on=(Upload.user == User.id))
             .switch(Upload).join(Extension, JOIN.LEFT_OUTER,
                                  on=((Extension.batch == Upload.batch) & (Extension.org == Upload.org)))
             .where((Upload.batch == batch) & (Upload.status == Upload.PREVIEW)))
    if not accepting(batch):
        return query.where(SQL("1 = 0"))
    return query.where(User.id.is_null() | (User.role == User.OFFICER) | (deadline_sql(batch) >= today))
