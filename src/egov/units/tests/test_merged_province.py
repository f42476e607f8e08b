"""After the 2025 plan: the whole merged province (GSO 2025 list), its agencies and their addresses, the portal
naming Đồng Nai, and district-level procedures that have a place to go or are closed with a clear message."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from egov.agencies.models import Agency
from egov.catalog.selectors import procedure_detail
from egov.dossiers import services
from egov.submission.tests.test_submission import signed_in
from egov.units.models import AdministrativeUnit

DATA = Path(__file__).resolve().parents[1] / "data"
PLAN = DATA / "reorganisations" / "2025-binh-phuoc-dong-nai.json"
GSO_2025 = DATA / "gso" / "dong-nai-75-from-2025-07.csv"


@pytest.fixture
def reorganised(demo: None, django_capture_on_commit_callbacks: Any) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_reorganisation", str(PLAN), stdout=out)
    return out.getvalue()


def test_the_merged_province_holds_every_commune_of_the_gso_2025_list(reorganised: str) -> None:
    with GSO_2025.open(encoding="utf-8") as handle:
        listed = {row["code"]: row["name"] for row in csv.DictReader(handle) if row["parent_code"] == "75"}
    assert len(listed) == 95
    dong_nai = AdministrativeUnit.objects.current().get(code="75")
    communes = AdministrativeUnit.objects.current().filter(parent=dong_nai)
    assert {u.code: u.name for u in communes} == listed
    assert communes.get(code="26041").name == "Phường Trấn Biên"  # from the former Đồng Nai
    assert communes.get(code="25279").name == "Xã Lộc Tấn"  # from the former Bình Phước
    # Every commune has its people's committee with a one-stop desk, at the address of its own territory.
    committees = Agency.objects.current().filter(kind__code="ubnd", unit__in=communes)
    assert committees.count() == 95 and all(a.has_one_stop_desk for a in committees)
    bien_hoa = committees.get(unit__code="26068")
    assert bien_hoa.name == "Ủy ban nhân dân phường Biên Hòa"
    assert bien_hoa.address == "Phường Biên Hòa, tỉnh Đồng Nai"
    assert committees.get(unit__code="25279").address == "Xã Lộc Tấn, tỉnh Đồng Nai"
    # The province: its people's committee, the service centre and the departments, at 2025 addresses.
    provincial = Agency.objects.current().filter(unit=dong_nai)
    names = set(provincial.values_list("name", flat=True))
    assert {"Ủy ban nhân dân tỉnh Đồng Nai", "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai"} <= names
    assert sum(1 for name in names if name.startswith("Sở ")) == 10
    assert not provincial.filter(address__contains="Bình Phước").exists()
    assert not Agency.objects.current().filter(email__endswith="binhphuoc.demo").exists()
    assert provincial.get(name="Sở Tư pháp tỉnh Đồng Nai").short_name == "Sở Tư pháp"


def test_header_footer_and_title_name_the_current_province(reorganised: str, client: Client) -> None:
    page = client.get("/").content.decode()
    header = page.split("<main", 1)[0]
    footer = page.rsplit("<footer", 1)[1]
    assert "Ủy ban nhân dân tỉnh Đồng Nai" in header and "Bình Phước" not in header
    assert "Ủy ban nhân dân tỉnh Đồng Nai" in footer and "Bình Phước" not in footer
    assert "Phường Trấn Biên, tỉnh Đồng Nai" in footer  # the contact desk's address after 2025
    assert "Tỉnh Đồng Nai</title>" in page


def test_the_2018_portal_still_names_binh_phuoc(demo: None, client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Ủy ban nhân dân tỉnh Bình Phước" in page.split("<main", 1)[0]


def test_a_district_level_procedure_is_not_fileable_with_nowhere_to_go(reorganised: str) -> None:
    """2.000908 (chứng thực at the district's justice office) was not re-published: no desk takes it, and
    every way in says why instead of letting the applicant fill in a form that can go nowhere."""
    message = "cấp huyện đã kết thúc từ ngày 01/07/2025"
    version = procedure_detail("2.000908")
    assert version is not None and not services.desks_for(version).exists()
    page = Client().get("/thu-tuc/2.000908/").content.decode()
    assert message in page and "Nộp hồ sơ trực tuyến" not in page
    citizen = signed_in()
    response = citizen.get("/nop-ho-so/2.000908/", follow=True)
    assert message in response.content.decode()
    from egov.dossiers.models import Draft

    assert not Draft.objects.filter(procedure_version=version).exists()
    from egov.accounts.models import User
    from egov.accounts.tokens import issue_token

    token = issue_token(user=User.objects.get(email="nguyenvanan@binhphuoc.demo"), name="Ứng dụng")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/dossiers", {"procedure": "2.000908", "agency": "000.11.60.H19", "data": "{}"}
    )
    assert response.status_code == 400 and message in json.dumps(response.json(), ensure_ascii=False)


def test_a_procedure_the_plan_moves_to_the_commune_is_filed_there(reorganised: str) -> None:
    assert "thủ tục được công bố lại" in reorganised
    version = procedure_detail("1.001612")  # hộ kinh doanh: re-published at the commune level
    assert version is not None and version.number == 2
    assert [level.code for level in version.levels.all()] == ["commune"]
    desks = services.desks_for(version)
    assert desks.filter(code="000.12.60.H19").exists()  # Ủy ban nhân dân xã Lộc Tấn (2025)
    assert desks.count() == 95
    page = Client().get("/thu-tuc/1.001612/").content.decode()
    assert "Nộp hồ sơ trực tuyến" in page and "Cấp xã" in page


def test_a_provincial_procedure_naming_a_merged_department_goes_to_its_successor(
    reorganised: str, marriage: Any
) -> None:
    """The catalogue of 2018 says “Sở Kế hoạch và Đầu tư”; after 2025 its work is the Sở Tài chính's."""
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec
    from egov.dossiers.models import Dossier
    from egov.onestop.processes import plan
    from egov.worktime.calendar import current_calendar

    version, _ = upsert_procedure(
        actor=None,
        spec=marriage_spec(
            national_code="9.000005",
            levels=["province"],
            deciding_agency="Phòng Đăng ký kinh doanh - Sở Kế hoạch và Đầu tư",
            deciding_level="province",
            deciding_organ="000.00.03.H10",
        ),
        sectors=ensure_sectors(actor=None, sectors=[SECTOR]),
    )
    desk = Agency.objects.current().get(code="000.00.30.H19")
    steps = plan(Dossier(procedure_version=version, receiving_agency=desk), current_calendar())
    assert steps[0].agency.name == "Sở Tài chính tỉnh Đồng Nai"


def test_a_procedure_the_plan_moves_is_decided_at_the_commune_that_receives_it(reorganised: str) -> None:
    """Hộ kinh doanh (1.001612) was decided by the district's finance office; the plan moves who decides to the
    commune (its economic office, or the commune's committee where the data has no such office)."""
    from egov.dossiers.models import Dossier
    from egov.onestop.processes import plan
    from egov.worktime.calendar import current_calendar

    version = procedure_detail("1.001612")
    assert version is not None and version.deciding_level is not None
    assert (version.deciding_level.code, version.deciding_office) == ("commune", "Phòng Kinh tế")
    desk = Agency.objects.current().get(code="000.12.60.H19")  # Ủy ban nhân dân xã Lộc Tấn (2025)
    steps = plan(Dossier(procedure_version=version, receiving_agency=desk), current_calendar())
    assert {step.agency.code for step in steps} == {"000.12.60.H19"}
    page = Client().get("/thu-tuc/1.001612/").content.decode()
    assert "Cấp giải quyết</dt><dd>Cấp xã" in page
    assert "Phòng Kinh tế thuộc Ủy ban nhân dân cấp xã" in page


def test_a_procedure_received_at_the_commune_but_decided_by_the_district_closes(reorganised: str) -> None:
    """Trợ cấp xã hội (1.001776) is received at communes and decided by the district's chairman: with the
    district gone and the plan silent, it takes no dossiers; chứng thực (2.000815), which each level decides
    itself, stays open at the communes."""
    from egov.catalog.selectors import filing_closed_reason

    decided_above = procedure_detail("1.001776")
    assert decided_above is not None
    reason = filing_closed_reason(decided_above)
    assert (
        reason is not None and "do cấp huyện giải quyết; cấp huyện đã kết thúc từ ngày 01/07/2025" in reason
    )
    assert reason in Client().get("/thu-tuc/1.001776/").content.decode()
    each_level = procedure_detail("2.000815")
    assert each_level is not None and filing_closed_reason(each_level) is None


def test_a_plan_moving_a_procedure_without_saying_who_decides_now_is_refused(demo: None) -> None:
    from egov.agencies.reorganisation_plans import load_plan
    from egov.agencies.services import apply_reorganisation
    from egov.core.errors import DomainError
    from egov.units.models import Reorganisation

    arguments = load_plan(PLAN)
    arguments["sections"]["procedures"].append(
        {"national_code": "2.000908", "levels": ["commune"], "deciding_agency": "Ủy ban nhân dân cấp xã"}
    )
    with pytest.raises(DomainError, match="cấp giải quyết mới"):
        apply_reorganisation(actor=None, **arguments)
    assert not Reorganisation.objects.exists()
    version = procedure_detail("2.000908")
    assert version is not None and version.number == 1
