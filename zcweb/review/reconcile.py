"""Reconciling the rosters with the province's lists (与省平台名单核对).

The officer uploads the 职称管理服务平台's list of online applications and
the 继续教育学时登记管理系统's registered hours. Each list is read through
the roster reader with its own schema of header variants
(`excel_templates/platform-list.toml`, `ce-registry.toml`), kept with its
bytes like a roster upload, and replaces the batch's older list of its
kind. `reconcile` compares them with the rosters by identity number
(roster/lists.py); the same findings reach the review table through
`add_warnings`, one query per page, and the review filters through the
rows' marks (zcweb/marks.py), refreshed for the whole batch when a list
is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .. import marks
from ..db import db, insert_rows
from ..intake.gate import UNEXPECTED, limits
from ..models import Applicant, Batch, Event, ListRow, ListUpload, Org, User, to_json
from ..roster import rulenames, workflow
from ..roster.lists import COMPARED, ce_findings, differing, findings, shown_stored
from ..roster.normalize import RowCleaner
from ..roster.reader import RosterRefused, read_roster
from ..roster.schema import load_schema

SCHEMAS = {ListUpload.PLATFORM: "platform-list", ListUpload.REGISTRY: "ce-registry"}


class ListRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def load_list(batch: Batch, kind: str, user: User | None, filename: str, data: bytes, store=None) -> ListUpload:
    """Keep an uploaded list; when it is accepted it replaces the batch's
    older list of its kind (`replaced` says how many). A refused list is
    kept too, with the reason. `store(entry, data)` reads the list into
    its rows and returns (people, message); by default `store_people`."""
    entry = ListUpload(batch=batch, kind=kind, user=user, **ListUpload.kept(filename, data))
    entry.replaced = 0
    with db.atomic():
        entry.save()
        try:
            with db.atomic():
                entry.rows, entry.message = (store or store_people)(entry, data)
                entry.replaced = (ListUpload.update(status=ListUpload.REPLACED)
                                  .where((ListUpload.batch == batch) & (ListUpload.kind == kind)
                                         & (ListUpload.status == ListUpload.CURRENT) & (ListUpload.id != entry.id))
                                  .execute())
                if kind in SCHEMAS:  # the rows' findings from the lists are marks for the review filters
                    marks.refresh_batch(batch)
        except ListRefused as e:
            entry.status, entry.message = ListUpload.REFUSED, e.message
        except Exception:  # the officer's file: answer, keep it, log it
            current_app.logger.exception("list upload %s failed", entry.id)
            entry.status, entry.message = ListUpload.REFUSED, UNEXPECTED
        entry.save()
        Event.record(user, f"list.{entry.status}", batch=batch,
                     after={"kind": kind, "rows": entry.rows, "sha256": entry.sha256},
                     detail=f"{entry.kind_label} {entry.filename}："
                            + (entry.message if entry.status == ListUpload.REFUSED else f"{entry.rows}人"))
    return entry


def store_people(entry: ListUpload, data: bytes) -> tuple[int, str | None]:
    """A platform or registry list's people, one row each by identity number."""
    people, skipped = read_list(entry.kind, data)
    store_rows(entry, people.items())
    return len(people), f"{skipped}行没有有效的身份证号码，未读取。" if skipped else None


def store_rows(entry: ListUpload, rows) -> None:
    """(identity number, values) pairs as the list's rows."""
    insert_rows(ListRow, ["list", "id_number", "data"], ((entry.id, number, to_json(values)) for number, values in rows))


def list_values(schema, data: bytes):
    """The cleaned values of each row of a list file read with `schema`
    (header variants as data); a file the reader refuses → ListRefused."""
    try:
        raw = read_roster(data, schema, limits())
    except RosterRefused as e:  # the reader's words are for a contact's roster (花名册); this is a list
        raise ListRefused(e.message.replace("填好的花名册", "名单").replace("花名册", "名单")) from None
    cleaner = RowCleaner(schema)
    return [cleaner.clean(row.cells)[0] for row in raw.rows]


def read_list(kind: str, data: bytes) -> tuple[dict[str, dict], int]:
    """identity number → the person's values, and how many rows had no
    valid number. Registry rows (one per person and year) are merged into
    {"name", "hours": {year: [total, professional or None]}}."""
    people: dict[str, dict] = {}
    skipped = 0
    for values in list_values(load_schema(SCHEMAS[kind]), data):
        number = values.get("id_number")
        if number is None:
            skipped += 1
        elif kind == ListUpload.PLATFORM:
            people.setdefault(number, values)
        elif "year" in values and "total" in values:
            person = people.setdefault(number, {"name": values.get("name", ""), "hours": {}})
            person["hours"][str(int(values["year"]))] = [values["total"], values.get("professional")]
        else:
            skipped += 1
    if not people:
        raise ListRefused("名单中没有读到有效的身份证号码，请确认上传的是从省平台导出的名单。")
    return people, skipped


def _entries(lists: dict[str, ListUpload], kind: str, numbers=None) -> dict[str, dict] | None:
    """The current list of `kind` by identity number, or None without one."""
    return ListRow.by_number(lists[kind], numbers) if kind in lists else None


def add_warnings(batch: Batch, applicants: list[Applicant]) -> None:
    """Show the lists' findings among each applicant's warnings (in memory,
    never saved): one query for the lists, one per list for the rows shown.
    With a registry, its hours replace the self-declared ones' check."""
    lists = ListUpload.current(batch)
    if not lists or not applicants:
        return
    numbers = {a.id_number for a in applicants}
    platform, registry = _entries(lists, ListUpload.PLATFORM, numbers), _entries(lists, ListUpload.REGISTRY, numbers)
    spec, schema = batch.spec, batch.schema
    for a in applicants:
        a.warnings = shown_stored(a.warnings, registry) + [
            f.to_dict() for f in findings(a.data, a.id_number, platform, registry, spec, schema)]


def side_by_side(batch: Batch, a: Applicant) -> dict[str, object] | None:
    """The lists' values for the roster columns they also hold (the
    platform's compared columns, the registry's hours by year), or None
    without a current list; a person missing from a list shows "无"."""
    lists = ListUpload.current(batch)
    if not lists:
        return None
    platform = _entries(lists, ListUpload.PLATFORM, [a.id_number])
    registry = _entries(lists, ListUpload.REGISTRY, [a.id_number])
    values: dict[str, object] = {}
    if platform is not None:
        entry = platform.get(a.id_number)
        values.update({key: "无" if entry is None else entry.get(key, "") for key in COMPARED})
    if registry is not None:
        hours = registry.get(a.id_number, {}).get("hours", {})
        values.update({f"ce_{year}": hours.get(str(year), ["无"])[0] for year in batch.spec.ce_years})
    return values


@dataclass
class BodyCounts:
    org: Org
    rows: int = 0
    not_on_platform: int = 0
    mismatched: int = 0
    ce_short: int = 0
    ce_differs: int = 0


@dataclass
class Reconciliation:
    lists: dict[str, ListUpload]
    not_on_platform: list[Applicant] = field(default_factory=list)
    not_on_roster: list[tuple[str, dict]] = field(default_factory=list)
    mismatched: list[tuple[Applicant, str, object, object]] = field(default_factory=list)
    ce_short: list[tuple[Applicant, list[str]]] = field(default_factory=list)
    ce_differs: list[tuple[Applicant, list[str]]] = field(default_factory=list)
    bodies: list[BodyCounts] = field(default_factory=list)

    @property
    def ce_rows(self) -> list[tuple[Applicant, list[str]]]:
        """Each applicant with a CE finding once, with all of them."""
        merged: dict[int, tuple[Applicant, list[str]]] = {}
        for a, messages in self.ce_short + self.ce_differs:
            merged.setdefault(a.id, (a, []))[1].extend(messages)
        return list(merged.values())

    def as_json(self) -> dict:
        return {
            "not_on_platform": [a.id_number for a in self.not_on_platform],
            "not_on_roster": [number for number, _ in self.not_on_roster],
            "mismatched": [{"id": a.id_number, "column": column, "roster": mine, "platform": theirs}
                           for a, column, mine, theirs in self.mismatched],
            "ce_short": [a.id_number for a, _ in self.ce_short],
            "ce_differs": [a.id_number for a, _ in self.ce_differs],
        }


def reconcile(batch: Batch) -> Reconciliation:
    """The batch's rosters (withdrawn rows aside) against its current lists."""
    result = Reconciliation(ListUpload.current(batch))
    platform = _entries(result.lists, ListUpload.PLATFORM)
    registry = _entries(result.lists, ListUpload.REGISTRY)
    schema, spec = batch.schema, batch.spec
    applicants = list(Applicant.select(Applicant, Org).join(Org)
                      .where((Applicant.batch == batch) & (Applicant.status != workflow.WITHDRAWN))
                      .order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id))
    bodies: dict[int, BodyCounts] = {}
    for a in applicants:
        body = bodies.setdefault(a.org_id, BodyCounts(a.org))
        body.rows += 1
        if platform is not None:
            entry = platform.get(a.id_number)
            if entry is None:
                result.not_on_platform.append(a)
                body.not_on_platform += 1
            else:
                keys = differing(a.data, entry)
                result.mismatched += [(a, schema[k].header, a.data.get(k), entry[k]) for k in keys]
                body.mismatched += bool(keys)
        if registry is not None:
            found = ce_findings(a.data, registry.get(a.id_number), spec, schema)
            short = [f.message for f in found if f.rule == rulenames.CE_REGISTRY_SHORT]
            differs = [f.message for f in found if f.rule == rulenames.CE_REGISTRY_DIFFERS]
            if short:
                result.ce_short.append((a, short))
                body.ce_short += 1
            if differs:
                result.ce_differs.append((a, differs))
                body.ce_differs += 1
    if platform is not None:
        on_rosters = {a.id_number for a in applicants}
        result.not_on_roster = [(n, v) for n, v in platform.items() if n not in on_rosters]
    result.bodies = list(bodies.values())
    return result


def workbook(batch: Batch, result: Reconciliation) -> tuple[bytes, str]:
    """The reconciliation as a workbook for the officer (full identity numbers)."""
    from ..roster.sheets import Col, StreamSheet, stream_workbook, to_bytes
    book = stream_workbook()
    sheets = [
        ("各单位汇总", ["报送单位", "报送人数", "平台未申报", "信息不一致", "登记学时不足", "自填学时不符"],
         [[b.org.name, b.rows, b.not_on_platform, b.mismatched, b.ce_short, b.ce_differs] for b in result.bodies]),
        ("平台未申报", ["报送单位", "姓名", "身份证号码"],
         [[a.org.name, a.name, a.id_number] for a in result.not_on_platform]),
        ("平台有但未报送", ["姓名", "身份证号码", "工作单位", "申报级别", "申报专业", "申报状态"],
         [[v.get("name"), n, v.get("employer"), v.get("level"), v.get("specialty"), v.get("state")]
          for n, v in result.not_on_roster]),
        ("信息不一致", ["报送单位", "姓名", "身份证号码", "列", "花名册", "平台"],
         [[a.org.name, a.name, a.id_number, column, mine, theirs] for a, column, mine, theirs in result.mismatched]),
        ("继续教育学时", ["报送单位", "姓名", "身份证号码", "问题"],
         [[a.org.name, a.name, a.id_number, "；".join(m)] for a, m in result.ce_rows]),
    ]
    for title, headers, rows in sheets:
        # Written as every export is: identity numbers and formula-looking names stay text.
        columns = [Col(str(i), h, 22, "idcard" if h == "身份证号码" else "text") for i, h in enumerate(headers)]
        table = StreamSheet(book, title, columns, freeze="A2")
        table.header()
        for row in rows:
            table.row(row)
        table.finish()
    return to_bytes(book), f"{batch.year}年度与省平台名单核对结果.xlsx"


def counts(result: Reconciliation) -> dict:
    return {key: len(value) for key, value in result.as_json().items()}
