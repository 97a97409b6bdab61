"""Findings: what a check says about a cell, a row or a file."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"  # the row cannot be imported
WARNING = "warning"  # imported, shown to the officer with the rule


@dataclass(frozen=True)
class Finding:
    """One finding. `column` is a column key, or None for the whole row."""

    level: str
    column: str | None
    message: str
    rule: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def to_dict(self) -> dict:
        return {"level": self.level, "column": self.column, "message": self.message, "rule": self.rule}

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(data["level"], data.get("column"), data["message"], data["rule"])


def error(column: str | None, message: str, rule: str) -> Finding:
    return Finding(ERROR, column, message, rule)


def warning(column: str | None, message: str, rule: str) -> Finding:
    return Finding(WARNING, column, message, rule)
