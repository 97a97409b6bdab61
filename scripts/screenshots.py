"""Screenshots of every page, as a contact and the officer see them.

    .venv/bin/python scripts/screenshots.py [out/screens]

Starts the app on a fresh database in a temporary instance folder with demo
data, uploads a roster with a few mistakes, decides some rows, and saves one
PNG per page (1366x768 viewport, full page) for a person to look at.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.e2e.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.helpers import roster, valid_row  # noqa: E402


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    instance = tempfile.mkdtemp(prefix="zcweb-shots-")
    os.environ["ZCWEB_INSTANCE_PATH"] = instance
    from zcweb import create_app
    from zcweb.models import Org

    app = create_app({"SECRET_KEY": "screenshots"})
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        rows = [valid_row(i, name=n) for i, n in enumerate(["张伟", "王芳", "李强"], start=1)]
        rows.append(valid_row(4, name="刘洋", ce_2023=60))
        rows += [valid_row(5, name="陈静", sex="女", ce_2023=60),
                 valid_row(6, name="赵磊", level="高级工程师", specialty="信息技术"),
                 valid_row(7, name="孙丽", id_number="33068219850612123", employer_type="参公事业单位")]
        data = roster(Org.get(Org.name == "百官街道"), rows)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    sample = Path(instance) / "百官街道花名册.xlsx"
    sample.write_bytes(data)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1366, "height": 768}, locale="zh-CN")

        def shot(name: str) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(path)

        def login(user: str) -> None:
            page.goto("/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "demo1234")
            page.click("button:has-text('登录')")
            page.wait_for_url("**/")

        page.goto("/login")
        shot("01-login")
        login("c01")
        shot("02-contact-home-empty")
        page.set_input_files("input[name=file]", str(sample))
        page.click("button:has-text('上传并检查')")
        page.wait_for_url("**/uploads/*")
        shot("03-upload-preview")
        page.click("button:has-text('确认导入')")
        page.wait_for_url("**/")
        shot("04-contact-home-rows")
        page.click("button:has-text('退出')")

        login("officer")
        shot("05-officer-home")
        page.goto("/review")
        page.locator("tr", has_text="张伟").locator("button:has-text('拟推荐')").click()
        returned = page.locator("tr", has_text="刘洋")
        returned.locator("a:has-text('退回修改')").click()
        returned.locator("label:has-text('继续教育学时不足') input").check()
        returned.locator("input[name=reason]").fill("2023年专业科目学时请补登记")
        shot("06-review-return-form")
        returned.locator("button:has-text('确定退回')").click()
        returned.locator(".badge.s-returned").wait_for()
        shot("07-review")
        returned.locator("a").first.click()
        shot("08-applicant-detail")
        for name, path in [("09-uploads", "/uploads"), ("10-admin-batch", "/admin/batch"),
                           ("11-admin-orgs", "/admin/orgs"), ("12-admin-users", "/admin/users"),
                           ("13-admin-events", "/admin/events")]:
            page.goto(path)
            shot(name)
        page.click("button:has-text('退出')")
        login("c01")
        shot("14-contact-home-decided")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "out" / "screens"))
