"""The declarative roster column list (花名册列定义).

One `Schema` per template version, loaded from `excel_templates/<version>.toml`.
The template, the reader, the checks, the review table and the exports all
iterate over `schema.columns`; nothing else names a roster column.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..resources import resource_dir

DEFINITIONS_DIR = resource_dir("excel_templates")

TYPES = ("text", "idcard", "date", "month", "number", "choice", "yesno", "phone")
YES, NO = "是", "否"

# Columns the tool itself writes to the right of the roster columns in a
# pre-filled or error-marked copy; the import ignores them without comment.
# The template's other sheets (roster/template.py and instructions.py write them, the reader skips them).
INSTRUCTIONS_SHEET = "填报说明"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
INFO_HEADERS = ("审核状态", "审核意见/退回原因", "错误说明")

# "（必填）", "(全称)", "【下拉选择】": notes in brackets are dropped when
# matching headers, but a bracketed number such as "(2022)" is kept.
_NOTE = re.compile(r"[(\[{【〔<《]\s*(?!\d+\s*[)\]}】〕>》])[^)\]}】〕>》]*[)\]}】〕>》]")
_NOISE = re.compile(r"[\s*＊:：_\-—/、.·•'\"]+")


def header_key(text: object) -> str:
    """The form in which two headers are compared: width-folded, no spaces,
    no notes in brackets, no punctuation, lower case."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    folded = _NOTE.sub("", folded)
    folded = re.sub(r"[()\[\]{}【】〔〕<>《》]", "", folded)
    return _NOISE.sub("", folded).lower()


@dataclass(frozen=True, eq=False)
class Column:
    """One roster column: how it is written, read, checked and shown."""

    key: str
    header: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    required_when: tuple[str, tuple[str, ...]] | None = None
    choices: tuple[str, ...] = ()
    choices_from: str | None = None
    choice_aliases: dict[str, str] = field(default_factory=dict)
    width: int = 12
    help: str = ""
    max_length: int = 200
    min: float | None = None
    max: float | None = None
    in_list: bool = False

    def is_required(self, row: dict) -> bool:
        """Whether this column needs a value in `row` (cleaned values by key)."""
        if self.required:
            return True
        if self.required_when:
            other, values = self.required_when
            return row.get(other) in values
        return False

    def requirement_text(self) -> str:
        """必填 / 选填 / 申报途径为破格时必填, for help texts and messages."""
        if self.required:
            return "必填"
        if self.required_when:
            return f"{'、'.join(self.required_when[1])}时必填"
        return "选填"

    def choices_for(self, spec, row: dict | None = None) -> list[str]:
        """The allowed values; batch-driven lists come from the batch `spec`."""
        if self.type == "yesno":
            return [YES, NO]
        if self.choices_from == "levels":
            return list(spec.levels)
        if self.choices_from == "specialties":
            level = (row or {}).get("level")
            if level in spec.levels:
                return list(spec.levels[level])
            return spec.all_specialties()
        if self.choices_from == "routes" and spec.routes:
            return [c for c in self.choices if c in spec.routes]
        return list(self.choices)

    @property
    def header_keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, *self.aliases)}


@dataclass(frozen=True, eq=False)
class Schema:
    """A template version's ordered columns."""

    version: str
    title: str
    sheet: str
    columns: tuple[Column, ...]

    def __post_init__(self):
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.version}: duplicate column keys")
        index: dict[str, Column] = {}
        for column in self.columns:
            for hk in column.header_keys:
                if index.setdefault(hk, column) is not column:
                    raise ValueError(f"{self.version}: header {hk!r} names two columns")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_by_key", {c.key: c for c in self.columns})
        object.__setattr__(self, "_list_columns", [c for c in self.columns if c.in_list])

    def __getitem__(self, key: str) -> Column:
        return self._by_key[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    @property
    def by_key(self) -> dict[str, Column]:
        return self._by_key

    @property
    def list_columns(self) -> list[Column]:
        """The columns the lists show (read on each row of a page)."""
        return self._list_columns

    def match_header(self, text: object) -> Column | None:
        """The column a header cell names, by its header or an alias."""
        return self._index.get(header_key(text))


def column_from_dict(data: dict) -> Column:
    data = dict(data)
    if data.get("type", "text") not in TYPES:
        raise ValueError(f"column {data.get('key')}: unknown type {data.get('type')!r}")
    when = data.pop("required_when", None)
    return Column(
        aliases=tuple(data.pop("aliases", ())),
        choices=tuple(data.pop("choices", ())),
        required_when=(when["column"], tuple(when["equals"])) if when else None,
        **data,
    )


def schema_from_dict(data: dict) -> Schema:
    return Schema(
        version=data["version"],
        title=data.get("title", "花名册"),
        sheet=data.get("sheet", "申报人员"),
        columns=tuple(column_from_dict(c) for c in data["columns"]),
    )


@lru_cache(maxsize=None)
def load_schema(version: str, directory: Path | str | None = None) -> Schema:
    """The schema of a template version, e.g. ``load_schema("roster-2024")``."""
    path = Path(directory or DEFINITIONS_DIR) / f"{version}.toml"
    with open(path, "rb") as f:
        return schema_from_dict(tomllib.load(f))
