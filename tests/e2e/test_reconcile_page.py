"""The officer uploads the platform list and the CE registry on the
reconciliation page and reads what differs."""

from __future__ import annotations

import os

from zcweb.intake import confirm as confirmation
from zcweb.models import Batch, Org
from zcweb.intake.preview import create_preview

from tests.e2e.conftest import login
from tests.helpers import roster
from tests.test_reconcile import A, B, C, D, gbk_csv, platform_rows, registry_rows, xlsx

SHOTS = os.environ.get("ZCWEB_SHOTS")


def test_upload_both_lists_and_read_the_reconciliation(page, tmp_path, app):
    with app.app_context():
        for name, people in (("百官街道", [A, B, C]), ("曹娥街道", [D])):
            org = Org.get(Org.name == name)
            preview = create_preview(Batch.current(), org, None,
                                              "花名册.xlsx", roster(org, people))
            confirmation.confirm(preview, None)
    platform, registry = tmp_path / "平台名单.csv", tmp_path / "学时.xlsx"
    platform.write_bytes(gbk_csv(platform_rows()))
    registry.write_bytes(xlsx(registry_rows()))
    login(page, "officer")
    page.click("nav >> text=平台核对")
    page.set_input_files("input[aria-label=职称平台申报名单]", str(platform))
    page.click("form:has(input[value=platform]) button")
    page.locator("text=已读取职称平台申报名单：4人").wait_for()
    page.set_input_files("input[aria-label=继续教育学时登记名单]", str(registry))
    page.click("form:has(input[value=registry]) button")
    page.locator("text=已读取继续教育学时登记名单：3人").wait_for()
    assert "自填学时与登记系统不符 (自填 96, 登记 72)" in page.text_content("main")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "reconcile.png"))
        page.screenshot(path=os.path.join(SHOTS, "reconcile-full.png"), full_page=True)
    page.click("nav >> text=审核")
    row = page.locator("table.review tr", has_text="乙二")
    assert "平台未申报" in row.text_content()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "review-warnings.png"))
    page.click("nav >> text=平台核对")
    page.click("text=乙二")
    assert "平台未申报" in page.text_content("main")
