"""Every start that Excel or LibreOffice reads as a formula is written as text and read back unchanged."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from egov.core.spreadsheets import append_row


@pytest.mark.parametrize(
    "text", ["=1+1", "+84 912 345 678", "-Bước 1", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", "＝1+1"]
)
def test_formula_starts_are_written_as_text(text: str) -> None:
    book = Workbook()
    sheet = book.active
    append_row(sheet, [text, "Nguyễn Văn An", 12, None])
    out = io.BytesIO()
    book.save(out)
    cells = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert (cells[0].value, cells[0].data_type, cells[0].quotePrefix) == (text, "s", True)
    assert [c.value for c in cells[1:3]] == ["Nguyễn Văn An", 12] and not cells[1].quotePrefix
