"""A year's batch rules (申报批次设置) as plain data.

`BatchSpec` holds every number, date and list of one year's notice. Presets
live in `excel_templates/batch-<year>.toml`; the database keeps a batch's spec
as JSON (`to_dict` / `from_dict`) so the officer can edit it per batch, through
the settings form of `batch_settings`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .schema import DEFINITIONS_DIR

_DATE_FIELDS = (
    "seniority_cutoff",
    "achievement_cutoff",
    "individual_deadline",
    "upload_deadline",
    "city_deadline",
)


@dataclass
class BatchSpec:
    """Everything a year's notice decides. Dates are `datetime.date`."""

    year: int
    title: str
    template: str
    seniority_cutoff: dt.date
    achievement_cutoff: dt.date
    individual_deadline: dt.date
    upload_deadline: dt.date
    city_deadline: dt.date
    levels: dict[str, list[str]]
    bureau: str = ""
    contact: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    official_view: str = "official-2024"
    gongshi_view: str = "gongshi-2024"
    # {level: 评审推荐 / 审核推荐}: the district's step, in the official roster's title
    district_steps: dict[str, str] = field(default_factory=dict)
    paper_copies: int = 3
    breakthrough_min_score: float = 120
    # The 申报途径 open this year, from the roster's choices; empty: all of them.
    routes: list[str] = field(default_factory=list)
    breakthrough_levels: list[str] = field(default_factory=list)
    excluded_employer_types: list[str] = field(default_factory=list)
    post_check_employer_types: list[str] = field(default_factory=list)
    ce_years: list[int] = field(default_factory=list)
    ce_min_hours: float = 90
    ce_min_professional_hours: float = 60
    notice_min_workdays: int = 5
    notice_first_day_counts: bool = True
    reasons: list[str] = field(default_factory=list)
    # {level: {"title": [current titles], "rules": [{label, education,
    #  degrees, years}]}}: see excel_templates/batch-2024.toml
    seniority: dict[str, dict] = field(default_factory=dict)

    def all_specialties(self) -> list[str]:
        """Every specialty of any level, each once, in the notice's order."""
        seen: dict[str, None] = {}
        for specialties in self.levels.values():
            seen.update(dict.fromkeys(specialties))
        return list(seen)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for name in _DATE_FIELDS:
            data[name] = data[name].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "BatchSpec":
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in _DATE_FIELDS:
            if isinstance(values.get(name), str):
                values[name] = dt.date.fromisoformat(values[name])
        return cls(**values)


def preset_path(year: int | str, directory: Path | str | None = None) -> Path:
    return Path(directory or DEFINITIONS_DIR) / f"batch-{year}.toml"


def load_preset(year: int | str, directory: Path | str | None = None) -> BatchSpec:
    """The batch preset of a year, e.g. ``load_preset(2024)`` for the 2024 notice."""
    with open(preset_path(year, directory), "rb") as f:
        return BatchSpec.from_dict(tomllib.load(f))


def format_date(value: dt.date | None) -> str:
    """2024年9月5日: the way every date is shown to a user."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def preset_years(directory: Path | str | None = None) -> list[int]:
    """The years that have a preset file, newest first."""
    found = Path(directory or DEFINITIONS_DIR).glob("batch-*.toml")
    return sorted((int(p.stem.removeprefix("batch-")) for p in found if p.stem[6:].isdigit()), reverse=True)


def roster_definitions(kind: str = "roster", directory: Path | str | None = None) -> list[str]:
    """The definitions of a kind a batch may use: `roster` (the template's
    columns), `official` (the 推荐人员汇总表's) or `gongshi` (the 公示 list's),
    excel_templates/<kind>-*.toml."""
    return sorted(p.stem for p in Path(directory or DEFINITIONS_DIR).glob(f"{kind}-*.toml"))


def for_year(spec: BatchSpec, year: int) -> BatchSpec:
    """Last year's batch carried to `year`: every date the same day that
    many years later (29 February becomes the 28th), the years of continuing
    education and of the title moved along, every other value kept."""
    shift = year - spec.year
    moved = {name: _add_years(getattr(spec, name), shift) for name in _DATE_FIELDS}
    return dataclasses.replace(
        spec, year=year, title=spec.title.replace(str(spec.year), str(year)),
        ce_years=[y + shift for y in spec.ce_years], **moved,
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
