"""An extended body is judged by its own deadline: the 公示偏晚 warning
(notice.late) at import, at an inline correction and at a re-check."""

from __future__ import annotations

import datetime as dt

import pytest

from zcweb.review import recheck
from zcweb.intake.deadlines import deadline_for, move_deadlines
from zcweb.models import Applicant, Batch, Extension, Org, Upload
from zcweb.roster.batch import load_preset

from tests.helpers import roster, upload, valid_row


@pytest.fixture
def late_notice(ctx):
    """百官街道 extended by 20 days; a 公示 ending 12 days after the batch's deadline."""
    batch = Batch.current()
    deadline = batch.spec.upload_deadline
    Extension.create(batch=batch, org=Org.get(Org.name == "百官街道"), until=deadline + dt.timedelta(days=20))
    return {"notice_start": (deadline + dt.timedelta(days=1)).isoformat(),
            "notice_end": (deadline + dt.timedelta(days=12)).isoformat()}


def rules_of_last_upload() -> set[str]:
    upload_ = Upload.select().order_by(Upload.id.desc()).first()
    return {f["rule"] for row in upload_.rows for f in row.findings or []}


def test_the_import_judges_a_body_by_its_own_deadline(client, late_notice):
    client.login("officer")
    for name, expected in (("百官街道", set()), ("曹娥街道", {"notice.late"})):
        org = Org.get(Org.name == name)
        upload(client, roster(org, [valid_row(1, **late_notice)]), org=org.id)
        assert rules_of_last_upload() & {"notice.late"} == expected, name


def test_a_recheck_judges_a_body_by_its_own_deadline(late_notice):
    batch = Batch.current()
    made = {}
    for i, name in enumerate(("百官街道", "曹娥街道"), start=1):
        data = valid_row(i, **late_notice)
        made[name] = Applicant.create(batch=batch, org=Org.get(Org.name == name), id_number=data["id_number"],
                                      name=data["name"], data=data)
    result = recheck.recheck(batch, batch.spec)
    assert [w["rule"] for w in result.new_warnings[made["曹娥街道"].id]] == ["notice.late"]
    assert made["百官街道"].id not in result.new_warnings


def test_deadline_for_and_moving_the_deadlines(late_notice):
    batch = Batch.current()
    assert deadline_for(batch, Org.get(Org.name == "曹娥街道")) == batch.spec.upload_deadline
    assert (deadline_for(batch, Org.get(Org.name == "百官街道")) - batch.spec.upload_deadline).days == 20
    preset, today = load_preset(2024), dt.date(2026, 1, 5)
    moved = move_deadlines(preset, 7, today)
    assert moved.upload_deadline == dt.date(2026, 1, 12)
    assert moved.city_deadline - moved.upload_deadline == preset.city_deadline - preset.upload_deadline
