"""Text that Excel would run as a formula is exported as text and imports back unchanged."""

from pathlib import Path

from openpyxl import load_workbook

from egov.catalog.excel import export_workbook, import_workbook
from egov.catalog.models import ProcedureVersion
from egov.catalog.services import upsert_procedure
from egov.catalog.tests.factories import marriage_spec

RISKY_NAME = '=HYPERLINK("http://ke-gian.example/","Bấm để xem")'
DASH_NAME = "-Đăng ký lại khai sinh (thử)"
RISKY_STEPS = "+Nộp hồ sơ.\n@Nhận kết quả."
RISKY_COMPONENT = "=1+cmd|' /C calc'!A0"


def test_formula_like_text_is_written_as_text_and_imports_back(
    marriage: ProcedureVersion, tmp_path: Path
) -> None:
    spec = marriage_spec(national_code="9.000009", name=RISKY_NAME, steps=RISKY_STEPS)
    spec["components"][0]["name"] = RISKY_COMPONENT
    upsert_procedure(actor=None, spec=spec)
    upsert_procedure(actor=None, spec=marriage_spec(national_code="9.000010", name=DASH_NAME))
    path = tmp_path / "danh-muc.xlsx"
    export_workbook(path)

    book = load_workbook(path)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # not one formula in the file
    by_value = {c.value: c for c in cells}
    for text in (RISKY_NAME, DASH_NAME, RISKY_STEPS, RISKY_COMPONENT):
        assert by_value[text].data_type == "s" and by_value[text].quotePrefix, text

    report = import_workbook(path, actor=None)
    assert (report.created, report.revised, report.errors) == (0, 0, [])
    risky = ProcedureVersion.objects.get(procedure__national_code="9.000009", status="published")
    assert (risky.name, risky.steps, risky.number) == (RISKY_NAME, RISKY_STEPS, 1)
    assert risky.components.get(key="to-khai").name == RISKY_COMPONENT
    assert (
        ProcedureVersion.objects.get(procedure__national_code="9.000010", status="published").name
        == DASH_NAME
    )
