"""What the review keys stand on in the HTML: presets pre-ticked from a row's
warnings, the keys listed on the page, the skip link to the table."""

import re

import pytest

from zcweb.models import Applicant, Batch, Org
from zcweb.roster.rulenames import presets_for

from tests.helpers import valid_row

HX = {"HX-Request": "true"}
REASONS = ["现职称年限不足", "继续教育学时不足", "单位公示不足5个工作日", "重复申报", "逾期报送"]


def warning(rule: str) -> dict:
    return {"level": "warning", "column": "x", "message": "…", "rule": rule}


def test_a_warning_calls_for_its_preset_reason():
    assert presets_for([warning("ce.registry_short")], False, REASONS) == ["继续教育学时不足"]
    assert presets_for([warning("notice.short"), warning("seniority.short")], False, REASONS) \
        == ["现职称年限不足", "单位公示不足5个工作日"]
    assert presets_for([], True, REASONS) == ["重复申报"]
    # A warning with no preset of its own, or a batch without that preset: nothing ticked.
    assert presets_for([warning("notice.late"), warning("platform.missing")], False, REASONS) == []
    assert presets_for([warning("ce.short")], False, ["逾期报送"]) == []


@pytest.fixture
def short_of_hours(ctx):
    data = valid_row(1, name="王工")
    return Applicant.create(batch=Batch.current(), org=Org.get(Org.name == "百官街道"), id_number=data["id_number"],
                            name="王工", data=data, warnings=[warning("ce.short")])


def ticked(html: str) -> list[str]:
    return re.findall(r'name="preset" value="([^"]+)" checked', html)


def test_the_reason_form_opens_with_the_warnings_preset_ticked(client, short_of_hours):
    client.login("officer")
    row = client.get(f"/applicants/{short_of_hours.id}/decide?action=return&version=1", headers=HX)
    html = row.get_data(as_text=True)
    assert ticked(html) == ["继续教育学时不足"]
    # The reason text comes first, so that Tab goes on to the presets.
    assert html.index('name="reason"') < html.index('name="preset"')
    # Without JavaScript the same form opens on the detail page.
    page = client.get(f"/applicants/{short_of_hours.id}/decide?action=reject&version=1",
                      follow_redirects=True).get_data(as_text=True)
    assert "继续教育学时不足" in ticked(page)
    # The detail page names its keys, and they press its forms.
    assert "键盘：<kbd>a</kbd> 拟推荐" in page
    assert 'data-key="a"' in page and 'data-key="r"' in page and 'data-key="x"' in page


def test_the_review_page_lists_its_keys_and_skips_to_the_table(client, short_of_hours):
    client.login("officer")
    html = client.get("/review").get_data(as_text=True)
    assert '<a class="skip" href="#review-table">跳到名单</a>' in html
    assert 'id="review-table"' in html
    keys = html[html.index('id="keys"'):html.index("</details>", html.index('id="keys"'))]
    for words in ("下一人 / 上一人", "拟推荐", "退回修改", "不予推荐", "打开详情", "搜索"):
        assert words in keys
    # The keys press the row's own controls.
    assert 'data-key=a>拟推荐</button>' in html
    assert 'data-key="r"' in html and 'data-key="x"' in html
