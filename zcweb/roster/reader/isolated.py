"""A workbook read by python-calamine in a child process (`child.py`), so
that a file that makes calamine abort or eat memory only ends the child.
.xls and .ods files, which calamine parses whole as soon as it opens them
and whose parsers abort on some corrupt input, are always read this way."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

from ..schema import INSTRUCTIONS_SHEET, LISTS_SHEET, META_SHEET
from .book import Sheet, SheetInfo
from .header import HEADER_SCAN_ROWS
from .limits import Deadline, Limits
from .refusals import CORRUPT, PASSWORD, TIMEOUT, TOO_LARGE, RosterRefused, too_many_rows

# Memory and CPU a child reading a workbook may use.
ISOLATED_MEMORY = 3 * 1024 * 1024 * 1024
_CHILD = Path(__file__).with_name("child.py")


class IsolatedBook:
    """A workbook read by python-calamine in a child process."""

    def __init__(self, format: str, data: bytes, limits: Limits, deadline: Deadline,
                 hidden: dict[str, frozenset[int]] | None = None):
        """`hidden`: sheet name -> the numbers of the rows it hides, where
        they are known (an .xls: `biff.hidden_rows`)."""
        self.format, self._hidden = format, hidden or {}
        self._max_rows = limits.max_rows
        # The child sends at most this many non-empty rows of a sheet, and one
        # more to say there are more.
        self._cap = limits.max_rows + HEADER_SCAN_ROWS
        self._sheets = {entry[0]: entry for entry in _run_isolated(data, self._cap, deadline)}
        self.sheets = [SheetInfo(*entry[:3]) for entry in self._sheets.values()]

    def load(self, name: str) -> Sheet:
        _, _, _, first_column, rows = self._sheets[name]
        if len(rows) > self._cap:
            raise too_many_rows(self._max_rows)
        return Sheet(name, first_column, iter(rows), self._hidden.get(name, frozenset()))


def _run_isolated(data: bytes, cap: int, deadline: Deadline) -> list[tuple]:
    options = {
        "memory": ISOLATED_MEMORY,
        "cpu": int(max(deadline.left(), 0)) + 1,
        "cap": cap,
        "meta": META_SHEET,
        "skip": [INSTRUCTIONS_SHEET, LISTS_SHEET],
    }
    # -P: the child's folder is not put on the path, so its neighbours
    # cannot shadow a module it imports.
    command = [sys.executable, "-P", str(_CHILD), json.dumps(options)]
    try:
        child = subprocess.run(command, input=data, capture_output=True,
                               timeout=max(deadline.left(), 0.1))
    except subprocess.TimeoutExpired:
        raise RosterRefused(TIMEOUT) from None
    if child.returncode != 0 or not child.stdout:  # killed by a limit, or crashed
        raise RosterRefused(_crash_cause(child))
    status, payload = pickle.loads(child.stdout)  # our own child's output
    if status != "ok":
        raise RosterRefused({"password": PASSWORD, "memory": TOO_LARGE}.get(status, CORRUPT))
    return payload


def _crash_cause(child: subprocess.CompletedProcess) -> str:
    if child.returncode == -24:  # SIGXCPU: the CPU limit
        return TIMEOUT
    if child.stderr.startswith(b"memory allocation of"):  # Rust's abort at the memory limit
        return TOO_LARGE
    return CORRUPT
