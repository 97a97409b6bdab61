"""The review desk's search table and counts stay exact (issue 19): the
confirm adds the rows it inserts set-based (migration 0014), triggers keep
them for every other writer, and neither loses a row when confirms of
several bodies, and of one body, run at once with decisions. After each
step the kept counts equal a fresh GROUP BY over `applicant` and (SQLite)
the search table holds exactly each applicant's name, identity number and
employer. Each runs on SQLite and, with ZCWEB_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

import threading

from zcweb.intake import confirm as confirmation
from zcweb.intake.preview import create_preview
from zcweb.models import Applicant, Batch, Org, User
from zcweb.outputs import finalise as finalising
from zcweb.review import decisions
from zcweb.review.search import matches
from zcweb.roster import workflow
from zcweb.roster.workflow import TransitionRefused

from tests.helpers import kept_tables, roster, true_tables, valid_row


def person(i: int, **changes) -> dict:
    """Row `i` of a roster; 200 people have distinct identity numbers."""
    return valid_row(i, **changes)


def previewed(org: Org, rows: list[dict], name: str = "花名册.xlsx"):
    return create_preview(Batch.current(), org, None, name, roster(org, rows))


def officer() -> User:
    return User.get(User.username == "officer")


def named(org: Org, i: int) -> Applicant:
    return Applicant.get((Applicant.org == org) & (Applicant.id_number == person(i)["id_number"]))


def test_a_confirm_indexes_its_new_rows_and_counts_its_changed_ones(baiguan):
    confirmation.confirm(previewed(baiguan, [person(i) for i in (1, 2, 3, 4)]), None)
    assert kept_tables() == true_tables()
    decisions.decide(named(baiguan, 2), officer(), "return", "学历证书不清楚", named(baiguan, 2).version)
    contact = User.get(User.username == "baiguan")
    decisions.decide(named(baiguan, 3), contact, "withdraw", None, named(baiguan, 3).version)

    again = previewed(baiguan, [person(1, specialty="材料", employer="浙江上虞新材料有限公司"),
                                person(2, phone="13900000002"), person(3), person(5), person(6, name="钱多多")])
    done = confirmation.confirm(again, None, withdraw_missing=True)

    assert (done["new"], done["updated"], done["withdrawn"]) == (2, 3, 1)
    assert kept_tables() == true_tables()
    by_status = {named(baiguan, i).status for i in (1, 2, 3, 5, 6)}
    assert by_status == {workflow.PENDING} and named(baiguan, 4).status == workflow.WITHDRAWN
    batch = Batch.current()
    found = {a.name for a in Applicant.select().where(matches(batch, "新材料") | matches(batch, "钱多多"))}
    assert found == {"测试1", "钱多多"}  # a changed employer and a new row: both searchable


def test_every_other_writer_keeps_them_exact(baiguan):
    batch, caoe = Batch.current(), Org.get(Org.name == "曹娥街道")
    confirmation.confirm(previewed(baiguan, [person(i) for i in range(1, 7)]), None)
    data = person(7)
    made = Applicant.create(batch=batch, org=caoe, id_number=data["id_number"], name="周婷", data=data)
    assert kept_tables() == true_tables()
    assert [a.id for a in Applicant.select().where(matches(batch, "周婷"))] == [made.id]

    for i, action, reason in ((1, "approve", None), (2, "approve", None), (3, "reject", "现职称年限不足"),
                              (4, "return", "继续教育学时不足")):
        row = named(baiguan, i)
        decisions.decide(row, officer(), action, reason, row.version)
    decisions.set_copies(named(baiguan, 1), officer(), 3, named(baiguan, 1).version)
    decisions.decide_many([(named(baiguan, 5), named(baiguan, 5).version), (made, made.version)], officer(),
                          "approve", None)
    assert kept_tables() == true_tables()

    finalising.finalise(batch, officer())
    assert Applicant.select().where(Applicant.status == workflow.RECOMMENDED).count() == 4
    assert kept_tables() == true_tables()
    finalising.reopen_batch(Batch.current(), officer(), "补充材料", reopen_uploads=True)
    assert kept_tables() == true_tables()

    Applicant.update(name="周婷婷").where(Applicant.id == made.id).execute()
    named(baiguan, 6).delete_instance()
    assert kept_tables() == true_tables()
    assert [a.id for a in Applicant.select().where(matches(batch, "周婷婷"))] == [made.id]


def test_concurrent_confirms_and_decisions_keep_them_exact(app):
    """Confirms of three bodies, two of them of the same body with rows in
    common, and a fourth body's upload and confirm, all at once with the
    officer's decisions, 评审表 copies, a bulk approval and a contact's
    withdrawals on the same bodies' rows."""
    with app.app_context():
        baiguan, caoe = Org.get(Org.name == "百官街道"), Org.get(Org.name == "曹娥街道")
        dongguan = Org.create(name="东关街道", kind="街道", sort_order=3)
        confirmation.confirm(previewed(baiguan, [person(i) for i in range(1, 31)]), None)
        confirmation.confirm(previewed(caoe, [person(i) for i in range(1, 11)]), None)
        # 百官: the stored rows changed (half of them to another specialty) and 30 new people;
        # then again 百官, 16 of those new people and 20 more, withdrawing whoever is missing;
        # 曹娥: its rows to another specialty and 40 new people; 东关: 40 new people, uploaded meanwhile.
        previews = [
            (previewed(baiguan, [person(i, phone="13900000001") for i in range(1, 16)]
                       + [person(i, specialty="材料") for i in range(16, 61)], "a.xlsx"), False),
            (previewed(baiguan, [person(i) for i in range(45, 81)], "b.xlsx"), True),
            (previewed(caoe, [person(i, specialty="能源") for i in range(1, 51)], "c.xlsx"), False),
        ]
        dongguan_file = roster(dongguan, [person(i) for i in range(101, 141)])
        ids = {org.name: [named(org, i).id for i in range(1, 11)] for org in (baiguan, caoe)}
        baiguan_withdrawn = [named(baiguan, i).id for i in (21, 22, 23)]
    failures, done = [], []

    def run(work):
        try:
            with app.app_context():  # a connection of this thread's own, closed with the context
                start.wait()
                work()
        except Exception as e:  # reported below with the others
            failures.append(repr(e))

    def confirm(upload, withdraw):
        done.append(confirmation.confirm(upload, None, withdraw_missing=withdraw))

    def upload_and_confirm():
        confirm(create_preview(Batch.current(), Org.get(Org.name == "东关街道"), None, "d.xlsx", dongguan_file), False)

    def decide_each(ids, user, action, reason=None):
        for i in ids:
            row = Applicant.get_by_id(i)
            try:
                decisions.decide(row, user, action, reason, row.version)
            except TransitionRefused:  # changed meanwhile: the race this test is about
                pass

    def copies_and_bulk():
        for i in ids["曹娥街道"][:5]:
            row = Applicant.get_by_id(i)
            try:
                decisions.set_copies(row, officer(), 2, row.version)
            except TransitionRefused:
                pass
        rows = [(a, a.version) for a in Applicant.select().where(Applicant.id.in_(ids["曹娥街道"][5:]))]
        decisions.decide_many(rows, officer(), "approve", None)

    workers = [lambda u=u, w=w: confirm(u, w) for u, w in previews] + [
        upload_and_confirm,
        lambda: decide_each(ids["百官街道"][:6], officer(), "approve"),
        lambda: decide_each(ids["百官街道"][6:], officer(), "return", "学历证书不清楚"),
        lambda: decide_each(baiguan_withdrawn, User.get(User.username == "baiguan"), "withdraw"),
        copies_and_bulk,
    ]
    start = threading.Barrier(len(workers), timeout=30)
    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert failures == [] and len(done) == 4 and all(done), (failures, done)
    with app.app_context():
        per_body = {org.name: Applicant.select().where(Applicant.org == org).count() for org in Org.select()}
        assert per_body == {"百官街道": 80, "曹娥街道": 50, "东关街道": 40}
        assert sum(d["new"] for d in done) == 50 + 40 + 40
        assert Applicant.select().where(Applicant.status != workflow.PENDING).count() > 0
        assert kept_tables() == true_tables()
