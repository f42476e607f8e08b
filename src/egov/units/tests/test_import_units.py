"""Importing a province's full list of units from CSV or Excel: all or nothing, row errors in Vietnamese."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from egov.core.tables import read_rows
from egov.units.models import AdministrativeUnit
from egov.units.services import UNIT_COLUMNS, import_units

DATA = Path(__file__).resolve().parents[1] / "data"
GSO_FILE = DATA / "gso" / "binh-phuoc-70-before-2025-07.csv"


def _import(path: Path):
    return import_units(
        rows=read_rows(path, aliases=UNIT_COLUMNS),
        actor=None,
        source="test",
        default_valid_from=dt.date(2020, 1, 1),
    )


@pytest.mark.django_db
def test_the_gso_list_of_binh_phuoc_loads_whole_and_twice_changes_nothing() -> None:
    report = _import(GSO_FILE)
    assert report.ok, report.errors
    assert report.created == 1 + 11 + 111
    province = AdministrativeUnit.objects.get(code="70")
    assert province.kind.code == "tinh"
    assert AdministrativeUnit.objects.filter(parent=province).count() == 11
    assert AdministrativeUnit.objects.filter(kind__level__code="commune").count() == 111
    # Kinds come from the name and the code length: "Thị xã" is not "Xã", "Thành phố" here is district level.
    assert AdministrativeUnit.objects.get(code="688").kind.code == "thi-xa"
    assert AdministrativeUnit.objects.get(code="689").kind.code == "thanh-pho"
    assert AdministrativeUnit.objects.get(code="25270").kind.code == "thi-tran"
    commune = AdministrativeUnit.objects.get(code="25279")
    assert commune.path.startswith(province.path) and commune.parent.code == "692"  # type: ignore[union-attr]

    again = _import(GSO_FILE)
    assert (again.created, again.unchanged, again.errors) == (0, 123, [])
    assert AdministrativeUnit.objects.count() == 123


@pytest.mark.django_db
def test_an_excel_file_is_read_like_a_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên", "Mã cấp trên", "Hiệu lực từ"])
    sheet.append([70, "Tỉnh Bình Phước", None, dt.date(2018, 1, 1)])
    sheet.append([692, "Huyện Lộc Ninh", 70, dt.date(2018, 1, 1)])
    sheet.append([25279, "Xã Lộc Tấn", 692, None])
    path = tmp_path / "don-vi.xlsx"
    book.save(path)
    report = _import(path)
    assert report.ok and report.created == 3
    assert AdministrativeUnit.objects.get(code="692").valid_from == dt.date(2018, 1, 1)
    assert AdministrativeUnit.objects.get(code="25279").valid_from == dt.date(2020, 1, 1)


@pytest.mark.django_db
def test_a_file_with_bad_rows_saves_nothing_and_names_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "loi.csv"
    path.write_text(
        "code,name,parent_code\n"
        "70,Tỉnh Bình Phước,\n"
        "692,Huyện Lộc Ninh,70\n"
        "69X,Huyện Sai Mã,70\n"  # 4: not digits
        "25279,Xã Lộc Tấn,999\n"  # 5: unknown parent
        "692,Huyện Lộc Ninh,70\n"  # 6: duplicate
        "25280,Xã Lộc Thạnh,25279\n"  # 7: a commune cannot be under a commune
        "693,Vùng Bù Đốp,70\n"  # 8: unknown kind
        "694,Huyện Hớn Quản,\n",  # 9: district without parent
        encoding="utf-8",
    )
    report = _import(path)
    rows = {number for number, _ in report.errors}
    assert rows == {4, 5, 6, 7, 8, 9}
    messages = dict(report.errors)
    assert "chỉ gồm chữ số" in messages[4]
    assert "Không tìm thấy đơn vị cấp trên có mã 999" in messages[5]
    assert "lặp lại" in messages[6]
    assert "phải thuộc cấp cao hơn" in messages[7]
    assert "Không xác định được loại đơn vị" in messages[8]
    assert "thiếu mã đơn vị cấp trên" in messages[9]
    assert AdministrativeUnit.objects.count() == 0


@pytest.mark.django_db
def test_renaming_through_an_import_is_refused_to_keep_history(tmp_path: Path) -> None:
    _import(GSO_FILE)
    path = tmp_path / "doi-ten.csv"
    path.write_text("code,name,parent_code\n692,Huyện Lộc Ninh Mới,70\n", encoding="utf-8")
    report = _import(path)
    assert "sắp xếp đơn vị hành chính" in report.errors[0][1]
    assert AdministrativeUnit.objects.get(code="692").name == "Huyện Lộc Ninh"


@pytest.mark.django_db
def test_the_command_shows_progress_and_vietnamese_errors(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_units", str(GSO_FILE), stdout=out, stderr=err)
    assert "thêm mới 123" in out.getvalue()
    assert "123/123" in err.getvalue()  # the progress bar

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\n12,Tỉnh Không Rõ,\n25281,Xã Lạc,404\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Có 1 dòng lỗi; không có dữ liệu nào được lưu"):
        call_command("import_units", str(bad), stdout=io.StringIO(), stderr=err)
    assert "Dòng 3: Không tìm thấy đơn vị cấp trên có mã 404" in err.getvalue()
    assert not AdministrativeUnit.objects.filter(code="12").exists()


@pytest.mark.django_db
def test_unreadable_files_get_a_clear_message(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(b"code,name\n70,T\xecnh B\xecnh Ph\xf9\n")  # a legacy 8-bit encoding, not UTF-8
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_units", str(latin), stdout=io.StringIO(), stderr=io.StringIO())
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="tệp hỏng hoặc sai định dạng"):
        call_command("import_units", str(fake), stdout=io.StringIO(), stderr=io.StringIO())
    text = tmp_path / "units.txt"
    text.write_text("70 Tỉnh Bình Phước", encoding="utf-8")
    with pytest.raises(CommandError, match=r"chỉ nhận tệp \.csv hoặc \.xlsx"):
        call_command("import_units", str(text), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command(
            "import_units", str(tmp_path / "missing.csv"), stdout=io.StringIO(), stderr=io.StringIO()
        )
