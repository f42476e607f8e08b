"""Writing rows to Excel sheets so that text typed by citizens or officers stays text.

openpyxl stores a string that starts with "=" as a formula, and Excel or LibreOffice turn a cell that starts with
"+", "-", "@" (or a tab or carriage return before one of them) into a formula when someone edits it: a name like
``=HYPERLINK("http://…","Bấm vào đây")`` in a register would run on the officer's machine. Such cells are written
as plain strings and marked "quote prefix" (what typing an apostrophe first does in Excel): the value in the file
is exactly the text, so it reads back unchanged, and it shows and edits as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")  # also the full-width forms


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cell(sheet: Any, value: Any) -> Any:
    """The value as it should be appended to ``sheet``: a text cell for a string Excel would read as a
    formula, the value itself otherwise."""
    if not looks_like_formula(value):
        return value
    cell = Cell(sheet, row=1, column=1, value=value)  # append() sets where it goes
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` where no value becomes a formula."""
    sheet.append([text_cell(sheet, value) for value in values])
