import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from egov.accounts.models import User
from egov.agencies.models import Agency, AgencyKind, Department
from egov.agencies.services import add_department, create_agency, move_agency, update_agency_contact
from egov.audit.models import AuditEntry
from egov.core.errors import DomainError, ScopeDenied
from egov.units.models import AdministrativeUnit

DATA = Path(__file__).resolve().parents[1] / "data" / "binh-phuoc-2018-agencies.csv"


def staff(email: str) -> User:
    return User.objects.get(email=email)


def test_the_demo_has_the_agencies_the_province_needs(demo: None) -> None:
    current = Agency.objects.current()
    assert current.get(code="000.00.00.H10").name == "Ủy ban nhân dân tỉnh Bình Phước"
    assert current.filter(kind__code="so").count() >= 10
    assert current.filter(kind__code="ubnd", unit__kind__level__code="district").count() == 11
    assert current.filter(kind__code="ubnd", unit__kind__level__code="commune").count() == 33
    loc_ninh = current.get(code="000.00.44.H10")
    assert {a.name for a in loc_ninh.children.all()} >= {
        "Phòng Tư pháp huyện Lộc Ninh",
        "Ủy ban nhân dân xã Lộc Tấn",
    }
    assert current.get(kind__code="trung-tam-phuc-vu-hanh-chinh-cong").has_one_stop_desk


def test_reimporting_the_demo_file_changes_nothing(demo: None) -> None:
    out = io.StringIO()
    call_command("import_agencies", str(DATA), stdout=out, stderr=io.StringIO())
    assert "thêm mới 0, không đổi 116" in out.getvalue()


def test_a_new_agency_needs_a_valid_unused_code(demo: None) -> None:
    kind = AgencyKind.objects.get(code="so")
    province = AdministrativeUnit.objects.current().get(code="70")
    parent = Agency.objects.get(code="000.00.00.H10")
    admin = staff("quantri@binhphuoc.demo")
    with pytest.raises(ValidationError, match=r"NNN\.NN\.NN\.MXX"):
        create_agency(
            actor=admin,
            code="000.16.H10",
            name="Sở Ngoại vụ",
            kind=kind,
            unit=province,
            parent=parent,
            valid_from=dt.date(2018, 1, 1),
        )
    with pytest.raises(DomainError, match="đã được dùng cho “Sở Tư pháp tỉnh Bình Phước”"):
        create_agency(
            actor=admin,
            code="000.00.02.H10",
            name="Sở Ngoại vụ",
            kind=kind,
            unit=province,
            parent=parent,
            valid_from=dt.date(2018, 1, 1),
        )
    with pytest.raises(DomainError, match="Số điện thoại không hợp lệ"):
        create_agency(
            actor=admin,
            code="000.00.16.H10",
            name="Sở Ngoại vụ",
            kind=kind,
            unit=province,
            parent=parent,
            valid_from=dt.date(2018, 1, 1),
            phone="123",
        )
    agency = create_agency(
        actor=admin,
        code="000.00.16.h10",
        name="Sở  Ngoại vụ tỉnh Bình Phước",
        kind=kind,
        unit=province,
        parent=parent,
        valid_from=dt.date(2018, 1, 1),
        phone="0271 3879 123",
    )
    assert (agency.code, agency.name, agency.phone) == (
        "000.00.16.H10",
        "Sở Ngoại vụ tỉnh Bình Phước",
        "02713879123",
    )
    assert agency.path == parent.path + f"{agency.pk}/"
    assert AuditEntry.objects.filter(action="created", object_id=str(agency.pk), actor=admin).exists()


def test_moving_an_agency_under_its_own_subtree_is_refused(demo: None) -> None:
    district = Agency.objects.get(code="000.00.44.H10")
    commune = Agency.objects.get(code="000.22.44.H10")
    with pytest.raises(DomainError, match="cấp dưới"):
        move_agency(actor=None, agency=district, new_parent=commune)
    district.refresh_from_db()
    assert district.parent.code == "000.00.00.H10"  # type: ignore[union-attr]


def test_agency_admins_manage_only_their_own_agency(demo: None) -> None:
    loc_ninh_admin = staff("quantri.locninh@binhphuoc.demo")
    loc_ninh = Agency.objects.get(code="000.00.44.H10")
    justice = Agency.objects.get(code="000.00.02.H10")
    department = add_department(
        actor=loc_ninh_admin, agency=loc_ninh, name="Bộ phận tiếp nhận và trả kết quả"
    )
    assert department.agency == loc_ninh
    with pytest.raises(DomainError, match="đã có phòng ban"):
        add_department(actor=loc_ninh_admin, agency=loc_ninh, name="bộ phận tiếp nhận và trả kết quả")
    with pytest.raises(ScopeDenied, match="Chỉ quản trị của Sở Tư pháp"):
        add_department(actor=loc_ninh_admin, agency=justice, name="Phòng mới")
    with pytest.raises(ScopeDenied):
        update_agency_contact(
            actor=staff("lanhdao.locninh@binhphuoc.demo"), agency=loc_ninh, phone="0271 3866 000"
        )
    update_agency_contact(
        actor=loc_ninh_admin, agency=loc_ninh, phone="0271 3866 000", email="ubnd@locninh.vn"
    )
    loc_ninh.refresh_from_db()
    assert (loc_ninh.phone, loc_ninh.email) == ("02713866000", "ubnd@locninh.vn")
    with pytest.raises(DomainError, match="không được phép thay đổi"):
        update_agency_contact(actor=loc_ninh_admin, agency=loc_ninh, name="Tên khác")
    assert not Department.objects.filter(agency=justice, name="Phòng mới").exists()
