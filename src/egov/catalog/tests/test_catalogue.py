"""Versions, Excel import/export, and the catalogue pages."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from egov.catalog.excel import export_workbook, import_workbook
from egov.catalog.models import Procedure, ProcedureVersion
from egov.catalog.services import revise_procedure, upsert_procedure
from egov.catalog.tests.factories import marriage_spec
from egov.core.errors import DomainError


def test_editing_a_published_procedure_makes_a_new_version(marriage: ProcedureVersion) -> None:
    unchanged, outcome = upsert_procedure(actor=None, spec=marriage_spec())
    assert outcome == "unchanged" and unchanged.pk == marriage.pk
    revised = revise_procedure(actor=None, version=marriage, fee_amount=50000)
    marriage.refresh_from_db()
    assert (marriage.status, marriage.fee_amount) == ("superseded", 0)
    assert (revised.number, revised.status, revised.fee_amount) == (2, "published", 50000)
    assert [c.key for c in revised.components.all()] == ["to-khai", "uy-quyen"]
    assert ProcedureVersion.objects.filter(procedure__national_code="9.000001").count() == 2


def test_a_bad_spec_is_refused_with_every_problem(marriage: ProcedureVersion) -> None:
    spec = marriage_spec(
        national_code="9.000002", sector="X99", levels=["quan"], processing_time=-1, online_level="max"
    )
    with pytest.raises(DomainError) as caught:
        upsert_procedure(actor=None, spec=spec)
    text = " ".join(caught.value.messages)
    for fragment in ("lĩnh vực mã “X99”", "cấp thực hiện", "thời hạn giải quyết", "mức độ trực tuyến"):
        assert fragment in text
    assert not Procedure.objects.filter(national_code="9.000002").exists()


def test_the_catalogue_round_trips_through_excel(marriage: ProcedureVersion, tmp_path: Path) -> None:
    path = tmp_path / "danh-muc.xlsx"
    count = export_workbook(path)
    assert count == ProcedureVersion.objects.filter(status="published").count()
    book = load_workbook(path)
    assert book.sheetnames == ["Thủ tục", "Thành phần"]
    report = import_workbook(path, actor=None)
    assert (report.created, report.revised, report.errors) == (0, 0, [])
    assert report.unchanged == count

    sheet = book["Thủ tục"]
    time_column = [cell.value for cell in sheet[1]].index("Thời hạn giải quyết")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "9.000001":
            row[time_column].value = 3
    book.save(path)
    out = io.StringIO()
    call_command("import_catalogue", str(path), stdout=out, stderr=io.StringIO())
    assert "phiên bản mới 1" in out.getvalue()
    assert ProcedureVersion.objects.get(procedure__national_code="9.000001", status="published").number == 2


def test_an_excel_file_with_bad_rows_saves_nothing(marriage: ProcedureVersion, tmp_path: Path) -> None:
    path = tmp_path / "loi.xlsx"
    export_workbook(path)
    book = load_workbook(path)
    sheet = book["Thủ tục"]
    sheet.append(
        [
            "9.000003",
            "",
            "G03-TP05",
            "Hộ tịch",
            "xã",
            "A",
            "B",
            "abc",
            "ngày làm việc",
            "",
            0,
            "",
            "",
            "",
            "",
            "",
            "Toàn trình",
            "2018-01-01",
            "",
            "{sai json",
        ]
    )
    sheet.append(
        [
            "9.000004",
            "Thủ tục tốt",
            "G03-TP05",
            "Hộ tịch",
            "xã",
            "A",
            "B",
            1,
            "ngày làm việc",
            "",
            0,
            "",
            "",
            "",
            "Luật",
            "Giấy",
            "Chưa trực tuyến",
            "2018-01-01",
            "",
            "",
        ]
    )
    book["Thành phần"].append(["1.999999", "a", "Giấy lạc", 1, 0, 0, "Có", "", ""])
    book.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="không có thủ tục nào được lưu"):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    messages = err.getvalue()
    assert "Thủ tục dòng" in messages and "biểu mẫu không phải JSON hợp lệ" in messages
    assert "mã thủ tục 1.999999 nhưng không có thủ tục đó" in messages
    assert not Procedure.objects.filter(national_code__in=["9.000003", "9.000004"]).exists()
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError, match="tệp hỏng"):
        call_command("import_catalogue", str(broken), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_procedure_page_shows_what_a_procedure_must_publish(
    marriage: ProcedureVersion, client: Client
) -> None:
    body = client.get("/thu-tuc/9.000001/").content.decode()
    for part in (
        "Đăng ký kết hôn (thử nghiệm)",
        "Cơ quan tiếp nhận",
        "Ủy ban nhân dân cấp xã",
        "1 ngày làm việc",
        "Tờ khai đăng ký kết hôn",
        "Khi nộp thay",
        "Luật Hộ tịch 2014",
        "Giấy chứng nhận kết hôn",
        "Toàn trình".lower(),
        "01/06/2018",
    ):
        assert part in body, part
    assert client.get("/thu-tuc/0.000000/").status_code == 404


def test_lists_cost_the_same_queries_for_any_size(
    marriage: ProcedureVersion, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.get("/thu-tuc/")  # warm the per-process caches and the visitor cookie
    # catalogue generation, the province's search terms' state, versions, their levels, sectors, levels,
    # desks, and the page itself
    with django_assert_max_num_queries(8):
        page = client.get("/thu-tuc/", {"q": "ket hon"})
    assert "Đăng ký kết hôn (thử nghiệm)" in page.content.decode()
    for number in range(2, 30):
        upsert_procedure(
            actor=None, spec=marriage_spec(national_code=f"9.1{number:05d}", name=f"Kết hôn {number}")
        )
    # The catalogue changed: also its search texts, and the state of the province's search terms.
    with django_assert_max_num_queries(8):
        page = client.get("/thu-tuc/", {"q": "ket hon"})
    assert page.content.decode().count('class="result"') == 20  # one page
    with django_assert_max_num_queries(7):
        client.get("/thu-tuc/", {"cap": "commune", "truc-tuyen": "online"})


def test_staff_edit_a_procedure_in_the_admin_and_preview_its_form(marriage: ProcedureVersion) -> None:
    import json

    from conftest import sign_in_officer

    admin = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    url = f"/admin/catalog/procedureversion/{marriage.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {key: form.initial.get(key) for key in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["published_on"], data["effective_from"] = "01/06/2018", "01/07/2018"
    definition = json.loads(json.dumps(marriage.form_definition))
    definition["steps"][0]["fields"][0]["help"] = "Ghi đúng như trên CCCD."
    data.update(
        {
            "fee_amount": 10000,
            "form_definition": json.dumps(definition, ensure_ascii=False),
            "components-TOTAL_FORMS": "2",
            "components-INITIAL_FORMS": "2",
            "components-MIN_NUM_FORMS": "0",
            "components-MAX_NUM_FORMS": "1000",
        }
    )
    for index, component in enumerate(marriage.components.all()):
        data[f"components-{index}-id"] = component.pk
        data[f"components-{index}-version"] = marriage.pk
    bad = admin.post(
        url,
        {
            **data,
            "form_definition": '{"steps": [{"title": "A", "fields": [{"key": "x", "type": "file", "label": "y"}]}]}',
        },
    )
    assert bad.status_code == 200 and "không được hỗ trợ" in bad.content.decode()
    saved = admin.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    newest = ProcedureVersion.objects.get(procedure=marriage.procedure, status="published")
    assert (newest.number, newest.fee_amount) == (2, 10000)
    assert newest.form_definition["steps"][0]["fields"][0]["help"] == "Ghi đúng như trên CCCD."
    preview = admin.get(f"/admin/catalog/procedureversion/{newest.pk}/preview/").content.decode()
    assert (
        "Ghi đúng như trên CCCD." in preview and "Hai bên" in preview and "Tờ khai đăng ký kết hôn" in preview
    )
