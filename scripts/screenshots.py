"""Screenshots of every page of the demo, as a contact and the officer see them.

    .venv/bin/python scripts/screenshots.py [out/screens] [--docs]

Starts the app on a fresh database in a temporary instance folder, runs
`seed-demo`, uploads examples/02-常见错误.xlsx as 百官街道's contact, and
saves one PNG per page (1366x768 viewport, full page) for a person to look
at, and the review desk's screens at 1366x768 and 1920x1080 (SIZES). With --docs it also writes the README's pictures to docs/: the
contact's home, that upload's preview, the review desk, the dashboard, and
the top of the first page of what `export-roster` writes, rendered by LibreOffice
(needs `soffice` and `pdftoppm`, as scripts/render_workbooks.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scripts.render_workbooks import render  # noqa: E402
from tests.e2e.conftest import ARGS, CHROMIUM  # noqa: E402

EXAMPLE = ROOT / "examples" / "02-常见错误.xlsx"
# Screenshot name -> the README's picture in docs/.
DOCS = {
    "02-contact-home": "contact-home.png",
    "03-upload-preview": "upload-preview.png",
    "05-dashboard": "dashboard.png",
    "06-review": "review.png",
}
ROSTER_PICTURE = "roster.png"
# The screens a reviewer sees all day, at these viewports too: the review
# table with a current row (key j) and with a reason form (key r), a
# detail page and the 操作日志.
SIZES = ((1366, 768), (1920, 1080))


def main(out: Path, docs: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    instance = tempfile.mkdtemp(prefix="zcweb-shots-")
    os.environ["ZCWEB_INSTANCE_PATH"] = instance
    from zcweb import create_app

    app = create_app({"SECRET_KEY": "screenshots"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    if result.exit_code != 0:
        sys.exit(result.output)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    shots: dict[str, Path] = {}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1366, "height": 768}, locale="zh-CN")

        def shot(name: str, full_page: bool = True) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full_page)
            shots[name] = path
            print(path)

        def login(user: str) -> None:
            page.goto("/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "shangyu2024")
            page.click("button:has-text('登录')")
            page.wait_for_url("**/")

        page.goto("/login")
        shot("01-login")
        login("c01")
        shot("02-contact-home")
        page.set_input_files("input[name=file]", str(EXAMPLE))
        page.click("button:has-text('上传并检查')")
        page.wait_for_url("**/uploads/*")
        shot("03-upload-preview")
        page.click("button:has-text('取消')")
        page.goto("/uploads")
        shot("04-contact-uploads")
        page.click("button:has-text('退出')")

        login("officer")
        shot("05-dashboard")
        page.goto("/review")
        shot("06-review", full_page=False)  # the first screenful of 150 rows
        row = page.locator("tbody tr", has_text="待审核").first
        row.locator("a:has-text('退回修改')").click()
        row.locator("label:has-text('继续教育学时不足') input").check()
        row.locator("input[name=reason]").fill("2023年专业科目学时请补登记")
        shot("07-review-return-form")
        page.goto("/review?status=returned")
        page.locator("tbody tr a").first.click()
        shot("08-applicant-detail")
        for name, path in [("09-uploads", "/uploads"), ("10-admin-batch", "/admin/batch"),
                           ("11-admin-orgs", "/admin/orgs"), ("12-admin-users", "/admin/users"),
                           ("13-admin-events", "/admin/events"), ("14-reconcile", "/reconcile")]:
            page.goto(path)
            shot(name)
        page.goto("/exports")
        shot("15-exports")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/review?status=pending")
            page.keyboard.press("j")
            page.locator("tr.current").wait_for()
            shot(f"16-review-current-row-{width}", full_page=False)
            page.keyboard.press("r")
            page.locator("tr.current form.reason-form input[name=reason]").wait_for()
            shot(f"17-review-reason-form-{width}", full_page=False)
            page.keyboard.press("Escape")
            page.locator("form.reason-form").wait_for(state="detached")
            page.keyboard.press("o")  # the current row's detail page
            page.wait_for_url(re.compile(r"/applicants/\d+\?"))
            shot(f"18-applicant-detail-{width}", full_page=False)
            page.goto("/admin/events")
            shot(f"19-events-{width}", full_page=False)
        browser.close()
    server.shutdown()

    if docs:
        target = ROOT / "docs"
        target.mkdir(exist_ok=True)
        for name, picture in DOCS.items():
            shutil.copyfile(shots[name], target / picture)
            print(target / picture)
        roster = Path(instance) / "推荐人员汇总表.xlsx"
        result = runner.invoke(args=["export-roster", "-o", str(roster)])
        if result.exit_code != 0:
            sys.exit(result.output)
        with tempfile.TemporaryDirectory(prefix="zcweb-soffice-") as profile:
            render(roster, Path(instance), Path(profile))
        # The top left of the first page, large enough to read.
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", "150", "-f", "1", "-l", "1", "-x", "0", "-y", "0",
                        "-W", "1800", "-H", "900", str(roster.with_suffix(".pdf")),
                        str(target / Path(ROSTER_PICTURE).stem)], check=True, timeout=180)
        print(target / ROSTER_PICTURE)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=ROOT / "out" / "screens", type=Path)
    parser.add_argument("--docs", action="store_true", help="also write the README's pictures to docs/")
    arguments = parser.parse_args()
    main(arguments.out, arguments.docs)
