"""The 高评委's result list (评审结果) back in.

The officer uploads the list the 高评委 publishes; it is read through the
roster reader with its header variants as data
(`excel_templates/result-list.toml`), kept like the province's lists
(reconcile.load_list: a new list replaces the old, every file is kept) and
matched with the batch's 已推荐 applicants (roster/results.py). Each of
them gets `Applicant.result`: passed, failed or None (未出结果). The
list's rows stay with what they matched, so that the officer can resolve
an ambiguous one and the people we never recommended can be listed."""

from __future__ import annotations

import functools

from peewee import Case, fn

from . import reconcile
from .. import marks
from ..db import db
from ..models import Applicant, Batch, Event, ListRow, ListUpload, Org, User
from ..roster import workflow
from ..roster.results import FAILED, PASSED, Candidate, Listed, match
from ..roster.schema import load_schema

KIND = ListUpload.RESULTS


def load_results(batch: Batch, user: User | None, filename: str, data: bytes) -> ListUpload:
    """Keep and apply a result list (refused: kept with the reason)."""
    return reconcile.load_list(batch, KIND, user, filename, data, store=functools.partial(_store, batch))


def _store(batch: Batch, entry: ListUpload, data: bytes) -> tuple[int, str | None]:
    listed = [Listed(name=v["name"], employer=v.get("employer", ""), specialty=v.get("specialty", ""),
                     id_number=v.get("id_number"), result=v.get("result", ""))
              for v in reconcile.list_values(load_schema("result-list"), data) if v.get("name")]
    if not listed:
        raise reconcile.ListRefused("名单中没有读到姓名，请确认上传的是高评委公布的评审结果名单（须有“姓名”列）。")
    if not recommended(batch).exists():
        raise reconcile.ListRefused("本批次还没有“已推荐”的人员，请定稿上报后再导入评审结果。")
    reconcile.store_rows(entry, ((row.id_number or "", vars(row)) for row in listed))
    found = _apply(batch, listed)
    return len(listed), _message(found)


def _message(found) -> str | None:
    parts = [f"{len(found.ambiguous)}行对应多人，请逐一确认" if found.ambiguous else "",
             f"{len(found.outside)}人不在本批次已推荐名单中" if found.outside else ""]
    return "；".join(p for p in parts if p) or None


def recommended(batch: Batch):
    return Applicant.select().where((Applicant.batch == batch) & (Applicant.status == workflow.RECOMMENDED))


def _candidates(batch: Batch) -> list[Candidate]:
    query = (recommended(batch).select(Applicant.id, Applicant.id_number, Applicant.name, Applicant.employer,
                                       Org.name, Applicant.level, Applicant.specialty).join(Org)
             .order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id))
    return [Candidate(key, number, name, (employer, org), level, specialty)
            for key, number, name, employer, org, level, specialty in query.tuples()]


def _apply(batch: Batch, listed: list[Listed]):
    """Every recommended applicant's result from `listed`, written in one
    UPDATE per outcome."""
    found = match(listed, _candidates(batch))
    for outcome in set(found.results.values()):
        keys = [k for k, v in found.results.items() if v == outcome]
        for start in range(0, len(keys), 500):
            Applicant.update(result=outcome).where(Applicant.id.in_(keys[start:start + 500])).execute()
    marks.refresh_later(batch)  # a later year's 往年未通过
    return found


def current_rows(batch: Batch) -> list[tuple[ListRow, Listed]]:
    entry = ListUpload.current(batch).get(KIND)
    if entry is None:
        return []
    rows = ListRow.select().where(ListRow.list == entry).order_by(ListRow.id)
    return [(row, Listed(**row.data)) for row in rows]


def outcome(batch: Batch):
    """The current list matched again (as stored, the officer's picks
    included): (rows, matching, recommended applicants by id)."""
    rows = current_rows(batch)
    listed = [row for _, row in rows]
    found = match(listed, _candidates(batch))
    people = {a.id: a for a in recommended(batch).select(Applicant, Org).join(Org)
              .order_by(Org.sort_order, Org.id, Applicant.position, Applicant.id)}
    return rows, found, people


def resolve(batch: Batch, user: User, row_id: int, applicant_id: int) -> str:
    """The officer's pick for an ambiguous row; every result follows."""
    rows = current_rows(batch)
    chosen = next(((row, listed) for row, listed in rows if row.id == row_id), None)
    applicant = recommended(batch).where(Applicant.id == applicant_id).first()
    if chosen is None or applicant is None:
        return "没有找到要确认的名单行或申报人，请刷新页面后重试。"
    row, listed = chosen
    listed.chosen = applicant.id
    with db.atomic():
        ListRow.update(data=vars(listed)).where(ListRow.id == row.id).execute()
        _apply(batch, [item for _, item in rows])
        Event.record(user, "results.resolved", batch=batch, applicant=applicant,
                     detail=f"评审结果名单中的“{listed.name}”确认为{applicant.org.name}的{applicant.name}")
    return ""


def as_json(batch: Batch) -> dict:
    """What the command line prints: ids are identity numbers."""
    rows, found, people = outcome(batch)
    by_outcome = {"passed": [], "failed": [], "pending": []}
    for a in people.values():
        by_outcome[a.result or "pending"].append(a.id_number)
    return {
        **by_outcome,
        "not_recommended": [{"name": rows[i][1].name, "employer": rows[i][1].employer} for i in found.outside],
        "ambiguous": [{"name": rows[i][1].name, "candidates": [people[k].id_number for k in keys]}
                      for i, keys in found.ambiguous.items()],
    }


def pass_rates(batch: Batch, *groups) -> list[tuple]:
    """(group values…, recommended, passed, failed) over the batch's 已推荐
    rows grouped by `groups` (columns of Applicant or Org), in their order."""
    counted = [fn.SUM(Case(None, [(Applicant.result == outcome, 1)], 0)) for outcome in (PASSED, FAILED)]
    query = (recommended(batch).select(*groups, fn.COUNT(Applicant.id), *counted).join(Org)
             .group_by(*groups).order_by(*groups))
    return list(query.tuples())


def dashboard(batch: Batch) -> dict | None:
    """Pass rates per body and per level × specialty, once a result list is in."""
    if KIND not in ListUpload.current(batch):
        return None
    return {"bodies": [row[2:] for row in pass_rates(batch, Org.sort_order, Org.id, Org.name)],
            "groups": pass_rates(batch, Applicant.level, Applicant.specialty),
            "total": pass_rates(batch)[0]}
