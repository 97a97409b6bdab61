"""One column definition drives the template, the import, the review table
and the exports: adding a column to the TOML needs no other change."""

import io

import openpyxl
import pytest

from zcweb.models import Applicant, Batch, Org, Upload
from zcweb.roster import schema as schema_module
from zcweb.roster import workflow

from tests.helpers import roster, upload, valid_row

EXTRA = '''
[[columns]]
key = "certificate_no"
header = "职称证书编号"
aliases = ["证书编号"]
type = "text"
required = true
width = 16
help = "现职称证书上的编号。"
in_list = true
'''


@pytest.fixture
def extended(ctx, tmp_path, monkeypatch):
    """The 2024 roster plus one column, under a version name of its own."""
    text = (schema_module.DEFINITIONS_DIR / "roster-2024.toml").read_text()
    text = text.replace('version = "roster-2024"', 'version = "roster-extended"') + EXTRA
    (tmp_path / "roster-extended.toml").write_text(text)
    monkeypatch.setattr(schema_module, "DEFINITIONS_DIR", tmp_path)
    batch = Batch.current()
    Batch.update(settings=dict(batch.settings, template="roster-extended")).execute()
    return Batch.current()


def headers_of(data: bytes, sheet: str | None = None, row: int = 2) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    return [str(c.value).lstrip("*") for c in ws[row] if c.value]


def test_a_new_column_appears_in_template_import_review_and_export(client, extended):
    baiguan = Org.get(Org.name == "百官街道")
    client.login("baiguan")
    with client.get("/template.xlsx") as response:
        assert headers_of(response.data, "申报人员")[-1] == "职称证书编号"

    upload(client, roster(baiguan, [valid_row(1, certificate_no="ZJ-2018-001")]))
    upload(client, roster(baiguan, [valid_row(2)]))  # the new column left empty
    first, second = Upload.select().order_by(Upload.id)
    assert first.rows[0].values["certificate_no"] == "ZJ-2018-001"
    [finding] = second.rows[0].findings
    assert finding["column"] == "certificate_no" and "职称证书编号" in finding["message"]
    client.post(f"/uploads/{first.id}/confirm")
    client.logout()

    client.login("officer")
    review = client.get("/review").get_data(as_text=True)
    assert "<th>职称证书编号</th>" in review and "ZJ-2018-001" in review
    Applicant.update(status=workflow.APPROVED).execute()
    with client.get("/exports/all.xlsx") as response:
        ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in cells if "职称证书编号" in r)
    assert cells[cells.index(header) + 1][header.index("职称证书编号")] == "ZJ-2018-001"
