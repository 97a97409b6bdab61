"""Possibly the same person: same name, birth month and employer, different
identity numbers, in one batch; a warning on both rows, to the officer, and
to a contact only when both rows are theirs."""

from __future__ import annotations

import pytest

from zcweb.models import Applicant, Batch, Org

from tests.helpers import make_id, valid_row

WARNING = "可能为同一人"


def store(org_name: str, i: int, birth: str, **changes) -> Applicant:
    data = valid_row(i, name="邹华", id_number=make_id(birth, 100 + i), **changes)
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == org_name), id_number=data["id_number"],
                            name="邹华", data=data)


def review_rows(client) -> dict[int, str]:
    html = client.get("/review").get_data(as_text=True)
    return {a.id: html.split(f'id="a{a.id}"')[1].split("</tr>")[0] for a in Applicant.select()}


@pytest.fixture
def officer(client):
    client.login("officer")
    return client


def test_same_name_birth_month_and_employer_warns_on_both_rows(officer, ctx):
    first, second = store("百官街道", 1, "19850612"), store("百官街道", 2, "19850603")
    rows = review_rows(officer)
    assert WARNING in rows[first.id] and WARNING in rows[second.id] and "可能同一人" in rows[first.id]
    assert "330604********" in rows[first.id] and first.id_number not in rows[second.id]  # masked
    detail = officer.get(f"/applicants/{first.id}").get_data(as_text=True)
    assert detail.count(WARNING) == 1 and "可能同一人：可能同一人" not in detail
    officer.logout()
    officer.login("baiguan")
    assert officer.get("/").get_data(as_text=True).count(WARNING) == 2  # both rows are the contact's


def test_a_contact_is_not_told_of_another_bodys_row(officer, ctx):
    mine, theirs = store("百官街道", 1, "19850612"), store("曹娥街道", 2, "19850620")
    rows = review_rows(officer)
    assert "曹娥街道" in rows[mine.id].split(WARNING)[1] and WARNING in rows[theirs.id]
    officer.logout()
    officer.login("baiguan")
    assert WARNING not in officer.get("/").get_data(as_text=True)
    assert WARNING not in officer.get(f"/applicants/{mine.id}").get_data(as_text=True)


@pytest.mark.parametrize("birth, employer", [("19850712", None), ("19850612", "另一家公司")])
def test_another_birth_month_or_employer_is_another_person(officer, ctx, birth, employer):
    store("百官街道", 1, "19850612")
    store("百官街道", 2, birth, **({"employer": employer} if employer else {}))
    assert all(WARNING not in row for row in review_rows(officer).values())


def test_the_warning_filter_finds_both_rows_and_no_other(officer, ctx):
    first, second = store("百官街道", 1, "19850612"), store("百官街道", 2, "19850603")
    other = store("百官街道", 3, "19850712")  # another birth month: another person
    html = officer.get("/review?warning=person.same").get_data(as_text=True)
    assert f'id="a{first.id}"' in html and f'id="a{second.id}"' in html and f'id="a{other.id}"' not in html
    assert "可能为同一人（身份证号码不同）" in officer.get("/review").get_data(as_text=True)  # the filter's option
