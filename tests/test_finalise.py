"""定稿上报 keeps the exact roster it produced; afterwards decisions are
refused until the officer reopens the batch."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import load_workbook

from zcweb.review import decisions
from zcweb.models import Applicant, Batch, Event, FinalRoster, Org, User
from zcweb.roster import workflow
from zcweb.roster.workflow import TransitionRefused

from tests.helpers import valid_row
from zcweb.outputs import finalise as finalising


@pytest.fixture
def people(ctx):
    batch, org = Batch.current(), Org.get(Org.name == "百官街道")
    made = []
    for i, (name, status) in enumerate([("王芳", workflow.APPROVED), ("丁一", workflow.APPROVED),
                                        ("李强", workflow.PENDING)], start=1):
        data = valid_row(i, name=name)
        made.append(Applicant.create(batch=batch, org=org, id_number=data["id_number"], name=name,
                                     data=data, status=status))
    return made


def officer() -> User:
    return User.get(User.username == "officer")


def names_in(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data))["高级工程师"]
    return [row[2] for row in sheet.iter_rows(min_row=4, values_only=True) if row[2]]


def test_finalise_keeps_the_exact_official_roster(people):
    kept = finalising.finalise(Batch.current(), officer())
    assert kept.sha256 == hashlib.sha256(bytes(kept.content)).hexdigest() and kept.size == len(bytes(kept.content))
    assert kept.created_by.username == "officer" and kept.created_at is not None
    assert kept.filename == "2024年度推荐人员汇总表.xlsx" and kept.rows == 2
    assert names_in(bytes(kept.content)) == ["丁一", "王芳"]  # stroke order: 丁 2, 王 4
    assert Applicant.get_by_id(people[0].id).status == workflow.RECOMMENDED
    event = Event.get(Event.action == "batch.finalised")
    assert event.after["sha256"] == kept.sha256


def test_after_finalising_decisions_and_copies_are_refused(people):
    finalising.finalise(Batch.current(), officer())
    pending = Applicant.get_by_id(people[2].id)
    with pytest.raises(TransitionRefused, match="已于.*定稿上报.*撤销定稿"):
        decisions.decide(pending, officer(), "approve", None, pending.version)
    with pytest.raises(TransitionRefused, match="定稿上报"):
        decisions.set_copies(Applicant.get_by_id(people[0].id), officer(), 3, 2)
    assert Applicant.get_by_id(pending.id).status == workflow.PENDING
    assert Applicant.get_by_id(people[0].id).copies == 0
    with pytest.raises(TransitionRefused):
        finalising.finalise(Batch.current(), officer())
    assert FinalRoster.select().count() == 1


def test_after_finalising_a_bulk_decision_is_refused_whole(people):
    finalising.finalise(Batch.current(), officer())
    pending = Applicant.get_by_id(people[2].id)
    with pytest.raises(TransitionRefused, match="定稿上报"):
        decisions.decide_many([(pending, pending.version)], officer(), "approve", None)
    assert Applicant.get_by_id(pending.id).status == workflow.PENDING


def test_reopening_allows_decisions_again_and_is_an_event(people):
    first = finalising.finalise(Batch.current(), officer())
    with pytest.raises(TransitionRefused, match="原因"):
        finalising.reopen_batch(Batch.current(), officer(), " ")
    assert finalising.reopen_batch(Batch.current(), officer(), "漏报一人") == 2
    event = Event.get(Event.action == "batch.reopened")
    assert event.user.username == "officer" and "漏报一人" in event.detail
    assert Applicant.get_by_id(people[0].id).status == workflow.APPROVED
    pending = Applicant.get_by_id(people[2].id)
    decisions.decide(pending, officer(), "approve", None, pending.version)
    decisions.set_copies(Applicant.get_by_id(pending.id), officer(), 3, pending.version + 1)
    second = finalising.finalise(Batch.current(), officer())
    assert names_in(bytes(second.content)) == ["丁一", "王芳", "李强"]
    assert names_in(bytes(FinalRoster.get_by_id(first.id).content)) == ["丁一", "王芳"]  # kept as sent


def test_kept_roster_downloads_byte_for_byte_and_is_logged(client, people):
    client.login("officer")
    client.post("/review/finalise", data={"acknowledged": "1"})
    kept = FinalRoster.get()
    html = client.get("/exports").get_data(as_text=True)
    assert kept.filename in html and kept.sha256[:12] in html and "撤销定稿" in html
    with client.get(f"/exports/final/{kept.id}.xlsx") as response:
        assert response.data == bytes(kept.content)
    assert Event.get(Event.action == "export.final").after == {"sha256": kept.sha256}


def test_web_decision_after_finalising_shows_the_refusal(client, people):
    client.login("officer")
    client.post("/review/finalise", data={"acknowledged": "1"})
    pending = people[2]
    response = client.post(f"/applicants/{pending.id}/decide", data={"action": "approve", "version": 1},
                           follow_redirects=True)
    assert "定稿上报" in response.get_data(as_text=True)
    assert Applicant.get_by_id(pending.id).status == workflow.PENDING


def test_web_reopen_needs_a_reason_and_then_unlocks(client, people):
    client.login("officer")
    client.post("/review/finalise", data={"acknowledged": "1"})
    page = client.post("/exports/reopen", data={"reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "撤销定稿须填写原因" in page and Batch.current().finalised_at is not None
    page = client.post("/exports/reopen", data={"reason": "更正专业"}, follow_redirects=True).get_data(as_text=True)
    assert "已撤销定稿，2人恢复为“拟推荐”" in page
    assert Batch.current().finalised_at is None
    assert client.get("/exports").status_code == 200 and FinalRoster.select().count() == 1


def test_contacts_cannot_reopen_or_download_kept_rosters(client, people):
    finalising.finalise(Batch.current(), officer())
    client.login("baiguan")
    assert client.post("/exports/reopen", data={"reason": "x"}).status_code == 403
    assert client.get(f"/exports/final/{FinalRoster.get().id}.xlsx").status_code == 403
    assert Batch.current().finalised_at is not None
