"""What one correction in the preview costs, against the preview itself.

    .venv/bin/python bench/bench_preview_edit.py [--rows 2000]

A correction reads the kept file again up to the corrected row (the file's
bytes stay as uploaded), cleans and checks that row and the rows sharing its
identity number, and recounts the preview. Printed in one run:
  floor     python-calamine reading the sheet into Python values
  preview   the whole upload preview of the same file
  open      opening a cell for correction (the cell's current raw value)
  correct   saving a correction of the file's last row (the worst case)
each with its ratio to the floor. Target: correct <= 2x floor, and a
correction costs a small part of the preview.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from python_calamine import CalamineWorkbook  # noqa: E402

from bench.bench_import import make_app, make_roster, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    rows = parser.parse_args().rows
    app = make_app(tempfile.mkdtemp(prefix="zcweb-bench-"))
    with app.app_context(), app.test_request_context():
        from zcweb.intake import corrections, preview
        from zcweb.models import Batch, Org, UploadRow

        data = make_roster(rows)
        batch, org = Batch.current(), Org.get(Org.name == "百官街道")
        floor_s, _ = timed(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data))
                           .get_sheet_by_name("申报人员").to_python())
        preview_s, upload = timed(lambda: preview.create_preview(batch, org, None, "bench.xlsx", data), repeat=1)
        last = UploadRow.select().where(UploadRow.upload == upload).order_by(UploadRow.row.desc()).first()
        open_s, _ = timed(lambda: corrections.current_value(upload, last.row, "phone"))
        values = iter(f"139{i:08d}" for i in range(10))
        correct_s, _ = timed(lambda: corrections.correct(upload, last.row, "phone", next(values), None))
    print(f"roster: {rows} rows, {len(data) / 1e6:.2f} MB xlsx")
    print(f"{'step':<12}{'seconds':>9}{'x floor':>9}")
    for name, seconds in (("floor", floor_s), ("preview", preview_s), ("open", open_s), ("correct", correct_s)):
        print(f"{name:<12}{seconds:>9.3f}{seconds / floor_s:>9.2f}")
    print(f"a correction costs {correct_s / preview_s:.0%} of the preview")


if __name__ == "__main__":
    main()
