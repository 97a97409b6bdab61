"""Reading an uploaded roster (花名册读取).

`read_roster` turns the bytes a contact uploaded into raw rows keyed by
column key, or refuses the whole file with a message in Chinese that says
what to do. The format is recognised by the bytes, never by the file name
(`formats`): xlsx, xlsb, xls and ods go through python-calamine; a text
file is a web page's tables or an XML Spreadsheet 2003 (`markup`) when it
starts with "<", else CSV (`csvfile`). Cell values are returned exactly as
python-calamine, the csv module or the markup gives them; cleaning them is
`normalize`'s job.

Memory is the reader's real risk. An xlsx sheet's XML is scanned before
calamine sees it (`farcells`, used by `xlsx`), and .xls and .ods files are
read in a child process with a memory limit (`isolated`, running
`child.py`). The raw rows are made one at a time as the caller iterates
`RawRoster.rows` (`rows`), from python-calamine's `iter_rows()`, so that
the reader adds little to calamine's own grid. The header row is found and
matched in `header`, the sheet chosen in `workbook`.

Plain Python: neither Flask nor peewee.
"""

from .cells import column_index, column_letter
from .formats import read_roster
from .limits import Limits
from .refusals import RosterRefused
from .rows import RawRoster, RawRow

__all__ = ["Limits", "RawRoster", "RawRow", "RosterRefused", "column_index", "column_letter", "read_roster"]
