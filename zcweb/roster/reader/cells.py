"""A1-style column letters."""

from __future__ import annotations


def column_index(letters: str) -> int:
    """An A1-style column's number: A → 1, Z → 26, AA → 27. (openpyxl has
    this too, but importing it costs the command line a tenth of a second.)"""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def column_letter(index: int) -> str:
    """The letters of column `index`: 1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
