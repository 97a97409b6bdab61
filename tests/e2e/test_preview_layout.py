"""The upload preview of a full 30-column roster at 1366×768: 行号, 姓名 and
结果 stay in view while the table scrolls right, "见：申报专业" leads to the
cell, j / k walk the faulty cells, 申报专业 is corrected from a dropdown of
the batch's values, and focus comes back to the cell after saving or Esc."""

from __future__ import annotations

import os

from zcweb.models import Org

from tests.e2e.conftest import login
from tests.e2e.test_preview_edit import settled
from tests.helpers import roster, valid_row

SHOTS = os.environ.get("ZCWEB_SHOTS")
BAD_ID = "330604198506121234"  # wrong check digit


def visible_at_its_place(page, selector: str) -> bool:
    """Whether the element is inside the scroll box and on top there (not
    covered by another cell): what the user sees."""
    return page.locator(selector).evaluate("""cell => {
        const box = cell.getBoundingClientRect(), view = cell.closest('.scroll').getBoundingClientRect();
        const x = box.left + Math.min(box.width / 2, 20), y = box.top + box.height / 2;
        const inside = box.left >= view.left - 1 && box.right <= view.right + 1;
        return inside && cell.contains(document.elementFromPoint(x, y));
    }""")


def focused_cell(page) -> str:
    """The id (or the text) of the cell holding the focus."""
    return page.evaluate("""() => {
        const cell = document.activeElement.closest('td');
        return cell ? (cell.id || cell.textContent.trim()) : '';
    }""")


def upload_roster(page, app, tmp_path) -> None:
    with app.app_context():
        data = roster(Org.get(Org.name == "百官街道"), [
            valid_row(1, name="张三", specialty="材料工程"),
            valid_row(2, name="李四", id_number=BAD_ID),
            valid_row(3, name="王五"),
        ])
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)
    login(page, "baiguan")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/uploads/*")
    settled(page)


def test_number_and_name_stay_in_view_when_the_table_scrolls_right(page, app, tmp_path):
    upload_roster(page, app, tmp_path)
    assert page.locator("table.preview thead th").count() == 1 + 30 + 2  # 行号, the roster's columns, 结果, 整行问题
    scroll = page.locator(".scroll")
    assert scroll.evaluate("box => box.scrollWidth > 2 * box.clientWidth")
    scroll.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert scroll.evaluate("box => box.scrollLeft") > 1000
    for row in (3, 4, 5):
        assert visible_at_its_place(page, f"#row-{row} td.f-num")
        assert visible_at_its_place(page, f"#row-{row} td.f-name")
        assert visible_at_its_place(page, f"#row-{row} td.f-result")
    assert page.text_content("#row-3 td.f-name").strip() == "张三"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "preview-scrolled-right.png"))


def test_see_links_and_j_k_move_to_the_faulty_cells(page, app, tmp_path):
    upload_roster(page, app, tmp_path)
    page.click("#row-3 a.see-cell:has-text('申报专业')")
    assert focused_cell(page) == "cell-3-specialty"
    assert visible_at_its_place(page, "#cell-3-specialty")
    page.keyboard.press("j")
    assert focused_cell(page) == "cell-4-id_number"
    assert visible_at_its_place(page, "#cell-4-id_number")
    page.keyboard.press("k")
    assert focused_cell(page) == "cell-3-specialty"
    page.keyboard.press("k")  # nothing before the first
    assert focused_cell(page) == "cell-3-specialty"


def test_specialty_is_corrected_from_a_dropdown_and_focus_comes_back(page, app, tmp_path):
    upload_roster(page, app, tmp_path)
    page.click("#cell-3-specialty a.cell-fix")
    select = page.locator("form.cell-edit select[name=value]")
    select.wait_for()
    settled(page)
    assert page.locator("form.cell-edit input[name=value]").count() == 0
    assert select.locator("option").all_text_contents() == [
        "请选择（原值：材料工程）", "能源", "材料", "轻纺", "石油和化学工程"]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "preview-dropdown.png"))
    select.select_option("材料")
    select.press("Enter")
    page.locator("form.cell-edit").wait_for(state="detached")
    settled(page)
    assert page.text_content("#row-3 td.f-result").split() == ["新增"]
    assert page.evaluate("document.activeElement.closest('td') === document.querySelector('#row-3').cells[20]")
    assert page.evaluate("document.querySelector('#row-3').cells[20].textContent.trim()") == "材料"

    # Esc: the cell comes back unchanged, with the focus.
    page.click("#cell-4-id_number a.cell-fix")
    field = page.locator("form.cell-edit input[name=value]")
    field.wait_for()
    settled(page)
    field.press("Escape")
    page.locator("form.cell-edit").wait_for(state="detached")
    settled(page)
    assert focused_cell(page) == "cell-4-id_number"
