"""The sandboxed child that reads a workbook with python-calamine.

Run as a script by `isolated` (`python -P child.py OPTIONS`, so that
importing it does not import zcweb and its web framework): it reads the
file from stdin under a memory and CPU limit and writes a pickle of
("ok", sheets) | ("password" | "memory", None) | ("error", text) to stdout. It imports
nothing from zcweb.
"""

import io
import json
import pickle
import sys


def _limit(options: dict) -> None:
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (options["memory"], options["memory"]))
        resource.setrlimit(resource.RLIMIT_CPU, (options["cpu"], options["cpu"]))
    except (ImportError, ValueError, OSError):
        pass  # no such limits on this system: the process boundary still protects the server


def _nonempty_rows(sheet, cap: int) -> list:
    rows = []
    for index, cells in enumerate(sheet.iter_rows()):
        if cells.count("") < len(cells):
            rows.append((index, cells))
            if len(rows) > cap:
                break
    return rows


def _sheets(pc, book, options: dict):
    for meta in book.sheets_metadata:
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        worksheet = meta.typ == pc.SheetTypeEnum.WorkSheet
        if meta.name == options["meta"] or (visible and worksheet and meta.name not in options["skip"]):
            sheet = book.get_sheet_by_name(meta.name)
            yield meta.name, visible, worksheet, (sheet.start or (0, 0))[1], _nonempty_rows(sheet, options["cap"])
        else:
            yield meta.name, visible, worksheet, 0, None


def main() -> None:
    options = json.loads(sys.argv[1])
    _limit(options)
    import python_calamine as pc
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
        result = ("ok", list(_sheets(pc, book, options)))
    except pc.PasswordError:
        result = ("password", None)
    except MemoryError:
        result = ("memory", None)
    except Exception as error:
        result = ("error", repr(error))
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == "__main__":
    main()
