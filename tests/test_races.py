"""What a confirm does with rows decided after its preview, and the true
message after every race: confirm vs cancel, cancel vs confirm, two
cancels, confirm vs the deadline passing."""

from __future__ import annotations

import pytest

from zcweb.intake import confirm as confirmation
from zcweb.review import decisions
from zcweb.models import Applicant, Batch, Upload, User
from zcweb.roster import workflow

from tests.helpers import applicants, last_upload, kept_counts, kept_tables, roster, true_tables, upload, valid_row


def post(client, what: str, **data) -> str:
    return client.post(f"/uploads/{last_upload().id}/{what}", data=data,
                       follow_redirects=True).get_data(as_text=True)


def officer_decides(name: str, action: str, reason: str | None = None) -> None:
    row = Applicant.get(Applicant.name == name)
    decisions.decide(row, User.get(User.username == "officer"), action, reason, row.version)


@pytest.fixture
def three_stored(contact, baiguan):
    """Rows 1-3 of 百官街道 stored 待审核."""
    upload(contact, roster(baiguan, [valid_row(i) for i in (1, 2, 3)]))
    post(contact, "confirm")
    return {a.name: a for a in applicants()}


def test_rows_decided_after_the_preview_are_left_as_the_officer_left_them_and_named(contact, baiguan, three_stored):
    names = sorted(three_stored)
    upload(contact, roster(baiguan, [valid_row(i, phone="13900000009") for i in (1, 2, 3)]))
    officer_decides(names[0], "approve")
    officer_decides(names[1], "return", "学历证书不清楚")
    page = post(contact, "confirm")

    after = {a.name: a for a in applicants()}
    assert (after[names[0]].status, after[names[0]].data["phone"]) == (workflow.APPROVED, "13857500000")
    assert (after[names[1]].status, after[names[1]].reason) == (workflow.RETURNED, "学历证书不清楚")
    assert after[names[2]].data["phone"] == "13900000009"
    assert "修改1人" in page
    assert f"2人在导入期间已被审核或撤回，未覆盖：{names[0]}、{names[1]}。" in page
    assert last_upload().summary["committed"]["skipped"] == names[:2]
    assert kept_counts(Batch.current()) == sorted([(baiguan.id, workflow.APPROVED, 1, 0),
                                                   (baiguan.id, workflow.PENDING, 1, 0),
                                                   (baiguan.id, workflow.RETURNED, 1, 0)])
    assert kept_tables() == true_tables()


def test_withdrawing_the_missing_leaves_a_row_approved_meanwhile(contact, baiguan, three_stored):
    names = sorted(three_stored, key=lambda n: three_stored[n].id)
    upload(contact, roster(baiguan, [valid_row(1)]))  # rows 2 and 3 missing
    officer_decides(names[1], "approve")
    page = post(contact, "confirm", withdraw_missing="1")

    after = {a.name: a.status for a in applicants()}
    assert after == {names[0]: workflow.PENDING, names[1]: workflow.APPROVED, names[2]: workflow.WITHDRAWN}
    assert "撤回1人" in page and f"1人在导入期间已被审核或撤回，未覆盖：{names[1]}。" in page


def test_a_confirm_after_a_cancel_says_it_was_cancelled(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    post(contact, "cancel")
    page = post(contact, "confirm")
    assert "此次上传已由百官联络员于" in page and "取消，未导入任何数据。如需导入，请重新上传。" in page
    assert applicants() == []


def test_a_cancel_after_a_confirm_says_it_was_imported(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    post(contact, "confirm")
    page = post(contact, "cancel")
    assert "此文件已由百官联络员于" in page and "确认导入，不能再取消。" in page
    assert last_upload().status == Upload.CONFIRMED and len(applicants()) == 1


def test_a_second_cancel_says_it_is_already_cancelled(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    assert "已取消，本次上传未导入任何数据。" in post(contact, "cancel")
    page = post(contact, "cancel")
    assert "取消，无需再次取消。" in page and "已取消，本次上传未导入任何数据。" not in page


def test_a_confirm_after_the_deadline_passed_says_nothing_was_imported(contact, baiguan):
    upload(contact, roster(baiguan, [valid_row(1)]))
    batch = Batch.current()
    Batch.update(settings=dict(batch.settings, upload_deadline="2024-09-05")).execute()
    page = post(contact, "confirm")
    assert "本批次报送截止日期为2024年9月5日，已过截止日期" in page and "本次上传未导入。" in page
    assert last_upload().status == Upload.PREVIEW and applicants() == []


class Deadlock(Exception):
    """What the PostgreSQL driver raises when the server breaks a deadlock."""

    pgcode = "40P01"


def test_a_deadlock_is_retried_once_and_the_user_sees_the_import(contact, baiguan, monkeypatch):
    upload(contact, roster(baiguan, [valid_row(1), valid_row(2)]))
    insert, calls = confirmation.insert_new_rows, []

    def deadlocked_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise Deadlock("deadlock detected")
        return insert(*args)

    monkeypatch.setattr(confirmation, "insert_new_rows", deadlocked_once)
    page = post(contact, "confirm")
    assert len(calls) == 2 and "已导入2人（新增2人，修改0人）。" in page
    assert len(applicants()) == 2 and last_upload().status == Upload.CONFIRMED
    assert kept_tables() == true_tables()  # counted once, by the attempt that went through


def test_a_second_deadlock_is_not_retried_again(contact, baiguan, monkeypatch):
    upload(contact, roster(baiguan, [valid_row(1)]))
    def deadlocked(*args):
        raise Deadlock("deadlock detected")

    monkeypatch.setattr(confirmation, "insert_new_rows", deadlocked)
    with pytest.raises(Deadlock):
        confirmation.confirm(last_upload(), None)
    assert applicants() == [] and last_upload().status == Upload.PREVIEW
