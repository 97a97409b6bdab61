"""How much a file may ask of the server: rows, bytes, cells, seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .refusals import TIMEOUT, RosterRefused


@dataclass(frozen=True)
class Limits:
    max_rows: int = 20000
    max_uncompressed: int = 200 * 1024 * 1024
    max_ratio: int = 200  # per member, for members above zipped.RATIO_CHECKED_ABOVE
    time_limit: float = 30.0  # seconds
    # Cells of the grid python-calamine may build for one sheet (32 bytes each).
    max_cells: int = 5_000_000


class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise RosterRefused(TIMEOUT)
