"""Who decides a procedure, as its structured catalogue fields say, on the procedure's page, in the API's
procedure detail and in the admin."""

from __future__ import annotations

import json

from django.test import Client


def test_the_api_detail_names_the_deciding_level_organ_and_office(demo: None) -> None:
    client = Client()
    department = client.get("/api/v1/procedures/2.000488").json()  # lý lịch tư pháp
    assert department["deciding_level"] == "province"
    assert department["deciding_organ"] == {"code": "000.00.02.H10", "name": "Sở Tư pháp tỉnh Bình Phước"}
    assert (department["deciding_office"], department["deciding_authority"]) == (
        "",
        "Sở Tư pháp tỉnh Bình Phước",
    )
    each_level = client.get("/api/v1/procedures/2.000815").json()  # chứng thực: the desk's own level decides
    assert (each_level["deciding_level"], each_level["deciding_organ"]) == (None, None)
    assert each_level["deciding_office"] == "Phòng Tư pháp"
    assert (
        each_level["deciding_authority"]
        == "Ủy ban nhân dân cấp tiếp nhận hồ sơ (Phòng Tư pháp nơi có phòng này)"
    )
    district = client.get("/api/v1/procedures/2.000908").json()
    assert district["deciding_authority"] == "Phòng Tư pháp thuộc Ủy ban nhân dân cấp huyện"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ProcedureOut"]["properties"]
    assert {"deciding_level", "deciding_organ", "deciding_office", "deciding_authority"} <= set(schema)


def test_the_procedure_page_shows_who_decides(demo: None) -> None:
    client = Client()
    client.get("/thu-tuc/2.000908/")  # the catalogue's generation and the detail, cached per process
    page = client.get("/thu-tuc/2.000908/").content.decode()
    assert "Cấp giải quyết</dt><dd>Cấp huyện" in page
    assert "Cơ quan giải quyết hồ sơ</dt><dd>Phòng Tư pháp thuộc Ủy ban nhân dân cấp huyện" in page
    page = client.get("/thu-tuc/1.002123/").content.decode()  # Giám đốc Sở Y tế
    assert "Cơ quan giải quyết hồ sơ</dt><dd>Sở Y tế tỉnh Bình Phước" in page


def test_staff_change_who_decides_in_the_admin_and_new_dossiers_go_there(demo: None) -> None:
    from conftest import sign_in_officer
    from egov.agencies.models import Agency
    from egov.catalog.models import ProcedureVersion
    from egov.catalog.selectors import procedure_detail
    from egov.dossiers.models import Dossier
    from egov.onestop.processes import plan
    from egov.units.models import AdministrativeLevel
    from egov.worktime.calendar import current_calendar

    version = procedure_detail("2.000908")  # chứng thực at the district's justice office
    assert version is not None
    admin = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    url = f"/admin/catalog/procedureversion/{version.pk}/change/"
    page = admin.get(url)
    body = page.content.decode()
    assert "Cấp giải quyết" in body and "Cơ quan giải quyết" in body and "Phòng chuyên môn giải quyết" in body
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in ((key, form.initial.get(key)) for key in form.fields)}
    data.update({"published_on": "01/06/2018", "effective_from": "01/07/2018", "form_definition": json.dumps(version.form_definition, ensure_ascii=False),
                 "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0",
                 "components-MIN_NUM_FORMS": "0", "components-MAX_NUM_FORMS": "1000"})  # fmt: skip
    levels = {level.code: level.pk for level in AdministrativeLevel.objects.all()}
    below = admin.post(url, {**data, "deciding_level": levels["commune"]})
    assert below.status_code == 200 and "Cấp giải quyết phải là cấp thực hiện thủ tục hoặc cấp trên" in (
        below.content.decode()
    )
    justice = Agency.objects.get(code="000.00.02.H10")
    saved = admin.post(
        url,
        {**data, "deciding_level": levels["province"], "deciding_organ": justice.pk, "deciding_office": ""},
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    newest = ProcedureVersion.objects.get(procedure=version.procedure, status="published")
    assert newest.number == 2 and newest.deciding_organ == justice and newest.deciding_level is not None
    desk = Agency.objects.get(code="000.00.44.H10")  # the district's desk, as before
    steps = plan(Dossier(procedure_version=newest, receiving_agency=desk), current_calendar())
    assert [s.agency.code for s in steps] == ["000.00.02.H10"] * 5 + ["000.00.44.H10"]
