"""The desk's register (Sổ theo dõi hồ sơ, form 06), opened each year and numbered from 01, as Excel; the PDF
comes from :func:`egov.onestop.forms.pdf.register_pdf`. Both read the same rows (:func:`selectors.register_rows`)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from egov.core.spreadsheets import append_row
from egov.onestop.forms.pdf import REGISTER_HEADINGS
from egov.onestop.selectors import register_rows

WIDTHS = (6, 28, 40, 10, 24, 32, 30, 18, 18, 18, 18, 18, 20)


def register_workbook(*, agency: Any, year: int) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"So theo doi {year}"
    append_row(sheet, [f"SỔ THEO DÕI HỒ SƠ NĂM {year} – {agency.name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(REGISTER_HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in register_rows(agency=agency, year=year):
        append_row(sheet, row)  # names and addresses are typed by applicants
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out
